"""blueprintgen: a blueprint compiler for FastAPI + MCP backends."""

__version__ = "0.1.0"
__all__ = ["__version__"]
