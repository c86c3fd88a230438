"""Read cache: Redis when `REDIS_URL` is set, an in-process TTL cache otherwise.

Writes never search the keyspace. Each scope (a table's rows, a table's lists) has a
generation counter that is part of its cache keys; a write bumps the counters of what
it changed, and the entries under the old generation are simply never read again
(they expire by their TTL). A write costs the same with ten keys cached or a million.
"""

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from shop.config.settings import Settings

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
        self._entries: dict[str, tuple[float, str]] = {}
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
            del self._entries[next(iter(self._entries))]
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

    A Redis that is down or stalled costs each call at most the socket timeout:
    a read is a miss (the caller reads the database) and a write is skipped, so
    the service keeps answering and recovers by itself when Redis is back.
    """

    def __init__(self, client: Redis, namespace: str, default_ttl: float) -> None:
        super().__init__(namespace, default_ttl)
        self._client = client

    async def get(self, key: str) -> str | None:
        """Return the cached value, or None when missing or expired."""
        try:
            value = await self._client.get(self._key(key))
        except (RedisError, OSError) as exc:
            _log_bypass("get", exc)
            return None
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        """Store a value for `ttl` seconds (the default TTL when omitted)."""
        seconds = ttl if ttl is not None else self._default_ttl
        try:
            await self._client.set(
                self._key(key), value, px=max(1, int(seconds * 1000))
            )
        except (RedisError, OSError) as exc:
            _log_bypass("set", exc)

    async def delete(self, key: str) -> None:
        """Remove one key (when Redis is unreachable, the entry expires by its TTL)."""
        try:
            await self._client.unlink(self._key(key))
        except (RedisError, OSError) as exc:
            _log_bypass("delete", exc)

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every key starting with `prefix`."""
        pattern = f"{_escape_glob(self._key(prefix))}*"
        batch: list[str] = []
        try:
            async for key in self._client.scan_iter(
                match=pattern, count=SCAN_BATCH_SIZE
            ):
                batch.append(key)
                if len(batch) == SCAN_BATCH_SIZE:
                    await self._client.unlink(*batch)
                    batch.clear()
            if batch:
                await self._client.unlink(*batch)
        except (RedisError, OSError) as exc:
            _log_bypass("delete_prefix", exc)

    async def generation(self, scope: str) -> int:
        """Return the current generation of `scope`, shared by every replica.

        A counter Redis lost (evicted, flushed) restarts from the current time in
        milliseconds, past any generation an older entry can still be keyed with.
        When Redis is unreachable the answer is 0 and the read is a miss anyway.
        """
        key = self._generation_key(scope)
        try:
            value = await self._client.get(key)
            if value is None:
                async with self._client.pipeline(transaction=True) as pipe:
                    pipe.set(key, _epoch_ms(), nx=True)
                    pipe.get(key)
                    _, value = await pipe.execute()
        except (RedisError, OSError) as exc:
            _log_bypass("generation", exc)
            return 0
        return int(value)

    async def bump(self, scopes: Iterable[str]) -> None:
        """Start a new generation of each scope, in one round trip."""
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                for scope in scopes:
                    key = self._generation_key(scope)
                    pipe.set(key, _epoch_ms(), nx=True)
                    pipe.incr(key)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            _log_bypass("bump", exc)

    def _generation_key(self, scope: str) -> str:
        return self._key(f"generation:{scope}")

    async def ping(self) -> None:
        """Raise when Redis does not answer."""
        await self._client.ping()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


def _log_bypass(operation: str, exc: Exception) -> None:
    logger.warning("cache_unavailable", operation=operation, error=str(exc))


def _epoch_ms() -> int:
    return time.time_ns() // 1_000_000


def _escape_glob(text: str) -> str:
    """Escape Redis glob metacharacters so `text` matches literally."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def create_cache(settings: Settings) -> CacheManager:
    """Build the cache backend selected by `REDIS_URL`."""
    if settings.redis_url:
        client = Redis.from_url(
            settings.redis_url,
            decode_responses=True,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        return RedisCache(client, settings.app_name, settings.cache_ttl_seconds)
    return InMemoryCache(settings.app_name, settings.cache_ttl_seconds)
