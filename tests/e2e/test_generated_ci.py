"""The generated CI's blueprints job and pre-commit hook, run as written on a fresh project.

The job's ``run:`` steps are read from the generated workflow and run one by one, each
the way GitHub runs it (``bash -eo pipefail``), in the project with a fresh virtual
environment first on PATH (what ``actions/setup-python`` gives). blueprintgen is not on
PyPI yet, so pip finds the pinned ``blueprintgen==<version>`` in the wheel built from this
checkout, through ``PIP_FIND_LINKS``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from blueprintgen import __version__
from tests.distributions import Distributions, built
from tests.e2e.conftest import blueprintgen

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    return built(tmp_path_factory)


def job_steps(workflow: Path, job: str) -> list[str]:
    """The ``run:`` commands of one job, in order."""
    document = yaml.safe_load(workflow.read_text())
    steps = document["jobs"][job]["steps"]
    return [step["run"] for step in steps if "run" in step]


def ci_env(venv: Path, dists: Distributions) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    env["PIP_FIND_LINKS"] = dists.find_links()
    return env


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=1200,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


def test_blueprints_job_and_pre_commit_hook_pass_as_written(tmp_path: Path, dists: Distributions) -> None:
    blueprintgen("new", "project", "ci-shop", cwd=tmp_path)
    project = tmp_path / "ci-shop"
    steps = job_steps(project / ".github/workflows/ci.yml", "blueprints")
    assert any("pip install" in step for step in steps), steps
    # The project's own .venv, where the README puts it and the pre-commit hook looks.
    venv = project / ".venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path, dict(os.environ))
    env = ci_env(venv, dists)
    for step in steps:
        run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step], project, env)

    pinned = run([str(venv / "bin/blueprintgen"), "--version"], project, env)
    assert pinned.stdout.strip() == f"blueprintgen {__version__}"

    # The hook as configured, from a shell whose PATH lacks the venv (a commit from an
    # editor); only the local hook, since the ruff hooks would need GitHub.
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    local = {"repos": [repo for repo in config["repos"] if repo["repo"] == "local"]}
    (tmp_path / "local-hooks.yaml").write_text(yaml.safe_dump(local))
    bare = {**env, "PATH": "/usr/local/bin:/usr/bin:/bin", "PRE_COMMIT_HOME": str(tmp_path / "pre-commit")}
    hook = run(
        [str(venv / "bin/pre-commit"), "run", "--config", str(tmp_path / "local-hooks.yaml"), "--all-files"],
        project,
        bare,
    )
    assert "blueprintgen validate" in hook.stdout and "Passed" in hook.stdout, hook.stdout
