"""Pydantic models: the API and MCP tool contracts."""
