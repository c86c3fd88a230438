"""Liveness, readiness and request ids."""

import httpx

from shop.app import create_app
from tests.helpers import BASE_URL, make_settings, running


async def test_liveness(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_request_id_is_generated(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert len(response.headers["X-Request-ID"]) == 32


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
