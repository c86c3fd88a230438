"""The circuit breaker that skips a failing Redis, and the in-process login throttle."""

import pytest

from shop.services.login_throttle import InMemoryLoginThrottle
from shop.utils.circuit_breaker import CircuitBreaker
from tests.helpers import make_settings


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_failure_skips_the_backend_until_one_probe_may_retry() -> None:
    clock = Clock()
    breaker = CircuitBreaker(5.0, clock=clock)
    calls: list[str] = []

    async def failing() -> str:
        calls.append("backend")
        raise ConnectionError("down")

    async def working() -> str:
        calls.append("backend")
        return "backend"

    async def fallback() -> str:
        return "fallback"

    assert await breaker.call(failing, fallback, (ConnectionError,)) == "fallback"
    assert breaker.is_open
    clock.now += 4.9
    assert await breaker.call(working, fallback, (ConnectionError,)) == "fallback"
    assert calls == ["backend"]

    clock.now += 0.2
    assert breaker.allow()
    # While that probe is out, nobody else waits on the backend.
    assert not breaker.allow()
    breaker.record_success()
    assert await breaker.call(working, fallback, (ConnectionError,)) == "backend"
    assert not breaker.is_open


async def test_an_unexpected_error_propagates_and_frees_the_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1.0, clock=clock)
    breaker.record_failure()
    clock.now += 2

    async def broken() -> None:
        raise ValueError("a bug, not an outage")

    async def fallback() -> None:
        return None

    with pytest.raises(ValueError, match="a bug"):
        await breaker.call(broken, fallback, (ConnectionError,))
    assert breaker.allow()


async def test_in_process_lockouts_double_up_to_the_cap_and_expire() -> None:
    clock = Clock()
    settings = make_settings(
        "sqlite+aiosqlite://",
        login_free_attempts=3,
        login_lockout_base_seconds=2.0,
        login_lockout_max_seconds=10.0,
    )
    throttle = InMemoryLoginThrottle(settings, clock=clock)

    assert [throttle.lockout_seconds(n) for n in range(1, 8)] == [
        0.0,
        0.0,
        2.0,
        4.0,
        8.0,
        10.0,
        10.0,
    ]
    for _ in range(3):
        await throttle.record_failure("User@Example.com")
    assert await throttle.retry_after("user@example.com") == 2
    assert await throttle.retry_after("other@example.com") is None

    clock.now += 2.5
    assert await throttle.retry_after("user@example.com") is None
    await throttle.record_failure("user@example.com")
    assert await throttle.retry_after("user@example.com") == 4

    await throttle.record_success("user@example.com")
    assert await throttle.retry_after("user@example.com") is None
