"""Book MCP tools through the official client over Streamable HTTP."""

from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from shop.container import ServiceContainer
from tests.factories.author_factory import insert_author
from tests.factories.book_factory import book_values
from tests.helpers import BASE_URL
from tests.mcp_helpers import error_text, mcp_http_session, structured

TOOLS = {"create_book", "list_books", "get_book", "update_book", "delete_book"}


@pytest.fixture
def transport(app: FastAPI) -> httpx2.ASGITransport:
    """Transport that sends MCP client requests straight into the app."""
    return httpx2.ASGITransport(app=app)


@pytest.fixture
async def payload(container: ServiceContainer) -> dict[str, Any]:
    """A valid book payload; the rows it refers to exist."""
    values = book_values(1)
    values["author_id"] = (await insert_author(container)).id
    return values


async def test_tools_are_listed_with_schemas_from_models(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}

    assert set(tools) >= TOOLS
    data = tools["create_book"].input_schema["properties"]["data"]
    assert data["$ref"].endswith("BookCreate")
    read = tools["get_book"]
    assert read.output_schema is not None
    assert read.output_schema["title"] == "BookRead"
    assert read.annotations is not None
    assert read.annotations.read_only_hint is True
    delete = tools["delete_book"].annotations
    assert delete is not None
    assert delete.destructive_hint is True


async def test_book_tools(
    transport: httpx2.ASGITransport,
    user_token: str,
    payload: dict[str, Any],
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        created = structured(await mcp.call_tool("create_book", {"data": payload}))
        assert isinstance(created["id"], int)
        book_id = created["id"]

        fetched = structured(await mcp.call_tool("get_book", {"book_id": book_id}))
        assert fetched == created

        change = {"title": "Title 2"}
        updated = structured(
            await mcp.call_tool("update_book", {"book_id": book_id, "data": change})
        )
        assert updated["id"] == book_id
        assert updated["title"] == change["title"]

        page = structured(
            await mcp.call_tool("list_books", {"query": {"limit": 5, "sort": "id"}})
        )
        assert page["limit"] == 5
        assert [item["id"] for item in page["items"]] == [book_id]
        assert page["next_cursor"] is None

        deleted = await mcp.call_tool("delete_book", {"book_id": book_id})
        assert not deleted.is_error
        missing = await mcp.call_tool("get_book", {"book_id": book_id})
        assert error_text(missing).endswith(f"Book {book_id} not found")


async def test_invalid_arguments_are_reported(
    transport: httpx2.ASGITransport, user_token: str, payload: dict[str, Any]
) -> None:
    invalid = payload | {"title": ""}
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool("create_book", {"data": invalid})

    assert outcome.is_error
    assert "title" in error_text(outcome)


async def test_a_bad_cursor_is_a_tool_error(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool(
            "list_books", {"query": {"cursor": "not-a-cursor"}}
        )

    assert outcome.is_error
    assert "cursor is not one this API issued" in error_text(outcome)


async def test_book_id_beyond_the_column_is_a_tool_error(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool("get_book", {"book_id": 2147483648})

    assert outcome.is_error
    assert "book_id" in error_text(outcome)


async def test_missing_book_is_a_tool_error(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool("get_book", {"book_id": 999999})

    assert error_text(outcome).endswith("Book 999999 not found")
