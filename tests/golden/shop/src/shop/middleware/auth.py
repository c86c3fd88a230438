"""Bearer-token authentication and scope dependencies for the REST API."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from shop.database.repositories.user_repository import UserRepository
from shop.dependencies import SessionDep, container_of
from shop.models.user_model import UserRead
from shop.oauth.principal import Principal, authenticate_bearer
from shop.oauth.provider import DatabaseOAuthProvider
from shop.oauth.scopes import ADMIN, READ, WRITE, MissingScopeError, require_scope
from shop.services.user_service import UserService

TOKEN_URL = "/api/v1/auth/token"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL)


async def get_user_service(session: SessionDep, request: Request) -> UserService:
    """Build the user service for one request."""
    container = container_of(request)
    return UserService(
        UserRepository(session), container.processing, container.settings
    )


UserServiceDep = Annotated[UserService, Depends(get_user_service)]


async def get_principal(
    request: Request,
    token: Annotated[str, Depends(oauth2_scheme)],
    session: SessionDep,
) -> Principal:
    """Return who the bearer token speaks for, or answer 401."""
    principal = await authenticate_bearer(
        token,
        await get_user_service(session, request),
        DatabaseOAuthProvider(container_of(request)),
    )
    if principal is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Could not validate credentials",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_current_user(principal: PrincipalDep) -> UserRead:
    """Return the active user the bearer token was issued to, or answer 401."""
    return principal.user


CurrentUser = Annotated[UserRead, Depends(get_current_user)]


def scope_dependency(scope: str) -> Callable[[Principal], Awaitable[UserRead]]:
    """A dependency returning the caller if their token carries `scope`, else 403."""

    async def require(principal: PrincipalDep) -> UserRead:
        try:
            require_scope(principal.scopes, scope)
        except MissingScopeError as exc:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN, detail=str(exc)
            ) from exc
        return principal.user

    require.__doc__ = f"Return the caller if their token carries `{scope}`, else 403."
    return require


require_read = scope_dependency(READ)
require_write = scope_dependency(WRITE)
_require_admin_scope = scope_dependency(ADMIN)

ReadUser = Annotated[UserRead, Depends(require_read)]
WriteUser = Annotated[UserRead, Depends(require_write)]


async def require_admin(principal: PrincipalDep) -> UserRead:
    """Return the caller if an administrator with the `admin` scope, or answer 403."""
    if not principal.user.is_admin:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="Administrator access required",
        )
    return await _require_admin_scope(principal)


AdminUser = Annotated[UserRead, Depends(require_admin)]
