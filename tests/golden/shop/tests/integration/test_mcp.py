"""The MCP tools through the official client, over Streamable HTTP and stdio."""

import httpx
import httpx2
import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator

from shop.app import create_app
from shop.config.settings import Settings
from shop.services.user_service import UserService
from shop.utils.errors import UNAVAILABLE_MESSAGE
from tests.helpers import BASE_URL, CreateUser, login, make_settings, running
from tests.mcp_helpers import (
    FORMAT_CHECKER,
    error_text,
    mcp_http_session,
    mcp_stdio_session,
    structured,
    uvicorn_server,
)

SYSTEM_TOOLS = {"whoami", "check_health", "list_users"}
MCP_URL = f"{BASE_URL}/mcp"


@pytest.fixture
def asgi_transport(app: FastAPI) -> httpx2.ASGITransport:
    """Transport that sends MCP client requests straight into the app."""
    return httpx2.ASGITransport(app=app)


@pytest.mark.parametrize(
    ("schema_format", "valid", "invalid"),
    [
        ("date-time", "2024-01-31T12:00:00Z", "2024-01-31T12:00:00"),
        ("date", "2024-01-31", "31/01/2024"),
        ("email", "ada@example.com", "ada.example.com"),
        ("uri", "https://example.com/a", "not a uri"),
        ("uuid", "12345678-1234-5678-1234-567812345678", "1234"),
    ],
)
def test_tool_results_are_checked_with_formats(
    schema_format: str, valid: str, invalid: str
) -> None:
    # A format whose parser is not installed would pass anything: a naive
    # timestamp, which clients such as the MCP Inspector refuse, must not.
    validator = Draft202012Validator(
        {"type": "string", "format": schema_format}, format_checker=FORMAT_CHECKER
    )
    assert validator.is_valid(valid)
    assert not validator.is_valid(invalid)


async def test_system_tool_results_match_their_output_schemas(
    asgi_transport: httpx2.ASGITransport, admin_token: str
) -> None:
    async with mcp_http_session(MCP_URL, admin_token, asgi_transport) as mcp:
        for name in sorted(SYSTEM_TOOLS):
            await mcp.call_tool(name, {})

        assert mcp.checked == SYSTEM_TOOLS


async def test_system_tools_are_listed_with_schemas(
    asgi_transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(MCP_URL, user_token, asgi_transport) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}

    assert set(tools) >= SYSTEM_TOOLS
    assert tools["whoami"].output_schema is not None
    assert tools["whoami"].output_schema["title"] == "Caller"
    assert tools["check_health"].output_schema is not None
    assert tools["check_health"].output_schema["title"] == "Readiness"
    query = tools["list_users"].input_schema["properties"]["query"]
    assert any(
        option.get("$ref", "").endswith("UserQuery") for option in query["anyOf"]
    )
    for name in SYSTEM_TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None
        assert annotations.read_only_hint is True


async def test_whoami_names_the_token_owner(
    asgi_transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(MCP_URL, user_token, asgi_transport) as mcp:
        caller = structured(await mcp.call_tool("whoami", {}))

    assert caller["authenticated"] is True
    assert caller["user"]["email"] == "user@example.com"
    assert caller["user"]["is_admin"] is False
    assert "hashed_password" not in caller["user"]
    assert caller["message"] == "Signed in as user user@example.com"


async def test_check_health_matches_readiness_probe(
    client: httpx.AsyncClient, asgi_transport: httpx2.ASGITransport, user_token: str
) -> None:
    probe = (await client.get("/health/ready")).json()
    async with mcp_http_session(MCP_URL, user_token, asgi_transport) as mcp:
        health = structured(await mcp.call_tool("check_health", {}))

    assert health == probe
    assert health["status"] == "ok"
    assert health["checks"]["database"] == "ok"


async def test_check_health_reports_a_failed_check(
    database_url: str, user_token: str
) -> None:
    app = create_app(make_settings(database_url, redis_url="redis://127.0.0.1:1/0"))

    async with (
        running(app),
        mcp_http_session(MCP_URL, user_token, httpx2.ASGITransport(app=app)) as mcp,
    ):
        result = await mcp.call_tool("check_health", {})

    assert structured(result) == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "error"},
    }


