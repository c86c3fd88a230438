"""Who a bearer token speaks for, and with which scopes: one answer for REST and MCP."""

from dataclasses import dataclass

from shop.models.user_model import UserRead
from shop.oauth.provider import DatabaseOAuthProvider
from shop.oauth.scopes import role_scopes
from shop.oauth.store import is_oauth_access_token
from shop.services.user_service import UserService

PASSWORD_GRANT_CLIENT = "password-grant"
"""The client id of a token from POST /api/v1/auth/token."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The active user a token was issued to, and what it may do."""

    user: UserRead
    scopes: tuple[str, ...]
    client_id: str


async def authenticate_bearer(
    token: str, users: UserService, provider: DatabaseOAuthProvider
) -> Principal | None:
    """Resolve an access token of either kind; None when it is not valid here.

    An OAuth token must be live, bound to this server (RFC 8707) and belong to
    an active user; it carries the scopes granted at consent that the user's
    role still allows. A password-grant token carries every scope the role
    allows.
    """
    if not is_oauth_access_token(token):
        user = await users.user_from_token(token)
        if user is None:
            return None
        return Principal(
            user=user,
            scopes=tuple(role_scopes(is_admin=user.is_admin)),
            client_id=PASSWORD_GRANT_CLIENT,
        )
    access = await provider.load_access_token(token)
    if access is None or not provider.is_audience(access.resource):
        return None
    user = await users.active_user(int(access.subject or 0))
    if user is None:
        return None
    allowed = role_scopes(is_admin=user.is_admin)
    return Principal(
        user=user,
        scopes=tuple(scope for scope in access.scopes if scope in allowed),
        client_id=access.client_id,
    )
