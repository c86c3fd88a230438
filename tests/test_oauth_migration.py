"""The OAuth tables' migration: 0002 in a new project; in a project generated before it
existed, the next free revision at `upgrade`, so that no applied migration moves and the
chain stays one line that Alembic runs to the end."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Workspace
from tests.test_remove_resource import describe, migrate, ok

VERSIONS = "alembic/versions"


def read_yaml(root: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((root / "blueprintgen.yaml").read_text(encoding="utf-8")))


def make_pre_oauth(root: Path) -> None:
    """Turn a fresh project with resource `item` (0003) into the tree the blueprints before
    the OAuth tables generated: no OAuth files or option, the items migration at 0002."""
    data = read_yaml(root)
    del data["project"]["oauth_revision"]
    data["resources"]["item"]["schema"][0]["revision"] = "0002"
    (root / "blueprintgen.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    path = root / ".blueprintgen/manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for name, entry in list(manifest["files"].items()):
        if entry["instance"] == "project-oauth":
            (root / name).unlink()
            del manifest["files"][name]
    del manifest["instances"]["project-oauth"]
    old, new = root / VERSIONS / "0003_create_items.py", root / VERSIONS / "0002_create_items.py"
    text = old.read_text(encoding="utf-8")
    text = text.replace("Revision ID: 0003\nRevises: 0002", "Revision ID: 0002\nRevises: 0001")
    text = text.replace('down_revision: str | None = "0002"', 'down_revision: str | None = "0001"')
    text = text.replace('revision: str = "0003"', 'revision: str = "0002"')
    old.unlink()
    new.write_text(text, encoding="utf-8")
    entry = manifest["files"].pop(f"{VERSIONS}/0003_create_items.py")
    entry["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    manifest["files"][f"{VERSIONS}/0002_create_items.py"] = entry
    for instance in manifest["instances"].values():
        values = instance.get("params", {})
        if values.get("migration_revision") == "0003":
            values["migration_revision"], values["migration_down_revision"] = "0002", "0001"
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


@pytest.fixture
def old_shop(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Path:
    ok(ws.run("new", "project", "shop", "--no-git"))
    root = ws.root / "shop"
    monkeypatch.chdir(root)
    ok(ws.run("add", "resource", "item", "--field", "name:str", "--yes"))
    make_pre_oauth(root)
    return root


def test_a_new_project_has_the_oauth_tables_at_0002(ws: Workspace) -> None:
    ok(ws.run("new", "project", "shop", "--no-git"))
    root = ws.root / "shop"

    migration = (root / VERSIONS / "0002_create_oauth_tables.py").read_text(encoding="utf-8")
    assert read_yaml(root)["project"]["oauth_revision"] == "0002"
    assert 'revision: str = "0002"' in migration
    assert 'down_revision: str | None = "0001"' in migration


def test_upgrading_an_older_project_appends_the_oauth_migration(ws: Workspace, old_shop: Path) -> None:
    items = (old_shop / VERSIONS / "0002_create_items.py").read_bytes()

    ok(ws.run("upgrade", "--yes"))
    ok(ws.run("add", "resource", "tag", "--field", "label:str", "--yes"))

    migration = (old_shop / VERSIONS / "0003_create_oauth_tables.py").read_text(encoding="utf-8")
    tags = (old_shop / VERSIONS / "0004_create_tags.py").read_text(encoding="utf-8")
    assert read_yaml(old_shop)["project"]["oauth_revision"] == "0003"
    assert (old_shop / VERSIONS / "0002_create_items.py").read_bytes() == items, "an applied migration"
    assert 'down_revision: str | None = "0002"' in migration
    assert 'down_revision: str | None = "0003"' in tags
    assert not (old_shop / VERSIONS / "0002_create_oauth_tables.py").exists()
    assert ws.run("validate").exit_code == 0
    ok(ws.run("upgrade", "--yes"))
    assert read_yaml(old_shop)["project"]["oauth_revision"] == "0003", "assigned once"


def test_a_database_at_the_old_head_migrates_through_the_oauth_tables(
    ws: Workspace, old_shop: Path, tmp_path: Path
) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    ok(ws.run("upgrade", "--yes"))

    async def run() -> dict[str, Any]:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        async with engine.begin() as connection:
            await connection.run_sync(migrate, old_shop, ["0001", "0002"], "upgrade")
            before = await connection.run_sync(describe)
            await connection.run_sync(migrate, old_shop, ["0003"], "upgrade")
            after = await connection.run_sync(describe)
            await connection.run_sync(migrate, old_shop, ["0003"], "downgrade")
            assert await connection.run_sync(describe) == before
        await engine.dispose()
        return after

    tables = asyncio.run(run())
    assert {"oauth_clients", "oauth_codes", "oauth_tokens", "items", "users"} <= set(tables)
