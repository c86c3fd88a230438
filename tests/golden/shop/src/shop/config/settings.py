"""Application settings read from the environment and an optional `.env` file."""

from functools import lru_cache
from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET_KEY = "insecure-development-key-change-me-before-deploying"
MIN_SECRET_KEY_BYTES = 32

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
CommaSeparated = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Runtime configuration; each field reads the upper-case environment variable."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    app_name: str = "shop"
    environment: Literal["development", "test", "production"] = "development"
    log_level: LogLevel = "INFO"
    enable_docs: bool = True
    public_url: str = "http://127.0.0.1:8000"

    database_url: str = "sqlite+aiosqlite:///./shop.db"
    redis_url: str | None = None

    secret_key: str = DEFAULT_SECRET_KEY
    access_token_expire_minutes: int = Field(default=60, gt=0)

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

    @model_validator(mode="after")
    def require_strong_secret_in_production(self) -> Self:
        """Refuse to start in production with the default or a short secret key."""
        if self.environment == "production" and (
            self.secret_key == DEFAULT_SECRET_KEY
            or len(self.secret_key.encode()) < MIN_SECRET_KEY_BYTES
        ):
            msg = (
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_BYTES} bytes when ENVIRONMENT=production"
            )
            raise ValueError(msg)
        return self


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
