"""The MCP SDK's authorization-server protocol, over the database."""

import ipaddress
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import jwt
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    OAuthAuthorizationServerProvider,
    RefreshToken,
    RegistrationError,
    TokenError,
    construct_redirect_uri,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from pydantic import AnyUrl, BaseModel

from shop.container import ServiceContainer
from shop.database.base import utc_now
from shop.models.user_model import UserRead
from shop.oauth.audience import api_resource, is_own_resource
from shop.oauth.scopes import DEFAULT_SCOPES, role_scopes
from shop.oauth.store import ACCESS, REFRESH, Grant, OAuthStore
from shop.utils.security import JWT_ALGORITHM

SIGN_IN_PATH = "/oauth/sign-in"
CODE_LIFETIME = timedelta(minutes=5)
SIGN_IN_LIFETIME = timedelta(minutes=10)
SIGN_IN_AUDIENCE = "oauth-sign-in"
MAX_REDIRECT_URIS = 5
MAX_CLIENT_NAME_LENGTH = 100
LOOPBACK_HOSTS = frozenset({"localhost"})


class FamilyAccessToken(AccessToken):
    """An access token with the grant family it belongs to."""

    family: str


class FamilyRefreshToken(RefreshToken):
    """A refresh token with the grant family it belongs to."""

    family: str


class PendingAuthorization(BaseModel):
    """An authorization request waiting for the user to sign in and consent."""

    client_id: str
    client_name: str
    redirect_uri: str
    redirect_uri_provided_explicitly: bool
    state: str | None
    scopes: list[str]
    code_challenge: str
    resource: str

    def seal(self, secret_key: str) -> str:
        """Sign the request so the sign-in form can carry it unaltered."""
        claims = {
            **self.model_dump(),
            "aud": SIGN_IN_AUDIENCE,
            "exp": datetime.now(UTC) + SIGN_IN_LIFETIME,
        }
        return jwt.encode(claims, secret_key, algorithm=JWT_ALGORITHM)

    @classmethod
    def unseal(cls, sealed: str, secret_key: str) -> "PendingAuthorization":
        """Check and read a sealed request; raise `jwt.InvalidTokenError` if bad."""
        claims = jwt.decode(
            sealed, secret_key, algorithms=[JWT_ALGORITHM], audience=SIGN_IN_AUDIENCE
        )
        return cls.model_validate(claims)

    def redirect(self, **params: str | None) -> str:
        """The client's redirect URI with `params` and the request's state."""
        return construct_redirect_uri(self.redirect_uri, state=self.state, **params)


