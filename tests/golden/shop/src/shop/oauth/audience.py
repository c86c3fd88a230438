"""What this server is, as a token audience (RFC 8707 resource indicators)."""

from shop.config.settings import Settings

MCP_PATH = "/mcp"


def api_resource(settings: Settings) -> str:
    """The REST API's resource identifier: the app's public URL."""
    return settings.public_url.rstrip("/")


def mcp_resource(settings: Settings) -> str:
    """The MCP endpoint's resource identifier."""
    return api_resource(settings) + MCP_PATH


def is_own_resource(resource: str, settings: Settings) -> bool:
    """Whether a token bound to `resource` is meant for this server."""
    return resource.rstrip("/") in {api_resource(settings), mcp_resource(settings)}
