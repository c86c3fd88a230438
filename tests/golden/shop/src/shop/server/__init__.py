"""The MCP server: tool discovery, bearer-token auth and transports."""
