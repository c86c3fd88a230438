"""`blueprintgen add resource` in a freshly generated project (fast: nothing installed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, Workspace


@pytest.fixture
def proj(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    result = ws.run("new", "project", "shop-api", "--no-git")
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(ws.root / "shop-api")
    ws.root = ws.root / "shop-api"
    return ws


def pkg(ws: Workspace) -> Path:
    return ws.root / "src/shop_api"


def test_slice_through_every_layer_and_recorded(proj: Workspace) -> None:
    result = proj.run(
        "add",
        "resource",
        "user_profile",
        "--field",
        "name:str",
        "--field",
        "email:email:unique",
        "--field",
        "age:int?",
        "--field",
        "role:enum[admin,member]=member",
    )
    assert result.exit_code == 0, result.output
    for relative in (
        "models/user_profile_model.py",
        "database/models/user_profile_db_model.py",
        "database/repositories/user_profile_repository.py",
        "services/user_profile_service.py",
        "routes/user_profile_routes.py",
        "tools/user_profile_tools.py",
    ):
        assert (pkg(proj) / relative).is_file(), relative
    assert list((proj.root / "alembic/versions").glob("0003_create_user_profiles.py"))
    assert (proj.root / "tests/integration/test_user_profile_api.py").is_file()
    routes = (pkg(proj) / "routes/user_profile_routes.py").read_text()
    assert '"/api/v1/user-profiles"' in routes
    recorded = yaml.safe_load((proj.root / "blueprintgen.yaml").read_text())["resources"]["user_profile"]
    assert recorded["fields"] == [
        "name:str",
        "email:email:unique",
        "age:int?",
        "role:enum[admin,member]=member",
    ]
    assert recorded["plural"] == "user_profiles"
    assert recorded["schema"] == [
        {"revision": "0003", "fields": recorded["fields"], "sort_indexes": True, "search_indexes": True}
    ]


def test_no_existing_file_is_edited(proj: Workspace) -> None:
    before = {k: v for k, v in proj.snapshot().items() if not k.startswith(".blueprintgen")}
    assert proj.run("add", "resource", "gadget").exit_code == 0
    after = proj.snapshot()
    edited = sorted(k for k, v in before.items() if after.get(k) != v)
    assert edited == ["blueprintgen.yaml"]


def test_default_fields_when_none_given(proj: Workspace) -> None:
    assert proj.run("add", "resource", "gadget").exit_code == 0
    model = (pkg(proj) / "models/gadget_model.py").read_text()
    assert "description" in model and "GadgetStatus" in model and "inactive" in model


@pytest.mark.parametrize("given", ["BlogPost", "blog_post", "blog-post", "blogPost"])
def test_name_forms_are_canonical(proj: Workspace, given: str) -> None:
    assert proj.run("add", "resource", given).exit_code == 0
    assert (pkg(proj) / "services/blog_post_service.py").is_file()
    assert "class BlogPostService" in (pkg(proj) / "services/blog_post_service.py").read_text()
    assert "blog_posts" in (proj.root / "alembic/versions/0003_create_blog_posts.py").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["class"], "keyword"),
        (["9lives"], "digit"),
        (["order", "--plural", "order"], "plural"),
        (["thing", "--plural", "select"], "SQL"),
        (["gadget", "--field", "age:integer"], "did you mean 'int'"),
        (["gadget", "--field", "id:int"], "id"),
        (["gadget", "--field", "owner:ref:nobody"], "nobody"),
        (["gadget", "--methods", "create,fly"], "--methods"),
    ],
)
def test_bad_names_and_fields_write_nothing(proj: Workspace, args: list[str], message: str) -> None:
    before = proj.snapshot()
    result = proj.run("add", "resource", *args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert message.lower() in result.stderr.lower(), result.stderr
    assert proj.snapshot() == before


def test_name_colliding_with_a_project_module_is_refused(proj: Workspace) -> None:
    before = proj.snapshot()
    result = proj.run("add", "resource", "health")
    assert result.exit_code == 1
    assert "belongs to" in result.stderr
    assert proj.snapshot() == before


def test_same_again_is_a_no_op_and_different_fields_need_replace(proj: Workspace) -> None:
    assert proj.run("add", "resource", "gadget", "--field", "name:str").exit_code == 0
    before = proj.snapshot()
    again = proj.run("add", "resource", "gadget", "--field", "name:str")
    assert again.exit_code == 0 and "nothing to do" in again.stdout
    assert proj.snapshot() == before
    changed = proj.run("add", "resource", "gadget", "--field", "name:str", "--field", "size:int=1")
    assert changed.exit_code == 1
    assert "already exists with other fields" in changed.stderr and "+    size" in changed.stdout
    assert "--replace" in changed.stderr
    assert proj.snapshot() == before
    required = proj.run(
        "add", "resource", "gadget", "--field", "name:str", "--field", "size:int", "--replace"
    )
    assert required.exit_code == 2 and "needs a value for the rows" in required.stderr
    replaced = proj.run(
        "add", "resource", "gadget", "--field", "name:str", "--field", "size:int=1", "--replace"
    )
    assert replaced.exit_code == 0, replaced.output
    assert "size" in (pkg(proj) / "models/gadget_model.py").read_text()
    alter = (proj.root / "alembic/versions/0004_alter_gadgets.py").read_text()
    assert 'batch.add_column(sa.Column("size",sa.Integer(),nullable=False,server_default="1"))' in "".join(
        alter.split()
    )
    assert (proj.root / "alembic/versions/0003_create_gadgets.py").read_text() == before[
        "alembic/versions/0003_create_gadgets.py"
    ].decode()


def test_replace_merges_your_edits_and_force_overwrites_them(proj: Workspace) -> None:
    assert proj.run("add", "resource", "gadget", "--field", "name:str").exit_code == 0
    service = pkg(proj) / "services/gadget_service.py"
    service.write_text(service.read_text() + "\n\nMY_LIMIT = 10  # mine\n")
    replaced = proj.run(
        "add", "resource", "gadget", "--field", "name:str", "--field", "size:int?", "--replace"
    )
    assert replaced.exit_code == 0, replaced.output
    assert "MY_LIMIT = 10  # mine" in service.read_text(), "an edit survives a change of fields"
    assert "size" in (pkg(proj) / "models/gadget_model.py").read_text()
    assert proj.run("validate", "--check-all").exit_code == 0
    forced = proj.run(
        "add",
        "resource",
        "gadget",
        "--field",
        "name:str",
        "--field",
        "size:int?",
        "--field",
        "tag:str?",
        "--force",
    )
    assert forced.exit_code == 0, forced.output
    assert "MY_LIMIT" not in service.read_text(), "--force overwrites, as everywhere"


def test_options_methods_no_auth_plural_and_manager(proj: Workspace) -> None:
    result = proj.run(
        "add", "resource", "person", "--methods", "create,read,list", "--no-auth", "--mcp-style", "manager"
    )
    assert result.exit_code == 0, result.output
    routes = (pkg(proj) / "routes/person_routes.py").read_text()
    assert "/api/v1/people" in routes
    assert "delete" not in routes.lower().split('"""', 2)[-1] or "@router.delete" not in routes
    assert "get_current_user" not in routes
    tools = (pkg(proj) / "tools/person_tools.py").read_text()
    assert "person_manager" in tools
    assert proj.run("add", "resource", "status_code", "--plural", "status_codes").exit_code == 0


