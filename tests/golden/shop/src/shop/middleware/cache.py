"""Read cache: Redis when `REDIS_URL` is set, an in-process TTL cache otherwise.

Writes never search the keyspace. Each scope (a table's rows, a table's lists) has a
generation counter that is part of its cache keys; a write bumps the counters of what
it changed, and the entries under the old generation are simply never read again
(they expire by their TTL). A write costs the same with ten keys cached or a million.
"""

import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import structlog

from shop.config.settings import Settings
from shop.utils.circuit_breaker import CircuitBreaker

# redis-py is imported by the first Redis client made: a process without
# `REDIS_URL` never loads it (some 4 MiB of memory per server process).
if TYPE_CHECKING:
    from redis.asyncio import Redis

REDIS_TIMEOUT_SECONDS = 1.0
SCAN_BATCH_SIZE = 500

logger = structlog.get_logger(__name__)


class CacheManager(ABC):
    """String cache with per-key expiry, namespaced by a key prefix."""

    def __init__(self, namespace: str, default_ttl: float) -> None:
        self._namespace = namespace
        self._default_ttl = default_ttl

    def _key(self, key: str) -> str:
        return f"{self._namespace}:{key}"

    @abstractmethod
    async def get(self, key: str) -> str | None:
        """Return the cached value, or None when missing or expired."""

    @abstractmethod
    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        """Store a value for `ttl` seconds (the default TTL when omitted)."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove one key."""

    @abstractmethod
    async def delete_prefix(self, prefix: str) -> None:
        """Remove every key starting with `prefix` (a scan: maintenance, not writes)."""

    @abstractmethod
    async def generation(self, scope: str) -> int:
        """Return the current generation of `scope`, to build its cache keys with."""

    @abstractmethod
    async def bump(self, scopes: Iterable[str]) -> None:
        """Start a new generation of each scope: its older entries go unread."""

    async def clear(self) -> None:
        """Remove every key in this cache's namespace, generations included."""
        await self.delete_prefix("")

    @abstractmethod
    async def ping(self) -> None:
        """Raise when the backend is unreachable."""

    @abstractmethod
    async def close(self) -> None:
        """Release the backend's connections."""


