"""Business logic shared by the REST routes and the MCP tools."""
