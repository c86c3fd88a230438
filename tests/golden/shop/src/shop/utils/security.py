"""Password hashing (argon2 via pwdlib) and HS256 access tokens (PyJWT)."""

from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from shop.config.settings import Settings

JWT_ALGORITHM = "HS256"

_password_hash = PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """Return the argon2 hash of a password."""
    return _password_hash.hash(password)


def verify_password(password: str, hashed_password: str) -> bool:
    """Check a password against its stored hash."""
    return _password_hash.verify(password, hashed_password)


@cache
def _dummy_hash() -> str:
    return hash_password("password-for-unknown-users")


def verify_unknown_user_password(password: str) -> bool:
    """Spend the time of a real check so unknown e-mails cannot be told apart."""
    verify_password(password, _dummy_hash())
    return False


def create_access_token(subject: str, settings: Settings) -> tuple[str, int]:
    """Sign a token for `subject`; return it with its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    issued_at = datetime.now(UTC)
    claims = {
        "sub": subject,
        "iss": settings.app_name,
        "iat": issued_at,
        "exp": issued_at + lifetime,
    }
    token = jwt.encode(claims, settings.secret_key, algorithm=JWT_ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_access_token(token: str, settings: Settings) -> dict[str, object]:
    """Verify signature, issuer and expiry; raise `jwt.InvalidTokenError` if bad."""
    return jwt.decode(
        token,
        settings.secret_key,
        algorithms=[JWT_ALGORITHM],
        issuer=settings.app_name,
        options={"require": ["sub", "exp", "iat", "iss"]},
    )
