"""Per-client rate limiting (shared through Redis when REDIS_URL is set)."""

import httpx

from shop.app import create_app
from tests.helpers import BASE_URL, make_settings, running

PROTECTED = "/api/v1/users/me"


async def test_requests_over_the_limit_get_429(database_url: str) -> None:
    app = create_app(make_settings(database_url, rate_limit="2/minute"))

    async with running(app):
        await app.state.limiter.reset()
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


async def mcp_request(http: httpx.AsyncClient) -> httpx.Response:
    """A tools/list call to the MCP endpoint (no token: the limit comes first)."""
    return await http.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Accept": "application/json, text/event-stream"},
    )


async def test_rest_and_mcp_share_one_budget(database_url: str) -> None:
    app = create_app(make_settings(database_url, rate_limit="4/minute"))

    async with running(app):
        await app.state.limiter.reset()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            rest = [(await http.get(PROTECTED)).status_code for _ in range(2)]
            mcp = [(await mcp_request(http)).status_code for _ in range(3)]
            after_mcp = await http.get(PROTECTED)

    assert rest == [401, 401]
    assert mcp == [401, 401, 429]
    assert after_mcp.status_code == 429
    assert int(after_mcp.headers["Retry-After"]) > 0


async def test_an_unreachable_redis_falls_back_to_in_process_limits(
    database_url: str,
) -> None:
    settings = make_settings(
        database_url, rate_limit="2/minute", redis_url="redis://127.0.0.1:1/0"
    )
    app = create_app(settings)

    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            statuses = [(await http.get(PROTECTED)).status_code for _ in range(3)]
        shared = app.state.limiter.shared

    # Counted in the process: still limited, never a 500.
    assert statuses == [401, 401, 429]
    assert shared is False
