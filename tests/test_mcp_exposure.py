"""Which methods of a resource are MCP tools: `--no-mcp`, `--mcp-methods`, `mcp:` in the
project file and in spec files, independently of the REST methods (issue 16, point 5).

Driven through the CLI in a freshly generated project (nothing installed); the generated
suite proves the tools it lists (tests/e2e runs it on a project with a REST-only resource).
"""

from __future__ import annotations

import json
from pathlib import Path

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


def tools_file(ws: Workspace, resource: str) -> Path:
    return ws.root / f"src/shop_api/tools/{resource}_tools.py"


def recorded(ws: Workspace, resource: str) -> dict[str, object]:
    return yaml.safe_load((ws.root / "blueprintgen.yaml").read_text())["resources"][resource]


def tool_functions(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("async def ") and "service" not in stripped:
            name = stripped.split("(")[0].removeprefix("async def ")
            if not name.endswith("_resource"):  # the MCP resources' readers
                names.add(name)
    return names


def test_no_mcp_serves_rest_only(proj: Workspace) -> None:
    result = proj.run("add", "resource", "audit_entry", "--field", "action:str", "--no-mcp")
    assert result.exit_code == 0, result.output
    assert not tools_file(proj, "audit_entry").exists()
    assert not (proj.root / "tests/integration/test_audit_entry_mcp.py").exists()
    assert (proj.root / "src/shop_api/routes/audit_entry_routes.py").is_file()
    assert recorded(proj, "audit_entry")["mcp"] is False
    api_tests = (proj.root / "tests/integration/test_audit_entry_api.py").read_text()
    assert "def test_audit_entries_are_not_served_over_mcp" in api_tests
    listing = json.loads(proj.run("resources", "--json").stdout)
    (entry,) = [item for item in listing["resources"] if item["name"] == "audit_entry"]
    assert entry["mcp_methods"] == []
    assert entry["methods"] == ["create", "list", "read", "update", "delete"]
    assert "REST only" in proj.run("resources").stdout
    assert proj.run("validate", "--check-all").exit_code == 0


def test_mcp_methods_expose_a_subset(proj: Workspace) -> None:
    result = proj.run("add", "resource", "invoice", "--field", "total:decimal", "--mcp-methods", "read,list")
    assert result.exit_code == 0, result.output
    assert tool_functions(tools_file(proj, "invoice")) == {"list_invoices", "get_invoice"}
    tools = tools_file(proj, "invoice").read_text()
    assert '"invoice://{invoice_id}"' in tools and '"invoice://list"' in tools, "rows as MCP resources too"
    assert recorded(proj, "invoice")["mcp"] == ["list", "read"]
    routes = (proj.root / "src/shop_api/routes/invoice_routes.py").read_text()
    assert "@router.delete" in routes, "REST keeps every method"
    mcp_tests = (proj.root / "tests/integration/test_invoice_mcp.py").read_text()
    assert (
        'TOOLS = {"list_invoices", "get_invoice"}' in mcp_tests
        or 'TOOLS = {"get_invoice", "list_invoices"}' in (mcp_tests)
    )
    assert "delete_invoice" not in mcp_tests.split("== TOOLS")[1]


def test_manager_style_takes_only_the_exposed_actions(proj: Workspace) -> None:
    result = proj.run(
        "add",
        "resource",
        "note",
        "--field",
        "body:text",
        "--mcp-style",
        "manager",
        "--mcp-methods",
        "list,create",
    )
    assert result.exit_code == 0, result.output
    tools = tools_file(proj, "note").read_text()
    assert 'Literal["create", "list"]' in tools.replace("'", '"') or '"create", "list"' in tools
    assert "delete" not in tools.split("async def note_manager", 1)[1].split("\n\n\n", 1)[0].lower()


def test_every_method_is_the_default_and_is_not_written(proj: Workspace) -> None:
    assert proj.run("add", "resource", "tag", "--field", "label:str").exit_code == 0
    assert "mcp" not in recorded(proj, "tag")
    assert tool_functions(tools_file(proj, "tag")) == {
        "create_tag",
        "list_tags",
        "get_tag",
        "update_tag",
        "delete_tag",
    }


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--methods", "list,read", "--mcp-methods", "delete"], "not among the resource's methods"),
        (["--mcp-methods", "list,erase"], "--mcp-methods takes a comma-separated subset"),
        (["--no-mcp", "--mcp-methods", "list"], "--no-mcp or --mcp-methods, not both"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(proj: Workspace, args: list[str], words: str) -> None:
    before = proj.snapshot()
    result = proj.run("add", "resource", "invoice", "--field", "total:decimal", *args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert words in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert proj.snapshot() == before


def test_editing_mcp_in_the_project_file_and_upgrading(proj: Workspace) -> None:
    assert proj.run("add", "resource", "invoice", "--field", "total:decimal").exit_code == 0
    text = (proj.root / "blueprintgen.yaml").read_text()
    edited = text.replace(
        "    mcp_style: tools\n", "    mcp_style: tools\n    mcp: false  # REST only for now\n", 1
    )
    assert edited != text
    (proj.root / "blueprintgen.yaml").write_text(edited)
    result = proj.run("upgrade", "--yes")
    assert result.exit_code == 0, result.output
    assert not tools_file(proj, "invoice").exists(), "its tools module goes with the exposure"
    assert not (proj.root / "tests/integration/test_invoice_mcp.py").exists()
    assert "# REST only for now" in (proj.root / "blueprintgen.yaml").read_text(), "the user's comment stays"
    assert proj.run("validate", "--check-all").exit_code == 0
    # and back: a subset
    text = (proj.root / "blueprintgen.yaml").read_text().replace("mcp: false", "mcp: [read]")
    (proj.root / "blueprintgen.yaml").write_text(text)
    assert proj.run("upgrade", "--yes").exit_code == 0
    assert tool_functions(tools_file(proj, "invoice")) == {"get_invoice"}
    tools = tools_file(proj, "invoice").read_text()
    assert '"invoice://{invoice_id}"' in tools and "invoice://list" not in tools, "no list: no list resource"


def test_a_method_rest_does_not_have_is_refused_at_its_line(proj: Workspace) -> None:
    assert (
        proj.run("add", "resource", "invoice", "--field", "total:decimal", "--methods", "list,read").exit_code
        == 0
    )
    path = proj.root / "blueprintgen.yaml"
    text = path.read_text().replace(
        "    mcp_style: tools\n", "    mcp_style: tools\n    mcp: [read, delete]\n", 1
    )
    path.write_text(text)
    line = text.splitlines().index("    mcp: [read, delete]") + 1
    before = proj.snapshot()
    result = proj.run("upgrade", "--yes")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    message = " ".join(result.output.split())
    assert "blueprintgen.yaml" in message
    assert f":{line}" in message
    assert "'delete'" in message and "not among the resource's methods" in message
    assert "Traceback" not in result.output
    assert proj.snapshot() == before


def test_spec_files_take_mcp(proj: Workspace) -> None:
    spec = proj.root / "spec.yaml"
    spec.write_text(
        "resources:\n"
        "  author:\n    fields: [name:str]\n    mcp: false\n"
        "  post:\n    fields: [title:str, author:ref:author]\n    mcp: [list, read]\n"
    )
    result = proj.run("add", "resource", "--spec", str(spec))
    assert result.exit_code == 0, result.output
    assert not tools_file(proj, "author").exists()
    assert tool_functions(tools_file(proj, "post")) == {"list_posts", "get_post"}
    spec.write_text(
        "resources:\n  comment:\n    fields: [body:str]\n    methods: [list]\n    mcp: [create]\n"
    )
    before = proj.snapshot()
    result = proj.run("add", "resource", "--spec", str(spec))
    assert result.exit_code != 0
    assert "spec.yaml" in result.output and "not among the resource's methods" in " ".join(
        result.output.split()
    )
    assert proj.snapshot() == before


def test_the_accounts_admin_tools_follow_mcp_too(proj: Workspace) -> None:
    result = proj.run("add", "resource", "user", "--mcp-methods", "read")
    assert result.exit_code == 0, result.output
    assert tool_functions(tools_file(proj, "user")) == {"get_user"}
    result = proj.run("add", "resource", "user", "--no-mcp", "--replace")
    assert result.exit_code == 0, result.output
    assert not tools_file(proj, "user").exists()
    assert (proj.root / "src/shop_api/routes/user_routes.py").is_file()


def test_edited_tools_are_kept_when_mcp_is_turned_off_and_removed_with_force(proj: Workspace) -> None:
    assert proj.run("add", "resource", "invoice", "--field", "total:decimal").exit_code == 0
    tools = tools_file(proj, "invoice")
    tools.write_text(tools.read_text() + "\n# my note\n")
    args = ("add", "resource", "invoice", "--field", "total:decimal", "--no-mcp", "--replace")
    planned = proj.run(*args, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert "kept orphan src/shop_api/tools/invoice_tools.py" in " ".join(planned.stdout.split())
    forced = proj.run(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert not tools.exists(), "--force: your edits give way, as for a generated file"
    assert not (proj.root / "tests/integration/test_invoice_mcp.py").exists()
    assert proj.run("validate", "--check-all").exit_code == 0


def test_edited_tools_are_kept_without_force(proj: Workspace) -> None:
    assert proj.run("add", "resource", "invoice", "--field", "total:decimal").exit_code == 0
    tools = tools_file(proj, "invoice")
    tools.write_text(tools.read_text() + "\n# my note\n")
    kept = proj.run("add", "resource", "invoice", "--field", "total:decimal", "--no-mcp", "--replace")
    assert kept.exit_code == 0, kept.output
    assert "kept orphan" in " ".join(kept.stdout.split())
    assert "# my note" in tools.read_text()
    assert not (proj.root / "tests/integration/test_invoice_mcp.py").exists(), "unedited: removed"
