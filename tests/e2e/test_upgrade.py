"""Safe regeneration of a real generated project: edits merged, fields added, migrations chained."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Generated, blueprintgen

pytestmark = pytest.mark.e2e

NAME = "evolve-api"
PACKAGE = "evolve_api"


@pytest.fixture(scope="module")
def evolving(workdir: Path, venv: Path, project: Generated) -> Generated:
    """A second project in the shared venv (same dependencies; installed without them)."""
    import subprocess

    blueprintgen("new", "project", NAME, "--output", str(workdir / NAME), cwd=workdir)
    root = workdir / NAME
    blueprintgen("add", "resource", "note", "--field", "title:str", "--field", "body:text", cwd=root)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--python",
            str(venv / "bin/python"),
            "-e",
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    return Generated(root=root, venv=venv, base_env=project.base_env)


def _add_field_in_project_file(root: Path, spec: str) -> None:
    path = root / "blueprintgen.yaml"
    data = yaml.safe_load(path.read_text())
    data["resources"]["note"]["fields"].append(spec)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_edit_then_new_field_then_upgrade_keeps_both_and_passes(evolving: Generated) -> None:
    root = evolving.root
    service = root / f"src/{PACKAGE}/services/note_service.py"
    original = service.read_text()
    edited = original.replace('"""', '"""Hand-edited: notes are small.\n\n', 1)
    assert edited != original
    service.write_text(edited)
    assert blueprintgen("validate", "--check-all", cwd=root).returncode == 0, "an edit alone is not drift"

    _add_field_in_project_file(root, "pinned:bool=false")
    drift = blueprintgen("validate", "--check-all", cwd=root, check=False)
    assert drift.returncode == 1 and "newer blueprint output" in drift.stderr

    result = blueprintgen("upgrade", "--yes", cwd=root)
    assert "merge" in result.stdout or "kept edit" in result.stdout
    assert "Hand-edited: notes are small." in service.read_text()
    assert "pinned" in (root / f"src/{PACKAGE}/models/note_model.py").read_text()
    migrations = sorted(p.name for p in (root / "alembic/versions").glob("*.py"))
    assert any(re.match(r"\d{4}_alter_notes\.py", name) for name in migrations), migrations
    assert blueprintgen("validate", "--check-all", cwd=root).returncode == 0
    assert "nothing to do" in blueprintgen("upgrade", "--yes", cwd=root).stdout

    tests = evolving.run(evolving.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x")
    assert " passed" in tests.stdout
    evolving.run(evolving.bin("ruff"), "check", ".")
    evolving.run(evolving.bin("mypy"))


def test_conflicting_edit_stops_then_markers(evolving: Generated) -> None:
    root = evolving.root
    model = root / f"src/{PACKAGE}/models/note_model.py"
    text = model.read_text()
    assert "\n    body: str\n" in text
    mine = text.replace("\n    body: str\n", "\n    body: str  # plain text only\n", 1)
    model.write_text(mine)
    data = yaml.safe_load((root / "blueprintgen.yaml").read_text())
    data["resources"]["note"]["fields"] = [
        "body:text?" if spec == "body:text" else spec for spec in data["resources"]["note"]["fields"]
    ]
    (root / "blueprintgen.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    project_file = (root / "blueprintgen.yaml").read_text()
    stopped = blueprintgen("upgrade", "--yes", cwd=root, check=False)
    assert stopped.returncode == 1
    assert "note_model.py" in stopped.stderr and "conflicting hunk" in stopped.stderr
    assert "plain text only" in stopped.stderr, "the hunk is shown"
    assert model.read_text() == mine, "nothing written"
    assert (root / "blueprintgen.yaml").read_text() == project_file
    marked = blueprintgen("upgrade", "--yes", "--conflict", "markers", cwd=root, check=False)
    assert marked.returncode == 1
    assert "<<<<<<< yours" in model.read_text() and ">>>>>>> blueprintgen" in model.read_text()
    drift = blueprintgen("validate", "--check-all", cwd=root, check=False)
    assert drift.returncode == 1 and "unresolved conflict markers" in drift.stderr


def test_deleted_generated_file_stays_deleted(evolving: Generated) -> None:
    root = evolving.root
    readme = root / ".env.example"
    readme.unlink()
    result = blueprintgen("upgrade", "--yes", cwd=root, check=False)
    assert "kept deleted" in result.stdout
    assert not readme.exists()
    blueprintgen("upgrade", "--yes", "--restore", cwd=root, check=False)
    assert readme.exists()
