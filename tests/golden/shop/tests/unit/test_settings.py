"""Settings parsing and the production safety checks."""

import pytest
from pydantic import ValidationError

from shop.config.settings import DEFAULT_SECRET_KEY, Settings

STRONG_SECRET = "s" * 32


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ignore the developer's environment and `.env` file."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)


def test_defaults_need_no_set_up() -> None:
    settings = Settings()

    assert settings.database_url == "sqlite+aiosqlite:///./shop.db"
    assert settings.redis_url is None
    assert settings.environment == "development"


def test_production_refuses_default_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")


def test_production_refuses_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(environment="production", secret_key="s" * 31)


def test_production_accepts_strong_secret() -> None:
    settings = Settings(environment="production", secret_key=STRONG_SECRET)

    assert settings.secret_key == STRONG_SECRET


def test_development_allows_default_secret() -> None:
    assert Settings(environment="development").secret_key == DEFAULT_SECRET_KEY


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
