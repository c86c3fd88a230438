"""Application settings read from the environment and an optional `.env` file."""

from functools import lru_cache
from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_KEY_BYTES = 32
MIN_SECRET_KEY_DISTINCT_CHARACTERS = 16
# Keys that were published (documentation, examples) and so sign nothing safely.
KNOWN_SECRET_KEYS = frozenset(
    {
        "change-me",
        "changeme",
        "secret",
        "insecure-development-key-change-me-before-deploying",
    }
)
GENERATE_SECRET_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'

Environment = Literal["development", "test", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
CommaSeparated = Annotated[list[str], NoDecode]


class DatabaseSettings(BaseSettings):
    """The database setting alone: all that migrations need (no signing key)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    database_url: str = "sqlite+aiosqlite:///./shop.db"


class Settings(DatabaseSettings):
    """Runtime configuration; each field reads the upper-case environment variable."""

    app_name: str = "shop"
    environment: Environment = "development"
    log_level: LogLevel = "INFO"
    enable_docs: bool | None = None
    """Serve /docs, /redoc and /openapi.json; unset: everywhere but in production."""
    public_url: str = "http://127.0.0.1:8000"

    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    database_statement_timeout_seconds: float = Field(default=10.0, gt=0)
    database_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    redis_url: str | None = None
    redis_retry_seconds: float = Field(default=5.0, gt=0)
    """After Redis fails, how long to use the in-process fallback before retrying."""

    secret_key: str = Field(default="", repr=False)
    access_token_expire_minutes: int = Field(default=60, gt=0)
    oauth_refresh_token_expire_days: int = Field(default=30, gt=0)
    oauth_registrations_per_hour: int = Field(default=100, gt=0)
    """Dynamic client registrations accepted per hour, over all replicas."""
    oauth_sign_in_rate_limit: str = "10/minute"
    """Sign-in form submissions per client IP."""
    login_free_attempts: int = Field(default=5, gt=0)
    """Failed sign-ins to one address in a row before it is locked out."""
    login_lockout_base_seconds: float = Field(default=1.0, gt=0)
    login_lockout_max_seconds: float = Field(default=900.0, gt=0)

    cors_origins: CommaSeparated = []
    rate_limit_enabled: bool = True
    rate_limit: str = "100/minute"
    cache_ttl_seconds: int = Field(default=60, gt=0)
    processing_workers: int = Field(default=4, gt=0)

    mcp_dns_rebinding_protection: bool = True
    mcp_allowed_hosts: CommaSeparated = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    mcp_allowed_origins: CommaSeparated = [
        "http://127.0.0.1:*",
        "http://localhost:*",
        "http://[::1]:*",
    ]

    sentry_dsn: str | None = None
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator(
        "cors_origins", "mcp_allowed_hosts", "mcp_allowed_origins", mode="before"
    )
    @classmethod
    def split_comma_separated(cls, value: object) -> object:
        """Accept `a,b,c` from the environment as well as a list."""
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def docs_enabled(self) -> bool:
        """Whether the API documentation is served."""
        if self.enable_docs is None:
            return self.environment != "production"
        return self.enable_docs

    @model_validator(mode="after")
    def require_strong_secret(self) -> Self:
        """Refuse to start with no, a published, a short or a guessable secret key.

        Anyone who knows the key can sign an administrator's token, so only the
        test suite's own settings (`ENVIRONMENT=test`) may use a weak one.
        """
        if self.environment == "test":
            return self
        problem = weak_secret_key(self.secret_key)
        if problem:
            msg = f"SECRET_KEY {problem}; generate one with: {GENERATE_SECRET_KEY}"
            raise ValueError(msg)
        return self


def weak_secret_key(key: str) -> str | None:
    """Say what makes `key` unfit to sign tokens, or None when it is fit."""
    if not key:
        return "is not set"
    if key.strip().lower() in KNOWN_SECRET_KEYS:
        return "is a published example key"
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        return f"must be at least {MIN_SECRET_KEY_BYTES} bytes"
    if len(set(key)) < MIN_SECRET_KEY_DISTINCT_CHARACTERS:
        return (
            "is too predictable (fewer than "
            f"{MIN_SECRET_KEY_DISTINCT_CHARACTERS} distinct characters)"
        )
    return None


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
