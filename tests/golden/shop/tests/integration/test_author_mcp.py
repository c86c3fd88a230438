"""Author MCP tools and resources through the official client over Streamable HTTP."""

import json
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from mcp.shared.exceptions import MCPError
from mcp.types import TextResourceContents

from shop.container import ServiceContainer
from tests.factories.author_factory import author_values, insert_author
from tests.helpers import BASE_URL, CreateUser, oauth_token
from tests.mcp_helpers import error_text, mcp_http_session, structured

TOOLS = {
    "create_author",
    "list_authors",
    "get_author",
    "update_author",
    "delete_author",
}


@pytest.fixture
def transport(app: FastAPI) -> httpx2.ASGITransport:
    """Transport that sends MCP client requests straight into the app."""
    return httpx2.ASGITransport(app=app)


@pytest.fixture
def payload() -> dict[str, Any]:
    """A valid author payload."""
    return author_values(1)


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
            "author_manager",
            "create_author",
            "delete_author",
            "get_author",
            "list_authors",
            "restore_author",
            "update_author",
        }
    } == TOOLS
    data = tools["create_author"].input_schema["properties"]["data"]
    assert data["$ref"].endswith("AuthorCreate")
    read = tools["get_author"]
    assert read.output_schema is not None
    assert read.output_schema["title"] == "AuthorRead"
    assert read.annotations is not None
    assert read.annotations.read_only_hint is True
    delete = tools["delete_author"].annotations
    assert delete is not None
    assert delete.destructive_hint is True


async def test_author_tools(
    transport: httpx2.ASGITransport,
    user_token: str,
    payload: dict[str, Any],
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        created = structured(await mcp.call_tool("create_author", {"data": payload}))
        assert isinstance(created["id"], int)
        author_id = created["id"]

        fetched = structured(
            await mcp.call_tool("get_author", {"author_id": author_id})
        )
        assert fetched == created

        change = {"name": "Name 2"}
        updated = structured(
            await mcp.call_tool(
                "update_author", {"author_id": author_id, "data": change}
            )
        )
        assert updated["id"] == author_id
        assert updated["name"] == change["name"]

        page = structured(
            await mcp.call_tool("list_authors", {"query": {"limit": 5, "sort": "id"}})
        )
        assert page["limit"] == 5
        assert [item["id"] for item in page["items"]] == [author_id]
        assert page["next_cursor"] is None

        deleted = await mcp.call_tool("delete_author", {"author_id": author_id})
        assert not deleted.is_error
        missing = await mcp.call_tool("get_author", {"author_id": author_id})
        assert error_text(missing).endswith(f"Author {author_id} not found")

        # Every tool answered, with a result its output schema accepts, formats included.
        assert mcp.checked == TOOLS


async def test_invalid_arguments_are_reported(
    transport: httpx2.ASGITransport, user_token: str, payload: dict[str, Any]
) -> None:
    invalid = payload | {"name": ""}
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool("create_author", {"data": invalid})

    assert outcome.is_error
    assert "name" in error_text(outcome)


async def test_a_bad_cursor_is_a_tool_error(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool(
            "list_authors", {"query": {"cursor": "not-a-cursor"}}
        )

    assert outcome.is_error
    assert "cursor is not one this API issued" in error_text(outcome)


async def test_list_tool_sorts_by_several_fields_filters_and_pages(
    transport: httpx2.ASGITransport, user_token: str, container: ServiceContainer
) -> None:
    values = ["Name 1", "Name 2", "Name 1"]
    rows = [await insert_author(container, name=value) for value in values]
    expected = sorted(rows, key=lambda row: row.name, reverse=True)
    query: dict[str, object] = {"limit": 1, "sort": "-name,id"}
    ids: list[int] = []
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        while True:
            page = structured(await mcp.call_tool("list_authors", {"query": query}))
            ids += [item["id"] for item in page["items"]]
            if page["next_cursor"] is None:
                break
            query["cursor"] = page["next_cursor"]
        searched = structured(
            await mcp.call_tool("list_authors", {"query": {"q": "no such prefix"}})
        )

    assert ids == [row.id for row in expected]
    assert searched["items"] == []


async def test_author_id_beyond_the_column_is_a_tool_error(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool("get_author", {"author_id": 2147483648})

    assert outcome.is_error
    assert "author_id" in error_text(outcome)


async def test_missing_author_is_a_tool_error(
    transport: httpx2.ASGITransport, user_token: str
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        outcome = await mcp.call_tool("get_author", {"author_id": 999999})

    assert error_text(outcome).endswith("Author 999999 not found")


async def test_authors_as_mcp_resources(
    transport: httpx2.ASGITransport,
    user_token: str,
    container: ServiceContainer,
    create_user: CreateUser,
) -> None:
    row = (await insert_author(container)).model_dump(mode="json")
    writer = await create_user("writer@example.com")
    write_only = await oauth_token(container, writer.id, ["write"])
    async with mcp_http_session(f"{BASE_URL}/mcp", write_only, transport) as mcp:
        with pytest.raises(MCPError, match="'read' scope"):
            await mcp.read_resource("author://list")
    async with mcp_http_session(f"{BASE_URL}/mcp", user_token, transport) as mcp:
        templates = [
            t.uri_template
            for t in (await mcp.list_resource_templates()).resource_templates
        ]
        listed = [
            str(resource.uri) for resource in (await mcp.list_resources()).resources
        ]
        one = (await mcp.read_resource(f"author://{row['id']}")).contents[0]
        with pytest.raises(MCPError, match="Author 999999 not found"):
            await mcp.read_resource("author://999999")
        with pytest.raises(MCPError):
            await mcp.read_resource("author://2147483648")
        first = (await mcp.read_resource("author://list")).contents[0]

    assert ("author://{author_id}" in templates) is True
    assert ("author://list" in listed) is True
    assert isinstance(one, TextResourceContents)
    assert one.mime_type == "application/json"
    assert json.loads(one.text) == row, "the row, as get_author returns it"
    assert isinstance(first, TextResourceContents)
    assert first.mime_type == "application/json"
    assert row["id"] in [item["id"] for item in json.loads(first.text)["items"]]


async def test_a_read_only_token_cannot_delete(
    transport: httpx2.ASGITransport,
    read_only_token: str,
) -> None:
    async with mcp_http_session(f"{BASE_URL}/mcp", read_only_token, transport) as mcp:
        refused = await mcp.call_tool("delete_author", {"author_id": 1})

    assert "'write' scope" in error_text(refused)
