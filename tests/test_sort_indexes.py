"""The (column, id) indexes that serve every sort the list endpoints offer.

A new table gets them in its create migration. A table created before they existed (its
schema history records no ``sort_indexes`` step) gets them from ``blueprintgen upgrade``
in an alter migration of its own: the applied create migration is left as it was. Both
chains are run on SQLite and on PostgreSQL, and end with the same indexes.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from blueprintgen.resource_model import Field, Resource
from blueprintgen.views import ResourceView
from tests.conftest import Workspace
from tests.test_remove_resource import POSTGRES_URL, describe, make_shop, migrate, ok

KEYSET = "_keyset"


def test_only_indexable_columns_are_offered_for_sorting() -> None:
    kinds = ("str", "text", "int", "json", "url", "date", "email", "uuid")
    view = ResourceView(Resource("thing", "things", tuple(Field(f"a_{kind}", kind) for kind in kinds)))

    assert view.sort_columns == [
        "id",
        "a_str",
        "a_int",
        "a_date",
        "a_email",
        "a_uuid",
        "created_at",
        "updated_at",
    ]
    assert view.sort_index_columns == view.sort_columns[1:]


def forget_sort_indexes(root: Path) -> None:
    """Make the project file what an older blueprintgen wrote: no step created sort indexes."""
    path = root / "blueprintgen.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in data["resources"].values():
        for step in entry.get("schema") or []:
            step.pop("sort_indexes", None)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def projects(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(a project made now, a project made before sort indexes and upgraded)."""
    fresh = make_shop(ws, ws.root / "fresh", monkeypatch)
    old = make_shop(ws, ws.root / "old", monkeypatch)
    forget_sort_indexes(old)
    ok(ws.run("upgrade", "--yes"))  # rewrites the create migrations as the older version had them
    return fresh, old


def test_upgrade_adds_the_indexes_in_new_migrations(ws: Workspace, projects: tuple[Path, Path]) -> None:
    fresh, old = projects
    versions = old / "alembic/versions"
    assert sorted(path.name for path in versions.glob("*.py")) == [
        "0001_create_users.py",
        "0002_create_oauth_tables.py",
        "0003_create_customers.py",
        "0004_create_items.py",
        "0005_alter_items.py",
        "0006_alter_customers.py",
        "0007_alter_items.py",
    ]
    for name in ("0003_create_customers.py", "0004_create_items.py", "0005_alter_items.py"):
        assert KEYSET not in (versions / name).read_text(encoding="utf-8"), name
    assert "ix_items_views_keyset" in (versions / "0007_alter_items.py").read_text(encoding="utf-8")
    assert KEYSET in (fresh / "alembic/versions/0004_create_items.py").read_text(encoding="utf-8")

    history = yaml.safe_load((old / "blueprintgen.yaml").read_text(encoding="utf-8"))["resources"]
    assert [step.get("sort_indexes", False) for step in history["item"]["schema"]] == [False, False, True]
    ok(ws.run("upgrade", "--yes"))
    assert len(list(versions.glob("*.py"))) == 7, "a second upgrade adds nothing"


async def chains(engine: Any, fresh: Path, old: Path) -> None:
    """The fresh chain and the upgraded one end with the same tables, indexes and keys;
    the upgrade's migrations go down to the old tables and up again."""
    async with engine.begin() as connection:
        await connection.run_sync(migrate, fresh, ["0001", "0002", "0003", "0004", "0005"], "upgrade")
        made_now = await connection.run_sync(describe)
        assert ("ix_items_created_at_keyset", ("created_at", "id"), False) in made_now["items"]["indexes"]
        await connection.run_sync(migrate, fresh, ["0005", "0004", "0003", "0002", "0001"], "downgrade")

        await connection.run_sync(migrate, old, ["0001", "0002", "0003", "0004", "0005"], "upgrade")
        before = await connection.run_sync(describe)
        assert not any(KEYSET in index[0] for table in before.values() for index in table["indexes"])
        await connection.run_sync(migrate, old, ["0006", "0007"], "upgrade")
        assert await connection.run_sync(describe) == made_now
        await connection.run_sync(migrate, old, ["0007", "0006"], "downgrade")
        assert await connection.run_sync(describe) == before


def test_both_chains_on_sqlite(projects: tuple[Path, Path], tmp_path: Path) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    async def scenario() -> None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
        try:
            await chains(engine, *projects)
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_both_chains_on_postgres(projects: tuple[Path, Path]) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    schema = f"sort_{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        admin = create_async_engine(POSTGRES_URL)
        try:
            async with admin.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        except (OSError, DBAPIError) as error:
            await admin.dispose()
            pytest.skip(f"PostgreSQL not reachable: {error}")
        engine = create_async_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
        try:
            await chains(engine, *projects)
        finally:
            await engine.dispose()
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await admin.dispose()

    asyncio.run(scenario())
