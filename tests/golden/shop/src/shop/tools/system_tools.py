"""System tools: who the caller is, service readiness and the user list."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from shop.container import ServiceContainer
from shop.database.repositories.user_repository import UserRepository
from shop.models.health_model import Readiness
from shop.models.user_model import Caller, UserPage, UserQuery
from shop.oauth.scopes import ADMIN, READ
from shop.server.auth import calling_user, require_admin
from shop.server.scopes import require_tool_scope
from shop.services.health_service import HealthService
from shop.services.user_service import UserService
from shop.utils.errors import UNAVAILABLE_ERRORS, UNAVAILABLE_MESSAGE


def read_only_tool(title: str) -> ToolAnnotations:
    """A read-only tool's annotations: every hint set, closed world (this service only)."""
    return ToolAnnotations(
        title=title,
        read_only_hint=True,
        destructive_hint=False,
        idempotent_hint=True,
        open_world_hint=False,
    )


STDIO_CALLER = (
    "Local stdio session: tools run as the operator who started the server, "
    "with full access and no token."
)


def register(server: MCPServer[Any], services: ServiceContainer) -> None:
    """Add the system tools to `server`."""

    @asynccontextmanager
    async def user_service() -> AsyncIterator[UserService]:
        """Open a session for one tool call; an unreachable database is a tool error."""
        async with services.session() as session:
            try:
                yield UserService(
                    UserRepository(session), services.processing, services.settings
                )
            except UNAVAILABLE_ERRORS as exc:
                raise ToolError(UNAVAILABLE_MESSAGE) from exc

    @server.tool(annotations=read_only_tool("Who am I"))
    async def whoami() -> Caller:
        """Return the user these tool calls run as."""
        require_tool_scope(READ)
        user = calling_user()
        if user is None:
            return Caller(authenticated=False, message=STDIO_CALLER)
        role = "administrator" if user.is_admin else "user"
        return Caller(
            authenticated=True, user=user, message=f"Signed in as {role} {user.email}"
        )

    @server.tool(annotations=read_only_tool("Check health"))
    async def check_health() -> Readiness:
        """Report whether the database and, when configured, Redis answer."""
        require_tool_scope(READ)
        health = HealthService(services.engine, services.cache, services.settings)
        return await health.readiness()

    @server.tool(annotations=read_only_tool("List users"))
    async def list_users(query: UserQuery | None = None) -> UserPage:
        """List users, oldest first (administrators only)."""
        require_admin()
        async with user_service() as users:
            require_tool_scope(ADMIN)
            return await users.list_users(query or UserQuery())
