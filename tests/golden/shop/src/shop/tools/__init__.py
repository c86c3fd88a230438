"""MCP tools; every module exposes `register(server, services)`."""
