"""A write is a transaction: under faults, signals, kills and concurrent runs, the project is
left exactly as it was before or exactly as after, with no temporary file behind.

Real files in a temporary folder, real processes and real signals. Faults are injected by
wrapping the one object through which the transaction changes the disk
(``transaction.FS``), so that the k-th of its calls fails, for every k.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from blueprintgen import transaction, writer
from blueprintgen.errors import (
    BlueprintgenError,
    Interrupted,
    ProjectError,
    UnsafePathError,
    UsageError,
    WriteError,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks and signals")

OPERATIONS = [name for name in vars(transaction.FileSystem) if not name.startswith("_")]

Tree = dict[str, tuple[int, bytes | None]]


def snapshot(root: Path) -> Tree:
    """Every file and folder under ``root``: its mode, and a file's bytes."""
    tree: Tree = {}
    for folder, folders, files in os.walk(root):
        for name in folders:
            path = Path(folder, name)
            tree[path.relative_to(root).as_posix() + "/"] = (path.lstat().st_mode, None)
        for name in files:
            path = Path(folder, name)
            tree[path.relative_to(root).as_posix()] = (path.lstat().st_mode, path.read_bytes())
    return tree


def leftovers(root: Path) -> list[str]:
    """Temporaries, backups, journals and lock files: none may survive a run."""
    return sorted(
        path
        for path in snapshot(root)
        if Path(path).name.startswith(".blueprintgen-") or path.rstrip("/") in transaction.RESERVED
    )


def build(root: Path, files: dict[str, tuple[str, int]]) -> Path:
    root.mkdir(parents=True)
    for relative, (text, mode) in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(mode)
    return root


PROJECT = {
    "blueprintgen.yaml": ("name: demo\n", 0o644),
    ".blueprintgen/manifest.json": ('{"files": {}}\n', 0o644),
    "app/main.py": ("print('old')\n", 0o640),
    "app/models/user.py": ("class User: ...\n", 0o600),
    "app/models/post.py": ("class Post: ...\n", 0o644),
    "docs/old.md": ("# gone\n", 0o644),
    "notes.txt": ("untouched\n", 0o644),
}
WRITES: dict[str, str | None] = {
    "app/main.py": "print('new')\n",  # replaced: keeps 0640
    "app/models/user.py": None,  # removed; its folder still holds post.py
    "docs/old.md": None,  # removed; its folder is pruned
    "app/routes/posts/api.py": "router = None\n",  # created, with two new folders
    "README.md": "# demo\n",  # created at the root
    ".blueprintgen/manifest.json": '{"files": {"README.md": 1}}\n',
    ".blueprintgen/base.json": "{}\n",
    "blueprintgen.yaml": "name: demo\nresources: [post]\n",
}
# What `new project` does: everything created, .blueprintgen/ included.
FRESH_WRITES: dict[str, str | None] = {
    "app/main.py": "print('new')\n",
    "app/api/routes.py": "router = None\n",
    ".blueprintgen/manifest.json": "{}\n",
    "blueprintgen.yaml": "name: demo\n",
}


# Flushing to disk is what power loss is about, which no test here simulates: counted and
# failed like any other call, but not made (a few hundred writes per test stay fast).
SKIPPED_FLUSHES = {"fsync", "sync_folder", "start_writeback"}


class Faults:
    """Counts the transaction's calls to the disk; makes the calls numbered in ``failing`` raise."""

    def __init__(
        self, failing: frozenset[int] = frozenset(), error: Callable[[], BaseException] = OSError
    ) -> None:
        self.failing = failing
        self.error = error
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> Faults:
        for name in OPERATIONS:
            monkeypatch.setattr(transaction.FS, name, self._wrap(name, getattr(transaction.FS, name)))
        return self

    def _wrap(self, name: str, real: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object) -> object:
            self.calls.append((name, args))
            if len(self.calls) in self.failing:
                if name == "close":
                    real(*args)  # close reports an error after it has closed
                raise self.error()
            if name in SKIPPED_FLUSHES:
                return None
            return real(*args)

        return call

    def index(self, predicate: Callable[[str, tuple[object, ...]], bool]) -> int:
        """The number (from 1) of the first call that matches."""
        return next(i for i, (name, args) in enumerate(self.calls, 1) if predicate(name, args))


