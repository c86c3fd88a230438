"""The OAuth tables: registered clients, authorization codes and tokens.

Codes and tokens are stored as SHA-256 hashes: a copy of the database signs no
one in. A client's secret is kept as issued, because the MCP SDK's client
authentication compares it as it was sent.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.database.base import Base, TimestampMixin, UTCDateTime

TOKEN_HASH_LENGTH = 64


class OAuthClientDBModel(TimestampMixin, Base):
    """A client registered through dynamic client registration (RFC 7591)."""

    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    client_secret: Mapped[str | None] = mapped_column(String(128))
    registration: Mapped[str] = mapped_column(Text)
    """The client's metadata as registered, as JSON (without the secret)."""


class OAuthCodeDBModel(Base):
    """An authorization code, usable once until it expires."""

    __tablename__ = "oauth_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(
        String(TOKEN_HASH_LENGTH), unique=True, index=True
    )
    client_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_clients.client_id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[str] = mapped_column(String(255))
    code_challenge: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(Text)
    redirect_uri_provided_explicitly: Mapped[bool]
    resource: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OAuthTokenDBModel(Base):
    """An access or refresh token of one grant's family.

    Each refresh issues a new pair in the same family and marks the refresh token
    used; presenting a used one again revokes the whole family (OAuth 2.1 §4.3.1).
    """

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(
        String(TOKEN_HASH_LENGTH), unique=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    family: Mapped[str] = mapped_column(String(64), index=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_clients.client_id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