def test_spec_file_adds_several_with_references(proj: Workspace) -> None:
    result = proj.run("add", "resource", "--spec", str(REPO / "examples/blog.yaml"))
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((proj.root / "blueprintgen.yaml").read_text())
    assert list(data["resources"]) == ["author", "post", "comment"]
    assert [data["resources"][r]["schema"][0]["revision"] for r in ("author", "post", "comment")] == [
        "0003",
        "0004",
        "0005",
    ]
    post_migration = (proj.root / "alembic/versions/0004_create_posts.py").read_text()
    assert 'down_revision: str | None = "0003"' in post_migration
    assert "authors.id" in post_migration
    assert proj.run("validate", "--check-all").exit_code == 0


def test_dry_run_and_diff(proj: Workspace) -> None:
    before = proj.snapshot()
    result = proj.run("add", "resource", "gadget", "--dry-run", "--diff")
    assert result.exit_code == 0
    assert "+++ b/src/shop_api/services/gadget_service.py" in result.stdout
    assert proj.snapshot() == before


def test_the_design_cards_own_example_user(proj: Workspace) -> None:
    before_tables = (pkg(proj) / "database/models/user_db_model.py").read_text()
    result = proj.run("add", "resource", "user")
    assert result.exit_code == 0, result.output
    assert (pkg(proj) / "database/models/user_db_model.py").read_text() == before_tables, (
        "no second users table"
    )
    assert not list((proj.root / "alembic/versions").glob("*_create_users.py"))[1:]
    assert any("user" in p.name for p in (pkg(proj) / "tools").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("spec", ["active:bool:unique", "kind:enum[a,b]:unique"])
def test_unique_on_two_valued_types_is_refused(proj: Workspace, spec: str) -> None:
    result = proj.run("add", "resource", "gadget", "--field", spec)
    assert result.exit_code != 0 and "cannot be unique" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "message", "where"),
    [
        (
            "    mcp_style: tools",
            "    mcp_style: banana",
            "resource 'gadget', mcp_style:",
            "mcp_style: banana",
        ),
        ("  db: sqlite", "  db: oracle", "project option 'db'", "db: oracle"),
        (
            "    auth_required: true",
            "    auth_required: sometimes",
            "resource 'gadget', auth_required",
            "sometimes",
        ),
    ],
)
@pytest.mark.parametrize(
    "command", [["upgrade", "--yes"], ["validate", "--check-all"], ["add", "resource", "gizmo"]]
)
def test_a_bad_option_in_the_project_file_is_reported_there(
    proj: Workspace, old: str, new: str, message: str, where: str, command: list[str]
) -> None:
    assert proj.run("add", "resource", "gadget", "--field", "name:str").exit_code == 0
    project_file = proj.root / "blueprintgen.yaml"
    text = project_file.read_text()
    assert old in text
    project_file.write_text(text.replace(old, new, 1))
    line = next(
        number for number, content in enumerate(project_file.read_text().splitlines(), 1) if content == new
    )
    before = proj.snapshot()
    result = proj.run(*command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert (
        f"blueprintgen.yaml:{line}" in result.stderr and message in result.stderr and where in result.stderr
    )
    assert proj.snapshot() == before


def test_a_resource_that_exists_keeps_its_fields_without_field(proj: Workspace) -> None:
    assert (
        proj.run("add", "resource", "gadget", "--field", "size:int", "--field", "label:str?").exit_code == 0
    )
    before = proj.snapshot()
    again = proj.run("add", "resource", "gadget")
    assert again.exit_code == 0 and "nothing to do" in again.stdout, again.output
    assert proj.snapshot() == before
    fewer = proj.run("add", "resource", "gadget", "--methods", "create,read", "--replace")
    assert fewer.exit_code == 0, fewer.output
    recorded = yaml.safe_load((proj.root / "blueprintgen.yaml").read_text())["resources"]["gadget"]
    assert recorded["fields"] == ["size:int", "label:str?"]
    assert recorded["methods"] == ["create", "read"]


def test_resources_added_after_the_account_slice_can_be_changed(proj: Workspace) -> None:
    """The admin slice's migration names no resource in its parameters; it still counts as
    the account resource's, so later migrations and changes are not refused."""
    for args in (
        ("author", "--field", "name:str"),
        ("user",),
        ("post", "--field", "title:str", "--field", "author:ref:author"),
        ("author", "--field", "name:str", "--field", "age:int=0", "--replace"),
    ):
        result = proj.run("add", "resource", *args, "--yes")
        assert result.exit_code == 0, result.output
    assert (proj.root / "alembic/versions/0006_alter_authors.py").is_file()
    result = proj.run("validate", "--check-all")
    assert result.exit_code == 0, result.output


def test_long_names_and_a_replace_give_code_its_own_ruff_accepts(proj: Workspace) -> None:
    """Names at the length limit, and a --replace migration (no unused import in it)."""
    import subprocess
    import sys

    name = "inventory_reservation_entry_line_item_x"
    fields = [
        "--field",
        "extraordinarily_long_descriptive_name_ab:str",
        "--field",
        "status_of_the_reservation_entry_line_a:enum[pending_confirmation_by_warehouse,confirmed]",
        "--field",
        "when_the_reservation_entry_was_made_ab:datetime?",
    ]
    assert proj.run("add", "resource", name, *fields, "--yes").exit_code == 0
    replaced = proj.run("add", "resource", name, *fields[:2], "--field", "x:bool=false", "--replace", "--yes")
    assert replaced.exit_code == 0, replaced.output
    ruff = [sys.executable, "-m", "ruff"]
    for command in ([*ruff, "check", "."], [*ruff, "format", "--check", "."]):
        result = subprocess.run(command, cwd=proj.root, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
