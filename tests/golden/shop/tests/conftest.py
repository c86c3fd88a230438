"""Shared fixtures: a migrated database, a running app and authenticated clients."""

# `DATABASE_URL` and `REDIS_URL` from the environment are used when set
# (PostgreSQL and Redis in CI), a temporary SQLite file and the in-process cache
# otherwise. Tables and cache are emptied before each test, so reruns pass.

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from shop.app import create_app
from shop.config.settings import Settings
from shop.container import ServiceContainer
from shop.database.repositories.user_repository import UserRepository
from shop.models.user_model import UserCreate, UserRead
from shop.services.user_service import UserService
from shop.utils import security
from tests.helpers import (
    BASE_URL,
    PASSWORD,
    CreateUser,
    Headers,
    alembic_config,
    clean_database,
    login,
    make_settings,
    oauth_token,
    running,
)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Hash the tests' passwords with argon2id at its lightest settings.

    At the service's settings (64 MiB, three passes, four lanes; see
    `test_the_service_hashes_at_full_strength`) one hash takes about 0.1 s of
    four cores, and the tests sign in hundreds of times. A hash carries its
    settings, so either kind verifies the same way; a server the tests start in
    a subprocess keeps the service's settings.
    """
    light = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "_password_hash", PasswordHash((light,)))
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate the test database to head once per session and return its URL."""
    url = os.environ.get("DATABASE_URL") or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for one test."""
    return make_settings(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """A started application on an empty database and cache."""
    await clean_database(settings.database_url)
    application = create_app(settings)
    async with running(application):
        await application.state.container.cache.clear()
        yield application


@pytest.fixture
def container(app: FastAPI) -> ServiceContainer:
    """The resources of the running test application."""
    resources: ServiceContainer = app.state.container
    return resources


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP client calling the application in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@pytest.fixture
def create_user(container: ServiceContainer) -> CreateUser:
    """Factory that stores a user directly through the service layer."""

    async def factory(email: str, *, is_admin: bool = False) -> UserRead:
        async with container.session() as session:
            users = UserService(
                UserRepository(session), container.processing, container.settings
            )
            return await users.create_user(
                UserCreate(email=email, password=PASSWORD, is_admin=is_admin)
            )

    return factory


@pytest.fixture
async def user_token(client: httpx.AsyncClient, create_user: CreateUser) -> str:
    """Access token of a regular user."""
    await create_user("user@example.com")
    return await login(client, "user@example.com")


@pytest.fixture
async def admin_token(client: httpx.AsyncClient, create_user: CreateUser) -> str:
    """Access token of an administrator."""
    await create_user("admin@example.com", is_admin=True)
    return await login(client, "admin@example.com")


@pytest.fixture
async def read_only_token(container: ServiceContainer, create_user: CreateUser) -> str:
    """An OAuth access token of a regular user granted only the `read` scope."""
    user = await create_user("reader@example.com")
    return await oauth_token(container, user.id, ["read"])


@pytest.fixture
def read_only_headers(read_only_token: str) -> Headers:
    """Authorization header of a token with only the `read` scope."""
    return {"Authorization": f"Bearer {read_only_token}"}


@pytest.fixture
def user_headers(user_token: str) -> Headers:
    """Authorization header of a regular user."""
    return {"Authorization": f"Bearer {user_token}"}


@pytest.fixture
def admin_headers(admin_token: str) -> Headers:
    """Authorization header of an administrator."""
    return {"Authorization": f"Bearer {admin_token}"}
