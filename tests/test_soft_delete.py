"""Soft delete as a resource option (issue 15, point 6): `--soft-delete`, `soft_delete:` in
the project file and in spec files, through every layer: the table's `deleted_at` and its
partial unique indexes, the repository's live-rows clause and restore, the restore route
and tool, the administrators' list of deleted rows, the generated tests, the migrations
that turn it on or off for a table that exists.

Driven through the CLI in a freshly generated project (nothing installed); the generated
suite (tests/integration/test_<resource>_soft_delete.py) proves the behaviour.
"""

from __future__ import annotations

import json

import pytest
import yaml

from blueprintgen.errors import ExitCode
from tests.conftest import Workspace


@pytest.fixture
def proj(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    result = ws.run("new", "project", "shop-api", "--no-git")
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(ws.root / "shop-api")
    ws.root = ws.root / "shop-api"
    return ws


def recorded(ws: Workspace, resource: str) -> dict[str, object]:
    return yaml.safe_load((ws.root / "blueprintgen.yaml").read_text())["resources"][resource]


def text(ws: Workspace, relative: str) -> str:
    return (ws.root / relative).read_text()


def migration(ws: Workspace, pattern: str) -> str:
    (path,) = sorted((ws.root / "alembic/versions").glob(pattern))
    return path.read_text()


def flat(source: str) -> str:
    """Source with its whitespace collapsed (the formatter wraps long calls)."""
    return " ".join(source.replace("(\n", "(").split()).replace("( ", "(").replace(", )", ")")


def add_article(ws: Workspace, *extra: str) -> None:
    result = ws.run(
        "add", "resource", "article", "--field", "slug:str:unique", "--field", "title:str", *extra
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_soft_delete_through_every_layer(proj: Workspace) -> None:
    add_article(proj, "--soft-delete")

    entry = recorded(proj, "article")
    assert entry["soft_delete"] is True
    assert entry["schema"] == [
        {
            "revision": "0003",
            "fields": ["slug:str:unique", "title:str"],
            "sort_indexes": True,
            "search_indexes": True,
            "soft_delete": True,
        }
    ]
    create = flat(migration(proj, "0003_create_articles.py"))
    assert 'sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True)' in create
    assert "UniqueConstraint" not in create, "unique among live rows: a partial index instead"
    assert (
        'op.f("uq_articles_slug"), "articles", ["slug"], unique=True, sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL")'
        in create
    )
    assert 'op.drop_index(op.f("uq_articles_slug"), table_name="articles")' in create
    table = flat(text(proj, "src/shop_api/database/models/article_db_model.py"))
    assert "deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)" in table
    assert 'Index("uq_articles_slug", "slug", unique=True, sqlite_where=text("deleted_at IS NULL")' in table
    assert "unique=True)" not in table.split("id: Mapped[int]")[1], "the column itself is not unique"
    repository = text(proj, "src/shop_api/database/repositories/article_repository.py")
    assert "row.deleted_at = utc_now()" in repository and "session.delete" not in repository
    assert "async def restore(self, article_id: int)" in repository
    assert ".where(_visible(deleted))" in repository
    service = text(proj, "src/shop_api/services/article_service.py")
    assert "async def restore_article(" in service and "raise ConflictError(" in service
    routes = flat(text(proj, "src/shop_api/routes/article_routes.py"))
    assert '"/{article_id}/restore"' in routes and "await require_admin(principal)" in routes
    tools = text(proj, "src/shop_api/tools/article_tools.py")
    assert "async def restore_article(" in tools and "_require_administrator()" in tools
    restore_hints = flat(tools).split("async def restore_article")[0].rsplit("@server.tool", 1)[1]
    assert "read_only_hint=False, destructive_hint=False, idempotent_hint=True" in restore_hints
    model = text(proj, "src/shop_api/models/article_model.py")
    assert 'deleted: Literal["only", "include"] | None' in model
    suite = text(proj, "tests/integration/test_article_soft_delete.py")
    for test in (
        "test_a_deleted_article_is_missing_until_restored",
        "test_a_deleted_articles_slug_can_be_taken_again",
        "test_a_article_deleted_over_mcp_is_missing",
    ):
        assert f"def {test}(" in suite
    assert "restore_article" in text(proj, "tests/integration/test_article_mcp.py")
    assert "--soft-delete" in text(proj, "README.md")

    listing = json.loads(proj.run("resources", "--json").stdout)
    (item,) = [item for item in listing["resources"] if item["name"] == "article"]
    assert item["soft_delete"] is True
    assert "soft delete" in proj.run("resources").stdout
    assert proj.run("validate", "--check-all").exit_code == 0


def test_without_the_option_nothing_changes(proj: Workspace) -> None:
    add_article(proj)
    assert "soft_delete" not in recorded(proj, "article")
    assert "deleted_at" not in text(proj, "src/shop_api/database/models/article_db_model.py")
    assert "restore" not in text(proj, "src/shop_api/routes/article_routes.py")
    assert not (proj.root / "tests/integration/test_article_soft_delete.py").exists()


def test_dry_run_writes_nothing(proj: Workspace) -> None:
    before = proj.snapshot()
    result = proj.run(
        "add", "resource", "article", "--field", "slug:str:unique", "--soft-delete", "--dry-run", "--diff"
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "deleted_at" in result.output
    assert proj.snapshot() == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["article", "--field", "title:str", "--methods", "list,read"],
            "soft_delete needs the delete method",
        ),
        (["article", "--field", "title:str", "--no-auth"], "soft_delete needs auth"),
        (["user"], "soft_delete is not available for `user`"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(proj: Workspace, args: list[str], words: str) -> None:
    before = proj.snapshot()
    result = proj.run("add", "resource", *args, "--soft-delete")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert words in " ".join(result.output.split())
    assert "nothing was written" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert proj.snapshot() == before


def test_turning_it_on_and_off_for_a_table_that_exists(proj: Workspace) -> None:
    add_article(proj)
    result = proj.run("add", "resource", "comment", "--field", "body:str", "--field", "article:ref:article")
    assert result.exit_code == 0, result.output
    before = proj.snapshot()
    refused = proj.run(
        "add", "resource", "article", "--field", "slug:str:unique", "--field", "title:str", "--soft-delete"
    )  # fmt: skip
    assert refused.exit_code != 0, "another option: --replace needed"
    assert proj.snapshot() == before

    add_article(proj, "--soft-delete", "--replace")
    assert recorded(proj, "article")["schema"][-1] == {
        "revision": "0005",
        "fields": ["slug:str:unique", "title:str"],
        "soft_delete": True,
    }
    on = flat(migration(proj, "0005_alter_articles.py"))
    assert "Change the articles table: soft delete on." in on
    upgrade, downgrade = on.split("def downgrade")
    assert 'batch.add_column(sa.Column("deleted_at"' in upgrade
    assert 'batch.drop_constraint(op.f("uq_articles_slug"), type_="unique")' in upgrade
    assert 'batch.create_index(op.f("uq_articles_slug"), ["slug"], unique=True, sqlite_where=' in upgrade
    assert 'op.execute(sa.text("DELETE FROM articles WHERE deleted_at IS NOT NULL"))' in downgrade
    assert 'batch.create_unique_constraint(op.f("uq_articles_slug"), ["slug"])' in downgrade
    assert 'batch.drop_column("deleted_at")' in downgrade
    # The comments refer to articles: a reference to a deleted one is refused like a missing one.
    comments = text(proj, "src/shop_api/database/repositories/comment_repository.py")
    assert "row is not None and row.deleted_at is None" in comments
    assert proj.run("validate", "--check-all").exit_code == 0

    add_article(proj, "--replace")  # and off again: deletes delete
    assert "soft_delete" not in recorded(proj, "article")
    off = flat(migration(proj, "0006_alter_articles.py"))
    upgrade, downgrade = off.split("def downgrade")
    assert 'op.execute(sa.text("DELETE FROM articles WHERE deleted_at IS NOT NULL"))' in upgrade
    assert 'batch.drop_column("deleted_at")' in upgrade
    assert 'batch.create_unique_constraint(op.f("uq_articles_slug"), ["slug"])' in upgrade
    assert "restore" not in text(proj, "src/shop_api/routes/article_routes.py")
    assert "deleted_at" not in text(proj, "src/shop_api/database/repositories/comment_repository.py")
    assert not (proj.root / "tests/integration/test_article_soft_delete.py").exists()
    assert proj.run("validate", "--check-all").exit_code == 0


def test_a_later_field_of_a_soft_deleted_table_is_unique_among_live_rows(proj: Workspace) -> None:
    add_article(proj, "--soft-delete")
    result = proj.run(
        "add", "resource", "article", "--field", "slug:str:unique", "--field", "title:str",
        "--field", "code:str?:unique", "--soft-delete", "--replace",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    change = flat(migration(proj, "0004_alter_articles.py"))
    assert 'batch.create_index(op.f("uq_articles_code"), ["code"], unique=True, sqlite_where=' in change
    assert "create_unique_constraint" not in change


def test_the_project_file_and_spec_files_take_soft_delete(proj: Workspace) -> None:
    spec = proj.root / "spec.yaml"
    spec.write_text("resources:\n  article:\n    fields: [slug:str:unique]\n    soft_delete: true\n")
    result = proj.run("add", "resource", "--spec", str(spec))
    assert result.exit_code == 0, result.output
    assert recorded(proj, "article")["soft_delete"] is True
    assert "async def restore_article(" in text(proj, "src/shop_api/routes/article_routes.py")

    path = proj.root / "blueprintgen.yaml"
    edited = path.read_text().replace("    - delete\n", "", 1)
    path.write_text(edited)
    line = edited.splitlines().index("    soft_delete: true") + 1
    before = proj.snapshot()
    result = proj.run("upgrade", "--yes")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    message = " ".join(result.output.split())
    assert "blueprintgen.yaml" in message and f":{line}" in message
    assert "soft_delete needs the delete method" in message
    assert proj.snapshot() == before


def test_removing_a_soft_deleted_resource_drops_its_table_as_it_was(proj: Workspace) -> None:
    add_article(proj, "--soft-delete")
    result = proj.run("remove", "resource", "article", "--yes")
    assert result.exit_code == 0, result.output
    drop = flat(migration(proj, "0004_drop_articles.py"))
    upgrade, downgrade = drop.split("def downgrade")
    assert 'op.drop_index(op.f("uq_articles_slug"), table_name="articles")' in upgrade
    assert 'sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True)' in downgrade
    assert "sqlite_where" in downgrade


def test_spec_soft_delete_must_be_a_boolean(proj: Workspace) -> None:
    spec = proj.root / "spec.yaml"
    spec.write_text("resources:\n  article:\n    fields: [slug:str]\n    soft_delete: sometimes\n")
    before = proj.snapshot()
    result = proj.run("add", "resource", "--spec", str(spec))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "'soft_delete' must be true or false" in result.output
    assert proj.snapshot() == before


def test_an_entry_deleted_by_hand_is_dropped_as_its_migrations_left_it(proj: Workspace) -> None:
    add_article(proj, "--soft-delete")
    path = proj.root / "blueprintgen.yaml"
    data = yaml.safe_load(path.read_text())
    del data["resources"]["article"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = proj.run("upgrade", "--yes")
    assert result.exit_code == 0, result.output
    removed = yaml.safe_load(path.read_text())["removed"]["article"]
    assert removed["schema"][0]["soft_delete"] is True, "the manifest's record of the create migration"
    downgrade = flat(migration(proj, "0004_drop_articles.py")).split("def downgrade")[1]
    assert 'sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True)' in downgrade


def test_blueprintgens_mcp_server_takes_soft_delete(proj: Workspace) -> None:
    import anyio

    from tests.test_mcp_server import stdio

    async def body() -> None:
        async with stdio(proj.root) as session:
            added = await session.call(
                "add_resource", name="article", fields=["slug:str:unique"], soft_delete=True
            )
            assert any(path.endswith("test_article_soft_delete.py") for path in added["written"])
            described = await session.call("describe_project")
            (article,) = [r for r in described["resources"] if r["name"] == "article"]
            assert article["soft_delete"] is True

    anyio.run(body)
    assert recorded(proj, "article")["soft_delete"] is True


def test_a_reference_to_a_deleted_row_is_refused_and_tested(proj: Workspace) -> None:
    assert proj.run("add", "resource", "author", "--field", "name:str", "--soft-delete").exit_code == 0
    add = proj.run(
        "add", "resource", "post", "--field", "title:str", "--field", "author:ref:author", "--soft-delete"
    )
    assert add.exit_code == 0, add.output
    assert "row is not None and row.deleted_at is None" in text(
        proj, "src/shop_api/database/repositories/post_repository.py"
    )
    suite = text(proj, "tests/integration/test_post_soft_delete.py")
    assert "def test_a_reference_to_a_deleted_author_is_refused(" in suite


def test_turning_it_on_merges_the_users_edits(proj: Workspace) -> None:
    add_article(proj)
    routes = proj.root / "src/shop_api/routes/article_routes.py"
    edited = routes.read_text().replace(
        '"""REST endpoints for articles."""', '"""REST endpoints for articles (ours)."""'
    )
    routes.write_text(edited)
    add_article(proj, "--soft-delete", "--replace")
    merged = routes.read_text()
    assert '"""REST endpoints for articles (ours)."""' in merged, "the edit is kept"
    assert "async def restore_article(" in merged, "and the restore route added"
    assert proj.run("validate", "--check-all").exit_code == 0
