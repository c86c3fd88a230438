"""Book MCP tools and resources through the official client over Streamable HTTP."""

import json
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from mcp.shared.exceptions import MCPError
from mcp.types import TextResourceContents

from shop.container import ServiceContainer
from tests.factories.author_factory import insert_author
from tests.factories.book_factory import book_values, insert_book
from tests.helpers import BASE_URL, CreateUser, oauth_token
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

    # Exactly the exposed ones (`mcp` in blueprintgen.yaml): no other tool of this resource.
    assert {
        name
        for name in tools
        if name
        in {
            "book_manager",
            "create_book",
            "delete_book",
            "get_book",
            "list_books",
            "restore_book",
            "update_book",
        }
    } == TOOLS
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

        # Every tool answered, with a result its output schema accepts, formats included.
        assert mcp.checked == TOOLS


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


async def test_list_tool_sorts_by_several_fields_filters_and_pages(
    transport: httpx2.ASGITransport, user_token: str, container: ServiceContainer
) -> None:
    values = ["Title 1", "Title 2", "Title 3"]
    rows = [await insert_book(container, title=value) for value in values]
    expected = sorted(rows, key=lambda row: row.title, reverse=True)
    query: dict[str, object] = {"limit": 1, "sort": "-title,id"}
    # An `_in` filter is an array argument.
    query["format_in"] = ["hardcover", "paperback", "e-book"]
    ids: list[int] = []
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        while True:
            page = structured(await mcp.call_tool("list_books", {"query": query}))
            ids += [item["id"] for item in page["items"]]
            if page["next_cursor"] is None:
                break
            query["cursor"] = page["next_cursor"]
        searched = structured(
            await mcp.call_tool("list_books", {"query": {"q": "no such prefix"}})
        )

    assert ids == [row.id for row in expected]
    assert searched["items"] == []


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


async def test_books_as_mcp_resources(
    transport: httpx2.ASGITransport,
    user_token: str,
    container: ServiceContainer,
    create_user: CreateUser,
) -> None:
    row = (await insert_book(container)).model_dump(mode="json")
    writer = await create_user("writer@example.com")
    write_only = await oauth_token(container, writer.id, ["write"])
    async with mcp_http_session(f"{BASE_URL}/mcp", write_only, transport) as mcp:
        with pytest.raises(MCPError, match="'read' scope"):
            await mcp.read_resource("book://list")
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        templates = [
            t.uri_template
            for t in (await mcp.list_resource_templates()).resource_templates
        ]
        listed = [
            str(resource.uri) for resource in (await mcp.list_resources()).resources
        ]
        one = (await mcp.read_resource(f"book://{row['id']}")).contents[0]
        with pytest.raises(MCPError, match="Book 999999 not found"):
            await mcp.read_resource("book://999999")
        with pytest.raises(MCPError):
            await mcp.read_resource("book://2147483648")
        first = (await mcp.read_resource("book://list")).contents[0]

    assert ("book://{book_id}" in templates) is True
    assert ("book://list" in listed) is True
    assert isinstance(one, TextResourceContents)
    assert one.mime_type == "application/json"
    assert json.loads(one.text) == row, "the row, as get_book returns it"
    assert isinstance(first, TextResourceContents)
    assert first.mime_type == "application/json"
    assert row["id"] in [item["id"] for item in json.loads(first.text)["items"]]


async def test_a_read_only_token_cannot_delete(
    transport: httpx2.ASGITransport,
    read_only_token: str,
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", read_only_token, transport) as mcp:
        refused = await mcp.call_tool("delete_book", {"book_id": 1})

    assert "'write' scope" in error_text(refused)
