"""Access tokens and password hashing."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shop.config.settings import Settings
from shop.utils.security import (
    create_access_token,
    decode_access_token,
    hash_password,
    verify_password,
)
from tests.helpers import TEST_SECRET_KEY


@pytest.fixture
def settings() -> Settings:
    """Settings with a known secret."""
    return Settings(secret_key=TEST_SECRET_KEY, access_token_expire_minutes=5)


def test_token_round_trip(settings: Settings) -> None:
    token, expires_in = create_access_token("42", settings)

    assert expires_in == 300
    assert decode_access_token(token, settings)["sub"] == "42"


def test_expired_token_is_rejected(settings: Settings) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    token = jwt.encode(
        {"sub": "42", "iss": settings.app_name, "iat": past, "exp": past},
        settings.secret_key,
        algorithm="HS256",
    )

    with pytest.raises(jwt.ExpiredSignatureError):
        decode_access_token(token, settings)


def test_token_signed_with_another_key_is_rejected(settings: Settings) -> None:
    other = Settings(secret_key="another-secret-key-that-is-32-bytes-long")
    token, _ = create_access_token("42", other)

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
