"""User endpoints: the caller's profile and admin-only account management."""

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Query, status

from shop.middleware.auth import (
    AdminUser,
    ReadUser,
    UserServiceDep,
    require_admin,
)
from shop.models.user_model import UserCreate, UserPage, UserQuery, UserRead
from shop.utils.responses import error_responses

router = APIRouter(prefix="/api/v1/users", tags=["users"])

logger = structlog.get_logger(__name__)


@router.get("/me", responses=error_responses(401, 403, 429, 503))
async def read_current_user(user: ReadUser) -> UserRead:
    """Return the authenticated user."""
    return user


@router.get(
    "",
    dependencies=[Depends(require_admin)],
    responses=error_responses(401, 403, 422, 429, 503),
)
async def read_users(
    query: Annotated[UserQuery, Query()], users: UserServiceDep
) -> UserPage:
    """List users, oldest first (administrators only)."""
    return await users.list_users(query)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 409, 422, 429, 503),
)
async def create_user(
    data: UserCreate, users: UserServiceDep, admin: AdminUser
) -> UserRead:
    """Create a user (administrators only)."""
    user = await users.create_user(data)
    logger.info("user_created", user_id=user.id, created_by=admin.id)
    return user
