"""Account fields: `add resource user --field ...` extends the accounts, through the CLI.

The users table is the project's (0001_create_users); account fields are columns a new
migration adds to it, fields of the project's user contracts and of the admin slice's
update models, and what each user may change of their own account (PATCH /users/me).
Their migrations run for real on SQLite and PostgreSQL, with a row in the table.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from blueprintgen.errors import ExitCode
from tests.conftest import Workspace
from tests.test_remove_resource import POSTGRES_URL, describe, migrate, ok, tree

VERSIONS = "alembic/versions"


@pytest.fixture
def shop(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Path:
    ok(ws.run("new", "project", "shop", "--no-git"))
    root = ws.root / "shop"
    monkeypatch.chdir(root)
    return root


def text(root: Path, relative: str) -> str:
    return (root / relative).read_text(encoding="utf-8")


def recorded(root: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(text(root, "blueprintgen.yaml"))["resources"]["user"])


def fields(*specs: str) -> list[str]:
    return [arg for spec in specs for arg in ("--field", spec)]


def test_account_fields_go_through_every_layer(ws: Workspace, shop: Path) -> None:
    accounts = shop / VERSIONS / "0001_create_users.py"
    created = accounts.read_bytes()

    ok(ws.run("add", "resource", "user", *fields("display_name:str?", "plan:enum[free,pro]=free"), "--yes"))

    assert accounts.read_bytes() == created, "the applied migration is never rewritten"
    assert sorted(p.name for p in (shop / VERSIONS).glob("000*.py")) == [
        "0001_create_users.py",
        "0002_create_oauth_tables.py",
        "0003_administer_users.py",
        "0004_alter_users.py",
    ]
    alter = text(shop, f"{VERSIONS}/0004_alter_users.py")
    assert 'op.batch_alter_table("users")' in alter
    assert 'sa.Column("display_name", sa.String(length=255), nullable=True)' in alter
    assert 'server_default="free"' in alter, "the rows there get the default"
    assert 'batch.drop_column("plan")' in alter.split("def downgrade")[1]
    table = text(shop, "src/shop/database/models/user_db_model.py")
    assert "display_name: Mapped[str | None] = mapped_column(String(255))" in table
    assert "plan: Mapped[UserPlan]" in table and "from shop.models.user_model import UserPlan" in table
    contracts = text(shop, "src/shop/models/user_model.py")
    assert "class UserPlan(StrEnum):" in contracts
    base, read = contracts.split("class UserBase")[1], contracts.split("class UserRead")[1]
    assert "display_name: str | None = Field(" in base and "plan: UserPlan = UserPlan.FREE" in base
    assert "display_name: str | None\n" in read and "plan: UserPlan\n" in read
    assert '**data.model_dump(include={"display_name", "plan"})' in text(
        shop, "src/shop/services/user_service.py"
    )
    updates = text(shop, "src/shop/models/user_admin_model.py")
    admin, profile = updates.split("class UserProfileUpdate")
    # The plan may be omitted but not sent as null, so its schema leaves null out.
    assert "plan: UserPlan | SkipJsonSchema[None] = None" in admin
    assert "plan: UserPlan | SkipJsonSchema[None] = None" in profile
    assert 'extra="forbid"' in profile and "is_admin" not in profile, "flags stay the administrators'"
    assert '@router.patch("/me", responses=' in text(shop, "src/shop/routes/user_profile_routes.py")
    assert "ACCOUNT_VALUES" in text(shop, "tests/integration/test_user_api.py")
    entry = recorded(shop)
    assert entry["fields"] == ["display_name:str?", "plan:enum[free,pro]=free"]
    assert entry["schema"] == [
        {"revision": "0003", "fields": []},
        {"revision": "0004", "fields": ["display_name:str?", "plan:enum[free,pro]=free"]},
    ]
    manifest = json.loads(text(shop, ".blueprintgen/manifest.json"))["instances"]
    (account,) = [r for r in manifest.values() if r["blueprint"] == "resource-migration-user"]
    assert account["params"]["resource"] == "user", "recorded like every other migration"
    ok(ws.run("validate", "--check-all"))
    listed = json.loads(ws.run("resources", "--json").stdout)
    (user,) = [r for r in listed["resources"] if r["name"] == "user"]
    assert [f["spec"] for f in user["fields"]] == entry["fields"] and user["migrations"] == ["0003", "0004"]


def test_the_slice_without_fields_is_as_before(ws: Workspace, shop: Path) -> None:
    table = text(shop, "src/shop/database/models/user_db_model.py")
    ok(ws.run("add", "resource", "user", "--yes"))
    assert text(shop, "src/shop/database/models/user_db_model.py") == table
    assert recorded(shop)["schema"] == [{"revision": "0003", "fields": []}]
    assert not list((shop / VERSIONS).glob("*_alter_users.py"))


def test_dry_run_and_diff_write_nothing(ws: Workspace, shop: Path) -> None:
    before = tree(shop)
    result = ws.run("add", "resource", "user", *fields("display_name:str?"), "--dry-run", "--diff")
    assert result.exit_code == ExitCode.DONE, result.output
    assert "+++ b/alembic/versions/0004_alter_users.py" in result.stdout
    assert "+    display_name: Mapped[str | None]" in result.stdout
    assert tree(shop) == before


@pytest.mark.parametrize(
    "name",
    [
        "email",
        "hashed_password",
        "password",
        "full_name",
        "is_active",
        "is_admin",
        "id",
        "created_at",
        "updated_at",
    ],
)
def test_built_in_account_columns_are_refused(ws: Workspace, shop: Path, name: str) -> None:
    before = tree(shop)
    result = ws.run("add", "resource", "user", *fields("display_name:str?", f"{name}:str?"), "--yes")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert repr(name) in result.stderr
    assert tree(shop) == before


def test_required_fields_no_auth_and_another_plural_are_refused(ws: Workspace, shop: Path) -> None:
    before = tree(shop)
    result = ws.run("add", "resource", "user", *fields("nickname:str"), "--yes")
    assert result.exit_code == ExitCode.USAGE
    assert "required field 'nickname' to the accounts" in result.stderr and "nickname:str?" in result.stderr
    assert tree(shop) == before
    result = ws.run("add", "resource", "user", "--no-auth", "--yes")
    assert result.exit_code == ExitCode.USAGE and "admin-only" in result.stderr
    result = ws.run("add", "resource", "user", "--plural", "accounts", "--yes")
    assert result.exit_code == ExitCode.USAGE and "the accounts table 'users'" in result.stderr
    assert tree(shop) == before


def test_replace_adds_and_drops_columns_and_merges_edits(ws: Workspace, shop: Path) -> None:
    ok(ws.run("add", "resource", "user", *fields("display_name:str?"), "--yes"))
    first = (shop / VERSIONS / "0004_alter_users.py").read_bytes()
    table = shop / "src/shop/database/models/user_db_model.py"
    mine = "\nMY_LIMIT = 3  # mine: kept through every change\n\n\nclass User"
    table.write_text(table.read_text().replace("\n\nclass User", mine, 1))
    updates = shop / "src/shop/models/user_admin_model.py"
    updates.write_text(updates.read_text().replace("\n\nclass User", mine, 1))

    before = tree(shop)
    refused = ws.run("add", "resource", "user", *fields("display_name:str?", "bio:text?"), "--yes")
    assert refused.exit_code == ExitCode.PROBLEMS, refused.output
    assert "--replace" in refused.stderr and tree(shop) == before

    ok(ws.run("add", "resource", "user", *fields("display_name:str?", "bio:text?"), "--replace", "--yes"))
    added = text(shop, f"{VERSIONS}/0005_alter_users.py")
    assert 'batch.add_column(sa.Column("bio", sa.Text(), nullable=True))' in added
    assert "bio: Mapped[str | None]" in table.read_text() and "# mine" in table.read_text()
    assert "# mine" in updates.read_text() and "bio: str | None" in updates.read_text()

    ok(ws.run("add", "resource", "user", *fields("bio:text?"), "--replace", "--yes"))
    dropped = text(shop, f"{VERSIONS}/0006_alter_users.py")
    upgrade, downgrade = dropped.split("def downgrade")
    assert 'batch.drop_column("display_name")' in upgrade
    assert 'sa.Column("display_name", sa.String(length=255), nullable=True)' in downgrade
    assert "display_name" not in table.read_text() and "# mine" in table.read_text()
    assert "display_name" not in text(shop, "src/shop/models/user_model.py")
    assert (shop / VERSIONS / "0004_alter_users.py").read_bytes() == first
    ok(ws.run("validate", "--check-all"))


def test_editing_the_project_file_and_upgrading_is_the_same_change(ws: Workspace, shop: Path) -> None:
    ok(ws.run("add", "resource", "user", "--yes"))
    project = shop / "blueprintgen.yaml"
    project.write_text(
        project.read_text().replace("    fields: []\n", "    fields:\n    - nickname:str?\n", 1)
    )
    assert ws.run("validate", "--check-all").exit_code == ExitCode.PROBLEMS, "pending until upgrade"

    ok(ws.run("upgrade", "--yes"))
    assert 'sa.Column("nickname"' in text(shop, f"{VERSIONS}/0004_alter_users.py")
    assert "nickname: Mapped[str | None]" in text(shop, "src/shop/database/models/user_db_model.py")
    assert "nickname: str | None" in text(shop, "src/shop/models/user_admin_model.py")
    ok(ws.run("validate", "--check-all"))


def test_removing_the_slice_drops_its_account_columns(ws: Workspace, shop: Path) -> None:
    ok(ws.run("add", "resource", "user", *fields("display_name:str?"), "--yes"))
    ok(ws.run("remove", "resource", "user", "--yes"))
    dropped = text(shop, f"{VERSIONS}/0005_alter_users.py")
    assert 'batch.drop_column("display_name")' in dropped.split("def downgrade")[0]
    assert "display_name" not in text(shop, "src/shop/database/models/user_db_model.py")
    assert not (shop / "src/shop/routes/user_profile_routes.py").exists()
    assert yaml.safe_load(text(shop, "blueprintgen.yaml"))["removed"]["user"]["schema"][-1] == {
        "revision": "0005",
        "fields": [],
    }
    ok(ws.run("validate", "--check-all"))

    # Back with its migrations; new account fields get a migration of their own.
    ok(ws.run("add", "resource", "user", *fields("nickname:str?"), "--yes"))
    assert "nickname" in text(shop, f"{VERSIONS}/0006_alter_users.py")
    assert [step["revision"] for step in recorded(shop)["schema"]] == ["0003", "0004", "0005", "0006"]
    ok(ws.run("validate", "--check-all"))


def test_an_old_manifest_still_protects_the_account_migration(ws: Workspace, shop: Path) -> None:
    """Manifests from before the account migration recorded its resource."""
    ok(ws.run("add", "resource", "user", "--yes"))
    path = shop / ".blueprintgen/manifest.json"
    data = json.loads(path.read_text())
    for record in data["instances"].values():
        if record["blueprint"] == "resource-migration-user":
            del record["params"]["resource"]
    path.write_text(json.dumps(data))
    ok(ws.run("validate", "--check-all"))

    project = shop / "blueprintgen.yaml"
    project.write_text(project.read_text().replace("revision: '0003'", "revision: '0004'"))
    result = ws.run("upgrade", "--yes")
    assert result.exit_code != ExitCode.DONE
    assert "migration 0003 of resource 'user' was generated" in result.output


# --- the account migrations on real databases -------------------------------------------


@pytest.fixture
def changed_accounts(ws: Workspace, shop: Path) -> Path:
    """0004 adds display_name and plan (default 'free'); 0005 drops display_name."""
    ok(ws.run("add", "resource", "user", *fields("display_name:str?", "plan:enum[free,pro]=free"), "--yes"))
    ok(ws.run("add", "resource", "user", *fields("plan:enum[free,pro]=free"), "--replace", "--yes"))
    return shop


async def round_trip(engine: Any, root: Path) -> None:
    """A stored account through both migrations, up, down and up again."""
    from sqlalchemy import text as sql

    def account(connection: Any) -> dict[str, Any]:
        row = connection.execute(sql("SELECT * FROM users")).mappings().one()
        return {key: row[key] for key in row if key in {"email", "display_name", "plan"}}

    async with engine.begin() as connection:
        await connection.run_sync(migrate, root, ["0001", "0002", "0003"], "upgrade")
        before = await connection.run_sync(describe)
        await connection.execute(
            sql("INSERT INTO users (email, hashed_password) VALUES ('ada@example.com', 'x')")
        )
        await connection.run_sync(migrate, root, ["0004"], "upgrade")
        assert await connection.run_sync(account) == {
            "email": "ada@example.com",
            "display_name": None,
            "plan": "free",
        }
        await connection.execute(sql("UPDATE users SET display_name = 'Ada'"))
        await connection.run_sync(migrate, root, ["0005"], "upgrade")
        assert await connection.run_sync(account) == {"email": "ada@example.com", "plan": "free"}
        await connection.run_sync(migrate, root, ["0005"], "downgrade")
        assert await connection.run_sync(account) == {
            "email": "ada@example.com",
            "display_name": None,
            "plan": "free",
        }
        await connection.run_sync(migrate, root, ["0004"], "downgrade")
        assert await connection.run_sync(describe) == before, "the table as 0001 created it"
        await connection.run_sync(migrate, root, ["0004", "0005"], "upgrade")


def test_account_migrations_on_sqlite(changed_accounts: Path, tmp_path: Path) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    async def scenario() -> None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
        try:
            await round_trip(engine, changed_accounts)
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_account_migrations_on_postgres(changed_accounts: Path) -> None:
    from sqlalchemy import text as sql
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    schema = f"accounts_{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        admin = create_async_engine(POSTGRES_URL)
        try:
            async with admin.begin() as connection:
                await connection.execute(sql(f'CREATE SCHEMA "{schema}"'))
        except (OSError, DBAPIError) as error:
            await admin.dispose()
            pytest.skip(f"PostgreSQL not reachable: {error}")
        engine = create_async_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
        try:
            await round_trip(engine, changed_accounts)
        finally:
            await engine.dispose()
            async with admin.begin() as connection:
                await connection.execute(sql(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()

    asyncio.run(scenario())
