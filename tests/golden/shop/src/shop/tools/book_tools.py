"""Books as MCP tools and MCP resources, over the same service as the REST routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from shop.container import ServiceContainer
from shop.database.repositories.book_repository import BookRepository
from shop.models.book_model import BookCreate, BookPage, BookQuery, BookRead, BookUpdate
from shop.oauth.scopes import READ, WRITE
from shop.server.scopes import require_tool_scope
from shop.services.book_service import BookService
from shop.utils.errors import (
    UNAVAILABLE_ERRORS,
    UNAVAILABLE_MESSAGE,
    ServiceError,
)


def register(server: MCPServer[Any], services: ServiceContainer) -> None:
    """Add the book tools and resources to `server`."""

    @asynccontextmanager
    async def book_service(
        error: type[Exception] = ToolError,
    ) -> AsyncIterator[BookService]:
        """Open a session for one tool call or resource read; service errors become `error`."""
        async with services.session() as session:
            try:
                yield BookService(BookRepository(session), services.cache)
            except ServiceError as exc:
                raise error(exc.message) from exc
            except UNAVAILABLE_ERRORS as exc:
                raise error(UNAVAILABLE_MESSAGE) from exc

    @server.tool(
        annotations=ToolAnnotations(
            title="Create book",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=False,
        )
    )
    async def create_book(data: BookCreate) -> BookRead:
        """Create a book."""
        require_tool_scope(WRITE)
        async with book_service() as service:
            return await service.create_book(data)

    @server.tool(
        annotations=ToolAnnotations(
            title="List books",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def list_books(query: BookQuery | None = None) -> BookPage:
        """List books, paginated, filtered and sorted."""
        require_tool_scope(READ)
        async with book_service() as service:
            return await service.list_books(query or BookQuery())

    @server.tool(
        annotations=ToolAnnotations(
            title="Get book",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def get_book(book_id: Annotated[int, Field(ge=1, le=2147483647)]) -> BookRead:
        """Return one book by id."""
        require_tool_scope(READ)
        async with book_service() as service:
            return await service.get_book(book_id)

    @server.tool(
        annotations=ToolAnnotations(
            title="Update book",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def update_book(
        book_id: Annotated[int, Field(ge=1, le=2147483647)], data: BookUpdate
    ) -> BookRead:
        """Change the given fields of a book; omitted fields are kept."""
        require_tool_scope(WRITE)
        async with book_service() as service:
            return await service.update_book(book_id, data)

    @server.tool(
        annotations=ToolAnnotations(
            title="Delete book",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=True,
            open_world_hint=False,
        )
    )
    async def delete_book(book_id: Annotated[int, Field(ge=1, le=2147483647)]) -> str:
        """Delete a book by id."""
        require_tool_scope(WRITE)
        async with book_service() as service:
            await service.delete_book(book_id)
        return f"Book {book_id} deleted"

    @server.resource(
        "book://{book_id}",
        name="book",
        title="Book",
        description="A book by id, as JSON: what get_book returns.",
        mime_type="application/json",
    )
    async def book_resource(book_id: Annotated[int, Field(ge=1, le=2147483647)]) -> str:
        """A book by id, read through the same service (and checks) as the tools."""
        require_tool_scope(READ, ResourceError)
        async with book_service(ResourceError) as service:
            row = await service.get_book(book_id)
        return row.model_dump_json()

    @server.resource(
        "book://list",
        name="books",
        title="Books",
        description="The first page of books in the list's default order, as JSON; "
        "list_books pages further.",
        mime_type="application/json",
    )
    async def books_resource() -> str:
        """The first page of books."""
        require_tool_scope(READ, ResourceError)
        async with book_service(ResourceError) as service:
            page = await service.list_books(BookQuery())
        return page.model_dump_json()
