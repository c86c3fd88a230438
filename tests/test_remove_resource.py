"""`blueprintgen remove resource` and `blueprintgen resources`, driven through the CLI.

A removed resource's unedited files go, its entry moves to `removed:` of blueprintgen.yaml,
its migrations stay and a new one drops its table; deleting the entry by hand and running
`upgrade` comes to the same tree. The drop migration is run for real on SQLite and on
PostgreSQL: upgrade, downgrade (the table as the earlier migrations left it), upgrade.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from blueprintgen.errors import ExitCode
from tests.conftest import Workspace

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

ITEM_FIELDS = (
    "name:str:index",
    "code:str:unique",
    "price:decimal?",
    "status:enum[draft,live]=draft",
    "customer:ref:customer?",
)
ITEM_FILES = (
    "src/shop/models/item_model.py",
    "src/shop/database/models/item_db_model.py",
    "src/shop/database/repositories/item_repository.py",
    "src/shop/services/item_service.py",
    "src/shop/routes/item_routes.py",
    "src/shop/tools/item_tools.py",
    "tests/factories/item_factory.py",
    "tests/unit/test_item_model.py",
    "tests/integration/test_item_api.py",
    "tests/integration/test_item_mcp.py",
)
USER_ADMIN_FILES = (
    "src/shop/models/user_admin_model.py",
    "src/shop/database/repositories/user_admin_repository.py",
    "src/shop/services/user_admin_service.py",
    "src/shop/routes/user_admin_routes.py",
    "src/shop/routes/user_profile_routes.py",
    "src/shop/tools/user_tools.py",
    "tests/factories/user_factory.py",
    "tests/unit/test_user_admin_model.py",
    "tests/integration/test_user_api.py",
    "tests/integration/test_user_mcp.py",
)


def ok(result: Any) -> None:
    assert result.exit_code == ExitCode.DONE, result.output


def make_shop(ws: Workspace, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Project `shop` in ``folder``: customers (0003), items (0004), then items get a
    required column with a default (0005, an alter migration)."""
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(folder)
    ok(ws.run("new", "project", "shop", "--no-git"))
    root = folder / "shop"
    monkeypatch.chdir(root)
    ok(ws.run("add", "resource", "customer", "--field", "name:str", "--yes"))
    item = [arg for spec in ITEM_FIELDS for arg in ("--field", spec)]
    ok(ws.run("add", "resource", "item", *item, "--yes"))
    fields = [*ITEM_FIELDS[:3], "views:int=0", *ITEM_FIELDS[3:]]
    ok(ws.run("add", "resource", "item", *[a for s in fields for a in ("--field", s)], "--replace", "--yes"))
    assert (root / "alembic/versions/0005_alter_items.py").is_file()
    return root


@pytest.fixture
def shop(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_shop(ws, ws.root, monkeypatch)


def project_file(root: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((root / "blueprintgen.yaml").read_text(encoding="utf-8")))


def manifest_files(root: Path) -> dict[str, Any]:
    return dict(json.loads((root / ".blueprintgen/manifest.json").read_text(encoding="utf-8"))["files"])


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (but the random key each new project gets in ``.env``)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.relative_to(root).as_posix() != ".env"
    }


# --- remove resource ------------------------------------------------------------------


