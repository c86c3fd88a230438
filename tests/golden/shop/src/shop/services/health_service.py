"""Readiness checks of the database and, when configured, Redis."""

import asyncio
from collections.abc import Awaitable

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shop.config.settings import Settings
from shop.middleware.cache import CacheManager
from shop.models.health_model import CheckResult, Readiness

CHECK_TIMEOUT_SECONDS = 2.0

logger = structlog.get_logger(__name__)


class HealthService:
    """Probe the backends the service needs; each check is bounded by a timeout."""

    def __init__(
        self, engine: AsyncEngine, cache: CacheManager, settings: Settings
    ) -> None:
        self._engine = engine
        self._cache = cache
        self._settings = settings

    async def readiness(self) -> Readiness:
        """Check the database and, when `REDIS_URL` is set, Redis."""
        checks = {"database": await _run_check("database", self._ping_database())}
        if self._settings.redis_url:
            checks["redis"] = await _run_check("redis", self._cache.ping())
        ready = all(result == "ok" for result in checks.values())
        return Readiness(status="ok" if ready else "unavailable", checks=checks)

    async def _ping_database(self) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


async def _run_check(name: str, check: Awaitable[None]) -> CheckResult:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await check
    except Exception:
        logger.exception("readiness_check_failed", check=name)
        return "error"
    return "ok"
