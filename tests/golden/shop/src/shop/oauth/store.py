"""Database access for OAuth clients, authorization codes and tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.database.base import utc_now
from shop.database.models.oauth_db_model import (
    OAuthClientDBModel,
    OAuthCodeDBModel,
    OAuthTokenDBModel,
)

ACCESS_TOKEN_PREFIX = "oat_"
REFRESH_TOKEN_PREFIX = "ort_"
ACCESS = "access"
REFRESH = "refresh"


def token_hash(token: str) -> str:
    """The SHA-256 of a code or token: what the database stores and looks up."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret(prefix: str = "") -> str:
    """A fresh code or token with 256 bits of entropy."""
    return prefix + secrets.token_urlsafe(32)


def is_oauth_access_token(token: str) -> bool:
    """Whether `token` has the shape of an access token this server issued by OAuth."""
    return token.startswith(ACCESS_TOKEN_PREFIX)


@dataclass(frozen=True, slots=True)
class Grant:
    """What a token pair is issued for."""

    client_id: str
    user_id: int
    scopes: list[str]
    resource: str
    family: str


@dataclass(frozen=True, slots=True)
class TokenPair:
    """A new access token and refresh token, as handed to the client."""

    access_token: str
    refresh_token: str
    access_expires_in: int


class OAuthStore:
    """Clients, codes and tokens in one session; each change commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_client(self, client_id: str) -> OAuthClientDBModel | None:
        """Return a registered client."""
        return await self._session.scalar(
            select(OAuthClientDBModel).where(OAuthClientDBModel.client_id == client_id)
        )

    async def add_client(
        self, client_id: str, client_secret: str | None, registration: str
    ) -> None:
        """Register a client."""
        self._session.add(
            OAuthClientDBModel(
                client_id=client_id,
                client_secret=client_secret,
                registration=registration,
            )
        )
        await self._session.commit()

    async def clients_registered_since(self, since: datetime) -> int:
        """How many clients registered after `since`."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(OAuthClientDBModel)
            .where(OAuthClientDBModel.created_at >= since)
        )
        return int(count or 0)

    async def add_code(
        self,
        code: str,
        grant: Grant,
        *,
        code_challenge: str,
        redirect_uri: str,
        redirect_uri_provided_explicitly: bool,
        expires_at: datetime,
    ) -> None:
        """Store an authorization code (its hash) for `grant`."""
        self._session.add(
            OAuthCodeDBModel(
                code_hash=token_hash(code),
                client_id=grant.client_id,
                user_id=grant.user_id,
                scopes=" ".join(grant.scopes),
                resource=grant.resource,
                code_challenge=code_challenge,
                redirect_uri=redirect_uri,
                redirect_uri_provided_explicitly=redirect_uri_provided_explicitly,
                expires_at=expires_at,
            )
        )
        await self._session.commit()

    async def get_code(self, code: str) -> OAuthCodeDBModel | None:
        """Return the stored code, used or not."""
        return await self._session.scalar(
            select(OAuthCodeDBModel).where(
                OAuthCodeDBModel.code_hash == token_hash(code)
            )
        )

    async def consume_code(self, code: str) -> bool:
        """Delete a code; False if it was already used (by a concurrent exchange)."""
        result = await self._session.execute(
            delete(OAuthCodeDBModel).where(
                OAuthCodeDBModel.code_hash == token_hash(code)
            )
        )
        await self._session.commit()
        return bool(getattr(result, "rowcount", 0))

    async def issue_pair(
        self, grant: Grant, access_lifetime: timedelta, refresh_lifetime: timedelta
    ) -> TokenPair:
        """Store and return a new access and refresh token of `grant`'s family."""
        now = utc_now()
        access_token = new_secret(ACCESS_TOKEN_PREFIX)
        refresh_token = new_secret(REFRESH_TOKEN_PREFIX)
        for kind, token, lifetime in (
            (ACCESS, access_token, access_lifetime),
            (REFRESH, refresh_token, refresh_lifetime),
        ):
            self._session.add(
                OAuthTokenDBModel(
                    token_hash=token_hash(token),
                    kind=kind,
                    family=grant.family,
                    client_id=grant.client_id,
                    user_id=grant.user_id,
                    scopes=" ".join(grant.scopes),
                    resource=grant.resource,
                    issued_at=now,
                    expires_at=now + lifetime,
                )
            )
        await self._session.commit()
        return TokenPair(
            access_token=access_token,
            refresh_token=refresh_token,
            access_expires_in=int(access_lifetime.total_seconds()),
        )

    async def get_token(self, token: str, kind: str) -> OAuthTokenDBModel | None:
        """Return a stored token of `kind`, revoked, used or expired ones included."""
        return await self._session.scalar(
            select(OAuthTokenDBModel).where(
                OAuthTokenDBModel.token_hash == token_hash(token),
                OAuthTokenDBModel.kind == kind,
            )
        )

    async def mark_used(self, token: str) -> bool:
        """Mark a refresh token used; False if it was used or revoked already."""
        result = await self._session.execute(
            update(OAuthTokenDBModel)
            .where(
                OAuthTokenDBModel.token_hash == token_hash(token),
                OAuthTokenDBModel.used_at.is_(None),
                OAuthTokenDBModel.revoked_at.is_(None),
            )
            .values(used_at=utc_now())
        )
        await self._session.commit()
        return bool(getattr(result, "rowcount", 0))

    async def revoke_family(self, family: str) -> None:
        """Revoke every token of a grant's family."""
        await self._session.execute(
            update(OAuthTokenDBModel)
            .where(
                OAuthTokenDBModel.family == family,
                OAuthTokenDBModel.revoked_at.is_(None),
            )
            .values(revoked_at=utc_now())
        )
        await self._session.commit()
