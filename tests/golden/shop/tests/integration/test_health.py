"""Liveness, readiness, request ids, and fast 503s when the database or Redis fails."""

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from shop.app import create_app
from shop.middleware.cache import (
    REDIS_TIMEOUT_SECONDS,
    RedisCache,
    create_cache,
    redis_client,
)
from tests.helpers import BASE_URL, make_settings, proxied, running

# Short bounds, so that a fault shows within a test's patience.
FAST_TIMEOUTS = {
    "database_connect_timeout_seconds": 1.0,
    "database_statement_timeout_seconds": 1.0,
    "database_pool_timeout_seconds": 1.0,
}
# A fault is answered within its timeout plus the readiness check's, never a hang.
FAST_ENOUGH_SECONDS = 8.0
needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="the TCP proxy needs a database server (DATABASE_URL)",
)
needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL)"
)


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run `app` and yield a client for it."""
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield http


async def login_attempt(http: httpx.AsyncClient) -> httpx.Response:
    """A request that needs the database: a login of no one."""
    return await http.post(
        "/api/v1/auth/token",
        data={"username": "nobody@example.com", "password": "not-a-password"},
    )


async def test_liveness(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_request_id_is_generated(client: httpx.AsyncClient) -> None:
    ids = {(await client.get("/health")).headers["X-Request-ID"] for _ in range(3)}

    assert len(ids) == 3
    assert all(len(request_id) == 32 for request_id in ids)


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc-123"})

    assert response.headers["X-Request-ID"] == "abc-123"


async def test_unsafe_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "bad id\n"})

    assert response.headers["X-Request-ID"] != "bad id\n"


async def test_readiness_checks_database_and_redis(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"].get("redis", "ok") == "ok"


async def test_readiness_is_503_when_database_is_down(database_url: str) -> None:
    settings = make_settings("sqlite+aiosqlite:////nonexistent/dir/down.db")
    app = create_app(settings)

    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            response = await http.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


async def test_readiness_is_503_when_redis_is_down(database_url: str) -> None:
    settings = make_settings(database_url, redis_url="redis://127.0.0.1:1/0")
    app = create_app(settings)

    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            response = await http.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "error"},
    }


@needs_postgres
async def test_a_refused_or_stalled_database_gives_fast_503s_and_heals(
    database_url: str,
) -> None:
    async with proxied(database_url, 5432) as (url, proxy):
        app = create_app(make_settings(url, **FAST_TIMEOUTS))
        async with client_of(app) as http:
            assert (await login_attempt(http)).status_code == 401
            for fault in ("stall", "refuse"):
                if fault == "stall":
                    proxy.stall()
                else:
                    await proxy.refuse()
                started = time.monotonic()
                refused = await login_attempt(http)
                ready = await http.get("/health/ready")
                elapsed = time.monotonic() - started

                assert refused.status_code == 503, (fault, refused.text)
                assert refused.headers["Retry-After"].isdigit()
                assert refused.json()["error"]["code"] == "service_unavailable"
                assert ready.status_code == 503
                assert elapsed < FAST_ENOUGH_SECONDS, fault

                await proxy.restore()
                assert (await login_attempt(http)).status_code == 401, fault
                assert (await http.get("/health/ready")).status_code == 200, fault


async def test_reads_bypass_an_unreachable_redis(database_url: str) -> None:
    cache = create_cache(make_settings(database_url, redis_url="redis://127.0.0.1:1/0"))
    try:
        await cache.set("key", "value")
        assert await cache.get("key") is None
        await cache.delete("key")
        await cache.delete_prefix("k")
    finally:
        await cache.close()


@needs_redis
async def test_a_stalled_redis_costs_one_timeout_and_heals(database_url: str) -> None:
    async with proxied(os.environ["REDIS_URL"], 6379) as (url, proxy):
        # A namespace of its own: other suites may share and empty this database.
        cache = RedisCache(
            redis_client(url, decode_responses=True),
            f"stall-probe-{uuid.uuid4().hex}",
            60,
            retry_seconds=0.3,
        )
        try:
            await cache.set("stall-probe", "before")
            assert await cache.get("stall-probe") == "before"

            proxy.stall()
            started = time.monotonic()
            assert await cache.get("stall-probe") is None
            assert time.monotonic() - started < REDIS_TIMEOUT_SECONDS + 1
            # Then Redis is skipped until the retry interval is over: no waiting.
            started = time.monotonic()
            assert [await cache.get("stall-probe") for _ in range(5)] == [None] * 5
            assert time.monotonic() - started < REDIS_TIMEOUT_SECONDS / 2

            await proxy.restore()
            await asyncio.sleep(0.4)
            assert await cache.get("stall-probe") == "before"
        finally:
            await cache.delete("stall-probe")
            await cache.close()


@needs_redis
async def test_a_stalled_redis_holds_up_no_request_and_heals(database_url: str) -> None:
    async with proxied(os.environ["REDIS_URL"], 6379) as (url, proxy):
        # Redis is retried 4 s after it failed: longer than the stalled part below.
        settings = make_settings(database_url, redis_url=url, redis_retry_seconds=4.0)
        app = create_app(settings)
        async with client_of(app) as http:
            await app.state.limiter.reset()
            assert (await login_attempt(http)).status_code == 401
            assert app.state.limiter.shared

            proxy.stall()
            throttle = app.state.container.login_throttle

            async def timed(call: Awaitable[object]) -> float:
                started = time.monotonic()
                await call
                return time.monotonic() - started

            # The first call of each waits out one Redis timeout, and only the first.
            first = await timed(http.get("/api/v1/users/me"))
            first_lockout = await timed(throttle.retry_after("nobody@example.com"))
            # After it, the rate limit and the login throttle count in the process
            # (a sign-in's own cost, its password hash, is left out of the timing).
            later = [await timed(http.get("/api/v1/users/me")) for _ in range(5)]
            later.append(await timed(http.get("/health")))
            later.append(await timed(throttle.record_failure("nobody@example.com")))
            later.append(await timed(throttle.retry_after("nobody@example.com")))
            statuses = [
                (await http.get("/api/v1/users/me")).status_code,
                (await login_attempt(http)).status_code,
                (await http.get("/health")).status_code,
            ]
            ready = await http.get("/health/ready")

            assert first < REDIS_TIMEOUT_SECONDS + 1
            assert first_lockout < REDIS_TIMEOUT_SECONDS + 1
            assert max(later) < REDIS_TIMEOUT_SECONDS * 0.9, later
            assert statuses == [401, 401, 200]
            assert ready.status_code == 503
            assert not app.state.limiter.shared

            await proxy.restore()
            await asyncio.sleep(4.1)
            assert (await login_attempt(http)).status_code == 401
            assert app.state.limiter.shared
            assert (await http.get("/health/ready")).status_code == 200
