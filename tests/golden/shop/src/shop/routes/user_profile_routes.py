"""Each user's own account: the profile fields they may change themselves."""

from fastapi import APIRouter

from shop.middleware.auth import WriteUser
from shop.models.user_admin_model import UserProfileUpdate
from shop.models.user_model import UserRead
from shop.routes.user_admin_routes import UserAdminServiceDep
from shop.utils.responses import error_responses

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.patch("/me", responses=error_responses(400, 401, 403, 422, 429, 503))
async def update_current_user(
    data: UserProfileUpdate, user: WriteUser, service: UserAdminServiceDep
) -> UserRead:
    """Change only the sent fields of the caller's own profile."""
    return await service.update_profile(user.id, data)
