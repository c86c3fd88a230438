"""Per-client rate limiting (shared through Redis when REDIS_URL is set)."""

import httpx

from shop.app import create_app
from tests.helpers import BASE_URL, make_settings, running

PROTECTED = "/api/v1/users/me"


async def test_requests_over_the_limit_get_429(database_url: str) -> None:
    app = create_app(make_settings(database_url, rate_limit="2/minute"))

    async with running(app):
        app.state.limiter.reset()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            statuses = [(await http.get(PROTECTED)).status_code for _ in range(3)]
            limited = await http.get("/api/v1/users")
            health = await http.get("/health")

    assert statuses == [401, 401, 429]
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert health.status_code == 200


async def test_limits_can_be_disabled(database_url: str) -> None:
    app = create_app(
        make_settings(database_url, rate_limit="1/minute", rate_limit_enabled=False)
    )

    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            statuses = {(await http.get(PROTECTED)).status_code for _ in range(3)}

    assert statuses == {401}
