"""The OAuth 2.1 authorization server of the REST API and the MCP endpoint."""
