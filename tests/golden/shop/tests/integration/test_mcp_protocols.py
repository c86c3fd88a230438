"""Both MCP protocol revisions against the same server, with the official client:
2026-07-28 (stateless requests, no handshake) and 2025-11-25 (the initialize handshake
that many clients still speak), over Streamable HTTP and over stdio. Every tool is
annotated, and tools/list answers in the same order every time, whoever asks."""

import httpx2
import pytest
from fastapi import FastAPI
from mcp.types import Tool

from shop.config.settings import Settings
from tests.helpers import BASE_URL, CreateUser
from tests.mcp_helpers import REVISIONS, mcp_http_client, mcp_stdio_client, structured

MCP_URL = f"{BASE_URL}/mcp"
SYSTEM_TOOLS = ["whoami", "check_health", "list_users"]


@pytest.fixture
def transport(app: FastAPI) -> httpx2.ASGITransport:
    """Transport that sends MCP client requests straight into the app."""
    return httpx2.ASGITransport(app=app)


def check_annotations(tools: list[Tool]) -> None:
    """Every hint set, as clients show them; no tool reaches beyond this service."""
    for tool in tools:
        hints = tool.annotations
        assert hints is not None, tool.name
        assert hints.title, tool.name
        assert hints.read_only_hint is not None, tool.name
        assert hints.destructive_hint is not None, tool.name
        assert hints.idempotent_hint is not None, tool.name
        assert hints.open_world_hint is False, tool.name
        if hints.read_only_hint:
            assert hints.destructive_hint is False, tool.name
            assert hints.idempotent_hint is True, tool.name
        if tool.name.startswith(("delete_", "update_")):
            assert hints.destructive_hint is True, tool.name
        if tool.name.startswith(("get_", "list_")):
            assert hints.read_only_hint is True, tool.name


@pytest.mark.parametrize("revision", list(REVISIONS))
async def test_each_revision_over_http(
    transport: httpx2.ASGITransport, user_token: str, revision: str
) -> None:
    async with mcp_http_client(MCP_URL, user_token, revision, transport) as mcp:
        assert mcp.session.protocol_version == revision
        first = (await mcp.list_tools()).tools
        again = (await mcp.list_tools()).tools
        caller = structured(await mcp.call_tool("whoami", {}))
        missing = await mcp.call_tool("no_such_tool", {})

    assert [tool.name for tool in first] == [tool.name for tool in again]
    names = [tool.name for tool in first]
    # Modules in name order, each module's tools as it defines them: the system tools together.
    start = names.index(SYSTEM_TOOLS[0])
    assert names[start : start + len(SYSTEM_TOOLS)] == SYSTEM_TOOLS
    check_annotations(first)
    assert caller["user"]["email"] == "user@example.com"
    assert missing.is_error


async def test_both_revisions_list_the_same_tools_in_the_same_order(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    listings = {}
    for revision in REVISIONS:
        async with mcp_http_client(MCP_URL, user_token, revision, transport) as mcp:
            listings[revision] = [tool.name for tool in (await mcp.list_tools()).tools]

    assert len(set(map(tuple, listings.values()))) == 1, listings


@pytest.mark.parametrize("revision", list(REVISIONS))
async def test_each_revision_over_stdio(
    settings: Settings,
    create_user: CreateUser,
    transport: httpx2.ASGITransport,
    user_token: str,
    revision: str,
) -> None:
    async with mcp_http_client(MCP_URL, user_token, revision, transport) as mcp:
        over_http = [tool.name for tool in (await mcp.list_tools()).tools]
    async with mcp_stdio_client(settings, revision) as mcp:
        assert mcp.session.protocol_version == revision
        tools = (await mcp.list_tools()).tools
        health = structured(await mcp.call_tool("check_health", {}))

    assert [tool.name for tool in tools] == over_http
    check_annotations(tools)
    assert health["status"] == "ok"
