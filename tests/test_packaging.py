"""The sdist and the wheel build and pass ``twine check``; the wheel carries blueprints,
templates and the schema, and works when installed (``new project`` included); the
pre-commit hook runs through pre-commit itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from blueprintgen import __version__
from tests.conftest import REPO, simple_blueprint
from tests.distributions import Distributions, built

UV = [sys.executable, "-m", "uv"]


def run(command: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, **kwargs
    )  # type: ignore[call-overload]
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    return built(tmp_path_factory)


@pytest.fixture(scope="session")
def wheel(dists: Distributions) -> Path:
    return dists.wheel


def test_sdist_and_wheel_pass_twine_check(dists: Distributions) -> None:
    checked = run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dists.sdist), str(dists.wheel)], REPO
    )
    assert checked.stdout.count("PASSED") == 2, checked.stdout
    assert dists.wheel.name == f"blueprintgen-{__version__}-py3-none-any.whl"
    with tarfile.open(dists.sdist) as sdist:
        names = sdist.getnames()
    top = f"blueprintgen-{__version__}"
    for shipped in (
        "README.md",
        "pyproject.toml",
        "src/blueprintgen/__init__.py",
        "schemas/blueprint.schema.json",
    ):
        assert f"{top}/{shipped}" in names, shipped


def test_wheel_contains_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "blueprintgen/_data/schemas/blueprint.schema.json" in names
    for folder in ("blueprints", "templates"):
        shipped = {n for n in names if n.startswith(f"blueprintgen/_data/{folder}/")}
        on_disk = {p for p in (REPO / folder).rglob("*") if p.is_file()}
        assert len(shipped) == len(on_disk), folder


def test_installed_wheel_runs(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([*UV, "venv", "--quiet", str(venv)], tmp_path)
    run([*UV, "pip", "install", "--quiet", "--python", str(venv / "bin/python"), str(wheel)], tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    cli = str(venv / "bin/blueprintgen")
    listing = json.loads(run([cli, "list", "--json"], work).stdout)
    assert all("/_data/blueprints/" in item["path"] for item in listing)
    assert json.loads(run([cli, "schema"], work).stdout)["title"] == "blueprintgen blueprint"
    run([cli, "validate", "--check-all"], work)


def test_new_project_from_the_installed_wheel_pins_it(wheel: Path, tmp_path: Path) -> None:
    """The installed wheel generates a project whose dev extra pins this very version."""
    venv = tmp_path / "venv"
    run([*UV, "venv", "--quiet", str(venv)], tmp_path)
    run([*UV, "pip", "install", "--quiet", "--python", str(venv / "bin/python"), str(wheel)], tmp_path)
    cli = str(venv / "bin/blueprintgen")
    created = run([cli, "new", "project", "shop", "--no-git"], tmp_path)
    assert "alembic upgrade head" in created.stdout
    project = tmp_path / "shop"
    extras = tomllib.loads((project / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert f"blueprintgen=={__version__}" in extras["dev"]
    assert not any("blueprintgen" in requirement for requirement in extras["test"])
    run([cli, "validate", "--check-all"], project)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for pre-commit")
def test_pre_commit_hook_runs_for_real(tmp_path: Path) -> None:
    repo = tmp_path / "user-repo"
    (repo / "blueprints").mkdir(parents=True)
    (repo / "blueprints/greeting.json").write_text(json.dumps(simple_blueprint()))
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    run([*git, "init", "-q"], repo)
    run([*git, "add", "-A"], repo)
    run([*git, "commit", "-qm", "init"], repo)
    env = {
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
    }
    pre_commit = [sys.executable, "-m", "pre_commit"]
    ok = run([*pre_commit, "try-repo", str(REPO), "blueprintgen-validate", "--all-files"], repo, env=env)
    assert "blueprintgen validate" in ok.stdout and "Passed" in ok.stdout
    (repo / "blueprints/greeting.json").write_text("{ broken")
    run([*git, "add", "-A"], repo)
    failed = subprocess.run(
        [*pre_commit, "try-repo", str(REPO), "blueprintgen-validate", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert failed.returncode == 1
    assert "Failed" in failed.stdout and "greeting.json:1:3" in failed.stdout


LATER = ["jinja2", "jsonschema", "jsonschema_rs", "networkx", "yaml", "rich", "json", "black", "copier"]


@pytest.mark.parametrize("command", [["--help"], ["new", "--help"], ["validate", "--help"]])
def test_help_imports_no_stage(command: list[str], tmp_path: Path) -> None:
    """`--help` (the pre-commit path's first step) imports none of the stages' libraries."""
    probe = (
        "import sys\n"
        "from blueprintgen.cli import main\n"
        f"sys.argv = ['blueprintgen', *{command!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(set({LATER!r}) & set(sys.modules)), file=sys.stderr)\n"
    )
    result = run([sys.executable, "-c", probe], cwd=tmp_path)
    assert "Usage" in result.stdout
    assert result.stderr.strip() == "[]", f"imported at start-up: {result.stderr}"
