"""Blueprint performance target: REST and MCP responses under 200ms."""

# Measured in-process as the median of repeated calls, so the bound checks the
# application's own latency, not the network or momentary load spikes.

import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
import httpx2
import pytest
from fastapi import FastAPI

from tests.helpers import BASE_URL, Headers
from tests.mcp_helpers import mcp_http_session, structured

RESPONSE_TIME_BUDGET_SECONDS = 0.2
SAMPLES = 20

pytestmark = pytest.mark.perf


async def median_seconds(call: Callable[[], Awaitable[None]]) -> float:
    """Return the median duration of `SAMPLES` calls, after one warm-up call."""
    await call()
    durations = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        await call()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


async def test_authenticated_rest_read_meets_target(
    client: httpx.AsyncClient, user_headers: Headers
) -> None:
    async def read_profile() -> None:
        response = await client.get("/api/v1/users/me", headers=user_headers)
        assert response.status_code == 200

    assert await median_seconds(read_profile) < RESPONSE_TIME_BUDGET_SECONDS


async def test_mcp_tool_call_meets_target(app: FastAPI, user_token: str) -> None:
    transport = httpx2.ASGITransport(app=app)
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:

        async def call_whoami() -> None:
            structured(await mcp.call_tool("whoami", {}))

        assert await median_seconds(call_whoami) < RESPONSE_TIME_BUDGET_SECONDS