def _is_commit(name: str, args: tuple[object, ...]) -> bool:
    return name == "replace" and Path(str(args[1])).name == "journal.committed"


def _is_swap(name: str, args: tuple[object, ...]) -> bool:
    return name == "replace" and Path(str(args[0])).name.endswith(".new")


def io_error() -> OSError:
    return OSError(errno.EIO, "Input/output error (injected)")


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


# --- every k-th call fails -----------------------------------------------------------


def no_hard_links(source: Path, destination: Path) -> None:
    raise OSError(errno.EPERM, "Operation not permitted")  # what FAT and some mounts answer


@pytest.mark.parametrize(
    ("start", "writes", "hard_links"),
    [(PROJECT, WRITES, True), ({}, FRESH_WRITES, True), (PROJECT, WRITES, False)],
    ids=["existing-project", "new-project", "no-hard-links"],
)
def test_a_fault_at_any_call_leaves_the_project_as_before_or_as_after(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    start: dict[str, tuple[str, int]],
    writes: dict[str, str | None],
    hard_links: bool,
) -> None:
    if not hard_links:  # backups are made by renaming the file away instead
        monkeypatch.setattr(transaction.FS, "link", no_hard_links)
    with monkeypatch.context() as counting:
        clean = Faults().install(counting)
        after_root = build(tmp_path / "clean", start)
        writer.write_all(after_root, writes)
    after = snapshot(after_root)
    assert leftovers(after_root) == []
    commit = clean.index(_is_commit)
    assert len(clean.calls) > commit  # the clean-up comes after the commit
    before = snapshot(build(tmp_path / "before", start))
    assert after != before

    for kind, error in (("oserror", io_error), ("interrupt", KeyboardInterrupt)):
        for k in range(1, len(clean.calls) + 1):
            root = build(tmp_path / f"{kind}-{k}", start)
            where = f"{kind} at call {k} ({clean.calls[k - 1][0]})"
            raised: BaseException | None = None
            with monkeypatch.context() as failing:
                Faults(frozenset({k}), error).install(failing)
                try:
                    writer.write_all(root, writes)
                except (BlueprintgenError, KeyboardInterrupt) as failure:
                    raised = failure
            if raised is None:
                # Only flushing the removal of the journal may fail unreported: should
                # the journal come back after a power loss, recovering finds all done.
                assert (k, clean.calls[k - 1][0]) == (len(clean.calls), "sync_folder"), where
                assert snapshot(root) == after, where
                continue
            message = str(raised)
            assert ".blueprintgen-" not in message, where  # never a temporary's name
            if k <= commit:
                assert snapshot(root) == before, where
                assert leftovers(root) == [], where
                assert "every file is as it was before this command" in message, where
                if kind == "oserror":
                    assert isinstance(raised, WriteError), where
                    assert raised.path in {*writes, transaction.JOURNAL}, where
                else:
                    assert isinstance(raised, Interrupted) and raised.exit_code == 130, where
            else:  # committed: the files are written; what is left over, the next command removes
                if kind == "oserror":
                    assert "every file was written" in message, where
                recovered = transaction.recover(root)
                assert recovered is None or recovered.outcome == "completed", where
                assert snapshot(root) == after, where
                assert leftovers(root) == [], where


