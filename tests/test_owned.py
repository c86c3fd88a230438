"""Owned resources (issue 15, point 3): `--owned`, `owned: true` in the project file and in
spec files. Each row belongs to the user who created it; other users cannot reach it.

Driven through the CLI in a freshly generated project (nothing installed); the generated
suite (tests/integration/test_<resource>_owned.py) proves a second user gets 404 on the
first one's rows over REST and MCP, and tests/e2e runs it.
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


def source(ws: Workspace, relative: str) -> str:
    return (ws.root / relative).read_text()


def test_owned_goes_through_every_layer(proj: Workspace) -> None:
    result = proj.run("add", "resource", "note", "--field", "title:str", "--owned")
    assert result.exit_code == 0, result.output
    assert recorded(proj, "note")["owned"] is True

    table = source(proj, "src/shop_api/database/models/note_db_model.py")
    assert 'owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))' in table
    assert 'Index("ix_notes_created_at_keyset", "owner_id", "created_at", "id")' in table, (
        "an owner's list page is an index range scan"
    )
    migration = source(proj, "alembic/versions/0003_create_notes.py")
    assert 'sa.Column("owner_id", sa.Integer(), nullable=False)' in migration
    assert 'name=op.f("fk_notes_owner_id_users")' in migration
    assert '["owner_id", "title", "id"]' in migration
    models = source(proj, "src/shop_api/models/note_model.py")
    create_model = models.split("class NoteCreate", 1)[1].split("class NoteRead", 1)[0]
    assert "owner_id" not in create_model, "never taken from the client"
    assert "owner_id: int" in models.split("class NoteRead", 1)[1].split("class NotePage", 1)[0]
    repository = source(proj, "src/shop_api/database/repositories/note_repository.py")
    assert "def _owned_by(" in repository
    assert "async def get(self, note_id: int, *, owner_id: int | None)" in repository
    service = source(proj, "src/shop_api/services/note_service.py")
    assert "caller: UserRead | None" in service
    assert "scope" in service.split("async def list_notes", 1)[1].split("filters =", 1)[0], (
        "the caller's scope is part of the list cache key"
    )
    routes = source(proj, "src/shop_api/routes/note_routes.py")
    assert "caller: CurrentUser" in routes
    tools = source(proj, "src/shop_api/tools/note_tools.py")
    assert "calling_user()" in tools
    owned_tests = source(proj, "tests/integration/test_note_owned.py")
    assert "def test_another_user_cannot_reach_a_note(" in owned_tests
    assert "def test_another_user_cannot_reach_a_note_over_mcp(" in owned_tests
    assert "def test_an_administrator_reaches_every_note(" in owned_tests

    listing = json.loads(proj.run("resources", "--json").stdout)
    (entry,) = [item for item in listing["resources"] if item["name"] == "note"]
    assert entry["owned"] is True
    assert "owned rows" in proj.run("resources").stdout
    assert proj.run("validate", "--check-all").exit_code == 0


def test_a_resource_not_owned_is_unchanged(proj: Workspace) -> None:
    assert proj.run("add", "resource", "tag", "--field", "label:str").exit_code == 0
    assert "owned" not in recorded(proj, "tag")
    assert "owner_id" not in source(proj, "src/shop_api/database/models/tag_db_model.py")
    assert "UserRead" not in source(proj, "src/shop_api/services/tag_service.py")
    assert not (proj.root / "tests/integration/test_tag_owned.py").exists()


def test_references_to_owned_rows_are_checked_in_the_callers_scope(proj: Workspace) -> None:
    assert proj.run("add", "resource", "folder", "--field", "name:str", "--owned").exit_code == 0
    result = proj.run("add", "resource", "label", "--field", "name:str", "--field", "folder:ref:folder")
    assert result.exit_code == 0, result.output
    repository = source(proj, "src/shop_api/database/repositories/label_repository.py")
    assert "async def folder_exists(self, folder_id: int, *, owner_id: int | None)" in repository
    service = source(proj, "src/shop_api/services/label_service.py")
    assert "folder_exists(\n            data.folder_id, owner_id=self._owner_id" in service
    assert "owner_id" not in source(proj, "src/shop_api/database/models/label_db_model.py")
    scope_tests = source(proj, "tests/integration/test_label_owned.py")
    assert "def test_folder_of_another_user_is_not_found(" in scope_tests
    assert "def test_another_user_cannot_reach" not in scope_tests, "labels themselves are not owned"


def test_dry_run_writes_nothing(proj: Workspace) -> None:
    before = proj.snapshot()
    result = proj.run("add", "resource", "note", "--field", "title:str", "--owned", "--dry-run", "--diff")
    assert result.exit_code == 0, result.output
    assert "owner_id" in result.output
    assert proj.snapshot() == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["user", "--owned"], "--owned is not available for `user`"),
        (["note", "--field", "title:str", "--owned", "--no-auth"], "--owned needs authentication"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(proj: Workspace, args: list[str], words: str) -> None:
    before = proj.snapshot()
    result = proj.run("add", "resource", *args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert words in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert proj.snapshot() == before


def test_spec_files_take_owned(proj: Workspace) -> None:
    spec = proj.root / "spec.yaml"
    spec.write_text(
        "resources:\n"
        "  folder:\n    fields: [name:str]\n    owned: true\n"
        "  page:\n    fields: [title:str, folder:ref:folder]\n"
    )
    result = proj.run("add", "resource", "--spec", str(spec))
    assert result.exit_code == 0, result.output
    assert recorded(proj, "folder")["owned"] is True
    assert "owned" not in recorded(proj, "page")
    assert "owner_id=self._owner_id" in source(proj, "src/shop_api/services/page_service.py")
    spec.write_text("resources:\n  memo:\n    fields: [body:str]\n    owned: 'yes'\n")
    before = proj.snapshot()
    result = proj.run("add", "resource", "--spec", str(spec))
    assert result.exit_code != 0
    assert "'owned' must be true or false" in " ".join(result.output.split())
    assert proj.snapshot() == before


def test_the_project_file_round_trip(proj: Workspace) -> None:
    """`owned: true` written by hand for a new resource is generated by `upgrade`; the
    project file keeps it (and the user's comment), and a regeneration changes nothing."""
    path = proj.root / "blueprintgen.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "resources: {}\n", "resources:\n  memo:\n    fields: [body:str]\n    owned: true  # mine\n"
        )
    )
    result = proj.run("upgrade", "--yes")
    assert result.exit_code == 0, result.output
    assert "# mine" in path.read_text()
    assert recorded(proj, "memo")["owned"] is True
    assert "owner_id" in source(proj, "src/shop_api/database/models/memo_db_model.py")
    assert (proj.root / "tests/integration/test_memo_owned.py").is_file()
    before = proj.snapshot()
    assert proj.run("upgrade", "--yes").exit_code == 0
    assert proj.snapshot() == before
    assert proj.run("validate", "--check-all").exit_code == 0, "no drift"