class InMemoryCache(CacheManager):
    """Per-process TTL cache, bounded to `max_entries` (oldest entries go first)."""

    def __init__(
        self,
        namespace: str,
        default_ttl: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(namespace, default_ttl)
        # Oldest first: evicting from the front of an OrderedDict is O(1), where a
        # dict's front fills with deleted slots that every next(iter()) walks.
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._generations: dict[str, int] = {}
        self._max_entries = max_entries
        self._clock = clock

    async def get(self, key: str) -> str | None:
        """Return the cached value, or None when missing or expired."""
        full_key = self._key(key)
        entry = self._entries.get(full_key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            del self._entries[full_key]
            return None
        return value

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        """Store a value for `ttl` seconds (the default TTL when omitted)."""
        full_key = self._key(key)
        self._entries.pop(full_key, None)
        while len(self._entries) >= self._max_entries:
            self._entries.popitem(last=False)
        expires_at = self._clock() + (ttl if ttl is not None else self._default_ttl)
        self._entries[full_key] = (expires_at, value)

    async def delete(self, key: str) -> None:
        """Remove one key."""
        self._entries.pop(self._key(key), None)

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every key starting with `prefix`."""
        full_prefix = self._key(prefix)
        for key in [key for key in self._entries if key.startswith(full_prefix)]:
            del self._entries[key]
        if not prefix:
            self._generations.clear()

    async def generation(self, scope: str) -> int:
        """Return the current generation of `scope`, to build its cache keys with."""
        return self._generations.get(scope, 0)

    async def bump(self, scopes: Iterable[str]) -> None:
        """Start a new generation of each scope: its older entries go unread."""
        for scope in scopes:
            self._generations[scope] = self._generations.get(scope, 0) + 1

    async def ping(self) -> None:
        """Always reachable."""

    async def close(self) -> None:
        """Drop every entry."""
        self._entries.clear()
        self._generations.clear()


class RedisCache(CacheManager):
    """Cache shared by every replica through Redis.

    A Redis that is down or stalled costs at most one socket timeout: a read is a
    miss (the caller reads the database) and a write is skipped, then a circuit
    breaker skips Redis for a few seconds before probing it again, so the service
    keeps answering at full speed and recovers by itself when Redis is back.
    """

    def __init__(
        self,
        client: "Redis",
        namespace: str,
        default_ttl: float,
        retry_seconds: float = 5.0,
    ) -> None:
        super().__init__(namespace, default_ttl)
        self._client = client
        self._errors = redis_errors()
        self._breaker = CircuitBreaker(retry_seconds)

    async def get(self, key: str) -> str | None:
        """Return the cached value, or None when missing or expired."""
        value = await self._guarded("get", lambda: self._client.get(self._key(key)))
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        """Store a value for `ttl` seconds (the default TTL when omitted)."""
        milliseconds = max(
            1, int((ttl if ttl is not None else self._default_ttl) * 1000)
        )
        await self._guarded(
            "set", lambda: self._client.set(self._key(key), value, px=milliseconds)
        )

    async def delete(self, key: str) -> None:
        """Remove one key (when Redis is unreachable, the entry expires by its TTL)."""
        await self._guarded("delete", lambda: self._client.unlink(self._key(key)))

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every key starting with `prefix`."""
        pattern = f"{_escape_glob(self._key(prefix))}*"

        async def unlink_matching() -> None:
            batch: list[str] = []
            async for key in self._client.scan_iter(
                match=pattern, count=SCAN_BATCH_SIZE
            ):
                batch.append(key)
                if len(batch) == SCAN_BATCH_SIZE:
                    await self._client.unlink(*batch)
                    batch.clear()
            if batch:
                await self._client.unlink(*batch)

        await self._guarded("delete_prefix", unlink_matching)

    async def generation(self, scope: str) -> int:
        """Return the current generation of `scope`, shared by every replica.

        A counter Redis lost (evicted, flushed) restarts from the current time in
        milliseconds, past any generation an older entry can still be keyed with.
        When Redis is unreachable (or skipped by the breaker) the answer is 0 and
        the read is a miss anyway.
        """
        key = self._generation_key(scope)

        async def read() -> Any:
            value = await self._client.get(key)
            if value is None:
                async with self._client.pipeline(transaction=True) as pipe:
                    pipe.set(key, _epoch_ms(), nx=True)
                    pipe.get(key)
                    _, value = await pipe.execute()
            return value

        value = await self._guarded("generation", read)
        return 0 if value is None else int(value)

    async def bump(self, scopes: Iterable[str]) -> None:
        """Start a new generation of each scope, in one round trip."""
        keys = [self._generation_key(scope) for scope in scopes]

        async def write() -> None:
            async with self._client.pipeline(transaction=True) as pipe:
                for key in keys:
                    pipe.set(key, _epoch_ms(), nx=True)
                    pipe.incr(key)
                await pipe.execute()

        await self._guarded("bump", write)

    def _generation_key(self, scope: str) -> str:
        return self._key(f"generation:{scope}")

    async def ping(self) -> None:
        """Raise when Redis does not answer."""
        await self._client.ping()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def _guarded(self, operation: str, call: Callable[[], Awaitable[Any]]) -> Any:
        """Run one Redis call; None when Redis is unreachable or being skipped."""

        async def bypass() -> None:
            return None

        was_open = self._breaker.is_open
        try:
            return await self._breaker.call(call, bypass, self._errors)
        finally:
            if self._breaker.is_open and not was_open:
                logger.warning("cache_unavailable", operation=operation)
            elif was_open and not self._breaker.is_open:
                logger.info("cache_recovered", operation=operation)


def _epoch_ms() -> int:
    return time.time_ns() // 1_000_000


def _escape_glob(text: str) -> str:
    """Escape Redis glob metacharacters so `text` matches literally."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def redis_errors() -> tuple[type[BaseException], ...]:
    """What a Redis that is down, refusing or stalled raises."""
    from redis.exceptions import RedisError  # lazily: see TYPE_CHECKING above

    return (RedisError, OSError, TimeoutError)


def redis_client(url: str, *, decode_responses: bool = False) -> "Redis":
    """A Redis client whose every connect and command gives up after a second."""
    from redis.asyncio import Redis  # lazily: see TYPE_CHECKING above

    return Redis.from_url(
        url,
        decode_responses=decode_responses,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )


def create_cache(settings: Settings) -> CacheManager:
    """Build the cache backend selected by `REDIS_URL`."""
    if settings.redis_url:
        client = redis_client(settings.redis_url, decode_responses=True)
        return RedisCache(
            client,
            settings.app_name,
            settings.cache_ttl_seconds,
            retry_seconds=settings.redis_retry_seconds,
        )
    return InMemoryCache(settings.app_name, settings.cache_ttl_seconds)
