"""Access tokens and password hashing."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pwdlib import PasswordHash

from shop.config.settings import Settings
from shop.utils.security import (
    PASSWORD_HASHER,
    create_access_token,
    credential_stamp,
    decode_access_token,
    hash_password,
    stamp_matches,
    verify_password,
)
from tests.helpers import TEST_SECRET_KEY


@pytest.fixture
def settings() -> Settings:
    """Settings with a known secret."""
    return Settings(secret_key=TEST_SECRET_KEY, access_token_expire_minutes=5)


def test_token_round_trip(settings: Settings) -> None:
    token, expires_in = create_access_token("42", "stamp", settings)

    assert expires_in == 300
    claims = decode_access_token(token, settings)
    assert (claims["sub"], claims["cst"]) == ("42", "stamp")


def test_token_without_a_credential_stamp_is_rejected(settings: Settings) -> None:
    now = datetime.now(UTC)
    token = jwt.encode(
        {"sub": "42", "iss": settings.app_name, "iat": now, "exp": now + timedelta(1)},
        settings.secret_key,
        algorithm="HS256",
    )

    with pytest.raises(jwt.MissingRequiredClaimError):
        decode_access_token(token, settings)


def test_credential_stamp_changes_with_the_password_hash(settings: Settings) -> None:
    first = hash_password("correct-horse-battery")
    second = hash_password("correct-horse-battery")
    stamp = credential_stamp(42, first, settings)

    assert stamp_matches(stamp, credential_stamp(42, first, settings))
    # Same password, new salt: a password change always revokes.
    assert not stamp_matches(stamp, credential_stamp(42, second, settings))
    # A new account that reuses a deleted user's id gets no old token.
    assert not stamp_matches(stamp, credential_stamp(43, first, settings))
    assert not stamp_matches(None, stamp)
    assert stamp not in first


def test_expired_token_is_rejected(settings: Settings) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    token = jwt.encode(
        {
            "sub": "42",
            "cst": "stamp",
            "iss": settings.app_name,
            "iat": past,
            "exp": past,
        },
        settings.secret_key,
        algorithm="HS256",
    )

    with pytest.raises(jwt.ExpiredSignatureError):
        decode_access_token(token, settings)


def test_token_signed_with_another_key_is_rejected(settings: Settings) -> None:
    other = Settings(secret_key="another-secret-key-that-is-32-bytes-long")
    token, _ = create_access_token("42", "stamp", other)

    with pytest.raises(jwt.InvalidSignatureError):
        decode_access_token(token, settings)


def test_unsigned_token_is_rejected(settings: Settings) -> None:
    now = datetime.now(UTC)
    claims = {"sub": "42", "iss": settings.app_name, "iat": now, "exp": now}
    token = jwt.encode(claims, key="", algorithm="none")

    with pytest.raises(jwt.InvalidAlgorithmError):
        decode_access_token(token, settings)


def test_password_hash_verifies() -> None:
    hashed = hash_password("correct-horse-battery")

    assert hashed.startswith("$argon2id$")
    assert verify_password("correct-horse-battery", hashed)
    assert not verify_password("wrong-password", hashed)


def test_the_service_hashes_at_full_strength() -> None:
    # The tests themselves hash with the lightest settings (see tests/conftest.py).
    hashed = PasswordHash((PASSWORD_HASHER,)).hash("correct-horse-battery")

    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    # What the service stored at full strength, the tests' hasher verifies too.
    assert verify_password("correct-horse-battery", hashed)
