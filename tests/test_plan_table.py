"""The decision table, row by row: what a run does to a file, and how the drift check sees it.

Each row gives the facts about one file (on disk, new render, manifest record, base
copy, flags) and the action and state they must lead to. The rows are checked on the
pure function, then through a snapshot of a real folder by the planner and the drift
check, which must agree.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from blueprintgen import drift, snapshot
from blueprintgen.manifest import BASES, MANIFEST, BaseCopies, FileRecord, Manifest, digest
from blueprintgen.plan import Action, Decision, Flags, State, decide, plan, removals
from blueprintgen.snapshot import OnDisk, Unreadable
from tests.conftest import Workspace, simple_blueprint

PATH = "app/thing.py"
BASE = "a = 1\nb = 2\nc = 3\n"
NEW = "a = 1\nb = 2\nc = 30\n"  # the blueprint changed the last line
MINE = "a = 10\nb = 2\nc = 3\n"  # the user changed the first line
BOTH = "a = 10\nb = 2\nc = 30\n"  # both changes, as a clean merge gives them
CLASH = "a = 1\nb = 2\nc = 33\n"  # the user changed the line the blueprint changed
MARKED = "a = 1\n<<<<<<< yours\nc = 33\n=======\nc = 30\n>>>>>>> blueprintgen\n"
NOT_TEXT = b"\xff\xfe binary \x00"


@dataclass(frozen=True)
class Row:
    """The facts about one file, and what they must lead to."""

    name: str
    disk: OnDisk
    new: str | None
    written: str | None  # what the manifest says blueprintgen wrote (None: no record)
    base: str | None
    action: Action
    state: State
    flags: Flags = field(default_factory=Flags)
    deleted: bool = False  # the manifest knows the user deleted it
    settled: bool = False
    own: bool = False
    merged: str | None = None
    hunks: int = 0  # conflicting hunks the merge reports

    @property
    def record(self) -> FileRecord | None:
        if self.written is None:
            return None
        return FileRecord("thing", digest(self.written), "thing.py.j2", deleted=self.deleted)


FORCE = Flags(force=True)
MARKERS = Flags(markers=True)
ROWS = [
    # new and unchanged files
    Row("new file", None, NEW, None, None, Action.CREATE, State.NEWER),
    Row("unchanged", NEW, NEW, NEW, NEW, Action.UNCHANGED, State.IN_SYNC),
    Row("same text, not recorded", NEW, NEW, None, None, Action.UNCHANGED, State.IN_SYNC),
    Row("newer output, unedited", BASE, NEW, BASE, BASE, Action.UPDATE, State.NEWER),
    # files the user deleted
    Row("deleted by you", None, NEW, BASE, BASE, Action.DELETED, State.MISSING),
    Row("deleted, --restore", None, NEW, BASE, BASE, Action.CREATE, State.MISSING, Flags(restore=True)),
    Row("deleted, --force", None, NEW, BASE, BASE, Action.CREATE, State.MISSING, FORCE),
    Row("deleted, recorded so", None, NEW, BASE, BASE, Action.DELETED, State.DELETED, deleted=True),
    # files the user edited
    Row("edit, output unchanged", MINE, BASE, BASE, BASE, Action.KEEP, State.USER_EDIT),
    Row("edit, output unchanged, --force", MINE, BASE, BASE, BASE, Action.OVERWRITE, State.USER_EDIT, FORCE),
    Row("edit, output unchanged, no base", MINE, BASE, BASE, None, Action.KEEP, State.USER_EDIT),
    Row("edit, clean merge", MINE, NEW, BASE, BASE, Action.MERGE, State.BOTH, merged=BOTH),
    Row("edit already has the output", BOTH, NEW, BASE, BASE, Action.KEEP, State.USER_EDIT),
    Row("edit, conflict", CLASH, NEW, BASE, BASE, Action.CONFLICT, State.BOTH, hunks=1),
    Row("edit, conflict, markers", CLASH, NEW, BASE, BASE, Action.MARKERS, State.BOTH, MARKERS, hunks=1),
    Row("edit, --force", MINE, NEW, BASE, BASE, Action.OVERWRITE, State.BOTH, FORCE),
    Row("edit, no base copy", MINE, NEW, BASE, None, Action.CONFLICT, State.BOTH),
    Row("markers left, output unchanged", MARKED, BASE, BASE, BASE, Action.KEEP, State.MARKERS),
    Row("markers left, newer output", MARKED, NEW, BASE, BASE, Action.CONFLICT, State.MARKERS),
    Row("markers left, --force", MARKED, NEW, BASE, BASE, Action.OVERWRITE, State.MARKERS, FORCE),
    # the formatter's style changed, nothing else (the new render is the base copy reformatted)
    Row("formatter only", BASE, NEW, BASE, BASE, Action.KEEP, State.IN_SYNC, settled=True),
    Row("formatter only, edited", MINE, NEW, BASE, BASE, Action.KEEP, State.USER_EDIT, settled=True),
    # files blueprintgen did not write
    Row("not written by blueprintgen", MINE, NEW, None, None, Action.CONFLICT, State.NEWER),
    Row("not written by blueprintgen, --force", MINE, NEW, None, None, Action.OVERWRITE, State.NEWER, FORCE),
    # files that are not text
    Row("not UTF-8, newer output", Unreadable.NOT_TEXT, NEW, BASE, BASE, Action.CONFLICT, State.BOTH),
    Row("not UTF-8, output unchanged", Unreadable.NOT_TEXT, BASE, BASE, BASE, Action.KEEP, State.USER_EDIT),
    Row("not UTF-8, --force", Unreadable.NOT_TEXT, NEW, BASE, BASE, Action.OVERWRITE, State.BOTH, FORCE),
    Row("a folder in the way", Unreadable.FOLDER, NEW, BASE, BASE, Action.CONFLICT, State.MISSING, FORCE),
    Row("a folder, not recorded", Unreadable.FOLDER, NEW, None, None, Action.CONFLICT, State.NEWER),
    # files no longer generated
    Row("gone, unedited", BASE, None, BASE, BASE, Action.REMOVE, State.GONE),
    Row("gone, edited", MINE, None, BASE, BASE, Action.ORPHAN, State.GONE),
    Row("gone, not UTF-8", Unreadable.NOT_TEXT, None, BASE, BASE, Action.ORPHAN, State.GONE),
    Row("gone, already deleted", None, None, BASE, BASE, Action.FORGET, State.DELETED),
    Row("gone, deleted and recorded so", None, None, BASE, BASE, Action.FORGET, State.DELETED, deleted=True),
    # the command's own state file (the project file): written as it is, never merged
    Row("own file, new", None, NEW, None, None, Action.CREATE, State.NEWER, own=True),
    Row("own file, changed", MINE, NEW, None, None, Action.UPDATE, State.NEWER, own=True),
    Row("own file, unchanged", NEW, NEW, None, None, Action.UNCHANGED, State.IN_SYNC, own=True),
]


def _decide(row: Row, flags: Flags | None = None) -> Decision:
    return decide(
        row.disk,
        row.new,
        row.record,
        row.base,
        row.flags if flags is None else flags,
        settled=row.settled,
        own=row.own,
    )


def test_every_action_and_state_has_a_row() -> None:
    assert {row.action for row in ROWS} == set(Action)
    assert {row.state for row in ROWS} == set(State)
    assert len({row.name for row in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_decision(row: Row) -> None:
    decision = _decide(row)
    assert (decision.action, decision.state) == (row.action, row.state)
    assert len(decision.conflicts) == row.hunks
    if row.merged is not None:
        assert decision.merged == row.merged
    if decision.action is Action.MARKERS:
        assert decision.merged is not None and "<<<<<<< yours" in decision.merged
    # a row that does not write or delete explains itself
    if decision.action not in {Action.CREATE, Action.UPDATE, Action.UNCHANGED}:
        assert decision.reason


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_state_does_not_depend_on_flags(row: Row) -> None:
    every = (Flags(), FORCE, Flags(restore=True), MARKERS)
    states = {_decide(row, flags).state for flags in every}
    assert states == {row.state}


def test_a_path_neither_generated_nor_recorded_has_no_decision() -> None:
    with pytest.raises(ValueError):
        decide(None, None, None, None)


def _project(tmp_path: Path, row: Row) -> Path:
    """A folder holding the row's file, manifest and base copy."""
    target = tmp_path / PATH
    target.parent.mkdir(parents=True)
    if isinstance(row.disk, str):
        target.write_text(row.disk, encoding="utf-8")
    elif row.disk is Unreadable.NOT_TEXT:
        target.write_bytes(NOT_TEXT)
    elif row.disk is Unreadable.FOLDER:
        target.mkdir()
        (target / "inside.txt").write_text("x\n")
    files = {PATH: row.record} if row.record is not None else {}
    (tmp_path / MANIFEST).parent.mkdir(exist_ok=True)
    (tmp_path / MANIFEST).write_text(Manifest(files=files).to_json(), encoding="utf-8")
    if row.base is not None:
        (tmp_path / BASES).write_text(BaseCopies().updated({PATH: row.base}) or "", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_planner_and_drift_agree_through_a_snapshot(tmp_path: Path, row: Row) -> None:
    generated = {PATH: row.new} if row.new is not None else {}
    taken = snapshot.take(_project(tmp_path, row), generated)
    assert taken.get(PATH) == row.disk
    settled = {PATH} if row.settled else set()
    own = {PATH} if row.own else set()
    changes = plan(taken, generated, row.flags, settled=settled, own=own) + removals(taken, generated)
    assert [(change.path, change.action) for change in changes] == [(PATH, row.action)]
    states = drift.states(taken, generated, settled=settled, own=own)
    assert [(state.path, state.state) for state in states] == [(PATH, row.state)]
    assert changes[0].state is states[0].state
    assert changes[0].tracked is not row.own


def test_the_snapshot_is_all_that_is_judged(tmp_path: Path) -> None:
    """Once taken, the snapshot answers for the project: the disk is not read again."""
    row = next(row for row in ROWS if row.name == "edit, clean merge")
    taken = snapshot.take(_project(tmp_path, row), [PATH])
    (tmp_path / PATH).unlink()
    (tmp_path / MANIFEST).unlink()
    (tmp_path / BASES).unlink()
    [change] = plan(taken, {PATH: NEW})
    assert (change.action, change.old, change.text) == (Action.MERGE, MINE, BOTH)
    [state] = drift.states(taken, {PATH: NEW})
    assert (state.state, state.current, state.generated) == (State.BOTH, MINE, NEW)


def test_a_formatter_only_file_is_compared_with_its_base_copy(tmp_path: Path) -> None:
    row = next(row for row in ROWS if row.name == "formatter only, edited")
    taken = snapshot.take(_project(tmp_path, row), [PATH])
    [state] = drift.states(taken, {PATH: NEW}, settled={PATH})
    assert (state.current, state.generated) == (MINE, BASE)
    assert state.shows_diff and "-a = 10" in state.diff() and "+a = 1" in state.diff()


def test_files_the_manifest_owns_are_read_with_those_generated(tmp_path: Path) -> None:
    (tmp_path / "kept.py").write_text("k\n")
    (tmp_path / "other.py").write_text("o\n")
    (tmp_path / MANIFEST).parent.mkdir()
    record = FileRecord("thing", digest("k\n"))
    (tmp_path / MANIFEST).write_text(Manifest(files={"kept.py": record}).to_json())
    taken = snapshot.take(tmp_path, ["new.py"])
    assert dict(taken.files) == {"kept.py": "k\n", "new.py": None}
    assert taken.manifest.files == {"kept.py": record}
    assert taken.exists("kept.py") and not taken.exists("new.py") and taken.text("other.py") is None


def test_action_and_state_properties_the_cli_uses() -> None:
    assert {a for a in Action if a.replaces_existing} == {
        Action.UPDATE,
        Action.OVERWRITE,
        Action.MERGE,
        Action.MARKERS,
    }
    assert [a for a in Action if a.is_markers] == [Action.MARKERS]
    assert [a for a in Action if a.is_conflict] == [Action.CONFLICT]
    assert {a for a in Action if a.shows_diff} == {a for a in Action if a.writes} | {Action.CONFLICT}
    assert {a for a in Action if a.drops_record} == {Action.REMOVE, Action.ORPHAN, Action.FORGET}
    assert [s for s in State if not s.shows_diff] == [State.DELETED]
    assert all(s.hint for s in State if s.out_of_sync)
    assert not any(s.hint for s in State if not s.out_of_sync)


def _notes(ws: Workspace) -> None:
    """A blueprint of two files, the second only when ``extra`` is on; generated with both."""
    blueprint = simple_blueprint("notes")
    blueprint["parameters"]["extra"] = {"type": "boolean", "default": False}
    blueprint["relationships"]["generates"] = [
        "src/notes_{who}.py",
        {"path": "src/extra_{who}.py", "template": "extra.py.j2", "condition": "extra"},
    ]
    ws.blueprint("notes", blueprint)
    ws.template("extra.py.j2", "EXTRA = {{ who | pyrepr }}\n")
    generated = ws.run("generate", "notes", "--set", "who=world", "--set", "extra=true")
    assert generated.exit_code == 0, generated.output


def _stop_generating_extra(ws: Workspace) -> None:
    manifest = json.loads((ws.root / MANIFEST).read_text())
    manifest["instances"]["notes"]["params"]["extra"] = False
    (ws.root / MANIFEST).write_text(json.dumps(manifest))


def test_a_run_reads_each_project_file_once(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from blueprintgen import catalog, pipeline
    from blueprintgen.project import requests_for

    _notes(ws)
    (ws.root / "src/notes_world.py").write_text("# mine\n", encoding="utf-8")
    found = catalog.load(ws.root)
    requests = requests_for(ws.root)
    reads: Counter[str] = Counter()
    original = Path.read_text

    def counting(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.is_relative_to(ws.root) and "blueprints" not in self.parts and "templates" not in self.parts:
            reads[self.relative_to(ws.root).as_posix()] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    run = pipeline.prepare(ws.root, found, requests, pipeline.Options(prune=True))
    project_files = {"src/notes_world.py", "src/extra_world.py", MANIFEST, BASES}
    assert {path: reads[path] for path in project_files} == dict.fromkeys(project_files, 1)
    reads.clear()
    states = pipeline.drift_states(run)
    assert not reads, "the drift check judges the run's snapshot"
    assert {state.path: state.state for state in states} == {
        "src/notes_world.py": State.USER_EDIT,
        "src/extra_world.py": State.IN_SYNC,
    }
    assert [change.action for change in run.changes] == [Action.UNCHANGED, Action.KEEP]


def test_a_file_no_longer_generated_that_you_deleted_is_forgotten(ws: Workspace) -> None:
    _notes(ws)
    (ws.root / "src/extra_world.py").unlink()
    _stop_generating_extra(ws)
    assert ws.run("validate", "--check-all").exit_code == 0, "nothing for the user to do"
    upgraded = ws.run("upgrade", "--yes")
    assert upgraded.exit_code == 0, upgraded.output
    assert "forget" in upgraded.stdout and "src/extra_world.py" in upgraded.stdout
    manifest = json.loads((ws.root / MANIFEST).read_text())
    assert set(manifest["files"]) == {"src/notes_world.py"}
    assert "src/extra_world.py" not in json.loads((ws.root / BASES).read_text())
    assert "nothing to do" in ws.run("upgrade", "--yes").stdout


def test_an_edited_file_no_longer_generated_is_kept_and_forgotten(ws: Workspace) -> None:
    _notes(ws)
    (ws.root / "src/extra_world.py").write_text("EXTRA = 'mine'\n", encoding="utf-8")
    _stop_generating_extra(ws)
    checked = ws.run("validate", "--check-all")
    assert checked.exit_code == 1 and "no longer generated" in checked.stderr
    upgraded = ws.run("upgrade", "--yes")
    assert upgraded.exit_code == 0, upgraded.output
    assert "kept orphan" in upgraded.stdout
    assert (ws.root / "src/extra_world.py").read_text() == "EXTRA = 'mine'\n"
    assert ws.run("validate", "--check-all").exit_code == 0


def test_force_removes_an_edited_file_no_longer_generated_as_remove_resource_does(ws: Workspace) -> None:
    """--force means the same in every command that writes: your edits give way."""
    _notes(ws)
    (ws.root / "src/extra_world.py").write_text("EXTRA = 'mine'\n", encoding="utf-8")
    _stop_generating_extra(ws)
    upgraded = ws.run("upgrade", "--yes", "--force")
    assert upgraded.exit_code == 0, upgraded.output
    assert "kept orphan" not in upgraded.stdout
    assert not (ws.root / "src/extra_world.py").exists()
    manifest = json.loads((ws.root / MANIFEST).read_text())
    assert "src/extra_world.py" not in manifest["files"]
    assert ws.run("validate", "--check-all").exit_code == 0
