"""The MCP server: the same services as the REST API, exposed as tools."""

import asyncio
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette

from shop import __version__
from shop.config.settings import Settings, get_settings
from shop.container import ServiceContainer
from shop.oauth.audience import MCP_PATH
from shop.oauth.routes import auth_settings
from shop.server.auth import JWTTokenVerifier
from shop.server.registry import ToolRegistry
from shop.utils.logging import configure_logging

# What the Streamable HTTP transport serves at MCP_PATH.
MCP_METHODS = ("GET", "POST", "DELETE")
INSTRUCTIONS = (
    "shop: the same services as its REST API, as tools. `whoami` tells "
    "which user the calls run as, `check_health` whether the database and Redis "
    "answer, and `list_users` lists the accounts (administrators only)."
)


def build_mcp_server(
    container: ServiceContainer, *, require_auth: bool
) -> MCPServer[Any]:
    """Create a server carrying every discovered tool, optionally token-protected."""
    # Over HTTP every request needs an access token: from the OAuth flow of this
    # app's authorization server (which the protected-resource metadata at
    # /.well-known/oauth-protected-resource/mcp names), or a static one from
    # POST /api/v1/auth/token. Over stdio the local user who started the process
    # is trusted. The verifier checks audience and user; each tool its scope.
    settings = container.settings
    server: MCPServer[Any] = MCPServer(
        settings.app_name,
        instructions=INSTRUCTIONS,
        version=__version__,
        token_verifier=JWTTokenVerifier(container) if require_auth else None,
        auth=auth_settings(settings) if require_auth else None,
        log_level=settings.log_level,
    )
    ToolRegistry().register_all(server, container)
    return server


def build_mcp_http_app(server: MCPServer[Any], settings: Settings) -> Starlette:
    """Return the Streamable HTTP app serving `server` at `/mcp`."""
    # Stateless JSON mode keeps no per-session state, so any replica can answer
    # any request behind a load balancer.
    return server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(
            enable_dns_rebinding_protection=settings.mcp_dns_rebinding_protection,
            allowed_hosts=settings.mcp_allowed_hosts,
            allowed_origins=settings.mcp_allowed_origins,
        ),
    )


async def serve_stdio(settings: Settings) -> None:
    """Serve the tools over stdin/stdout until the client disconnects."""
    container = ServiceContainer.from_settings(settings)
    try:
        await build_mcp_server(container, require_auth=False).run_stdio_async()
    finally:
        await container.aclose()


def main() -> None:
    """Entry point of `shop-mcp` and `python -m shop.server`."""
    settings = get_settings()
    configure_logging(settings.log_level)
    asyncio.run(serve_stdio(settings))
