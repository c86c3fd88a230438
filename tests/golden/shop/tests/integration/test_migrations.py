"""Alembic migrations: reversible, and in step with the table models."""

# Each test runs on the configured database and on a fresh SQLite file, so a
# PostgreSQL run covers the zero-set-up SQLite path as well.

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from shop.app import create_app
from shop.cli import main
from shop.config.settings import get_settings
from shop.database.base import Base
from shop.database.migrations import (
    PendingMigrationsError,
    migration_graph,
    oldest_first,
    pending_migrations,
    read_graph,
)
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


def _alembic_scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))


def test_the_start_up_check_reads_the_graph_alembic_reads() -> None:
    # The server reads the migration files itself (without loading Alembic); both
    # must see the same revisions, in the same order, with the same parents.
    scripts = _alembic_scripts()
    graph = migration_graph()
    assert graph is not None
    expected = {
        script.revision: tuple(
            [script.down_revision]
            if isinstance(script.down_revision, str)
            else script.down_revision or ()
        )
        for script in scripts.walk_revisions()
    }
    assert graph == expected
    assert oldest_first(graph) == [
        s.revision for s in reversed(list(scripts.walk_revisions()))
    ]
    assert set(scripts.get_heads()) == set(graph) - {
        d for ds in graph.values() for d in ds
    }


def test_pending_after_each_revision_matches_alembic() -> None:
    scripts = _alembic_scripts()
    graph = migration_graph()
    assert graph is not None
    order = oldest_first(graph)
    assert pending_migrations(graph, ()) == order
    for index, revision in enumerate(order):
        applied = {s.revision for s in scripts.iterate_revisions(revision, "base")}
        assert pending_migrations(graph, (revision,)) == [
            r for r in order if r not in applied
        ]
        assert pending_migrations(graph, (revision,)) == order[index + 1 :]
    # A database a newer version of the code migrated: nothing to report.
    assert pending_migrations(graph, ("f00dfeed",)) == []


def test_a_merge_of_two_branches_is_read_as_alembic_writes_it(tmp_path: Path) -> None:
    files = {
        "a.py": 'revision = "a"\ndown_revision = None\n',
        "b.py": 'revision: str = "b"\ndown_revision: str | None = "a"\n',
        "c.py": 'revision = "c"\ndown_revision = "a"\n',
        "d.py": 'revision = "d"\ndown_revision = ("b", "c")\n',
        "__init__.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    graph = read_graph([tmp_path])

    assert graph == {"a": (), "b": ("a",), "c": ("a",), "d": ("b", "c")}
    assert oldest_first(graph) == ["a", "b", "c", "d"]
    assert pending_migrations(graph, ("b",)) == ["c", "d"]
    assert pending_migrations(graph, ("b", "c")) == ["d"]
    assert pending_migrations(graph, ("d",)) == []


@pytest.mark.parametrize(
    "text", ["revision = make_id()\n", "revision = ('a', 'b')\n", "revision = \n"]
)
def test_a_migration_it_cannot_read_is_refused(tmp_path: Path, text: str) -> None:
    # migration_graph() then asks Alembic itself.
    (tmp_path / "x.py").write_text(text, encoding="utf-8")

    with pytest.raises((SyntaxError, ValueError)):
        read_graph([tmp_path])


def test_the_server_loads_neither_alembic_nor_redis_it_does_not_use(
    database_url: str,
) -> None:
    # Alembic and Mako would stay in every server process's memory for one look at
    # start-up, and redis-py in a process that has no REDIS_URL.
    code = (
        "import asyncio, sys\n"
        "from shop.main import app\n"
        "async def start_and_stop():\n"
        "    async with app.router.lifespan_context(app):\n"
        "        pass\n"
        "asyncio.run(start_and_stop())\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        "print('LOADED', sorted(loaded & {'alembic', 'mako', 'redis'}))\n"
    )
    env = {
        **os.environ,
        "SECRET_KEY": TEST_SECRET_KEY,
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert "LOADED []" in done.stdout.splitlines()
