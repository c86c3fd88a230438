"""A small circuit breaker, so that a failing Redis is skipped instead of waited on."""

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class CircuitBreaker:
    """Skip a backend for `reset_seconds` after it fails, then let one call retry it.

    Callers ask `allow()` before each use and report the outcome. While the
    circuit is open they use their fallback at once, so a backend that is down or
    stalled costs one timeout per interval, not one per request; the first call
    after the interval probes it, and a success closes the circuit again.
    """

    def __init__(
        self, reset_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._reset_seconds = reset_seconds
        self._clock = clock
        self._open = False
        self._probing = False
        self._retry_at = 0.0

    @property
    def is_open(self) -> bool:
        """Whether the backend failed and has not answered since."""
        return self._open

    def allow(self) -> bool:
        """Say whether to call the backend now (one probe at a time while open)."""
        if not self._open:
            return True
        if self._probing or self._clock() < self._retry_at:
            return False
        self._probing = True
        return True

    def record_success(self) -> None:
        """Close the circuit: the backend answered."""
        self._open = False
        self._probing = False

    def record_failure(self) -> None:
        """Open the circuit for `reset_seconds`."""
        self._open = True
        self._probing = False
        self._retry_at = self._clock() + self._reset_seconds

    async def call(
        self,
        operation: Callable[[], Awaitable[T]],
        fallback: Callable[[], Awaitable[T]],
        errors: tuple[type[BaseException], ...],
    ) -> T:
        """Run `operation`, or `fallback` while open or when it raises one of `errors`."""
        if not self.allow():
            return await fallback()
        try:
            result = await operation()
        except errors:
            self.record_failure()
            return await fallback()
        except BaseException:
            # Cancelled (or failed otherwise) mid-probe: let a later call probe.
            self._probing = False
            raise
        self.record_success()
        return result
