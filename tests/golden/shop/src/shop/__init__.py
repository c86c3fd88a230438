"""shop: a FastAPI REST API and an MCP server over the same services."""

from importlib.metadata import version

__version__ = version("shop")
