"""Settings parsing and the refusal of weak secret keys."""

import secrets

import pytest
from pydantic import ValidationError

from shop.config.settings import (
    KNOWN_SECRET_KEYS,
    DatabaseSettings,
    Environment,
    Settings,
)

STRONG_SECRET = secrets.token_urlsafe(48)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ignore the developer's environment and `.env` file; a strong key is set."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)


def test_defaults_need_no_set_up_but_the_key() -> None:
    settings = Settings()

    assert settings.database_url == "sqlite+aiosqlite:///./shop.db"
    assert settings.redis_url is None
    assert settings.environment == "development"
    assert STRONG_SECRET not in repr(settings)


@pytest.mark.parametrize("environment", ["development", "production"])
def test_refuses_a_missing_secret(
    monkeypatch: pytest.MonkeyPatch, environment: Environment
) -> None:
    monkeypatch.delenv("SECRET_KEY")

    with pytest.raises(ValidationError, match="SECRET_KEY is not set"):
        Settings(environment=environment)


@pytest.mark.parametrize("environment", ["development", "production"])
@pytest.mark.parametrize("key", sorted(KNOWN_SECRET_KEYS))
def test_refuses_a_published_secret(environment: Environment, key: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment=environment, secret_key=key)


@pytest.mark.parametrize("environment", ["development", "production"])
def test_refuses_a_short_secret(environment: Environment) -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(environment=environment, secret_key=STRONG_SECRET[:31])


@pytest.mark.parametrize("key", ["a" * 64, "ab" * 32, "0123456789abcd" * 4])
def test_refuses_a_predictable_secret(key: str) -> None:
    with pytest.raises(ValidationError, match="too predictable"):
        Settings(environment="production", secret_key=key)


def test_accepts_a_random_secret() -> None:
    settings = Settings(environment="production", secret_key=STRONG_SECRET)

    assert settings.secret_key == STRONG_SECRET


def test_only_the_test_suite_may_use_a_weak_secret() -> None:
    assert Settings(environment="test", secret_key="short").secret_key == "short"


def test_migrations_need_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    database_url = Settings().database_url
    monkeypatch.delenv("SECRET_KEY")

    assert DatabaseSettings().database_url == database_url


def test_docs_are_off_in_production_unless_asked_for() -> None:
    assert Settings(environment="development").docs_enabled
    assert not Settings(environment="production").docs_enabled
    assert Settings(environment="production", enable_docs=True).docs_enabled
    assert not Settings(environment="development", enable_docs=False).docs_enabled


def test_reads_upper_case_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db/app")
    monkeypatch.setenv("ENABLE_DOCS", "false")
    monkeypatch.setenv("RATE_LIMIT", "5/second")

    settings = Settings()

    assert settings.database_url == "postgresql+asyncpg://db/app"
    assert settings.enable_docs is False
    assert settings.rate_limit == "5/second"


def test_lists_accept_comma_separated_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("MCP_ALLOWED_HOSTS", "api.example:*")

    settings = Settings()

    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.mcp_allowed_hosts == ["api.example:*"]


def test_empty_optional_urls_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("SENTRY_DSN", "")

    settings = Settings()

    assert settings.redis_url is None
    assert settings.sentry_dsn is None
