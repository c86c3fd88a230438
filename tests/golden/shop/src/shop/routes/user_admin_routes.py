"""Admin-only user endpoints that complete the built-in ones."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from shop.database.repositories.user_admin_repository import UserAdminRepository
from shop.dependencies import SessionDep, container_of
from shop.middleware.auth import require_admin
from shop.models.user_admin_model import UserUpdate
from shop.models.user_model import UserRead
from shop.services.user_admin_service import UserAdminService
from shop.utils.responses import error_responses


async def get_user_admin_service(
    session: SessionDep, request: Request
) -> UserAdminService:
    """Build the user admin service for one request."""
    container = container_of(request)
    return UserAdminService(
        UserAdminRepository(session),
        container.processing,
        container.settings,
        container.cache,
    )


UserAdminServiceDep = Annotated[UserAdminService, Depends(get_user_admin_service)]

# Listing and creating users are built-in routes; `:int` leaves them `/me` too.
router = APIRouter(
    prefix="/api/v1/users", tags=["users"], dependencies=[Depends(require_admin)]
)


@router.get("/{user_id:int}", responses=error_responses(401, 403, 404, 422, 429, 503))
async def read_user(
    user_id: Annotated[int, Path(ge=1, le=2147483647)], service: UserAdminServiceDep
) -> UserRead:
    """Return one user (administrators only)."""
    return await service.get_user(user_id)


@router.patch(
    "/{user_id:int}", responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503)
)
async def update_user(
    user_id: Annotated[int, Path(ge=1, le=2147483647)],
    data: UserUpdate,
    service: UserAdminServiceDep,
) -> UserRead:
    """Change only the fields that were sent (administrators only)."""
    return await service.update_user(user_id, data)


@router.delete(
    "/{user_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 422, 429, 503),
)
async def delete_user(
    user_id: Annotated[int, Path(ge=1, le=2147483647)], service: UserAdminServiceDep
) -> None:
    """Delete a user (administrators only)."""
    await service.delete_user(user_id)
