"""Alembic migrations: reversible, and in step with the table models."""

# Each test runs on the configured database and on a fresh SQLite file, so a
# PostgreSQL run covers the zero-set-up SQLite path as well.

import warnings
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from shop.app import create_app
from shop.cli import main
from shop.config.settings import get_settings
from shop.database.base import Base
from shop.database.migrations import PendingMigrationsError
from tests.helpers import TEST_SECRET_KEY, alembic_config, make_settings, running


@pytest.fixture(params=["configured", "sqlite"])
def migrated_url(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> str:
    """The session's database, or a new SQLite file migrated to head."""
    if request.param == "configured":
        return database_url
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    command.upgrade(alembic_config(url), "head")
    return url


def comparable(
    item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
) -> bool:
    """Everything but the search indexes (lower(column)), which alembic cannot compare:
    SQLite does not reflect an index of an expression, and PostgreSQL's reflection
    leaves out its collation. Their use is checked by the resources' search tests."""
    return not (kind == "index" and (name or "").endswith("_search"))


async def inspect_database(database_url: str) -> tuple[set[str], list[Any]]:
    """Return the table names and the differences from the models."""

    def read(connection: Connection) -> tuple[set[str], list[Any]]:
        tables = set(inspect(connection).get_table_names())
        context = MigrationContext.configure(
            connection, opts={"include_object": comparable}
        )
        with warnings.catch_warnings():
            # Neither database reflects the search indexes fully (see `comparable`), and
            # SQLAlchemy and alembic say so for each one.
            warnings.filterwarnings(
                "ignore", "Skipped unsupported reflection of expression"
            )
            warnings.filterwarnings(
                "ignore", "autogenerate skipping metadata-specified"
            )
            diff = compare_metadata(context, Base.metadata)
        return tables, diff

    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        result = await connection.run_sync(read)
    await engine.dispose()
    return result


async def test_migrations_match_models(migrated_url: str) -> None:
    tables, diff = await inspect_database(migrated_url)

    assert {"users", "alembic_version"} <= tables
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(migrated_url: str) -> None:
    config = alembic_config(migrated_url)

    command.downgrade(config, "base")
    command.upgrade(config, "head")


@pytest.fixture(params=["new", "downgraded"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file never migrated, or migrated and downgraded to base."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'stale.db'}"
    if request.param == "downgraded":
        command.upgrade(alembic_config(url), "head")
        command.downgrade(alembic_config(url), "base")
    return url


async def test_app_refuses_to_start_without_the_migrations(unmigrated_url: str) -> None:
    with pytest.raises(
        PendingMigrationsError, match="run `alembic upgrade head` first"
    ):
        async with running(create_app(make_settings(unmigrated_url))):
            pass


def test_admin_cli_says_to_migrate_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    try:
        status = main(
            [
                "create-admin",
                "--email",
                "a@example.com",
                "--password",
                "a-long-password",
            ]
        )
    finally:
        get_settings.cache_clear()

    error = capsys.readouterr().err
    assert status == 1
    # One line: every migration of the project is missing, 0001 (the users) first.
    assert error.startswith("error: the database lacks ")
    assert "(0001" in error
    assert error.endswith("run `alembic upgrade head` first\n")
    assert error.count("\n") == 1
