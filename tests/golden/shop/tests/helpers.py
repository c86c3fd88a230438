"""Helpers shared by the tests: settings, database set-up, lifespan and login."""

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import create_async_engine

from shop.config.settings import Settings
from shop.database.base import Base
from shop.models.user_model import UserRead

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEST_SECRET_KEY = "test-secret-key-that-is-longer-than-32-bytes"
BASE_URL = "http://127.0.0.1:8000"
PASSWORD = "correct-horse-battery"

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
