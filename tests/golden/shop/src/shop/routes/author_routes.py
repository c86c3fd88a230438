"""REST endpoints for authors."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from shop.database.repositories.author_repository import AuthorRepository
from shop.dependencies import SessionDep, container_of
from shop.middleware.auth import require_read, require_write
from shop.models.author_model import (
    AuthorCreate,
    AuthorPage,
    AuthorQuery,
    AuthorRead,
    AuthorUpdate,
)
from shop.services.author_service import AuthorService
from shop.utils.responses import error_responses


async def get_author_service(session: SessionDep, request: Request) -> AuthorService:
    """Build the author service for one request."""
    return AuthorService(AuthorRepository(session), container_of(request).cache)


AuthorServiceDep = Annotated[AuthorService, Depends(get_author_service)]

router = APIRouter(prefix="/api/v1/authors", tags=["authors"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 409, 422, 429, 503),
    dependencies=[Depends(require_write)],
)
async def create_author(data: AuthorCreate, service: AuthorServiceDep) -> AuthorRead:
    """Create an author."""
    return await service.create_author(data)


@router.get(
    "",
    responses=error_responses(401, 403, 422, 429, 503),
    dependencies=[Depends(require_read)],
)
async def read_authors(
    query: Annotated[AuthorQuery, Query()], service: AuthorServiceDep
) -> AuthorPage:
    """List authors, paginated, filtered and sorted."""
    return await service.list_authors(query)


@router.get(
    "/{author_id}",
    responses=error_responses(401, 403, 404, 422, 429, 503),
    dependencies=[Depends(require_read)],
)
async def read_author(
    author_id: Annotated[int, Path(ge=1, le=2147483647)], service: AuthorServiceDep
) -> AuthorRead:
    """Return one author."""
    return await service.get_author(author_id)


@router.put(
    "/{author_id}",
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503),
    dependencies=[Depends(require_write)],
)
async def replace_author(
    author_id: Annotated[int, Path(ge=1, le=2147483647)],
    data: AuthorCreate,
    service: AuthorServiceDep,
) -> AuthorRead:
    """Replace every field of an author."""
    return await service.replace_author(author_id, data)


@router.patch(
    "/{author_id}",
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503),
    dependencies=[Depends(require_write)],
)
async def update_author(
    author_id: Annotated[int, Path(ge=1, le=2147483647)],
    data: AuthorUpdate,
    service: AuthorServiceDep,
) -> AuthorRead:
    """Change only the fields that were sent."""
    return await service.update_author(author_id, data)


@router.delete(
    "/{author_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422, 429, 503),
    dependencies=[Depends(require_write)],
)
async def delete_author(
    author_id: Annotated[int, Path(ge=1, le=2147483647)], service: AuthorServiceDep
) -> None:
    """Delete an author."""
    await service.delete_author(author_id)
