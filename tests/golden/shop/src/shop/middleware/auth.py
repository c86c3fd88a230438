"""Bearer-token authentication dependencies for the REST API."""

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from shop.database.repositories.user_repository import UserRepository
from shop.dependencies import ContainerDep, SessionDep
from shop.models.user_model import UserRead
from shop.services.user_service import UserService

TOKEN_URL = "/api/v1/auth/token"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL)


async def get_user_service(session: SessionDep, container: ContainerDep) -> UserService:
    """Build the user service for one request."""
    return UserService(
        UserRepository(session), container.processing, container.settings
    )


UserServiceDep = Annotated[UserService, Depends(get_user_service)]


async def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)], users: UserServiceDep
) -> UserRead:
    """Return the active user the bearer token was issued to, or answer 401."""
    user = await users.user_from_token(token)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Could not validate credentials",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[UserRead, Depends(get_current_user)]


async def require_admin(user: CurrentUser) -> UserRead:
    """Return the current user if they are an administrator, or answer 403."""
    if not user.is_admin:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="Administrator access required",
        )
    return user


AdminUser = Annotated[UserRead, Depends(require_admin)]
