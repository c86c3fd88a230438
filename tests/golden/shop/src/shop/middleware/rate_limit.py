"""Per-client rate limiting, shared through Redis across replicas, never blocking.

The counters live in Redis when `REDIS_URL` is set (one budget for every replica)
and in the process otherwise. Redis is reached through the `limits` package's
asyncio storage with short socket timeouts: a Redis that is down or stalled costs
one timeout, after which a circuit breaker counts in the process for
`REDIS_RETRY_SECONDS` before probing Redis again; requests are never held up.
"""

import math
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from shop.config.settings import Settings
from shop.middleware.cache import redis_client, redis_errors
from shop.utils.circuit_breaker import CircuitBreaker
from shop.utils.errors import error_response

if TYPE_CHECKING:
    from redis.asyncio import Redis

EXEMPT_PATH_PREFIXES = ("/health",)

logger = structlog.get_logger(__name__)


class RateLimiter:
    """`RATE_LIMIT` per client, summed over every endpoint, REST and MCP alike."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        self._item: RateLimitItem = parse(settings.rate_limit)
        self.limit = str(self._item)
        # Outside the cache's namespace (`<app>:`), which emptying the cache clears.
        self._key_prefix = f"{settings.app_name}.rate"
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._redis: Redis | None = None
        self._shared: MovingWindowRateLimiter | None = None
        self._errors: tuple[type[BaseException], ...] = ()
        if settings.redis_url:
            self._redis = redis_client(settings.redis_url)
            self._errors = redis_errors()
            # `limits` types the options it passes on to redis-py as scalars; the
            # pool (with its timeouts, closed by `aclose`) is one redis-py takes.
            options: dict[str, Any] = {"connection_pool": self._redis.connection_pool}
            storage = RedisStorage(
                f"async+{settings.redis_url}",
                implementation="redispy",
                key_prefix=self._key_prefix,
                **options,
            )
            self._shared = MovingWindowRateLimiter(storage)
        self._breaker = CircuitBreaker(settings.redis_retry_seconds)

    @property
    def shared(self) -> bool:
        """Whether the counters are in Redis now (not in the process)."""
        return self._shared is not None and not self._breaker.is_open

    async def hit(self, client: str) -> int | None:
        """Count one request of `client`; return the seconds to wait if over the limit."""
        return await self.hit_limit(self._item, client)

    async def hit_limit(self, item: RateLimitItem, key: str) -> int | None:
        """Count one hit of `key` against `item` (another limit than `RATE_LIMIT`,
        e.g. the sign-in form's), with the same storage and fallback."""
        local = self._local
        shared = self._shared

        async def count_locally() -> int | None:
            return await _hit(local, item, key)

        if shared is None:
            return await count_locally()

        async def count_in_redis() -> int | None:
            return await _hit(shared, item, key)

        was_open = self._breaker.is_open
        wait = await self._breaker.call(count_in_redis, count_locally, self._errors)
        if self._breaker.is_open and not was_open:
            logger.warning("rate_limit_redis_unavailable", fallback="in-process")
        elif was_open and not self._breaker.is_open:
            logger.info("rate_limit_redis_recovered")
        return wait

    async def reset(self) -> None:
        """Forget every counter (tests start from a full budget)."""
        await self._local.storage.reset()
        if self._redis is not None:
            # Only this application's counters: the Redis database may be shared.
            async for key in self._redis.scan_iter(match=f"{self._key_prefix}:*"):
                await self._redis.unlink(key)

    async def aclose(self) -> None:
        """Release the Redis connections."""
        if self._redis is not None:
            await self._redis.aclose()


async def _hit(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, client: str
) -> int | None:
    if await limiter.hit(item, client):
        return None
    reset_at, _ = await limiter.get_window_stats(item, client)
    return max(1, math.ceil(reset_at - time.time()))


class RateLimitMiddleware:
    """Apply the rate limit to every HTTP request but health probes."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if (
            scope["type"] != "http"
            or not self.limiter.enabled
            or scope["path"].startswith(EXEMPT_PATH_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = await self.limiter.hit(client[0] if client else "unknown")
        if wait is not None:
            response = error_response(
                Request(scope),
                HTTPStatus.TOO_MANY_REQUESTS,
                "rate_limited",
                f"Rate limit exceeded: {self.limiter.limit}",
                headers={"Retry-After": str(wait)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
