"""Per-account login throttling with exponential back-off.

After `LOGIN_FREE_ATTEMPTS` failed sign-ins to one e-mail address in a row, the
address is locked for a second, then two, four and so on, up to
`LOGIN_LOCKOUT_MAX_SECONDS`; a successful sign-in clears it. The counters live in
Redis when `REDIS_URL` is set (one count for every replica) and in the process
otherwise, or while Redis is unreachable. Addresses are counted whether or not an
account has them, so the throttle tells nothing about which ones exist, and they
are stored only as keyed hashes.
"""

import hashlib
import hmac
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import structlog

from shop.config.settings import Settings
from shop.middleware.cache import redis_client, redis_errors
from shop.utils.circuit_breaker import CircuitBreaker

if TYPE_CHECKING:
    from redis.asyncio import Redis

MAX_TRACKED_ADDRESSES = 100_000

T = TypeVar("T")

logger = structlog.get_logger(__name__)


class LoginThrottle(ABC):
    """Count failed sign-ins per e-mail address and lock the address out for a while."""

    def __init__(self, settings: Settings) -> None:
        self._free_attempts = settings.login_free_attempts
        self._base_seconds = settings.login_lockout_base_seconds
        self._max_seconds = settings.login_lockout_max_seconds
        # Failures are forgotten once an address has been left alone this long.
        self._memory_seconds = max(self._max_seconds, 900.0)
        self._key = settings.secret_key.encode()

    def lockout_seconds(self, failures: int) -> float:
        """How long an address is locked after `failures` failures in a row."""
        if failures < self._free_attempts:
            return 0.0
        exponent = min(failures - self._free_attempts, 32)
        return float(min(self._base_seconds * 2**exponent, self._max_seconds))

    def _address_key(self, email: str) -> str:
        address = email.strip().lower().encode()
        return hmac.new(self._key, address, hashlib.sha256).hexdigest()[:32]

    async def retry_after(self, email: str) -> int | None:
        """Seconds until `email` may try again, or None when it may try now."""
        remaining = await self._locked_for(self._address_key(email))
        return math.ceil(remaining) if remaining > 0 else None

    async def record_failure(self, email: str) -> None:
        """Count a failed sign-in; lock the address when it has failed too often."""
        await self._fail(self._address_key(email))

    async def record_success(self, email: str) -> None:
        """Forget the address's failures."""
        await self._clear(self._address_key(email))

    @abstractmethod
    async def _locked_for(self, key: str) -> float:
        """Seconds the address is still locked for (0 when it is not)."""

    @abstractmethod
    async def _fail(self, key: str) -> None:
        """Count one failure of the address."""

    @abstractmethod
    async def _clear(self, key: str) -> None:
        """Forget the address."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release connections."""


class InMemoryLoginThrottle(LoginThrottle):
    """Counters of this process, bounded to `MAX_TRACKED_ADDRESSES` addresses."""

    def __init__(
        self, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(settings)
        self._clock = clock
        # key -> (failures in a row, locked until, forgotten at)
        self._entries: dict[str, tuple[int, float, float]] = {}

    async def _locked_for(self, key: str) -> float:
        entry = self._entries.get(key)
        if entry is None:
            return 0.0
        _, locked_until, forget_at = entry
        now = self._clock()
        if forget_at <= now:
            del self._entries[key]
            return 0.0
        return max(0.0, locked_until - now)

    async def _fail(self, key: str) -> None:
        now = self._clock()
        failures = 0
        entry = self._entries.pop(key, None)
        if entry is not None and entry[2] > now:
            failures = entry[0]
        failures += 1
        while len(self._entries) >= MAX_TRACKED_ADDRESSES:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (
            failures,
            now + self.lockout_seconds(failures),
            now + self._memory_seconds,
        )

    async def _clear(self, key: str) -> None:
        self._entries.pop(key, None)

    async def aclose(self) -> None:
        """Forget every address."""
        self._entries.clear()


class RedisLoginThrottle(LoginThrottle):
    """Counters shared by every replica; in-process while Redis is unreachable."""

    def __init__(self, settings: Settings, client: "Redis") -> None:
        super().__init__(settings)
        self._client = client
        # Outside the cache's namespace (`<app>:`), which emptying the cache clears.
        self._prefix = f"{settings.app_name}.login"
        self._fallback = InMemoryLoginThrottle(settings)
        self._errors = redis_errors()
        self._breaker = CircuitBreaker(settings.redis_retry_seconds)
        # Addresses that signed in while Redis was unreachable. Their counts in
        # Redis are cleared by the first call that reaches it again, so failures
        # from before an outage cannot lock out someone who signed in during it.
        self._unsent_clears: set[str] = set()

    def _names(self, key: str) -> tuple[str, str]:
        return f"{self._prefix}:failures:{key}", f"{self._prefix}:lock:{key}"

    async def _send_clears(self) -> None:
        if self._unsent_clears:
            keys = list(self._unsent_clears)
            await self._client.unlink(
                *(name for key in keys for name in self._names(key))
            )
            self._unsent_clears.difference_update(keys)

    async def _locked_for(self, key: str) -> float:
        async def in_redis() -> float:
            await self._send_clears()
            _, lock_key = self._names(key)
            milliseconds = await self._client.pttl(lock_key)
            return max(0, int(milliseconds)) / 1000

        return await self._guarded(in_redis, lambda: self._fallback._locked_for(key))

    async def _fail(self, key: str) -> None:
        async def in_redis() -> None:
            await self._send_clears()
            failures_key, lock_key = self._names(key)
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(failures_key)
                pipe.expire(failures_key, math.ceil(self._memory_seconds))
                failures, _ = await pipe.execute()
            lockout = self.lockout_seconds(int(failures))
            if lockout > 0:
                await self._client.set(lock_key, "1", px=int(lockout * 1000))

        await self._guarded(in_redis, lambda: self._fallback._fail(key))

    async def _clear(self, key: str) -> None:
        async def in_redis() -> None:
            self._unsent_clears.add(key)
            await self._send_clears()

        async def later() -> None:
            if len(self._unsent_clears) < MAX_TRACKED_ADDRESSES:
                self._unsent_clears.add(key)

        await self._fallback._clear(key)
        await self._guarded(in_redis, later)

    async def _guarded(
        self,
        in_redis: Callable[[], Awaitable[T]],
        fallback: Callable[[], Awaitable[T]],
    ) -> T:
        was_open = self._breaker.is_open
        result = await self._breaker.call(in_redis, fallback, self._errors)
        if self._breaker.is_open and not was_open:
            logger.warning("login_throttle_redis_unavailable", fallback="in-process")
        return result

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


def create_login_throttle(settings: Settings) -> LoginThrottle:
    """Build the throttle selected by `REDIS_URL`."""
    if settings.redis_url:
        return RedisLoginThrottle(settings, redis_client(settings.redis_url))
    return InMemoryLoginThrottle(settings)