def test_a_rollback_that_fails_too_keeps_the_journal_and_the_next_run_finishes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build(tmp_path / "p", PROJECT)
    before = snapshot(root)
    with monkeypatch.context() as counting:
        clean = Faults().install(counting)
        writer.write_all(build(tmp_path / "clean", PROJECT), WRITES)
    # The swap fails once a file is replaced and one removed, and so does putting one back.
    swap = clean.index(lambda name, args: name == "replace" and str(args[1]).endswith("posts/api.py"))
    with monkeypatch.context() as counting:
        once = Faults(frozenset({swap}), io_error).install(counting)
        with pytest.raises(WriteError):
            writer.write_all(build(tmp_path / "once", PROJECT), WRITES)
    restore = next(
        i
        for i, (name, args) in enumerate(once.calls, 1)
        if i > swap and name == "replace" and Path(str(args[0])).name.endswith(".old")
    )
    both = frozenset({swap, restore})
    with monkeypatch.context() as failing:
        Faults(both, io_error).install(failing)
        with pytest.raises(WriteError, match="rolling back failed too") as raised:
            writer.write_all(root, WRITES)
    assert f"{transaction.JOURNAL} is kept" in str(raised.value)
    assert (root / transaction.JOURNAL).is_file()
    assert snapshot(root) != before  # one file is not back

    assert transaction.pending(root)

    # A write that did not go through begin() finds the journal: it rolls back, writes nothing.
    with pytest.raises(ProjectError, match="rolled back") as refused:
        writer.write_all(root, {"other.txt": "x"})
    assert "wrote nothing" in str(refused.value)
    assert snapshot(root) == before
    assert not transaction.pending(root)
    assert transaction.recover(root) is None  # nothing left to do: idempotent

    # The same, left again, and found by begin(), as every writing command starts.
    with monkeypatch.context() as failing:
        Faults(both, io_error).install(failing)
        with pytest.raises(WriteError):
            writer.write_all(root, WRITES)
    with transaction.begin(root) as recovered:
        assert recovered is not None and recovered.outcome == "rolled back"
        assert len(recovered.restored) == 1
        assert recovered.pid == os.getpid() and "as it was before that run" in recovered.message
        assert {path: kept for path, kept in snapshot(root).items() if path != transaction.LOCK} == before
        writer.write_all(root, WRITES)
    assert snapshot(root) == snapshot(tmp_path / "clean")


def test_a_journal_that_left_only_temporaries_does_not_stop_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build(tmp_path / "p", PROJECT)
    with monkeypatch.context() as counting:
        clean = Faults().install(counting)
        writer.write_all(build(tmp_path / "clean", PROJECT), WRITES)
    # The second swap fails, and so does the rollback's first step: removing a backup link
    # of a file that was never swapped. Every file is back; only that link is left.
    second_swap = clean.index(_is_swap) + 1
    with monkeypatch.context() as failing:
        Faults(frozenset({second_swap, second_swap + 1}), io_error).install(failing)
        with pytest.raises(WriteError, match="rolling back failed too"):
            writer.write_all(root, WRITES)
    assert transaction.pending(root)
    writer.write_all(root, WRITES)  # what it planned from is what is on disk: it goes ahead
    assert snapshot(root) == snapshot(tmp_path / "clean")


def test_what_blocks_a_write_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    root = build(tmp_path / "p", PROJECT)
    before = snapshot(root)
    with pytest.raises(WriteError, match=r"notes\.txt is a file, not a folder") as raised:
        writer.write_all(root, {"README.md": "x", "notes.txt/inner.py": "x"})
    assert raised.value.path == "notes.txt/inner.py"
    with pytest.raises(WriteError, match="is a folder"):
        writer.write_all(root, {"app/models": "x"})
    with pytest.raises(WriteError, match="cannot be written as UTF-8") as encoded:
        writer.write_all(root, {"README.md": "x", "app/bad.py": "\udc80"})
    assert encoded.value.path == "app/bad.py"
    with pytest.raises(UnsafePathError, match="journal or lock"):
        writer.write_all(root, {transaction.JOURNAL: "{}"})
    assert snapshot(root) == before


def test_a_folder_that_links_to_one_inside_the_project_is_written_through(tmp_path: Path) -> None:
    root = build(tmp_path / "p", PROJECT)
    (root / "current").symlink_to("app", target_is_directory=True)
    writer.write_all(root, {"current/models/tag.py": "class Tag: ...\n", "current/main.py": "x\n"})
    assert (root / "app/models/tag.py").read_text() == "class Tag: ...\n"
    assert (root / "app/main.py").stat().st_mode & 0o777 == 0o640
    assert (root / "current").is_symlink()
    assert leftovers(root) == []