def redirect_uri_problem(uri: AnyUrl) -> str | None:
    """Why a redirect URI may not be registered: https, or http to a loopback host."""
    if uri.fragment:
        return f"{uri} has a fragment"
    if uri.scheme == "https":
        return None
    if uri.scheme == "http" and _is_loopback(uri.host or ""):
        return None
    return f"{uri} is neither https nor http to a loopback address"


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class DatabaseOAuthProvider(
    OAuthAuthorizationServerProvider[
        AuthorizationCode, FamilyRefreshToken, FamilyAccessToken
    ]
):
    """Clients, codes and tokens in the application's database.

    The SDK's routes (`create_auth_routes`) validate the requests, PKCE
    included, and call these methods; the JWT-bearer grant stays unsupported.
    """

    def __init__(self, container: ServiceContainer) -> None:
        self._container = container
        self._settings = container.settings

    def is_audience(self, resource: str | None) -> bool:
        """Whether a token bound to `resource` is meant for this server."""
        return resource is not None and is_own_resource(resource, self._settings)

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        """Return a registered client."""
        async with self._container.session() as session:
            row = await OAuthStore(session).get_client(client_id)
        if row is None:
            return None
        client = OAuthClientInformationFull.model_validate_json(row.registration)
        return client.model_copy(update={"client_secret": row.client_secret})

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        """Store a new client, within the registration limits."""
        uris = client_info.redirect_uris or []
        if len(uris) > MAX_REDIRECT_URIS:
            raise RegistrationError(
                "invalid_redirect_uri",
                f"at most {MAX_REDIRECT_URIS} redirect URIs may be registered",
            )
        for uri in uris:
            problem = redirect_uri_problem(uri)
            if problem:
                raise RegistrationError("invalid_redirect_uri", problem)
        if len(client_info.client_name or "") > MAX_CLIENT_NAME_LENGTH:
            raise RegistrationError(
                "invalid_client_metadata",
                f"client_name is longer than {MAX_CLIENT_NAME_LENGTH} characters",
            )
        registration = client_info.model_copy(update={"client_secret": None})
        async with self._container.session() as session:
            store = OAuthStore(session)
            recent = await store.clients_registered_since(
                utc_now() - timedelta(hours=1)
            )
            if recent >= self._settings.oauth_registrations_per_hour:
                raise RegistrationError(
                    "invalid_client_metadata",
                    "too many clients registered in the last hour; try again later",
                )
            await store.add_client(
                client_info.client_id or "",
                client_info.client_secret,
                registration.model_dump_json(exclude_none=True),
            )

    async def authorize(
        self, client: OAuthClientInformationFull, params: AuthorizationParams
    ) -> str:
        """Send the user to the sign-in and consent page."""
        resource = params.resource or api_resource(self._settings)
        if not is_own_resource(resource, self._settings):
            raise AuthorizeError(
                "invalid_target", f"this server issues no tokens for {resource}"
            )
        registered = client.scope.split() if client.scope else list(DEFAULT_SCOPES)
        pending = PendingAuthorization(
            client_id=client.client_id or "",
            client_name=client.client_name or client.client_id or "",
            redirect_uri=str(params.redirect_uri),
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            state=params.state,
            scopes=params.scopes or registered,
            code_challenge=params.code_challenge,
            resource=resource,
        )
        query = urlencode({"request": pending.seal(self._settings.secret_key)})
        return f"{api_resource(self._settings)}{SIGN_IN_PATH}?{query}"

    async def complete_authorization(
        self, pending: PendingAuthorization, user: UserRead
    ) -> str:
        """Issue a code for a signed-in user; return where to redirect the browser.

        The grant holds the requested scopes the user's role allows.
        """
        allowed = role_scopes(is_admin=user.is_admin)
        grant = Grant(
            client_id=pending.client_id,
            user_id=user.id,
            scopes=[scope for scope in pending.scopes if scope in allowed],
            resource=pending.resource,
            family=secrets.token_hex(16),
        )
        code = secrets.token_urlsafe(32)
        async with self._container.session() as session:
            await OAuthStore(session).add_code(
                code,
                grant,
                code_challenge=pending.code_challenge,
                redirect_uri=pending.redirect_uri,
                redirect_uri_provided_explicitly=pending.redirect_uri_provided_explicitly,
                expires_at=utc_now() + CODE_LIFETIME,
            )
        return pending.redirect(code=code)

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> AuthorizationCode | None:
        """Return an unused code issued to `client`."""
        async with self._container.session() as session:
            row = await OAuthStore(session).get_code(authorization_code)
        if row is None or row.client_id != client.client_id:
            return None
        return AuthorizationCode(
            code=authorization_code,
            scopes=row.scopes.split(),
            expires_at=row.expires_at.timestamp(),
            client_id=row.client_id,
            code_challenge=row.code_challenge,
            redirect_uri=AnyUrl(row.redirect_uri),
            redirect_uri_provided_explicitly=row.redirect_uri_provided_explicitly,
            resource=row.resource,
            subject=str(row.user_id),
        )

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: AuthorizationCode
    ) -> OAuthToken:
        """Use up the code and issue the first token pair of a new family."""
        async with self._container.session() as session:
            store = OAuthStore(session)
            if not await store.consume_code(authorization_code.code):
                raise TokenError("invalid_grant", "the authorization code was used")
            grant = Grant(
                client_id=authorization_code.client_id,
                user_id=int(authorization_code.subject or 0),
                scopes=authorization_code.scopes,
                resource=authorization_code.resource or api_resource(self._settings),
                family=secrets.token_hex(16),
            )
            return await self._issue(store, grant)

    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> FamilyRefreshToken | None:
        """Return a live refresh token of `client`; a used one revokes its family."""
        async with self._container.session() as session:
            store = OAuthStore(session)
            row = await store.get_token(refresh_token, REFRESH)
            if row is None or row.client_id != client.client_id or row.revoked_at:
                return None
            if row.used_at is not None:
                # A rotated token came back: it leaked, or the client is confused.
                await store.revoke_family(row.family)
                return None
        return FamilyRefreshToken(
            token=refresh_token,
            client_id=row.client_id,
            scopes=row.scopes.split(),
            expires_at=_epoch(row.expires_at),
            resource=row.resource,
            subject=str(row.user_id),
            family=row.family,
        )

    async def exchange_refresh_token(
        self,
        client: OAuthClientInformationFull,
        refresh_token: FamilyRefreshToken,
        scopes: list[str],
    ) -> OAuthToken:
        """Rotate: use up the refresh token and issue a new pair in its family."""
        async with self._container.session() as session:
            store = OAuthStore(session)
            if not await store.mark_used(refresh_token.token):
                await store.revoke_family(refresh_token.family)
                raise TokenError("invalid_grant", "the refresh token was used")
            grant = Grant(
                client_id=refresh_token.client_id,
                user_id=int(refresh_token.subject or 0),
                scopes=scopes,
                resource=refresh_token.resource or api_resource(self._settings),
                family=refresh_token.family,
            )
            return await self._issue(store, grant)

    async def load_access_token(self, token: str) -> FamilyAccessToken | None:
        """Return a live access token, whatever its audience."""
        async with self._container.session() as session:
            row = await OAuthStore(session).get_token(token, ACCESS)
        if row is None or row.revoked_at is not None or row.expires_at <= utc_now():
            return None
        return FamilyAccessToken(
            token=token,
            client_id=row.client_id,
            scopes=row.scopes.split(),
            expires_at=_epoch(row.expires_at),
            resource=row.resource,
            subject=str(row.user_id),
            claims={"iat": _epoch(row.issued_at)},
            family=row.family,
        )

    async def revoke_token(self, token: FamilyAccessToken | FamilyRefreshToken) -> None:
        """Revoke the token's whole family: its access and refresh tokens."""
        async with self._container.session() as session:
            await OAuthStore(session).revoke_family(token.family)

    async def _issue(self, store: OAuthStore, grant: Grant) -> OAuthToken:
        pair = await store.issue_pair(
            grant,
            timedelta(minutes=self._settings.access_token_expire_minutes),
            timedelta(days=self._settings.oauth_refresh_token_expire_days),
        )
        return OAuthToken(
            access_token=pair.access_token,
            token_type="Bearer",
            expires_in=pair.access_expires_in,
            scope=" ".join(grant.scopes),
            refresh_token=pair.refresh_token,
        )