async def test_admin_lists_users(
    asgi_transport: httpx2.ASGITransport, admin_token: str, create_user: CreateUser
) -> None:
    await create_user("user@example.com")

    async with mcp_http_session(MCP_URL, admin_token, asgi_transport) as mcp:
        page = structured(
            await mcp.call_tool(
                "list_users",
                {"query": {"limit": 1, "offset": 1, "include_total": True}},
            )
        )
        everyone = structured(await mcp.call_tool("list_users", {}))

    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [user["email"] for user in page["items"]] == ["user@example.com"]
    assert [user["email"] for user in everyone["items"]] == [
        "admin@example.com",
        "user@example.com",
    ]


async def test_list_users_refuses_non_admin(
    asgi_transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(MCP_URL, user_token, asgi_transport) as mcp:
        result = await mcp.call_tool("list_users", {})

    assert error_text(result).endswith("Administrator access required")


async def test_an_unreachable_database_is_a_tool_error(
    asgi_transport: httpx2.ASGITransport,
    admin_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with mcp_http_session(MCP_URL, admin_token, asgi_transport) as mcp:

        async def refused(*_: object) -> None:
            raise ConnectionRefusedError("connection refused")

        # The token was checked; the database goes away before the tool's query.
        monkeypatch.setattr(UserService, "list_users", refused)
        result = await mcp.call_tool("list_users", {})

    assert result.is_error
    assert error_text(result).endswith(UNAVAILABLE_MESSAGE)


async def test_invalid_tool_arguments_are_reported(
    asgi_transport: httpx2.ASGITransport, admin_token: str
) -> None:
    async with mcp_http_session(MCP_URL, admin_token, asgi_transport) as mcp:
        result = await mcp.call_tool("list_users", {"query": {"limit": 0}})

    assert result.is_error


async def test_missing_token_is_401(asgi_transport: httpx2.ASGITransport) -> None:
    async with httpx2.AsyncClient(transport=asgi_transport) as http:
        response = await http.post(
            MCP_URL,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Accept": "application/json, text/event-stream"},
        )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_invalid_token_is_refused_by_the_client(
    asgi_transport: httpx2.ASGITransport,
) -> None:
    with pytest.raises(ExceptionGroup):
        async with mcp_http_session(MCP_URL, "not-a-jwt", asgi_transport):
            pass


async def test_tools_over_real_uvicorn(
    settings: Settings, client: httpx.AsyncClient, user_token: str
) -> None:
    async with uvicorn_server(create_app(settings)) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            token = await login(http, "user@example.com")
        async with mcp_http_session(f"{url}/mcp", token) as mcp:
            caller = structured(await mcp.call_tool("whoami", {}))
            health = structured(await mcp.call_tool("check_health", {}))

    assert caller["user"]["email"] == "user@example.com"
    assert health["status"] == "ok"


async def test_tools_over_stdio(settings: Settings, create_user: CreateUser) -> None:
    await create_user("user@example.com")

    async with mcp_stdio_session(settings) as mcp:
        names = {tool.name for tool in (await mcp.list_tools()).tools}
        caller = structured(await mcp.call_tool("whoami", {}))
        health = structured(await mcp.call_tool("check_health", {}))
        page = structured(await mcp.call_tool("list_users", {}))

    assert names >= SYSTEM_TOOLS
    assert caller["authenticated"] is False
    assert caller["user"] is None
    assert "stdio" in caller["message"]
    assert health["status"] == "ok"
    assert [user["email"] for user in page["items"]] == ["user@example.com"]
