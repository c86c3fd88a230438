"""Behaviour that needs a real Redis: the shared cache and shared rate limits."""

import asyncio
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from shop.app import create_app
from shop.middleware.cache import RedisCache
from shop.services.login_throttle import create_login_throttle
from tests.helpers import BASE_URL, make_settings, proxied, running

REDIS_URL = os.environ.get("REDIS_URL")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")


@pytest.fixture
async def cache() -> AsyncIterator[RedisCache]:
    """A Redis cache in a namespace of its own, emptied before and after."""
    assert REDIS_URL
    redis_cache = RedisCache(
        Redis.from_url(REDIS_URL, decode_responses=True), "shop-test", 60
    )
    await redis_cache.clear()
    yield redis_cache
    await redis_cache.clear()
    await redis_cache.close()


async def test_set_get_delete(cache: RedisCache) -> None:
    await cache.set("users:1", "one")

    assert await cache.get("users:1") == "one"
    await cache.delete("users:1")
    assert await cache.get("users:1") is None


async def test_ttl_is_applied(cache: RedisCache) -> None:
    await cache.set("short", "value", ttl=0.05)

    assert await cache.get("short") == "value"
    await asyncio.sleep(0.1)
    assert await cache.get("short") is None


async def test_delete_prefix_matches_literally(cache: RedisCache) -> None:
    for key in ("users:list:a", "users:list:b", "users:lis*", "users:1"):
        await cache.set(key, key)

    await cache.delete_prefix("users:list:")
    await cache.delete_prefix("users:lis*")

    assert await cache.get("users:list:a") is None
    assert await cache.get("users:list:b") is None
    assert await cache.get("users:lis*") is None
    assert await cache.get("users:1") == "users:1"


async def test_generations_are_shared_and_survive_a_lost_counter(
    cache: RedisCache,
) -> None:
    assert REDIS_URL
    other = RedisCache(
        Redis.from_url(REDIS_URL, decode_responses=True), "shop-test", 60
    )
    first = await cache.generation("items:lists")
    assert await other.generation("items:lists") == first

    await other.bump(["items:lists"])
    assert await cache.generation("items:lists") == first + 1

    await other.close()
    await cache.clear()
    assert await cache.generation("items:lists") > first + 1


async def test_replicas_share_one_rate_limit(database_url: str) -> None:
    settings = make_settings(database_url, rate_limit="3/minute")
    first, second = create_app(settings), create_app(settings)

    async with running(first), running(second):
        await first.state.limiter.reset()
        statuses = []
        for app in (first, second, first, second):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url=BASE_URL
            ) as http:
                statuses.append((await http.get("/api/v1/users/me")).status_code)

    assert statuses == [401, 401, 401, 429]


async def test_replicas_share_one_login_lockout(database_url: str) -> None:
    settings = make_settings(
        database_url, login_free_attempts=2, login_lockout_base_seconds=30
    )
    first, second = create_app(settings), create_app(settings)
    form = {"username": "shared-lockout@example.com", "password": "wrong-password"}

    async with running(first), running(second):
        await first.state.container.login_throttle.record_success(form["username"])
        statuses = []
        for app in (first, second, first, second):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url=BASE_URL
            ) as http:
                response = await http.post("/api/v1/auth/token", data=form)
                statuses.append(response.status_code)
        await first.state.container.login_throttle.record_success(form["username"])

    assert statuses == [401, 401, 429, 429]


async def test_a_sign_in_while_redis_is_down_clears_the_count_once_it_is_back(
    database_url: str,
) -> None:
    assert REDIS_URL
    email = "outage-lockout@example.com"
    async with proxied(REDIS_URL, 6379) as (url, proxy):
        settings = make_settings(
            database_url,
            redis_url=url,
            login_free_attempts=2,
            login_lockout_base_seconds=30,
            redis_retry_seconds=0.5,
        )
        throttle = create_login_throttle(settings)
        try:
            await throttle.record_success(email)
            await throttle.record_failure(email)
            await throttle.record_failure(email)
            locked = await throttle.retry_after(email)

            await proxy.refuse()
            # The right password now: the sign-in's clear cannot reach Redis.
            await throttle.record_success(email)
            during = await throttle.retry_after(email)

            await proxy.restore()
            await asyncio.sleep(0.6)
            after = await throttle.retry_after(email)
            await throttle.record_failure(email)
            after_one_failure = await throttle.retry_after(email)
        finally:
            await throttle.record_success(email)
            await throttle.aclose()

    assert locked is not None
    assert (during, after, after_one_failure) == (None, None, None)
