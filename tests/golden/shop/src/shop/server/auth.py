"""Bearer-token verification for the MCP endpoint, shared with the REST API."""

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.mcpserver.exceptions import ToolError

from shop.container import ServiceContainer
from shop.database.repositories.user_repository import UserRepository
from shop.models.user_model import UserRead
from shop.oauth.principal import authenticate_bearer
from shop.oauth.provider import DatabaseOAuthProvider
from shop.services.user_service import UserService


class UserAccessToken(AccessToken):
    """An accepted token with the user it was checked against."""

    user: UserRead


class JWTTokenVerifier(TokenVerifier):
    """Accept the API's password-grant tokens and its OAuth tokens for active users."""

    def __init__(self, container: ServiceContainer) -> None:
        self._container = container
        self._provider = DatabaseOAuthProvider(container)

    async def verify_token(self, token: str) -> AccessToken | None:
        """Return the caller's access info, or None for a bad, expired or revoked token."""
        # `UserService.user_from_token` is the check the REST API makes too; the
        # user it loads rides along with the token, so tools need no second look.
        async with self._container.session() as session:
            users = UserService(
                UserRepository(session),
                self._container.processing,
                self._container.settings,
            )
            principal = await authenticate_bearer(token, users, self._provider)
        if principal is None:
            return None
        return UserAccessToken(
            token=token,
            client_id=principal.client_id,
            subject=str(principal.user.id),
            scopes=list(principal.scopes),
            user=principal.user,
        )


def calling_user() -> UserRead | None:
    """Return the user of this MCP call's token; None over stdio (no token).

    The token was checked, and its user loaded, once by the verifier when the
    request arrived: this only reads the result.
    """
    access = get_access_token()
    if access is None:
        return None
    if not isinstance(access, UserAccessToken):
        raise ToolError("The access token does not belong to a user")
    return access.user


def require_admin() -> None:
    """Refuse a caller whose token is not an administrator's; stdio is trusted."""
    user = calling_user()
    if user is not None and not user.is_admin:
        raise ToolError("Administrator access required")
