"""List queries: ranges, ``_in`` lists, the prefix search ``q`` and multi-field sorts.

What each field kind offers is in the Kind table; the generated code is checked here,
and the generated project's own tests run every filter over REST and MCP. The search
indexes (lower(column) of each string field) come with a new table's create migration;
a table created before they existed gets them from ``blueprintgen upgrade`` in an alter
migration of its own, run here up and down on SQLite and PostgreSQL.
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
from tests.test_remove_resource import ITEM_FIELDS, POSTGRES_URL, make_shop, migrate, ok

SEARCH = "_search"


def test_kinds_offer_ranges_lists_and_search() -> None:
    kinds = ("str", "text", "int", "float", "decimal", "date", "datetime", "bool", "enum", "json")
    fields = tuple(Field(f"a_{kind}", kind, choices=("x", "y") if kind == "enum" else ()) for kind in kinds)
    view = ResourceView(Resource("thing", "things", fields), package="shop")

    assert [f.column for f in view.ranged] == ["a_int", "a_float", "a_decimal", "a_date", "a_datetime"]
    assert [f.column for f in view.listed] == ["a_enum"]
    assert [f.column for f in view.searched] == ["a_str"]
    assert ("created_at_min", "created_at_max") in view.range_pairs
    names = view.filter_names
    assert {"a_int_min", "a_decimal_max", "a_enum_in", "q", "updated_at_min"} <= set(names)
    assert "a_text_min" not in names and "a_bool_in" not in names


def test_no_search_without_string_fields() -> None:
    view = ResourceView(Resource("thing", "things", (Field("n", "int"),)), package="shop")

    assert view.searched == []
    assert "q" not in view.filter_names
    assert view.migration_search_indexes == []


def forget_search_indexes(root: Path) -> None:
    """Make the project file what an older blueprintgen wrote: no step created search indexes."""
    path = root / "blueprintgen.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in data["resources"].values():
        for step in entry.get("schema") or []:
            step.pop("search_indexes", None)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def projects(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(a project made now, a project made before search indexes and upgraded)."""
    old = make_shop(ws, ws.root / "old", monkeypatch)
    forget_search_indexes(old)
    ok(ws.run("upgrade", "--yes"))
    fresh = make_shop(ws, ws.root / "fresh", monkeypatch)
    # 0006 drops a column: SQLite's batch mode copies the table to a new one.
    fields = [*ITEM_FIELDS[:2], "views:int=0", *ITEM_FIELDS[3:]]
    ok(ws.run("add", "resource", "item", *[a for f in fields for a in ("--field", f)], "--replace", "--yes"))
    assert (fresh / "alembic/versions/0006_alter_items.py").is_file()
    return fresh, old


def test_generated_code_offers_the_queries(projects: tuple[Path, Path]) -> None:
    fresh, _ = projects
    model = (fresh / "src/shop/models/item_model.py").read_text(encoding="utf-8")
    repository = (fresh / "src/shop/database/repositories/item_repository.py").read_text(encoding="utf-8")
    created = (fresh / "alembic/versions/0004_create_items.py").read_text(encoding="utf-8")

    for name in ("views_min", "views_max", "status_in", "customer_id_in", "created_at_min", "q"):
        assert f"    {name}: " in model, name
    assert '"q": lambda value: starts_with(' in repository
    assert '"status_in": lambda value: ItemDBModel.status.in_(value)' in repository
    assert "ix_items_name_search" in created and "ix_items_code_search" in created
    assert "`q`" in (fresh / "README.md").read_text(encoding="utf-8")


def test_upgrade_adds_the_search_indexes_in_new_migrations(
    ws: Workspace, projects: tuple[Path, Path]
) -> None:
    _, old = projects
    versions = old / "alembic/versions"
    names = sorted(path.name for path in versions.glob("*.py"))
    assert names[-2:] == ["0006_alter_customers.py", "0007_alter_items.py"]
    for name in names[:-2]:
        text = (versions / name).read_text(encoding="utf-8")
        assert 'op.create_index(op.f("ix_items_name_search")' not in text, name
    added = (versions / "0007_alter_items.py").read_text(encoding="utf-8")
    assert "index the string fields for search" in added
    assert "ix_items_name_search" in added and "ix_items_code_search" in added
    ok(ws.run("upgrade", "--yes"))
    assert len(list(versions.glob("*.py"))) == len(names), "a second upgrade adds nothing"


def search_indexes(connection: Any) -> set[str]:
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return {name for (name,) in connection.execute(text(query)) if name.endswith(SEARCH)}


async def chain(engine: Any, fresh: Path, old: Path) -> None:
    """The fresh chain has the search indexes from the create migrations on, and keeps
    them through a later change of the table (SQLite's batch mode copies a table without
    its expression indexes); the upgraded chain adds them, and its downgrade takes them
    away."""
    wanted = {"ix_customers_name_search", "ix_items_name_search", "ix_items_code_search"}
    async with engine.begin() as connection:
        await connection.run_sync(migrate, fresh, ["0001", "0002", "0003", "0004"], "upgrade")
        assert await connection.run_sync(search_indexes) == wanted
        await connection.run_sync(migrate, fresh, ["0005", "0006"], "upgrade")
        assert await connection.run_sync(search_indexes) == wanted
        await connection.run_sync(migrate, fresh, ["0006", "0005"], "downgrade")
        assert await connection.run_sync(search_indexes) == wanted
        await connection.run_sync(migrate, fresh, ["0004", "0003", "0002", "0001"], "downgrade")
        assert await connection.run_sync(search_indexes) == set()

        await connection.run_sync(migrate, old, ["0001", "0002", "0003", "0004", "0005"], "upgrade")
        assert await connection.run_sync(search_indexes) == set()
        await connection.run_sync(migrate, old, ["0006", "0007"], "upgrade")
        assert await connection.run_sync(search_indexes) == wanted
        await connection.run_sync(migrate, old, ["0007", "0006"], "downgrade")
        assert await connection.run_sync(search_indexes) == set()


def test_upgraded_chain_on_sqlite(projects: tuple[Path, Path], tmp_path: Path) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    async def scenario() -> None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
        try:
            await chain(engine, *projects)
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_upgraded_chain_on_postgres(projects: tuple[Path, Path]) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    schema = f"search_{uuid.uuid4().hex[:8]}"

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
            await chain(engine, *projects)
        finally:
            await engine.dispose()
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await admin.dispose()
