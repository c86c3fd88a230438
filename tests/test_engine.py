"""The engine through the CLI: generation, idempotence, user edits, options, catalog commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import Workspace, simple_blueprint


def layered(ws: Workspace) -> None:
    """Three blueprints: routes → service → model, with template files and imports."""
    model = simple_blueprint("model-{resource}")
    model["parameters"] = {"resource": {"type": "string", "required": True}}
    model["template"] = {"dependencies": ["pydantic>=2"], "imports": []}
    model["relationships"] = {
        "generates": [{"path": "app/models/{resource}.py", "template": "layer/model.py.j2"}]
    }
    service = simple_blueprint("service")
    service["parameters"] = {
        "resource": {"type": "string", "required": True},
        "cached": {"type": "boolean", "default": False},
    }
    service["template"] = {"imports": ["import os", "from typing import Any"], "dependencies": []}
    service["relationships"] = {
        "depends_on": ["model-{resource}"],
        "generates": [
            {"path": "app/services/{resource}_service.py", "template": "layer/service.py.j2"},
            {"path": "app/cache.py", "template": "layer/cache.py.j2", "condition": "cached"},
        ],
    }
    service["validation"] = {"required_files": ["app/models/{resource}.py"]}
    ws.blueprint("model", model)
    ws.blueprint("service", service)
    ws.template(
        "layer/model.py.j2",
        '"""{{ resource | pascal }} model."""\nfrom pydantic import BaseModel\nclass {{ resource | pascal }}(BaseModel):\n    name: str\n',
    )
    ws.template(
        "layer/service.py.j2",
        '"""{{ resource | pascal }} service."""\n'
        "from app.models.{{ resource }} import {{ resource | pascal }}\n"
        "def create(data: dict[str, Any]) -> {{ resource | pascal }}:\n"
        "    return {{ resource | pascal }}(name=os.environ.get('X', data['name']))\n",
    )
    ws.template("layer/cache.py.j2", "CACHE: dict[str, str] = {}\n")


def test_generate_renders_dependencies_first_and_formats(ws: Workspace) -> None:
    layered(ws)
    result = ws.run("generate", "service", "--set", "resource=blog_post")
    assert result.exit_code == 0, result.output
    assert "3 files written" in result.stdout or "2 files written" in result.stdout
    service = (ws.root / "app/services/blog_post_service.py").read_text()
    # imports from the blueprint merged after the docstring, sorted by ruff, code formatted
    assert service.startswith(
        '"""BlogPost service."""\n\nimport os\nfrom typing import Any\n\nfrom app.models.blog_post import BlogPost\n'
    )
    assert "def create(data: dict[str, Any]) -> BlogPost:" in service
    assert 'os.environ.get("X", data["name"])' in service
    assert not (ws.root / "app/cache.py").exists(), "condition false: not generated"
    manifest = json.loads((ws.root / ".blueprintgen/manifest.json").read_text())
    assert set(manifest["files"]) == {"app/models/blog_post.py", "app/services/blog_post_service.py"}
    assert manifest["instances"]["model-blog_post"]["params"] == {"resource": "blog_post"}
    assert manifest["formatter"]["name"] == "ruff"
    bases = json.loads((ws.root / ".blueprintgen/base.json").read_text())
    assert "".join(bases["app/services/blog_post_service.py"]) == service


def test_second_run_changes_nothing(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    before = ws.snapshot()
    result = ws.run("generate", "service", "--set", "resource=item")
    assert result.exit_code == 0
    assert "nothing to do" in result.stdout
    assert ws.snapshot() == before


def test_condition_and_typed_set_values(ws: Workspace) -> None:
    layered(ws)
    assert ws.run("generate", "service", "--set", "resource=item", "--set", "cached=yes").exit_code == 0
    assert (ws.root / "app/cache.py").exists()


MODEL_V2 = (
    '"""{{ resource | pascal }} model."""\nfrom pydantic import BaseModel\nclass {{ resource | pascal }}(BaseModel):\n'
    "    name: str\n    size: int = 0\n"
)


def test_user_edit_and_new_output_are_merged(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    edited = ws.root / "app/models/item.py"
    edited.write_text('"""Item model, with my note."""\n\n' + edited.read_text().split("\n", 2)[2])
    ws.template("layer/model.py.j2", MODEL_V2)
    result = ws.run("generate", "service", "--set", "resource=item", "--yes")
    assert result.exit_code == 0, result.output
    assert "merge" in result.stdout
    text = edited.read_text()
    assert '"""Item model, with my note."""' in text and "size: int = 0" in text
    again = ws.run("generate", "service", "--set", "resource=item")
    assert again.exit_code == 0 and "nothing to do" in again.stdout, again.output
    assert edited.read_text() == text


def test_base_copies_of_an_older_project_are_folded_into_one_file(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    # The layout of projects made before base.json: one copy per file under base/.
    bases = json.loads((ws.root / ".blueprintgen/base.json").read_text())
    (ws.root / ".blueprintgen/base.json").unlink()
    for path, lines in bases.items():
        copy = ws.root / ".blueprintgen/base" / path
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text("".join(lines))
    edited = ws.root / "app/models/item.py"
    edited.write_text('"""Item model, with my note."""\n\n' + edited.read_text().split("\n", 2)[2])
    ws.template("layer/model.py.j2", MODEL_V2)
    result = ws.run("generate", "service", "--set", "resource=item", "--yes")
    assert result.exit_code == 0 and "merge" in result.stdout, result.output  # merged with the old copy
    assert '"""Item model, with my note."""' in edited.read_text()
    assert not (ws.root / ".blueprintgen/base").exists()
    folded = json.loads((ws.root / ".blueprintgen/base.json").read_text())
    assert set(folded) == set(bases)
    assert "size: int = 0" in "".join(folded["app/models/item.py"])


def test_user_edit_is_kept_when_the_output_did_not_change(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    edited = ws.root / "app/models/item.py"
    edited.write_text(edited.read_text() + "\n\nEXTRA = 1\n")
    before = ws.snapshot()
    result = ws.run("generate", "service", "--set", "resource=item")
    assert result.exit_code == 0
    assert ws.snapshot() == before


def test_conflicting_edit_stops_and_writes_nothing(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    edited = ws.root / "app/models/item.py"
    edited.write_text(edited.read_text().replace("name: str", "name: bytes"))
    ws.template("layer/model.py.j2", MODEL_V2.replace("name: str", "name: list[str]"))
    before = ws.snapshot()
    result = ws.run("generate", "service", "--set", "resource=item")
    assert result.exit_code == 1
    assert "app/models/item.py: 1 conflicting hunk" in result.stderr
    assert "-     name: bytes" in result.stderr and "+     name: list[str]" in result.stderr
    assert ws.snapshot() == before


def test_conflict_markers_are_written_on_request_and_still_exit_1(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    edited = ws.root / "app/models/item.py"
    edited.write_text(edited.read_text().replace("name: str", "name: bytes"))
    ws.template("layer/model.py.j2", MODEL_V2.replace("name: str", "name: list[str]"))
    result = ws.run("generate", "service", "--set", "resource=item", "--conflict", "markers")
    assert result.exit_code == 1
    assert "conflict markers written into app/models/item.py" in result.stderr
    text = edited.read_text()
    assert "<<<<<<< yours" in text and ">>>>>>> blueprintgen" in text and "name: bytes" in text


def test_force_overwrites_a_user_edit(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    edited = ws.root / "app/models/item.py"
    edited.write_text(edited.read_text().replace("name: str", "name: bytes"))
    ws.template("layer/model.py.j2", '"""New model."""\n')
    result = ws.run("generate", "service", "--set", "resource=item", "--force")
    assert result.exit_code == 0, result.output
    assert edited.read_text() == '"""New model."""\n'


def test_unmodified_files_are_updated_when_the_template_changes(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    ws.template("layer/model.py.j2", '"""Changed."""\n')
    result = ws.run("generate", "service", "--set", "resource=item", "--yes")
    assert result.exit_code == 0
    assert "update" in result.stdout
    assert (ws.root / "app/models/item.py").read_text() == '"""Changed."""\n'


def test_existing_file_not_written_by_blueprintgen_is_a_conflict(ws: Workspace) -> None:
    layered(ws)
    (ws.root / "app/models").mkdir(parents=True)
    (ws.root / "app/models/item.py").write_text("# my own file\n")
    result = ws.run("generate", "service", "--set", "resource=item")
    assert result.exit_code == 1
    assert "exists and was not written by blueprintgen" in result.stderr
    assert (ws.root / "app/models/item.py").read_text() == "# my own file\n"


def test_dry_run_and_diff_write_nothing(ws: Workspace) -> None:
    layered(ws)
    before = ws.snapshot()
    result = ws.run("generate", "service", "--set", "resource=item", "--dry-run", "--diff")
    assert result.exit_code == 0
    assert "+++ b/app/models/item.py" in result.stdout
    assert "+class Item(BaseModel):" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert ws.snapshot() == before


def test_user_deleted_file_stays_deleted_unless_restore(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    (ws.root / "app/models/item.py").unlink()
    result = ws.run("generate", "service", "--set", "resource=item")
    assert result.exit_code == 0
    assert "kept deleted" in result.stdout
    assert not (ws.root / "app/models/item.py").exists()
    assert ws.run("generate", "service", "--set", "resource=item", "--restore").exit_code == 0
    assert (ws.root / "app/models/item.py").exists()


def test_black_formatter_is_selectable(ws: Workspace) -> None:
    layered(ws)
    result = ws.run("generate", "service", "--set", "resource=item", "--formatter", "black")
    assert result.exit_code == 0, result.output
    manifest = json.loads((ws.root / ".blueprintgen/manifest.json").read_text())
    assert manifest["formatter"]["name"] == "black"
    assert 'os.environ.get("X", data["name"])' in (ws.root / "app/services/item_service.py").read_text()


def test_project_ruff_config_is_respected(ws: Workspace) -> None:
    layered(ws)
    (ws.root / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = []\n\n[tool.ruff.format]\nquote-style = "single"\n'
    )
    assert ws.run("generate", "service", "--set", "resource=item").exit_code == 0
    assert "os.environ.get('X', data['name'])" in (ws.root / "app/services/item_service.py").read_text()


def test_undeclared_package_dependencies_are_reported(ws: Workspace) -> None:
    layered(ws)
    (ws.root / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["fastapi"]\n')
    result = ws.run("generate", "service", "--set", "resource=item")
    assert result.exit_code == 0
    assert "needs 'pydantic>=2', which pyproject.toml does not declare" in result.stderr


def test_required_files_are_checked(ws: Workspace) -> None:
    layered(ws)
    data = json.loads((ws.root / "blueprints/service.json").read_text())
    data["validation"]["required_files"].append("app/settings.py")
    ws.blueprint("service", data)
    before = ws.snapshot()
    result = ws.run("generate", "service", "--set", "resource=item")
    assert result.exit_code == 1
    assert "required file 'app/settings.py'" in result.stderr
    assert "/validation/required_files/1" in result.stderr
    assert ws.snapshot() == before
    (ws.root / "app").mkdir()
    (ws.root / "app/settings.py").write_text("X = 1\n")
    assert ws.run("generate", "service", "--set", "resource=item").exit_code == 0


def test_seed_blueprint_loads_and_its_placeholders_expand(ws: Workspace) -> None:
    """The blueprint exactly as the design document writes it, plus the two it depends on."""
    seed = {
        "metadata": {
            "name": "create-route-user",
            "version": "1.0.0",
            "category": "routes",
            "description": "Creates FastAPI route for user management",
        },
        "template": {
            "embedded_code": "router = APIRouter(prefix='/api/v1/{{ resource_name }}')\n",
            "dependencies": ["fastapi", "pydantic", "sqlalchemy"],
            "imports": ["from fastapi import APIRouter", "from pydantic import BaseModel"],
        },
        "parameters": {
            "resource_name": {"type": "string", "required": True},
            "methods": {"type": "array", "default": ["GET", "POST"]},
            "auth_required": {"type": "boolean", "default": True},
        },
        "validation": {
            "required_files": ["models/{resource}_model.py", "services/{resource}_service.py"],
            "test_requirements": ["unit", "integration"],
            "performance_targets": {"response_time": "< 200ms"},
        },
        "relationships": {
            "depends_on": ["create-model-{resource}", "create-service-{resource}"],
            "generates": ["routes/{resource}_routes.py"],
        },
    }
    ws.blueprint("seed", seed)
    for layer in ("model", "service"):
        ws.blueprint(
            layer,
            {
                "metadata": {
                    "name": f"create-{layer}-{{resource}}",
                    "version": "1.0.0",
                    "category": layer,
                    "description": f"The {layer}.",
                },
                "template": {"embedded_code": f"{layer.upper()} = {{{{ resource_name | pyrepr }}}}\n"},
                "parameters": {"resource_name": {"type": "string", "required": True}},
                "relationships": {"generates": [f"{layer}s/{{resource}}_{layer}.py"]},
            },
        )
    result = ws.run("generate", "create-route-user", "--set", "resource_name=user")
    assert result.exit_code == 0, result.output
    routes = (ws.root / "routes/user_routes.py").read_text()
    assert "from fastapi import APIRouter" in routes
    assert "BaseModel" not in routes.split("router")[0] or "from pydantic import BaseModel" in routes
    assert (ws.root / "models/user_model.py").read_text() == 'MODEL = "user"\n'
    tree = ws.run("graph", "create-route-user", "--set", "resource_name=user").stdout
    assert tree.splitlines() == ["create-route-user", "├── create-model-user", "└── create-service-user"]


def test_list_show_graph_schema(ws: Workspace) -> None:
    layered(ws)
    listing = ws.run("list")
    assert listing.exit_code == 0
    assert "model-{resource}" in listing.stdout and "project" in listing.stdout
    data = json.loads(ws.run("list", "--json").stdout)
    assert {"service", "model-{resource}"} <= {item["name"] for item in data}
    shown = ws.run("show", "service")
    assert shown.exit_code == 0
    assert (
        "cached" in shown.stdout
        and "model-{resource}" in shown.stdout
        and "layer/cache.py.j2" in shown.stdout
    )
    assert "if cached" in shown.stdout
    dot = ws.run("graph", "service", "--set", "resource=x", "--format", "dot").stdout
    assert '"service" -> "model-x";' in dot
    mermaid = ws.run("graph", "service", "--set", "resource=x", "--format", "mermaid").stdout
    assert mermaid.startswith("flowchart LR") and "-->" in mermaid
    whole = ws.run("graph").stdout
    assert "service" in whole and "model-{resource}" in whole
    linked = json.loads(ws.run("graph", "service", "--set", "resource=x", "--format", "json").stdout)
    assert {"source": "model-x", "target": "service"} in linked["edges"]
    graphml = ws.run("graph", "service", "--set", "resource=x", "--format", "graphml").stdout
    assert '<edge source="model-x" target="service"' in graphml
    schema = json.loads(ws.run("schema").stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "$id" in schema


def test_project_blueprint_overrides_builtin(ws: Workspace) -> None:
    builtin = json.loads(ws.run("list", "--json").stdout)
    if not builtin:
        pytest.skip("no built-in blueprints")
    name = builtin[0]["name"]
    ws.blueprint("mine", simple_blueprint(name))
    listing = json.loads(ws.run("list", "--json").stdout)
    mine = next(item for item in listing if item["name"] == name)
    assert mine["source"] == "project"
    assert "overrides built-in" in ws.run("list").stdout


def test_validate_paths_and_drift(ws: Workspace) -> None:
    layered(ws)
    ok = ws.run("validate", "blueprints/service.json")
    assert ok.exit_code == 0, ok.output
    assert "1 blueprint valid" in ok.stdout
    ws.run("generate", "service", "--set", "resource=item")
    assert ws.run("validate", "--check-all").exit_code == 0
    model = ws.root / "app/models/item.py"
    model.write_text(model.read_text() + "\n\nEXTRA = 1\n")
    edited = ws.run("validate", "--check-all")
    assert edited.exit_code == 0, "an edit on top of the current output is the user's business"
    assert "1 file edited by you" in edited.stdout
    ws.template("layer/model.py.j2", MODEL_V2)
    drift = ws.run("validate", "--check-all")
    assert drift.exit_code == 1
    assert (
        "app/models/item.py" in drift.stderr and "edited by you, and newer blueprint output" in drift.stderr
    )
    (ws.root / "app/services/item_service.py").unlink()
    assert "out of sync: missing" in ws.run("validate", "--check-all").stderr


def test_drift_check_remembers_only_an_unchanged_project(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    for _ in range(2):  # the second run answers from the record of the first
        assert ws.run("validate", "--check-all").exit_code == 0
    model = ws.root / "app/models/item.py"
    model.write_text(model.read_text() + "\n\nEXTRA = 1\n")
    for _ in range(2):
        edited = ws.run("validate", "--check-all")
        assert edited.exit_code == 0 and "1 file edited by you" in edited.stdout, edited.output
    (ws.root / "app/services/item_service.py").unlink()
    for _ in range(2):
        assert "out of sync: missing" in ws.run("validate", "--check-all").stderr
    ws.run("upgrade", "--yes", "--restore")
    assert ws.run("validate", "--check-all").exit_code == 0
    ws.template("layer/model.py.j2", MODEL_V2)  # a template change is seen at once
    newer = ws.run("validate", "--check-all")
    assert newer.exit_code == 1 and "newer blueprint output" in newer.stderr, newer.output


def test_diff_and_upgrade_bring_the_project_up_to_date(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item")
    model = ws.root / "app/models/item.py"
    model.write_text(model.read_text().replace('"""Item model."""', '"""Item model: mine."""'))
    ws.template("layer/model.py.j2", MODEL_V2)
    diff = ws.run("diff")
    assert diff.exit_code == 0
    assert "+    size: int = 0" in diff.stdout and '-"""Item model: mine."""' in diff.stdout
    before = ws.snapshot()
    planned = ws.run("upgrade")
    assert planned.exit_code == 3 and "merge" in planned.stdout and "--yes" in planned.stderr
    assert ws.snapshot() == before, "upgrade without --yes only shows the plan"
    applied = ws.run("upgrade", "--yes")
    assert applied.exit_code == 0, applied.output
    text = model.read_text()
    assert "size: int = 0" in text and "Item model: mine." in text
    assert ws.run("validate", "--check-all").exit_code == 0
    again = ws.run("upgrade", "--yes")
    assert "nothing to do" in again.stdout


def test_upgrade_removes_files_no_longer_generated_unless_edited(ws: Workspace) -> None:
    layered(ws)
    ws.run("generate", "service", "--set", "resource=item", "--set", "cached=true")
    assert (ws.root / "app/cache.py").exists()
    manifest = json.loads((ws.root / ".blueprintgen/manifest.json").read_text())
    manifest["instances"]["service"]["params"]["cached"] = False
    (ws.root / ".blueprintgen/manifest.json").write_text(json.dumps(manifest))
    result = ws.run("upgrade", "--yes")
    assert result.exit_code == 0, result.output
    assert "remove" in result.stdout
    assert not (ws.root / "app/cache.py").exists()


def test_validate_renders_templates_with_samples(ws: Workspace) -> None:
    layered(ws)
    ws.template("layer/cache.py.j2", "{{ undefined_thing }}\n")
    result = ws.run("validate")
    assert result.exit_code == 0, "the cache file is conditional and off by default"
    ws.template("layer/model.py.j2", "{{ undefined_thing }}\n")
    result = ws.run("validate")
    assert result.exit_code == 1
    assert "undefined_thing" in result.stderr and "layer/model.py.j2:1" in result.stderr


def test_validate_remembers_passes_by_content(ws: Workspace) -> None:
    layered(ws)
    checks = ws.root.parent / "cache" / "blueprintgen" / "checks"
    assert ws.run("validate", "--check-all").exit_code == 0
    remembered = list(checks.rglob("*"))
    assert [path for path in remembered if path.is_file()], "a pass is remembered"
    assert ws.run("validate", "--check-all").exit_code == 0
    # Any change to a template, even one the check passed with before, is checked afresh.
    ws.template("layer/model.py.j2", "{{ undefined_thing }}\n")
    failed = ws.run("validate", "--check-all")
    assert failed.exit_code == 1 and "undefined_thing" in failed.stderr
    assert ws.run("validate", "--check-all").exit_code == 1, "a failure is never remembered"
    ws.template("layer/model.py.j2", "MODEL = {{ resource | pyrepr }}\n")
    assert ws.run("validate", "--check-all").exit_code == 0
    # --no-cache neither trusts nor records a pass.
    shutil.rmtree(checks)
    assert ws.run("validate", "--check-all", "--no-cache").exit_code == 0
    assert not checks.exists() or not [path for path in checks.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    "command",
    [[], ["list"], ["show"], ["graph"], ["schema"], ["generate"], ["validate"]],
)
def test_help_everywhere(ws: Workspace, command: list[str]) -> None:
    result = ws.run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_version_and_completion(ws: Workspace) -> None:
    assert ws.run("--version").stdout.startswith("blueprintgen ")
    import subprocess
    import sys

    completion = subprocess.run(
        [str(Path(sys.executable).parent / "blueprintgen"), "--show-completion", "bash"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completion.returncode == 0
    assert "_BLUEPRINTGEN_COMPLETE=complete_bash" in completion.stdout


def test_python_dash_m_and_no_interaction_without_tty(ws: Workspace) -> None:
    import subprocess
    import sys

    layered(ws)
    result = subprocess.run(
        [sys.executable, "-m", "blueprintgen", "generate", "service", "--set", "resource=item"],
        cwd=ws.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert Path(ws.root / "app/models/item.py").exists()


def test_example_custom_blueprint_works_as_documented(ws: Workspace) -> None:
    import shutil

    from tests.conftest import REPO

    for folder in ("blueprints", "templates"):
        shutil.copytree(REPO / "examples/custom-blueprint" / folder, ws.root / folder)
    listing = json.loads(ws.run("list", "--json").stdout)
    assert any(item["name"] == "health-probe-{probe}" and item["source"] == "project" for item in listing)
    assert ws.run("validate", "blueprints/health-probe.json").exit_code == 0
    result = ws.run(
        "generate", "health-probe-payments", "--set", "package=my_service", "--set", "timeout_seconds=0.5"
    )
    assert result.exit_code == 0, result.output
    text = (ws.root / "src/my_service/routes/payments_probe_routes.py").read_text()
    assert 'router = APIRouter(prefix="/health/payments", tags=["health"])' in text
    assert "TIMEOUT_SECONDS = 0.5" in text
    compile(text, "probe.py", "exec")


def test_help_is_plain_in_a_pipe_and_rich_on_a_terminal(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "blueprintgen", "add", "resource", "--help"]
    env = {**os.environ, "COLUMNS": "100", "XDG_CACHE_HOME": str(tmp_path)}
    piped = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    assert "╭" not in piped and "enum[a,b,...]" in piped and "\\[" not in piped
    leader, follower = os.openpty()
    with subprocess.Popen(command, stdout=follower, stderr=follower, env=env) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=30)
    os.close(leader)
    terminal = b"".join(chunks).decode()
    assert "╭" in terminal and "enum[a,b,...]" in terminal and "\\[" not in terminal


def test_formatting_falls_back_when_the_memory_scratch_folder_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from blueprintgen import format as formatting

    monkeypatch.setattr(formatting, "_scratch_parent", lambda: str(tmp_path / "gone"))
    monkeypatch.setenv("BLUEPRINTGEN_NO_CACHE", "1")  # a remembered batch would not be formatted
    formatted = formatting.format_files({"a.py": "import sys\nimport os\nx=1\n", "b.txt": "as is"})
    assert formatted == {"a.py": "import os\nimport sys\n\nx = 1\n", "b.txt": "as is"}
