"""`python -m shop.server`: serve the MCP tools over stdio."""

from shop.server.mcp_server import main

main()
