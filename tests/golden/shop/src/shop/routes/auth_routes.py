"""Token endpoint (OAuth2 password flow; the username is the e-mail address)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from shop.middleware.auth import UserServiceDep
from shop.models.user_model import Token
from shop.utils.responses import error_responses

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", responses=error_responses(400, 401, 422, 429, 503))
async def login_for_access_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], users: UserServiceDep
) -> Token:
    """Exchange an e-mail address and password for a bearer token."""
    # No address holds a NUL character, which PostgreSQL cannot compare (a 500).
    user = (
        None
        if "\x00" in form.username
        else await users.authenticate(form.username, form.password)
    )
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect e-mail or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return users.issue_token(user)
