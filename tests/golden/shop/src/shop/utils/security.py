"""Password hashing (argon2 via pwdlib) and HS256 access tokens (PyJWT)."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from shop.config.settings import Settings

JWT_ALGORITHM = "HS256"

PASSWORD_HASHER = Argon2Hasher()
"""argon2id at argon2-cffi's defaults: RFC 9106's second recommended option
(64 MiB, 3 passes, 4 lanes)."""
_password_hash = PasswordHash((PASSWORD_HASHER,))


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


def credential_stamp(user_id: int, hashed_password: str, settings: Settings) -> str:
    """Fingerprint the credentials a token is issued against (the `cst` claim).

    A token is accepted only while its stamp matches the account's: a new password
    (a new salted hash) revokes every token issued before it, and a deleted user's
    id reused by a new account does not revive the old tokens. It is an HMAC under
    the signing key, so the token, which anyone holding it can read, tells nothing
    about the hash.
    """
    message = f"{user_id}:{hashed_password}".encode()
    digest = hmac.new(settings.secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def stamp_matches(claimed: object, expected: str) -> bool:
    """Compare a token's stamp with the account's in constant time."""
    return isinstance(claimed, str) and hmac.compare_digest(claimed, expected)


def create_access_token(
    subject: str, stamp: str, settings: Settings
) -> tuple[str, int]:
    """Sign a token for `subject` with its credential stamp; return it and its lifetime."""
    lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    issued_at = datetime.now(UTC)
    claims = {
        "sub": subject,
        "cst": stamp,
        "iss": settings.app_name,
        "iat": issued_at,
        "exp": issued_at + lifetime,
    }
    token = jwt.encode(claims, settings.secret_key, algorithm=JWT_ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_access_token(token: str, settings: Settings) -> dict[str, object]:
    """Verify signature, issuer, expiry and stamp presence; raise `jwt.InvalidTokenError`."""
    return jwt.decode(
        token,
        settings.secret_key,
        algorithms=[JWT_ALGORITHM],
        issuer=settings.app_name,
        options={"require": ["sub", "cst", "exp", "iat", "iss"]},
    )
