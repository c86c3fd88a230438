"""Authors as MCP tools and MCP resources, over the same service as the REST routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from shop.container import ServiceContainer
from shop.database.repositories.author_repository import AuthorRepository
from shop.models.author_model import (
    AuthorCreate,
    AuthorPage,
    AuthorQuery,
    AuthorRead,
    AuthorUpdate,
)
from shop.oauth.scopes import READ, WRITE
from shop.server.scopes import require_tool_scope
from shop.services.author_service import AuthorService
from shop.utils.errors import (
    UNAVAILABLE_ERRORS,
    UNAVAILABLE_MESSAGE,
    ServiceError,
)


def register(server: MCPServer[Any], services: ServiceContainer) -> None:
    """Add the author tools and resources to `server`."""

    @asynccontextmanager
    async def author_service(
        error: type[Exception] = ToolError,
    ) -> AsyncIterator[AuthorService]:
        """Open a session for one tool call or resource read; service errors become `error`."""
        async with services.session() as session:
            try:
                yield AuthorService(AuthorRepository(session), services.cache)
            except ServiceError as exc:
                raise error(exc.message) from exc
            except UNAVAILABLE_ERRORS as exc:
                raise error(UNAVAILABLE_MESSAGE) from exc

    @server.tool(
        annotations=ToolAnnotations(
            title="Create author",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=False,
        )
    )
    async def create_author(data: AuthorCreate) -> AuthorRead:
        """Create an author."""
        require_tool_scope(WRITE)
        async with author_service() as service:
            return await service.create_author(data)

    @server.tool(
        annotations=ToolAnnotations(
            title="List authors",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def list_authors(query: AuthorQuery | None = None) -> AuthorPage:
        """List authors, paginated, filtered and sorted."""
        require_tool_scope(READ)
        async with author_service() as service:
            return await service.list_authors(query or AuthorQuery())

    @server.tool(
        annotations=ToolAnnotations(
            title="Get author",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def get_author(
        author_id: Annotated[int, Field(ge=1, le=2147483647)],
    ) -> AuthorRead:
        """Return one author by id."""
        require_tool_scope(READ)
        async with author_service() as service:
            return await service.get_author(author_id)

    @server.tool(
        annotations=ToolAnnotations(
            title="Update author",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def update_author(
        author_id: Annotated[int, Field(ge=1, le=2147483647)], data: AuthorUpdate
    ) -> AuthorRead:
        """Change the given fields of an author; omitted fields are kept."""
        require_tool_scope(WRITE)
        async with author_service() as service:
            return await service.update_author(author_id, data)

    @server.tool(
        annotations=ToolAnnotations(
            title="Delete author",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def delete_author(
        author_id: Annotated[int, Field(ge=1, le=2147483647)],
    ) -> str:
        """Delete an author by id."""
        require_tool_scope(WRITE)
        async with author_service() as service:
            await service.delete_author(author_id)
        return f"Author {author_id} deleted"

    @server.resource(
        "author://{author_id}",
        name="author",
        title="Author",
        description="An author by id, as JSON: what get_author returns.",
        mime_type="application/json",
    )
    async def author_resource(
        author_id: Annotated[int, Field(ge=1, le=2147483647)],
    ) -> str:
        """An author by id, read through the same service (and checks) as the tools."""
        require_tool_scope(READ, ResourceError)
        async with author_service(ResourceError) as service:
            row = await service.get_author(author_id)
        return row.model_dump_json()

    @server.resource(
        "author://list",
        name="authors",
        title="Authors",
        description="The first page of authors in the list's default order, as JSON; "
        "list_authors pages further.",
        mime_type="application/json",
    )
    async def authors_resource() -> str:
        """The first page of authors."""
        require_tool_scope(READ, ResourceError)
        async with author_service(ResourceError) as service:
            page = await service.list_authors(AuthorQuery())
        return page.model_dump_json()
