"""Bearer-token verification for the MCP endpoint, shared with the REST API."""

from mcp.server.auth.provider import AccessToken, TokenVerifier

from shop.container import ServiceContainer
from shop.database.repositories.user_repository import UserRepository
from shop.services.user_service import UserService


class JWTTokenVerifier(TokenVerifier):
    """Accept the API's own access tokens for active users."""

    def __init__(self, container: ServiceContainer) -> None:
        self._container = container

    async def verify_token(self, token: str) -> AccessToken | None:
        """Return the caller's access info, or None for a bad or expired token."""
        async with self._container.session() as session:
            users = UserService(
                UserRepository(session),
                self._container.processing,
                self._container.settings,
            )
            user = await users.user_from_token(token)
        if user is None:
            return None
        return AccessToken(
            token=token, client_id=user.email, subject=str(user.id), scopes=[]
        )