# --- modes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_new_files_follow_the_umask_and_a_replaced_file_keeps_its_mode(
    tmp_path: Path, mask: int, file_mode: int, folder_mode: int
) -> None:
    root = build(tmp_path / "p", {"alembic.ini": ("[alembic]\n", 0o664), "run.sh": ("#!/bin/sh\n", 0o750)})
    with umask(mask):
        writer.write_all(
            root, {"alembic.ini": "[alembic]\nx = 1\n", "run.sh": "#!/bin/sh\nexit\n", "app/new.py": "x\n"}
        )
    assert (root / "app/new.py").stat().st_mode & 0o777 == file_mode
    assert (root / "app").stat().st_mode & 0o777 == folder_mode
    assert (root / "alembic.ini").stat().st_mode & 0o777 == 0o664
    assert (root / "run.sh").stat().st_mode & 0o777 == 0o750
    assert (root / "alembic.ini").read_text() == "[alembic]\nx = 1\n"
    assert leftovers(root) == []


# --- real signals against a running writer -------------------------------------------

# Pauses before its disk call number PAUSE (the parent then sends the signal), so that the
# signal lands in a known phase of a write of hundreds of files. Like the fault tests, it
# skips flushing to disk: a killed process loses nothing that is in the page cache, and
# hundreds of real fsyncs on a shared disk would make every run take seconds.
WRITER = """
import json, sys, time
from pathlib import Path
from blueprintgen import transaction, writer
from blueprintgen.errors import BlueprintgenError

root, pause, writes = Path(sys.argv[1]), int(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
calls = 0

def pausing(name, real):
    def call(*args):
        global calls
        calls += 1
        if calls == pause:
            print("paused", flush=True)
            time.sleep(0.5)
        return None if name in SKIPPED_FLUSHES else real(*args)
    return call

for name in OPERATIONS:
    setattr(transaction.FS, name, pausing(name, getattr(transaction.FS, name)))
try:
    writer.write_all(root, writes)
except BlueprintgenError as error:
    print(error.format(), file=sys.stderr)
    sys.exit(error.exit_code)
"""


_WRITER_SCRIPT = f"OPERATIONS = {OPERATIONS!r}\nSKIPPED_FLUSHES = {SKIPPED_FLUSHES!r}\n{WRITER}"


def large_project(root: Path) -> Path:
    files = {f"app/module{i // 20}/file{i}.py": (f"old {i}\n" * 20, 0o644) for i in range(150)}
    files.update({"blueprintgen.yaml": ("name: big\n", 0o644), ".blueprintgen/manifest.json": ("{}", 0o644)})
    return build(root, files)


LARGE_WRITES: dict[str, str | None] = {
    **{f"app/module{i // 20}/file{i}.py": f"new {i}\n" * 20 for i in range(100)},  # replaced
    **{f"app/module{i // 20}/file{i}.py": None for i in range(100, 130)},  # removed
    **{f"app/routes/r{i // 25}/route{i}.py": f"route {i}\n" * 20 for i in range(200)},  # created
    ".blueprintgen/manifest.json": '{"files": 330}',
    ".blueprintgen/base.json": "{}",
    "blueprintgen.yaml": "name: big\nresources: [many]\n",
}


@pytest.fixture(scope="module")
def large_write(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tree, Tree, Faults, Path]:
    """The tree before and after the large write, its calls, and the writes as a JSON file."""
    base = tmp_path_factory.mktemp("large")
    before = snapshot(large_project(base / "before"))
    monkeypatch = pytest.MonkeyPatch()
    try:
        calls = Faults().install(monkeypatch)
        clean = large_project(base / "clean")
        writer.write_all(clean, LARGE_WRITES)
    finally:
        monkeypatch.undo()
    writes_file = base / "writes.json"
    writes_file.write_text(json.dumps(LARGE_WRITES))
    return before, snapshot(clean), calls, writes_file


def _phases(calls: Faults) -> dict[str, int]:
    journal_written = calls.index(
        lambda name, args: name == "replace" and Path(str(args[1])).name == "journal.json"
    )
    first_swap = calls.index(_is_swap)
    commit = calls.index(_is_commit)
    return {
        "journal": 2,  # while the journal itself is being written
        "staging": (journal_written + first_swap) // 2,
        "swapping": (first_swap + commit) // 2,
        "before the commit": commit - 1,
        "committing": commit,  # in the commit's rename: SIGINT and SIGTERM wait, SIGKILL cannot
        "cleaning up": commit + 1,
        "removing the journal": calls.index(
            lambda name, args: name == "unlink" and Path(str(args[0])).name == "journal.committed"
        ),
    }


