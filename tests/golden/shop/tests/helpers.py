"""Helpers shared by the tests: settings, database set-up, lifespan and login."""

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import delete, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from shop.config.settings import Settings
from shop.container import ServiceContainer
from shop.database.base import Base
from shop.models.user_model import UserRead
from shop.oauth.audience import mcp_resource
from shop.oauth.store import Grant, OAuthStore

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEST_SECRET_KEY = "test-secret-key-that-is-longer-than-32-bytes"
BASE_URL = "http://127.0.0.1:8000"
PASSWORD = "correct-horse-battery"
TEST_CLIENT_ID = "test-client"
TEST_CLIENT_REGISTRATION = (
    '{"client_id": "test-client", "redirect_uris": ["https://client.example/cb"]}'
)

Headers = dict[str, str]


class CreateUser(Protocol):
    """Signature of the `create_user` fixture."""

    def __call__(self, email: str, *, is_admin: bool = False) -> Awaitable[UserRead]:
        """Store a user with the shared test password."""


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config for the project, aimed at `database_url`."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    return config


async def clean_database(database_url: str) -> None:
    """Delete every row of every table."""
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(delete(table))
    await engine.dispose()


def make_settings(database_url: str, **overrides: Any) -> Settings:
    """Build test settings; `REDIS_URL` still comes from the environment."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        "rate_limit": "10000/minute",
        "oauth_sign_in_rate_limit": "10000/minute",
        # Tests sign in with wrong passwords on purpose; the throttle's own tests
        # lower this again.
        "login_free_attempts": 1000,
        "log_level": "WARNING",
    }
    return Settings(**(values | overrides))


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Return an access token from the token endpoint."""
    response = await client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def oauth_token(
    container: ServiceContainer, user_id: int, scopes: list[str]
) -> str:
    """Issue an OAuth access token for this server directly, as a sign-in would."""
    async with container.session() as session:
        store = OAuthStore(session)
        if await store.get_client(TEST_CLIENT_ID) is None:
            await store.add_client(TEST_CLIENT_ID, None, TEST_CLIENT_REGISTRATION)
        pair = await store.issue_pair(
            Grant(
                client_id=TEST_CLIENT_ID,
                user_id=user_id,
                scopes=scopes,
                resource=mcp_resource(container.settings),
                family=secrets.token_hex(16),
            ),
            timedelta(minutes=5),
            timedelta(days=1),
        )
    return pair.access_token


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Run the app's lifespan in a task of its own, as a server does."""
    # The lifespan holds an anyio task group (the MCP session manager) that must
    # be exited by the task that entered it, while fixture set-up and tear-down
    # run in different tasks.
    started = asyncio.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            started.set()
            await stop.wait()

    task = asyncio.create_task(serve())
    startup = asyncio.create_task(started.wait())
    await asyncio.wait({task, startup}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        startup.cancel()
        task.result()
    try:
        yield app
    finally:
        stop.set()
        await task


class TcpProxy:
    """A TCP proxy in front of a real server that a test can make refuse, stall and
    restore, to see how the service behaves when its database or Redis fails.

    It only ever closes its own sockets: the real server keeps running.
    """

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> None:
        """Listen on 127.0.0.1 (a free port the first time, the same one after)."""
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def refuse(self) -> None:
        """Close every connection and stop listening: connecting is refused."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    def stall(self) -> None:
        """Keep connections open but pass no byte either way."""
        self._flowing.clear()

    async def restore(self) -> None:
        """Forward again, listening again if refusing."""
        self._flowing.set()
        if self._server is None:
            await self.start()

    async def stop(self) -> None:
        """Close everything for good."""
        self._flowing.set()
        await self.refuse()

    async def _accept(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._writers.add(writer)
        try:
            await self._flowing.wait()
            upstream_reader, upstream_writer = await asyncio.open_connection(
                *self._target
            )
        except OSError:
            writer.close()
            return
        self._writers.add(upstream_writer)
        await asyncio.gather(
            self._pipe(reader, upstream_writer),
            self._pipe(upstream_reader, writer),
            return_exceptions=True,
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
            self._writers.discard(writer)


@asynccontextmanager
async def proxied(url: str, default_port: int) -> AsyncIterator[tuple[str, TcpProxy]]:
    """`url` rewritten to pass through a started :class:`TcpProxy`, and the proxy."""
    parsed = make_url(url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or default_port)
    await proxy.start()
    try:
        yield (
            parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(
                hide_password=False
            ),
            proxy,
        )
    finally:
        await proxy.stop()
