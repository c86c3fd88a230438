"""Real processes against one project: two writers at once, and a writer killed mid-write.

Every writing command holds the project lock from before it reads blueprintgen.yaml until
it has written it, so a second run either waits and builds on the first (its resource
kept, the next migration revision) or gives up naming the first; a run killed while
writing is rolled back by the next command, which says so.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from blueprintgen import operations

CLI = [sys.executable, "-m", "blueprintgen"]

# Runs the CLI with every rename of the transaction counted: at the PAUSE-th it says so and
# sleeps, so that a test can kill (or race) it at a known point of its write.
PAUSING_CLI = """
import sys, time
from blueprintgen import transaction
from blueprintgen.cli import app

PAUSE, SLEEP = int(sys.argv[1]), float(sys.argv[2])
real = transaction.FS.replace
calls = 0

def replace(source, destination):
    global calls
    calls += 1
    if calls == PAUSE:
        print("paused", flush=True)
        time.sleep(SLEEP)
    return real(source, destination)

transaction.FS.replace = replace
app(sys.argv[3:], prog_name="blueprintgen")
"""


@pytest.fixture(scope="module")
def blank_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("blank")
    with operations.create_project(
        "race", cwd=home, git=False, options=operations.WriteOptions(formatter="none")
    ) as plan:
        plan.apply()
    return home / "race"


@pytest.fixture
def project(blank_project: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(blank_project, tmp_path / "race"))


def _environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **extra}


def _start(project: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(**env),
    )


def _wait_for_pause(child: subprocess.Popen[str]) -> None:
    """Read what the child prints (its plan) until it pauses in its write."""
    assert child.stdout is not None
    for line in child.stdout:
        if line == "paused\n":
            return
    pytest.fail(
        f"the run ended without pausing: {child.wait()} {child.stderr.read() if child.stderr else ''}"
    )


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=project, capture_output=True, text=True, env=_environment(), timeout=120
    )


def _resources(project: Path) -> dict[str, dict[str, object]]:
    data = yaml.safe_load((project / "blueprintgen.yaml").read_text(encoding="utf-8"))
    return dict(data["resources"] or {})


def _revision(entry: dict[str, object]) -> str:
    history = entry["schema"]
    assert isinstance(history, list)
    return str(history[0]["revision"])


def _manifest_resources(project: Path) -> set[str]:
    text = (project / ".blueprintgen/manifest.json").read_text(encoding="utf-8")
    return set(re.findall(r'"resource": "(\w+)"', text))


def test_two_add_resource_runs_at_once_lose_nothing(project: Path) -> None:
    first = _start(project, "add", "resource", "book", "--field", "title:str", "--formatter", "none")
    second = _start(project, "add", "resource", "shelf", "--field", "label:str", "--formatter", "none")
    results = [(child, *child.communicate(timeout=120)) for child in (first, second)]

    resources = _resources(project)
    succeeded = [child for child, _, _ in results if child.returncode == 0]
    for child, _, stderr in results:
        if child.returncode != 0:
            other = first if child is second else second
            assert f"another blueprintgen run is writing this project: process {other.pid}" in stderr
    assert succeeded, [stderr for _, _, stderr in results]
    expected = {"book", "shelf"} if len(succeeded) == 2 else set()
    if len(succeeded) == 1:
        expected = {"book"} if succeeded[0] is first else {"shelf"}
    assert set(resources) == expected
    assert expected <= _manifest_resources(project)
    revisions = [_revision(resources[name]) for name in expected]
    assert len(set(revisions)) == len(revisions), revisions
    assert _run(project, "validate", "--check-all", "--no-cache").returncode == 0


def test_a_second_run_that_waits_too_long_names_the_first_and_writes_nothing(project: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", PAUSING_CLI, "2", "5", "add", "resource", "book", "--formatter", "none"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    _wait_for_pause(holder)  # in the middle of its write, lock held
    waiter = _start(
        project, "add", "resource", "shelf", "--formatter", "none", BLUEPRINTGEN_LOCK_TIMEOUT="0.2"
    )
    _, stderr = waiter.communicate(timeout=60)
    holder.communicate(timeout=60)

    assert waiter.returncode == 1
    assert f"process {holder.pid}" in stderr and "add resource book" in stderr
    assert holder.returncode == 0
    assert set(_resources(project)) == {"book"}


def test_generate_plans_under_the_lock_too(project: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", PAUSING_CLI, "2", "5", "add", "resource", "book", "--formatter", "none"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    _wait_for_pause(holder)
    before = (project / "Dockerfile").read_bytes()
    waiter = _start(project, "generate", "project-docker", "--yes", BLUEPRINTGEN_LOCK_TIMEOUT="0.2")
    _, stderr = waiter.communicate(timeout=60)
    holder.communicate(timeout=60)

    assert waiter.returncode == 1, stderr
    assert f"process {holder.pid}" in stderr
    assert (project / "Dockerfile").read_bytes() == before


def _spec(path: Path, count: int) -> Path:
    lines = ["resources:"]
    for index in range(count):
        lines += [f"  thing{index}:", "    fields: [name:str, 'size:int?']"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_run_killed_mid_write_is_rolled_back_by_the_next_command(project: Path, tmp_path: Path) -> None:
    before = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    spec = _spec(tmp_path / "spec.yaml", 30)
    # About a third of the way through renaming ~300 new files into place.
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSING_CLI, "100", "60", *("add", "resource", "--spec", str(spec)), "--yes"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    _wait_for_pause(child)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert (project / ".blueprintgen/journal.json").exists(), "killed with its journal in place"

    reading = _run(project, "validate", "--check-all")
    assert reading.returncode == 1
    assert "interrupted while writing" in reading.stderr and "upgrade --dry-run" in reading.stderr

    recovering = _run(project, "upgrade", "--dry-run")
    assert recovering.returncode == 0, recovering.stderr
    assert "was interrupted while writing; it has been rolled back" in recovering.stderr
    assert f"process {child.pid}" in recovering.stderr

    after = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before, "the project is as it was before the killed run"
    checked = _run(project, "validate", "--check-all", "--no-cache")
    assert checked.returncode == 0, checked.stdout + checked.stderr


# Runs the CLI with a pause while it plans (the lock held, nothing written yet).
PAUSING_PLANNER = """
import sys, time
from blueprintgen import catalog
from blueprintgen.cli import app

real = catalog.load

def load(*args, **kwargs):
    print("paused", flush=True)
    time.sleep(120)  # far past the test's wait: only the signal can end it in time
    return real(*args, **kwargs)

catalog.load = load
app(sys.argv[1:], prog_name="blueprintgen")
"""


def test_sigterm_while_planning_under_the_lock_ends_in_143_and_lets_go(project: Path) -> None:
    before = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSING_PLANNER, "add", "resource", "book", "--yes"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    _wait_for_pause(child)
    assert (project / ".blueprintgen/lock").exists()
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=30)

    assert child.returncode == 143, stderr
    assert "Traceback" not in stderr
    after = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before, "nothing written, and the lock file is gone"
