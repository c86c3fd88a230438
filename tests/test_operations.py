"""The project operations called directly, without the CLI: the rules they keep."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from blueprintgen import operations
from blueprintgen.errors import ParameterError, ProjectError, UsageError
from blueprintgen.operations import WriteOptions
from blueprintgen.plan import Action
from tests.conftest import simple_blueprint

# No formatter: the rules under test do not depend on it, and the runs are quicker.
PLAIN = WriteOptions(formatter="none")


@pytest.fixture(scope="module")
def blank_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new project, written once for the whole module."""
    home = tmp_path_factory.mktemp("blank")
    run = operations.create_project("shop-api", cwd=home, git=False, options=PLAIN)
    run.apply()
    return home / "shop-api"


@pytest.fixture
def project(blank_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the new project for one test."""
    return Path(shutil.copytree(blank_project, tmp_path / "shop-api"))


def recorded(project: Path) -> dict[str, dict[str, object]]:
    resources: dict[str, dict[str, object]] = yaml.safe_load((project / "blueprintgen.yaml").read_text())[
        "resources"
    ]
    return resources


def test_create_plans_without_writing_and_apply_writes(tmp_path: Path) -> None:
    run = operations.create_project("shop-api", cwd=tmp_path, git=False, options=PLAIN)
    assert not (tmp_path / "shop-api").exists(), "planning writes nothing"
    assert run.project == tmp_path / "shop-api"
    assert {change.action for change in run.changes} == {Action.CREATE}
    assert run.next_steps[0] == "cd shop-api"
    assert any("uvicorn shop_api.main:app" in step for step in run.next_steps)
    applied = run.apply()
    assert len(applied.written) == len(run.changes) and applied.warnings == ()
    assert (tmp_path / "shop-api/src/shop_api/main.py").is_file()
    assert not (tmp_path / "shop-api/.git").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [("fastapi", "would shadow the module"), ("json", "would shadow the module"), ("2fast", "project name")],
)
def test_project_names_that_cannot_be_packages_are_refused(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        operations.create_project(name, cwd=tmp_path, options=PLAIN)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_with_files_needs_force(tmp_path: Path) -> None:
    (tmp_path / "shop-api").mkdir()
    (tmp_path / "shop-api/notes.txt").write_text("mine\n")
    with pytest.raises(ProjectError, match="the folder is not empty"):
        operations.create_project("shop-api", cwd=tmp_path, options=PLAIN)
    forced = operations.create_project(
        "shop-api", cwd=tmp_path, git=False, options=WriteOptions(formatter="none", force=True)
    )
    assert "notes.txt" not in {change.path for change in forced.changes}


def test_a_bare_git_folder_counts_as_empty(tmp_path: Path) -> None:
    (tmp_path / "shop-api/.git").mkdir(parents=True)
    run = operations.create_project("shop-api", cwd=tmp_path, git=False, options=PLAIN)
    assert run.changes


def test_add_resource_records_its_first_migration(project: Path) -> None:
    run = operations.add_resources(project, "gadget", fields=["name:str", "price:decimal"])
    assert run.resources == ("gadget",) and run.changed == ()
    assert "gadget" not in recorded(project), "planning leaves the project file alone"
    run.apply()
    entry = recorded(project)["gadget"]
    assert entry["fields"] == ["name:str", "price:decimal"]
    assert entry["schema"] == [
        {
            "revision": "0003",
            "fields": ["name:str", "price:decimal"],
            "sort_indexes": True,
            "search_indexes": True,
        }
    ]


def test_changed_fields_need_replace_and_the_refusal_carries_the_plan(project: Path) -> None:
    operations.add_resources(project, "gadget", fields=["name:str"]).apply()
    before = (project / "blueprintgen.yaml").read_text()
    with pytest.raises(operations.ResourceChangeRefused) as refused:
        operations.add_resources(project, "gadget", fields=["name:str", "weight:int?"])
    assert refused.value.names == ("gadget",)
    assert refused.value.exit_code == 1
    planned = {change.path: change.action for change in refused.value.changes}
    assert planned["blueprintgen.yaml"] is Action.UPDATE
    assert planned["alembic/versions/0004_alter_gadgets.py"] is Action.CREATE
    assert (project / "blueprintgen.yaml").read_text() == before, "a refusal writes nothing"


def test_replace_adds_a_migration_to_the_schema_history(project: Path) -> None:
    operations.add_resources(project, "gadget", fields=["name:str"]).apply()
    run = operations.add_resources(project, "gadget", fields=["name:str", "weight:int?"], replace=True)
    assert run.changed == ("gadget",)
    run.apply()
    assert recorded(project)["gadget"]["schema"] == [
        {"revision": "0003", "fields": ["name:str"], "sort_indexes": True, "search_indexes": True},
        {"revision": "0004", "fields": ["name:str", "weight:int?"]},
    ]
    again = operations.add_resources(project, "gadget")
    assert again.changed == () and not again.writes, "the recorded fields are kept without --field"


@pytest.mark.parametrize("spec", ["weight:int", "weight:int:unique"])
def test_a_required_column_without_a_default_is_refused_for_existing_rows(project: Path, spec: str) -> None:
    operations.add_resources(project, "gadget", fields=["name:str"]).apply()
    with pytest.raises(UsageError, match="needs a value for the rows already in its table") as refused:
        operations.add_resources(project, "gadget", fields=["name:str", spec], replace=True)
    assert refused.value.hint is not None and "weight:int=..." in refused.value.hint
    accepted = operations.add_resources(project, "gadget", fields=["name:str", "weight:int=0"], replace=True)
    assert accepted.changed == ("gadget",)


def test_the_account_resource_gets_a_slice_but_no_columns(project: Path) -> None:
    tables = project / "src/shop_api/database/models/user_db_model.py"
    before = tables.read_text()
    run = operations.add_resources(project, "user")
    created = [change.path for change in run.changes if change.action is Action.CREATE]
    assert any(path.startswith("src/shop_api/tools/") and "user" in path for path in created)
    assert not any(path.endswith("_create_users.py") for path in created), "no second users table"
    run.apply()
    assert recorded(project)["user"]["fields"] == []
    assert tables.read_text() == before


def test_the_account_resource_refuses_built_in_columns_and_no_auth(project: Path) -> None:
    with pytest.raises(UsageError, match="account field 'is_admin' clashes with a built-in column"):
        operations.add_resources(project, "user", fields=["age:int?", "is_admin:bool=false"])
    with pytest.raises(UsageError, match="admin-only; --no-auth is not available"):
        operations.add_resources(project, "user", auth_required=False)


def test_resource_options_are_checked(project: Path) -> None:
    with pytest.raises(UsageError, match="--methods takes a comma-separated subset"):
        operations.add_resources(project, "gadget", methods="create,frobnicate")
    with pytest.raises(UsageError, match="missing NAME"):
        operations.add_resources(project)
    with pytest.raises(ProjectError, match="works inside a generated project"):
        operations.add_resources(project.parent, "gadget")


def test_upgrade_of_an_untouched_project_plans_nothing(project: Path) -> None:
    run = operations.upgrade_project(project / "src")
    assert not run.writes and run.version_changes == ()
    assert all(not state.state.out_of_sync for state in operations.project_drift(project))
    with pytest.raises(ProjectError, match="not inside a generated project"):
        operations.upgrade_project(project.parent)


@pytest.mark.parametrize("operation", ["upgrade", "add"])
def test_an_operation_reads_the_manifest_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    from blueprintgen.manifest import MANIFEST

    reads: list[Path] = []
    original = Path.read_text

    def counting(self: Path, *args: Any, **kwargs: Any) -> str:
        if self == project / MANIFEST:
            reads.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    if operation == "upgrade":
        operations.upgrade_project(project, WriteOptions())  # the recorded formatter, too
    else:
        operations.add_resources(project, "gadget", options=WriteOptions())
    assert len(reads) == 1


def test_set_values_are_coerced_and_unknown_ones_named(tmp_path: Path) -> None:
    from blueprintgen import catalog

    path = tmp_path / "blueprints/greeting.json"
    path.parent.mkdir()
    path.write_text(json.dumps(simple_blueprint()))
    found = catalog.load(tmp_path)
    assert operations.coerce_sets(found, found.get("greeting"), ["who=you"]) == {"who": "you"}
    with pytest.raises(ParameterError, match="unknown parameter 'whom'") as unknown:
        operations.coerce_sets(found, found.get("greeting"), ["whom=you"])
    assert unknown.value.hint == "did you mean 'who'?"
    request, resolved = operations.sample_resolution(found, "greeting", [])
    assert request.values["who"] and resolved is not None


def test_check_reports_each_blueprint_and_remembers_a_pass(tmp_path: Path) -> None:
    path = tmp_path / "greeting.json"
    path.write_text(json.dumps(simple_blueprint()))
    first = operations.check(tmp_path, [path])
    assert [(result.name, result.problems) for result in first.blueprints] == [("greeting", 0)]
    assert first.problems == () and not first.in_project
    assert operations.check(tmp_path, [path]) == first
    broken = simple_blueprint()
    broken["template"]["embedded_code"] = "def broken(:\n"
    path.write_text(json.dumps(broken))
    failed = operations.check(tmp_path, [path])
    assert [(result.name, result.problems) for result in failed.blueprints] == [("greeting", 1)]
    assert "renders invalid Python" in failed.problems[0].message


def test_every_public_name_resolves_from_its_module() -> None:
    for name in operations.__all__:
        value = getattr(operations, name)
        assert value.__module__.startswith("blueprintgen.operations."), name
    with pytest.raises(AttributeError):
        operations.remove_everything  # noqa: B018
