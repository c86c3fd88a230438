"""Books as MCP tools, over the same service as the REST routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
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
    """Add the book tools to `server`."""

    @asynccontextmanager
    async def book_service() -> AsyncIterator[BookService]:
        """Open a session for one tool call; service errors become tool errors."""
        async with services.session() as session:
            try:
                yield BookService(BookRepository(session), services.cache)
            except ServiceError as exc:
                raise ToolError(exc.message) from exc
            except UNAVAILABLE_ERRORS as exc:
                raise ToolError(UNAVAILABLE_MESSAGE) from exc

    @server.tool(
        annotations=ToolAnnotations(title="Create book", destructive_hint=False)
    )
    async def create_book(data: BookCreate) -> BookRead:
        """Create a book."""
        require_tool_scope(WRITE)
        async with book_service() as service:
            return await service.create_book(data)

    @server.tool(annotations=ToolAnnotations(title="List books", read_only_hint=True))
    async def list_books(query: BookQuery | None = None) -> BookPage:
        """List books, paginated, filtered and sorted."""
        require_tool_scope(READ)
        async with book_service() as service:
            return await service.list_books(query or BookQuery())

    @server.tool(annotations=ToolAnnotations(title="Get book", read_only_hint=True))
    async def get_book(book_id: Annotated[int, Field(ge=1, le=2147483647)]) -> BookRead:
        """Return one book by id."""
        require_tool_scope(READ)
        async with book_service() as service:
            return await service.get_book(book_id)

    @server.tool(
        annotations=ToolAnnotations(
            title="Update book", destructive_hint=False, idempotent_hint=True
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
        annotations=ToolAnnotations(title="Delete book", destructive_hint=True)
    )
    async def delete_book(book_id: Annotated[int, Field(ge=1, le=2147483647)]) -> str:
        """Delete a book by id."""
        require_tool_scope(WRITE)
        async with book_service() as service:
            await service.delete_book(book_id)
        return f"Book {book_id} deleted"
