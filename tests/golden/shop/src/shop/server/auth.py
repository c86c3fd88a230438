"""Bearer-token verification for the MCP endpoint, shared with the REST API."""

from mcp.server.auth.provider import AccessToken, TokenVerifier

from shop.container import ServiceContainer
from shop.database.repositories.user_repository import UserRepository
from shop.oauth.principal import authenticate_bearer
from shop.oauth.provider import DatabaseOAuthProvider
from shop.services.user_service import UserService


class JWTTokenVerifier(TokenVerifier):
    """Accept the API's password-grant tokens and its OAuth tokens for active users."""

    def __init__(self, container: ServiceContainer) -> None:
        self._container = container
        self._provider = DatabaseOAuthProvider(container)

    async def verify_token(self, token: str) -> AccessToken | None:
        """Return the caller's access info, or None for a bad or expired token."""
        async with self._container.session() as session:
            users = UserService(
                UserRepository(session),
                self._container.processing,
                self._container.settings,
            )
            principal = await authenticate_bearer(token, users, self._provider)
        if principal is None:
            return None
        return AccessToken(
            token=token,
            client_id=principal.client_id,
            subject=str(principal.user.id),
            scopes=list(principal.scopes),
        )
