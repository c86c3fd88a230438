"""Token endpoint (OAuth2 password flow; the username is the e-mail address)."""

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from shop.dependencies import ContainerDep
from shop.middleware.auth import UserServiceDep
from shop.models.user_model import Token
from shop.utils.responses import error_responses

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

logger = structlog.get_logger(__name__)


@router.post("/token", responses=error_responses(400, 401, 422, 429, 503))
async def login_for_access_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    users: UserServiceDep,
    container: ContainerDep,
) -> Token:
    """Exchange an e-mail address and password for a bearer token."""
    throttle = container.login_throttle
    # A locked address is refused before its password is checked, whether or not
    # an account has it: the answer tells nothing about which accounts exist.
    retry_after = await throttle.retry_after(form.username)
    if retry_after is not None:
        logger.warning("login_throttled", retry_after=retry_after)
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail=(
                "Too many failed sign-ins for this e-mail address; "
                f"retry in {retry_after} seconds"
            ),
            headers={"Retry-After": str(retry_after)},
        )
    # No address holds a NUL character, which PostgreSQL cannot compare (a 500).
    user = (
        None
        if "\x00" in form.username
        else await users.authenticate(form.username, form.password)
    )
    if user is None:
        await throttle.record_failure(form.username)
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect e-mail or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    await throttle.record_success(form.username)
    return await users.issue_token(user)