@pytest.mark.parametrize(("first", "then"), [([], "true"), (["--owned"], "false")])
def test_turning_owned_on_or_off_after_the_table_exists_is_refused(
    proj: Workspace, first: list[str], then: str
) -> None:
    assert proj.run("add", "resource", "memo", "--field", "body:str", *first).exit_code == 0
    path = proj.root / "blueprintgen.yaml"
    text = path.read_text()
    edited = (
        text.replace("    mcp_style: tools\n", "    mcp_style: tools\n    owned: true\n", 1)
        if then == "true"
        else text.replace("    owned: true\n", "    owned: false\n", 1)
    )
    assert edited != text
    path.write_text(edited)
    before = proj.snapshot()
    result = proj.run("upgrade", "--yes")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    message = " ".join(result.output.split())
    assert "blueprintgen.yaml" in message and "`owned` cannot be turned" in message
    assert proj.snapshot() == before
    # the same change through the CLI
    path.write_text(text)
    args = [] if then == "false" else ["--owned"]
    result = proj.run("add", "resource", "memo", "--field", "body:str", *args, "--replace")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "`owned` cannot be turned" in " ".join(result.output.split())


def test_owned_with_no_auth_in_the_project_file_is_refused_at_its_line(proj: Workspace) -> None:
    path = proj.root / "blueprintgen.yaml"
    text = path.read_text().replace(
        "resources: {}\n",
        "resources:\n  memo:\n    fields: [body:str]\n    auth_required: false\n    owned: true\n",
    )
    path.write_text(text)
    line = text.splitlines().index("    owned: true") + 1
    before = proj.snapshot()
    result = proj.run("upgrade", "--yes")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    message = " ".join(result.output.split())
    assert f"blueprintgen.yaml:{line}" in message and "needs authentication" in message
    assert proj.snapshot() == before


def test_removing_an_owned_resource_drops_its_table_as_it_was(proj: Workspace) -> None:
    assert proj.run("add", "resource", "memo", "--field", "body:str", "--owned").exit_code == 0
    result = proj.run("remove", "resource", "memo", "--yes")
    assert result.exit_code == 0, result.output
    removed = yaml.safe_load((proj.root / "blueprintgen.yaml").read_text())["removed"]["memo"]
    assert removed["owned"] is True
    (drop,) = (proj.root / "alembic/versions").glob("*_drop_memos.py")
    text = drop.read_text()
    assert 'sa.Column("owner_id", sa.Integer(), nullable=False)' in text, "the downgrade recreates it"
    assert '["owner_id", "body", "id"]' in text
    assert (proj.root / "alembic/versions/0003_create_memos.py").is_file()
    assert proj.run("validate", "--check-all").exit_code == 0


def test_a_public_resource_cannot_refer_to_owned_rows(proj: Workspace) -> None:
    assert proj.run("add", "resource", "folder", "--field", "name:str", "--owned").exit_code == 0
    before = proj.snapshot()
    result = proj.run("add", "resource", "link", "--field", "folder:ref:folder", "--no-auth")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "refers to the owned resource 'folder'" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert proj.snapshot() == before