def _start(root: Path, pause: int, writes_file: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER_SCRIPT, str(root), str(pause), str(writes_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "paused\n"
    return child


@pytest.mark.parametrize(
    ("signum", "phase", "exit_code"),
    [
        (signal.SIGINT, "journal", 130),
        (signal.SIGINT, "staging", 130),
        (signal.SIGINT, "swapping", 130),
        (signal.SIGINT, "before the commit", 130),
        (signal.SIGTERM, "staging", 143),
        (signal.SIGTERM, "swapping", 143),
    ],
)
def test_sigint_or_sigterm_while_writing_rolls_back(
    tmp_path: Path, large_write: tuple[Tree, Tree, Faults, Path], signum: int, phase: str, exit_code: int
) -> None:
    before, _, calls, writes_file = large_write
    root = large_project(tmp_path / "p")
    child = _start(root, _phases(calls)[phase], writes_file)
    child.send_signal(signum)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == exit_code, stderr
    assert "while writing; every file is as it was before this command" in stderr
    assert snapshot(root) == before
    assert leftovers(root) == []


@pytest.mark.parametrize(
    ("signum", "phase"), [(signal.SIGINT, "committing"), (signal.SIGTERM, "cleaning up")]
)
def test_a_signal_once_the_commit_has_begun_waits_for_the_write_to_finish(
    tmp_path: Path, large_write: tuple[Tree, Tree, Faults, Path], signum: int, phase: str
) -> None:
    _, after, calls, writes_file = large_write
    root = large_project(tmp_path / "p")
    child = _start(root, _phases(calls)[phase], writes_file)
    child.send_signal(signum)
    child.communicate(timeout=30)
    assert child.returncode == -signum  # delivered as it would have been, once the write was complete
    assert snapshot(root) == after
    assert leftovers(root) == []


@pytest.mark.parametrize(
    ("phase", "outcome"),
    [
        ("journal", "discarded"),
        ("staging", "rolled back"),
        ("swapping", "rolled back"),
        ("committing", "rolled back"),
        ("cleaning up", "completed"),
        ("removing the journal", "completed"),
    ],
)
def test_sigkill_while_writing_is_undone_by_recover(
    tmp_path: Path, large_write: tuple[Tree, Tree, Faults, Path], phase: str, outcome: str
) -> None:
    before, after, calls, writes_file = large_write
    root = large_project(tmp_path / "p")
    child = _start(root, _phases(calls)[phase], writes_file)
    child.kill()
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL

    recovered = transaction.recover(root)
    assert recovered is not None and recovered.outcome == outcome
    if outcome != "discarded":
        assert recovered.pid == child.pid
        assert f"process {child.pid}" in recovered.message
    if outcome == "rolled back":
        assert "the project is as it was before that run" in recovered.message
        if phase != "staging":  # by then files had been swapped in: some were put back
            assert recovered.restored
    assert snapshot(root) == (after if outcome == "completed" else before)
    assert leftovers(root) == []
    assert transaction.recover(root) is None  # a second recovery has nothing to do


# --- two runs at once ----------------------------------------------------------------

# A writing command as the operations will run it: lock, read, (think), write. HOLD is
# seconds to think, or "stdin": until the parent writes a line.
APPEND = """
import json, sys, time
from pathlib import Path
from blueprintgen import transaction, writer
from blueprintgen.errors import BlueprintgenError

root, name, hold = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
print("starting", flush=True)
try:
    with transaction.begin(root):
        print("locked", flush=True)
        names = json.loads((root / "names.json").read_text())
        if hold == "stdin":
            sys.stdin.readline()
        else:
            time.sleep(float(hold))
        writer.write_all(root, {"names.json": json.dumps([*names, name]), f"{name}.txt": name})
except BlueprintgenError as error:
    print(error.format(), file=sys.stderr)
    sys.exit(error.exit_code)
"""


def _append(root: Path, name: str, hold: str, timeout: float) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", APPEND, str(root), name, hold],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, transaction.LOCK_TIMEOUT_ENV: str(timeout)},
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "starting\n"
    return child


def _locked(child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None
    assert child.stdout.readline() == "locked\n"


def test_a_second_writer_waits_for_the_first_and_nothing_is_lost(tmp_path: Path) -> None:
    root = build(tmp_path / "p", {"names.json": ("[]", 0o644)})
    first = _append(root, "first", hold="stdin", timeout=60)
    _locked(first)
    second = _append(root, "second", hold="0", timeout=60)
    with pytest.raises(subprocess.TimeoutExpired):
        second.wait(timeout=0.5)  # waiting for the lock
    first.communicate("go\n", timeout=60)
    _, stderr = second.communicate(timeout=60)
    assert (first.returncode, second.returncode) == (0, 0), stderr
    assert json.loads((root / "names.json").read_text()) == ["first", "second"]
    assert (root / "first.txt").is_file() and (root / "second.txt").is_file()
    assert leftovers(root) == []


def test_many_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    root = build(tmp_path / "p", {"names.json": ("[]", 0o644)})
    names = [f"w{i}" for i in range(4)]
    children = [_append(root, name, hold="0.05", timeout=60) for name in names]
    for child in children:
        _, stderr = child.communicate(timeout=60)
        assert child.returncode == 0, stderr
    assert sorted(json.loads((root / "names.json").read_text())) == names
    assert leftovers(root) == []


def test_a_second_writer_that_waits_too_long_fails_naming_the_first(tmp_path: Path) -> None:
    root = build(tmp_path / "p", {"names.json": ("[]", 0o644)})
    first = _append(root, "first", hold="stdin", timeout=60)
    _locked(first)
    second = _append(root, "second", hold="0", timeout=0.3)
    _, stderr = second.communicate(timeout=60)
    assert second.returncode == 1
    assert f"another blueprintgen run is writing this project: process {first.pid}" in stderr
    assert "gave up after waiting 0.3 s" in stderr
    first.communicate("go\n", timeout=60)
    assert first.returncode == 0
    assert json.loads((root / "names.json").read_text()) == ["first"]
    assert not (root / "second.txt").exists()
    assert leftovers(root) == []


def test_sigterm_while_waiting_for_the_lock_or_holding_it_leaves_nothing_behind(tmp_path: Path) -> None:
    root = build(tmp_path / "p", {"names.json": ("[]", 0o644)})
    before = snapshot(root)
    first = _append(root, "first", hold="stdin", timeout=60)
    _locked(first)
    waiting = _append(root, "second", hold="0", timeout=60)
    with pytest.raises(subprocess.TimeoutExpired):
        waiting.wait(timeout=0.3)
    waiting.terminate()
    _, stderr = waiting.communicate(timeout=60)
    assert waiting.returncode == 143, stderr
    assert "terminated (SIGTERM)" in stderr
    first.terminate()  # in the middle of its command, holding the lock
    _, stderr = first.communicate(timeout=60)
    assert first.returncode == 143, stderr
    assert "terminated (SIGTERM) with no file half-written" in stderr
    assert snapshot(root) == before  # no lock file either


def test_the_lock_is_reentrant_in_a_thread_and_exclusive_between_threads(tmp_path: Path) -> None:
    root = build(tmp_path / "p", {"names.json": ("[]", 0o644)})
    refused: list[BaseException] = []

    def other_thread() -> None:
        try:
            with transaction.locked(root, timeout=0.1):
                pass
        except BaseException as error:
            refused.append(error)

    with transaction.begin(root) as recovered:
        assert recovered is None
        writer.write_all(root, {"names.json": '["here"]'})  # takes the lock it already holds
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert len(refused) == 1 and isinstance(refused[0], ProjectError)
    assert f"process {os.getpid()}" in str(refused[0])
    assert leftovers(root) == []


def test_a_lock_file_left_by_a_killed_run_is_taken_over_and_removed(tmp_path: Path) -> None:
    # A killed holder that had created .blueprintgen (a new project): its successor removes it.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / ".blueprintgen").mkdir()
    (fresh / transaction.LOCK).write_text('{"pid": 999999, "command": "x", "created_state_dir": true}')
    with transaction.begin(fresh) as recovered:
        assert recovered is None
    assert snapshot(fresh) == {}
    # One in a project that was there before: the lock file goes, .blueprintgen stays.
    root = build(tmp_path / "p", PROJECT)
    before = snapshot(root)
    (root / transaction.LOCK).write_text('{"pid": 999999, "command": "x", "created_state_dir": false}')
    writer.write_all(root, {})
    assert snapshot(root) == before


def test_a_damaged_journal_is_reported_not_guessed_at(tmp_path: Path) -> None:
    root = build(tmp_path / "p", PROJECT)
    entry = {"path": "../../etc/passwd", "action": "create", "temporary": "x.new", "backup": None}
    journal = {"id": "1", "pid": 1, "command": "x", "started": "", "folders": [], "entries": [entry]}
    (root / transaction.JOURNAL).write_text(json.dumps(journal))
    with pytest.raises(ProjectError, match="is outside the project") as raised:
        transaction.recover(root)
    assert raised.value.path == transaction.JOURNAL
    assert "restore the project from version control" in str(raised.value)
    assert (root / transaction.JOURNAL).is_file()


def test_a_lock_timeout_that_is_not_a_number_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(transaction.LOCK_TIMEOUT_ENV, "soon")
    with pytest.raises(UsageError, match="BLUEPRINTGEN_LOCK_TIMEOUT='soon'"):
        writer.write_all(build(tmp_path / "p", PROJECT), {"README.md": "x"})


# --- through the command line --------------------------------------------------------

# The real CLI in a process of its own, paused once it has swapped two files into place.
CLI = """
import sys, time
from blueprintgen import transaction

real_replace = transaction.FS.replace
swapped = 0

def replace(source, destination):
    global swapped
    if source.name.endswith(".new"):
        swapped += 1
        if swapped == 3:
            print("paused", flush=True)
            time.sleep(5)
    return real_replace(source, destination)

transaction.FS.replace = replace
sys.argv = ["blueprintgen", *sys.argv[1:]]
from blueprintgen.cli import main
main()
"""
ADD_POST = ["add", "resource", "post", "--field", "title:str", "--yes"]


@pytest.fixture(scope="module")
def generated_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "demo"
    command = [
        sys.executable,
        "-m",
        "blueprintgen",
        "new",
        "project",
        "demo",
        "--output",
        str(root),
        "--no-git",
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return root


def _cli_paused(project: Path, *args: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    while (line := child.stdout.readline()) != "paused\n":
        assert line, "the command ended before it wrote"
    return child


def test_ctrl_c_while_a_command_writes_exits_130_with_the_project_as_it_was(
    tmp_path: Path, generated_project: Path
) -> None:
    project = tmp_path / "demo"
    shutil.copytree(generated_project, project, symlinks=True)
    before = snapshot(project)
    child = _cli_paused(project, *ADD_POST)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert "interrupted while writing; every file is as it was before this command" in stderr
    assert "Traceback" not in stderr
    assert snapshot(project) == before


def test_after_a_kill_the_next_command_that_writes_rolls_back_and_says_so(
    tmp_path: Path, generated_project: Path
) -> None:
    project = tmp_path / "demo"
    shutil.copytree(generated_project, project, symlinks=True)
    before = snapshot(project)
    child = _cli_paused(project, *ADD_POST)
    child.kill()
    child.communicate(timeout=60)
    assert transaction.pending(project)
    command = [sys.executable, "-m", "blueprintgen", *ADD_POST]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    assert f"an earlier blueprintgen run (process {child.pid}: " in result.stderr
    assert "was interrupted while writing; it has been rolled back" in result.stderr
    assert "Traceback" not in result.stderr
    assert not transaction.pending(project)
    assert leftovers(project) == []
    if result.returncode == 1:  # it stopped, to be run again on the restored project
        assert snapshot(project) == before
    else:  # it went on (the lock taken before the project is read): it wrote its files
        assert result.returncode == 0, result.stderr
        assert (project / "blueprintgen.yaml").read_text() != (
            generated_project / "blueprintgen.yaml"
        ).read_text()
