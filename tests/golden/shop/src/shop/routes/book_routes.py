"""REST endpoints for books."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from shop.database.repositories.book_repository import BookRepository
from shop.dependencies import SessionDep, container_of
from shop.middleware.auth import require_read, require_write
from shop.models.book_model import BookCreate, BookPage, BookQuery, BookRead, BookUpdate
from shop.services.book_service import BookService
from shop.utils.responses import error_responses


async def get_book_service(session: SessionDep, request: Request) -> BookService:
    """Build the book service for one request."""
    return BookService(BookRepository(session), container_of(request).cache)


BookServiceDep = Annotated[BookService, Depends(get_book_service)]

router = APIRouter(prefix="/api/v1/books", tags=["books"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503),
    dependencies=[Depends(require_write)],
)
async def create_book(data: BookCreate, service: BookServiceDep) -> BookRead:
    """Create a book."""
    return await service.create_book(data)


@router.get(
    "",
    responses=error_responses(401, 403, 422, 429, 503),
    dependencies=[Depends(require_read)],
)
async def read_books(
    query: Annotated[BookQuery, Query()], service: BookServiceDep
) -> BookPage:
    """List books, paginated, filtered and sorted."""
    return await service.list_books(query)


@router.get(
    "/{book_id}",
    responses=error_responses(401, 403, 404, 422, 429, 503),
    dependencies=[Depends(require_read)],
)
async def read_book(
    book_id: Annotated[int, Path(ge=1, le=2147483647)], service: BookServiceDep
) -> BookRead:
    """Return one book."""
    return await service.get_book(book_id)


@router.put(
    "/{book_id}",
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503),
    dependencies=[Depends(require_write)],
)
async def replace_book(
    book_id: Annotated[int, Path(ge=1, le=2147483647)],
    data: BookCreate,
    service: BookServiceDep,
) -> BookRead:
    """Replace every field of a book."""
    return await service.replace_book(book_id, data)


@router.patch(
    "/{book_id}",
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503),
    dependencies=[Depends(require_write)],
)
async def update_book(
    book_id: Annotated[int, Path(ge=1, le=2147483647)],
    data: BookUpdate,
    service: BookServiceDep,
) -> BookRead:
    """Change only the fields that were sent."""
    return await service.update_book(book_id, data)


@router.delete(
    "/{book_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422, 429, 503),
    dependencies=[Depends(require_write)],
)
async def delete_book(
    book_id: Annotated[int, Path(ge=1, le=2147483647)], service: BookServiceDep
) -> None:
    """Delete a book."""
    await service.delete_book(book_id)
