"""MCP client helpers: sessions over Streamable HTTP and stdio, and a real server."""

import asyncio
import socket
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import uvicorn
from fastapi import FastAPI
from jsonschema import Draft202012Validator, FormatChecker
from mcp import Client, ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import (
    CallToolResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListToolsResult,
    ReadResourceResult,
    TextContent,
)

from shop.config.settings import Settings
from tests.helpers import PROJECT_ROOT

# jsonschema checks a format only when the library that parses it is installed
# (`jsonschema[format-nongpl]`): without rfc3339-validator, "date-time" would pass
# anything. tests/integration/test_mcp.py makes sure these are checked.
FORMAT_CHECKER = FormatChecker()


class CheckedSession:
    """An MCP client session that checks every successful tool result against the
    output schema the tool declares, formats included (the SDK's client checks the
    schema but no format, where a client such as the MCP Inspector checks both)."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.checked: set[str] = set()
        """The tools whose results were checked."""
        self._validators: dict[str, Draft202012Validator | None] = {}

    async def list_tools(self) -> ListToolsResult:
        """List the server's tools (and remember their output schemas)."""
        listing = await self.session.list_tools()
        for tool in listing.tools:
            schema = tool.output_schema
            self._validators[tool.name] = (
                None
                if schema is None
                else Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
            )
        return listing

    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None = None
    ) -> CallToolResult:
        """Call a tool; a successful result must match the tool's output schema."""
        if name not in self._validators:
            await self.list_tools()
        result = await self.session.call_tool(name, arguments)
        validator = self._validators.get(name)
        if not result.is_error and validator is not None:
            problems = [
                f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                for error in validator.iter_errors(result.structured_content)
            ]
            assert not problems, f"{name} returned what its schema refuses: {problems}"
        if not result.is_error:
            self.checked.add(name)
        return result

    async def list_resources(self) -> ListResourcesResult:
        """List the server's resources."""
        return await self.session.list_resources()

    async def list_resource_templates(self) -> ListResourceTemplatesResult:
        """List the server's resource templates."""
        return await self.session.list_resource_templates()

    async def read_resource(self, uri: str) -> ReadResourceResult:
        """Read one resource."""
        return await self.session.read_resource(uri)


@asynccontextmanager
async def mcp_http_session(
    url: str, token: str, transport: httpx2.AsyncBaseTransport | None = None
) -> AsyncIterator[CheckedSession]:
    """Open an initialised MCP client session over Streamable HTTP."""
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(transport=transport, headers=headers, timeout=30) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield CheckedSession(session)


REVISIONS = {"2026-07-28": "2026-07-28", "2025-11-25": "legacy"}
"""The protocol revisions the server is tested with, and the client mode that speaks each:
2026-07-28 (stateless requests, no handshake) and 2025-11-25 (the initialize handshake)."""


@asynccontextmanager
async def mcp_http_client(
    url: str,
    token: str,
    revision: str,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> AsyncIterator[Client]:
    """The official high-level client over Streamable HTTP, speaking `revision`."""
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(transport=transport, headers=headers, timeout=30) as http,
        Client(
            streamable_http_client(url, http_client=http), mode=REVISIONS[revision]
        ) as client,
    ):
        yield client


@asynccontextmanager
async def mcp_stdio_client(settings: Settings, revision: str) -> AsyncIterator[Client]:
    """The official client over stdio (`python -m shop.server`), speaking `revision`."""
    async with Client(stdio_parameters(settings), mode=REVISIONS[revision]) as client:
        yield client


def stdio_parameters(settings: Settings) -> StdioServerParameters:
    """How a desktop client launches the server: on the test database, quiet."""
    env = {
        "DATABASE_URL": settings.database_url,
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": settings.environment,
        "SECRET_KEY": settings.secret_key,
    }
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "shop.server"],
        env=env,
        cwd=PROJECT_ROOT,
    )


@asynccontextmanager
async def mcp_stdio_session(settings: Settings) -> AsyncIterator[CheckedSession]:
    """Start `python -m shop.server` on the test database and connect."""
    async with (
        stdio_client(stdio_parameters(settings)) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield CheckedSession(session)


class ThreadedServer(uvicorn.Server):
    """Uvicorn server that reports when it is accepting connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start as usual, then signal readiness."""
        await super().startup(sockets)
        self.ready.set()


@asynccontextmanager
async def uvicorn_server(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` with a real uvicorn on a free 127.0.0.1 port; yield its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = ThreadedServer(uvicorn.Config(app, log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        assert await asyncio.to_thread(server.ready.wait, 10), "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join)
        sock.close()


def structured(result: CallToolResult) -> Any:
    """Return a successful tool result's structured content."""
    assert not result.is_error, result.content
    return result.structured_content


def error_text(result: CallToolResult) -> str:
    """Return the message of a failed tool call."""
    assert result.is_error
    message = result.content[0]
    assert isinstance(message, TextContent)
    return message.text