def test_removing_an_unedited_resource(ws: Workspace, shop: Path) -> None:
    (shop / "blueprintgen.yaml").write_text(
        "# my notes stay\n" + (shop / "blueprintgen.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    migrations = {p.name: p.read_bytes() for p in (shop / "alembic/versions").glob("000*.py")}

    result = ws.run("remove", "resource", "item", "--yes")
    ok(result)
    assert "create alembic/versions/0006_drop_items.py" in result.stdout
    assert "migration 0006 drops the item table" in result.stdout
    for path in ITEM_FILES:
        assert not (shop / path).exists(), path
        assert path not in manifest_files(shop)
    # The earlier migrations stay as they were, and stay generated.
    for name, text in migrations.items():
        assert (shop / "alembic/versions" / name).read_bytes() == text
    assert "alembic/versions/0004_create_items.py" in manifest_files(shop)
    assert "alembic/versions/0006_drop_items.py" in manifest_files(shop)

    text = (shop / "blueprintgen.yaml").read_text(encoding="utf-8")
    assert text.startswith("# my notes stay\n")
    data = project_file(shop)
    assert list(data["resources"]) == ["customer"]
    removed = data["removed"]["item"]
    assert removed["plural"] == "items" and removed["dropped"] == "0006"
    assert [step["revision"] for step in removed["schema"]] == ["0004", "0005"]
    assert removed["schema"][-1]["fields"][3] == "views:int=0"

    result = ws.run("validate", "--check-all")
    assert result.exit_code == ExitCode.DONE, result.output
    assert ws.run("remove", "resource", "item").exit_code == ExitCode.USAGE  # already removed

    ok(ws.run("add", "resource", "tag", "--field", "label:str", "--yes"))
    assert (shop / "alembic/versions/0007_create_tags.py").is_file()
    assert 'down_revision: str | None = "0006"' in (shop / "alembic/versions/0007_create_tags.py").read_text()
    ok(ws.run("validate", "--check-all"))

    again = ws.run("add", "resource", "item", "--field", "name:str", "--yes")
    assert again.exit_code == ExitCode.USAGE
    assert "'item' was removed from this project" in again.stderr


def test_an_edited_file_is_kept_and_listed_and_force_removes_it(ws: Workspace, shop: Path) -> None:
    routes = shop / "src/shop/routes/item_routes.py"
    routes.write_text(routes.read_text(encoding="utf-8") + "\n# my change\n", encoding="utf-8")

    result = ws.run("remove", "resource", "item", "--dry-run")
    ok(result)
    assert "kept orphan src/shop/routes/item_routes.py" in " ".join(result.stdout.split())
    assert "would keep 1 file of 'item' that you edited" in result.stderr

    snapshot = tree(shop)
    forced = ws.run("remove", "resource", "item", "--dry-run", "--force")
    ok(forced)
    assert "your edits are removed (--force)" in forced.stdout
    assert tree(shop) == snapshot

    result = ws.run("remove", "resource", "item", "--yes")
    ok(result)
    assert routes.read_text(encoding="utf-8").endswith("# my change\n")
    assert "kept 1 file of 'item' that you edited" in result.stderr
    assert "src/shop/routes/item_routes.py" in result.stderr
    assert "src/shop/routes/item_routes.py" not in manifest_files(shop)  # no longer blueprintgen's
    assert not (shop / "src/shop/services/item_service.py").exists()
    ok(ws.run("validate", "--check-all"))


def test_force_removes_the_edited_files_too(ws: Workspace, shop: Path) -> None:
    routes = shop / "src/shop/routes/item_routes.py"
    routes.write_text(routes.read_text(encoding="utf-8") + "\n# my change\n", encoding="utf-8")
    ok(ws.run("remove", "resource", "item", "--yes", "--force"))
    assert not routes.exists()
    ok(ws.run("validate", "--check-all"))


def test_refused_while_another_resource_refers_to_it(ws: Workspace, shop: Path) -> None:
    ok(ws.run("add", "resource", "order", "--field", "buyer:ref:customer", "--field", "total:int", "--yes"))
    before = tree(shop)
    result = ws.run("remove", "resource", "customer", "--yes")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "resource 'customer' cannot be removed while other resources refer to it" in result.stderr
    assert "item.customer, order.buyer" in result.stderr
    assert tree(shop) == before


def test_dry_run_and_diff_write_nothing(ws: Workspace, shop: Path) -> None:
    before = tree(shop)
    dry = ws.run("remove", "resource", "item", "--dry-run")
    ok(dry)
    assert "remove src/shop/routes/item_routes.py" in " ".join(dry.stdout.split())
    assert "dry run: nothing was written" in dry.stdout
    diff = ws.run("remove", "resource", "item", "--diff", "--dry-run")
    ok(diff)
    assert "+++ b/alembic/versions/0006_drop_items.py" in diff.stdout
    assert '+    op.drop_table("items")' in diff.stdout
    # Without --yes and no terminal to confirm at, --diff shows the plan and writes nothing.
    shown = ws.run("remove", "resource", "item", "--diff")
    assert shown.exit_code == ExitCode.NOT_APPLIED, shown.output
    assert tree(shop) == before


def test_an_unknown_resource_is_a_usage_error(ws: Workspace, shop: Path) -> None:
    result = ws.run("remove", "resource", "itme")
    assert result.exit_code == ExitCode.USAGE
    assert "no resource 'itme' in this project" in result.stderr and "did you mean 'item'?" in result.stderr


def test_removing_the_user_resource_keeps_the_accounts(ws: Workspace, shop: Path) -> None:
    ok(ws.run("add", "resource", "user", "--yes"))
    admin_migration = shop / "alembic/versions/0006_administer_users.py"
    assert admin_migration.is_file()
    accounts = [
        shop / "alembic/versions/0001_create_users.py",
        shop / "src/shop/database/models/user_db_model.py",
    ]
    kept = {path: path.read_bytes() for path in [*accounts, admin_migration]}

    result = ws.run("remove", "resource", "user", "--yes")
    ok(result)
    assert "drop" not in result.stdout
    for path in USER_ADMIN_FILES:
        assert not (shop / path).exists(), path
    for path, text in kept.items():
        assert path.read_bytes() == text
    assert not list((shop / "alembic/versions").glob("*_drop_*"))
    assert project_file(shop)["removed"]["user"] == {
        "plural": "users",
        "schema": [{"revision": "0006", "fields": []}],
    }
    ok(ws.run("validate", "--check-all"))

    # The admin slice comes back with the migration it had.
    ok(ws.run("add", "resource", "user", "--yes"))
    assert "removed" not in project_file(shop)
    assert all((shop / path).exists() for path in USER_ADMIN_FILES)
    assert (
        sorted(p.name for p in (shop / "alembic/versions").glob("000*.py"))[-1] == "0006_administer_users.py"
    )
    ok(ws.run("validate", "--check-all"))


def test_deleting_the_entry_and_upgrading_is_the_same_removal(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_command = make_shop(ws, ws.root / "a", monkeypatch)
    ok(ws.run("remove", "resource", "item", "--yes"))

    by_hand = make_shop(ws, ws.root / "b", monkeypatch)
    data = project_file(by_hand)
    text = (by_hand / "blueprintgen.yaml").read_text(encoding="utf-8")
    (by_hand / "blueprintgen.yaml").write_text(text[: text.index("  item:\n")], encoding="utf-8")
    assert list(yaml.safe_load(text[: text.index("  item:\n")])["resources"]) == list(data["resources"])[:1]
    validated = ws.run("validate", "--check-all")
    assert validated.exit_code == ExitCode.PROBLEMS, "the removal is pending until upgrade"
    ok(ws.run("upgrade", "--yes"))

    assert tree(by_hand) == tree(by_command)


def test_deleting_a_referenced_entry_by_hand_is_refused(ws: Workspace, shop: Path) -> None:
    text = (shop / "blueprintgen.yaml").read_text(encoding="utf-8")
    start, end = text.index("  customer:\n"), text.index("  item:\n")
    (shop / "blueprintgen.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    before = tree(shop)
    result = ws.run("upgrade", "--yes")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert (
        "resource 'customer' cannot be removed while other resources refer to it: item.customer"
        in result.stderr
    )
    assert tree(shop) == before


def test_entries_deleted_together_drop_the_referring_table_first(ws: Workspace, shop: Path) -> None:
    text = (shop / "blueprintgen.yaml").read_text(encoding="utf-8")
    (shop / "blueprintgen.yaml").write_text(text[: text.index("  customer:\n")], encoding="utf-8")
    ok(ws.run("upgrade", "--yes"))
    removed = project_file(shop)["removed"]
    assert removed["item"]["dropped"] == "0006" and removed["customer"]["dropped"] == "0007"
    assert (shop / "alembic/versions/0006_drop_items.py").is_file()
    assert (shop / "alembic/versions/0007_drop_customers.py").is_file()
    ok(ws.run("validate", "--check-all"))


# --- resources --------------------------------------------------------------------------


def test_resources_lists_fields_references_methods_and_options(ws: Workspace, shop: Path) -> None:
    ok(
        ws.run(
            "add", "resource", "note", "--field", "body:text", "--methods", "list,read", "--no-auth", "--yes"
        )
    )
    shown = ws.run("resources")
    ok(shown)
    for text in (
        "item",
        "/api/v1/items",
        "name:str:index",
        "customer → customer",
        "← item.customer",
        "list, read",
    ):
        assert text in shown.stdout, text

    data = json.loads(ws.run("resources", "--json").stdout)
    assert data["format"] == 1 and data["project"] == "shop" and data["removed"] == []
    by_name = {item["name"]: item for item in data["resources"]}
    assert list(by_name) == ["customer", "item", "note"]
    item = by_name["item"]
    assert item["plural"] == item["table"] == "items" and item["path"] == "/api/v1/items"
    assert [field["spec"] for field in item["fields"]][:2] == ["name:str:index", "code:str:unique"]
    assert item["fields"][-1]["ref"] == {"resource": "customer", "plural": "customers"}
    assert item["references"] == [
        {"resource": "item", "field": "customer", "target": "customer", "on_delete": "SET NULL"}
    ]
    assert by_name["customer"]["referenced_by"] == item["references"]
    assert item["migrations"] == ["0004", "0005"]
    assert by_name["note"]["methods"] == ["list", "read"] and by_name["note"]["auth_required"] is False

    ok(ws.run("remove", "resource", "note", "--yes"))
    data = json.loads(ws.run("resources", "--json").stdout)
    assert data["removed"] == [{"name": "note", "plural": "notes", "migrations": ["0006"], "dropped": "0007"}]


# --- the drop migration on real databases ----------------------------------------------


def load_migration(root: Path, revision: str) -> ModuleType:
    (path,) = (root / "alembic/versions").glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"migration_{uuid.uuid4().hex}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def migrate(connection: Any, root: Path, revisions: list[str], action: str) -> None:
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with Operations.context(MigrationContext.configure(connection)):
        for revision in revisions:
            getattr(load_migration(root, revision), action)()


def describe(connection: Any) -> dict[str, Any]:
    """Every table with its columns (type, nullability, default), keys and indexes."""
    from sqlalchemy import inspect

    inspector = inspect(connection)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
            ),
            "fks": sorted(
                (
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    fk["options"].get("ondelete"),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
        }
        for table in sorted(inspector.get_table_names())
    }


@pytest.fixture
def removed_items(ws: Workspace, shop: Path) -> Path:
    ok(ws.run("remove", "resource", "item", "--yes"))
    return shop


async def round_trip(engine: Any, root: Path) -> dict[str, Any]:
    """Up to the change before the drop, then the drop up, down and up again."""
    async with engine.begin() as connection:
        await connection.run_sync(migrate, root, ["0001", "0002", "0003", "0004", "0005"], "upgrade")
        before = await connection.run_sync(describe)
        assert "items" in before and before["items"]["indexes"]
        await connection.run_sync(migrate, root, ["0006"], "upgrade")
        dropped = await connection.run_sync(describe)
        assert "items" not in dropped and "customers" in dropped
        await connection.run_sync(migrate, root, ["0006"], "downgrade")
        assert await connection.run_sync(describe) == before, "recreated as the migrations left it"
        await connection.run_sync(migrate, root, ["0006"], "upgrade")
        assert await connection.run_sync(describe) == dropped
    return dropped


def test_the_drop_migration_on_sqlite(removed_items: Path, tmp_path: Path) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    async def scenario() -> None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
        try:
            await round_trip(engine, removed_items)
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_the_drop_migration_on_postgres(removed_items: Path) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    schema = f"remove_{uuid.uuid4().hex[:8]}"

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
            await round_trip(engine, removed_items)
            async with engine.begin() as connection:
                left = await connection.execute(
                    text(
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = :s AND c.relname LIKE '%items%'"
                    ),
                    {"s": schema},
                )
                assert left.scalar_one() == 0, "no index, sequence or constraint of items is left"
                types = await connection.execute(
                    text(
                        "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                        "WHERE n.nspname = :s AND t.typtype = 'e'"
                    ),
                    {"s": schema},
                )
                assert types.scalar_one() == 0, "no enum type is left"
        finally:
            await engine.dispose()
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await admin.dispose()

    asyncio.run(scenario())
