"""User accounts as admin-only MCP tools (list_users is a system tool)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from shop.container import ServiceContainer
from shop.database.repositories.user_admin_repository import UserAdminRepository
from shop.models.user_admin_model import UserUpdate
from shop.models.user_model import UserCreate, UserRead
from shop.oauth.scopes import ADMIN
from shop.server.auth import require_admin
from shop.server.scopes import require_tool_scope
from shop.services.user_admin_service import UserAdminService
from shop.utils.errors import (
    UNAVAILABLE_ERRORS,
    UNAVAILABLE_MESSAGE,
    ServiceError,
)


def _require_admin() -> None:
    """Refuse a caller who is no administrator, or whose token lacks `admin`."""
    require_admin()
    require_tool_scope(ADMIN)


def register(server: MCPServer[Any], services: ServiceContainer) -> None:
    """Add the user tools to `server`."""

    @asynccontextmanager
    async def user_admin_service() -> AsyncIterator[UserAdminService]:
        """Open a session for an administrator's call; errors become tool errors."""
        _require_admin()
        async with services.session() as session:
            service = UserAdminService(
                UserAdminRepository(session),
                services.processing,
                services.settings,
                services.cache,
            )
            try:
                yield service
            except ServiceError as exc:
                raise ToolError(exc.message) from exc
            except UNAVAILABLE_ERRORS as exc:
                raise ToolError(UNAVAILABLE_MESSAGE) from exc

    @server.tool(
        annotations=ToolAnnotations(
            title="Create user",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=False,
        )
    )
    async def create_user(data: UserCreate) -> UserRead:
        """Create a user account (administrators only)."""
        async with user_admin_service() as service:
            return await service.create_user(data)

    @server.tool(
        annotations=ToolAnnotations(
            title="Get user",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def get_user(user_id: Annotated[int, Field(ge=1, le=2147483647)]) -> UserRead:
        """Return one user by id (administrators only)."""
        async with user_admin_service() as service:
            return await service.get_user(user_id)

    @server.tool(
        annotations=ToolAnnotations(
            title="Update user",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def update_user(
        user_id: Annotated[int, Field(ge=1, le=2147483647)], data: UserUpdate
    ) -> UserRead:
        """Change the given fields of a user; a new password is hashed (admins only)."""
        async with user_admin_service() as service:
            return await service.update_user(user_id, data)

    @server.tool(
        annotations=ToolAnnotations(
            title="Delete user",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def delete_user(user_id: Annotated[int, Field(ge=1, le=2147483647)]) -> str:
        """Delete a user by id (administrators only)."""
        async with user_admin_service() as service:
            await service.delete_user(user_id)
        return f"User {user_id} deleted"
