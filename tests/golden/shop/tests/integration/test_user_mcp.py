"""Administering users with MCP tools: admins may, regular users may not."""

import httpx2
import pytest
from fastapi import FastAPI

from tests.helpers import BASE_URL
from tests.mcp_helpers import error_text, mcp_http_session, structured

TOOLS = {"create_user", "get_user", "update_user", "delete_user"}


@pytest.fixture
def transport(app: FastAPI) -> httpx2.ASGITransport:
    """Transport that sends MCP client requests straight into the app."""
    return httpx2.ASGITransport(app=app)


async def test_tools_are_listed(
    transport: httpx2.ASGITransport, admin_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", admin_token, transport) as mcp:
        names = {tool.name for tool in (await mcp.list_tools()).tools}

    assert names >= TOOLS


async def test_admin_manages_users(
    transport: httpx2.ASGITransport,
    admin_token: str,
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", admin_token, transport) as mcp:
        created = structured(
            await mcp.call_tool(
                "create_user",
                {
                    "data": {
                        "email": "New@Example.com",
                        "password": "long-enough-password",
                    }
                },
            )
        )
        assert created["email"] == "new@example.com"
        user_id = created["id"]

        fetched = structured(await mcp.call_tool("get_user", {"user_id": user_id}))
        assert fetched == created

        updated = structured(
            await mcp.call_tool(
                "update_user",
                {"user_id": user_id, "data": {"full_name": "Ada", "is_active": False}},
            )
        )
        assert (updated["full_name"], updated["is_active"]) == ("Ada", False)

        deleted = await mcp.call_tool("delete_user", {"user_id": user_id})
        assert not deleted.is_error
        missing = await mcp.call_tool("get_user", {"user_id": user_id})
        assert error_text(missing).endswith(f"User {user_id} not found")


async def test_regular_users_are_refused(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool(
            "create_user",
            {"data": {"email": "new@example.com", "password": "long-enough-password"}},
        )

    assert error_text(outcome).endswith("Administrator access required")
