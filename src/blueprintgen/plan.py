"""Stage 6: decide, per file, what a run does to the project, and how the file stands.

One table, :func:`decide`, answers both questions from the same facts (the file on
disk, the new render, the manifest record, the base copy): what a run would do (an
:class:`Action`, the plan) and how the file stands against the blueprints now (a
:class:`State`, the drift check of ``validate`` and ``diff``). The two cannot disagree.
Everything here is pure: the facts come from a :class:`~blueprintgen.snapshot.Snapshot`.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from blueprintgen.errors import ConflictError
from blueprintgen.manifest import FileRecord, digest
from blueprintgen.merge import has_markers, merge
from blueprintgen.snapshot import OnDisk, Snapshot, Unreadable


class Action(StrEnum):
    """What a run does to one file."""

    CREATE = "create"
    UPDATE = "update"
    MERGE = "merge"
    UNCHANGED = "unchanged"
    KEEP = "kept edit"
    CONFLICT = "conflict"
    MARKERS = "conflict markers"
    OVERWRITE = "overwrite"
    DELETED = "kept deleted"
    REMOVE = "remove"
    ORPHAN = "kept orphan"
    FORGET = "forget"

    @property
    def writes(self) -> bool:
        """Whether the file is written."""
        return self in {Action.CREATE, Action.UPDATE, Action.MERGE, Action.MARKERS, Action.OVERWRITE}

    @property
    def owned(self) -> bool:
        """Whether blueprintgen records the new render as this file's base afterwards."""
        return self not in {Action.CONFLICT, Action.DELETED, Action.REMOVE, Action.ORPHAN, Action.FORGET}

    @property
    def drops_record(self) -> bool:
        """Whether the manifest forgets the file: it is no longer generated."""
        return self in {Action.REMOVE, Action.ORPHAN, Action.FORGET}

    @property
    def replaces_existing(self) -> bool:
        """Whether a file already on disk is replaced: worth a confirmation first."""
        return self in {Action.UPDATE, Action.OVERWRITE, Action.MERGE, Action.MARKERS}

    @property
    def is_markers(self) -> bool:
        """Whether conflict markers are written into the file, for the user to resolve."""
        return self is Action.MARKERS

    @property
    def is_conflict(self) -> bool:
        """Whether the run must stop: writing would lose the user's edits."""
        return self is Action.CONFLICT

    @property
    def removes(self) -> bool:
        """Whether the file is deleted from the project."""
        return self is Action.REMOVE

    @property
    def shows_diff(self) -> bool:
        """Whether ``--diff`` shows this change (what is written, or what stops the run)."""
        return self.writes or self is Action.CONFLICT

    @property
    def is_quiet(self) -> bool:
        """Whether the plan lists this file only when asked for every file (``--verbose``)."""
        return self is Action.UNCHANGED


class State(StrEnum):
    """How one generated file stands against what blueprintgen would generate now."""

    IN_SYNC = "in sync"
    USER_EDIT = "edited by you"
    NEWER = "newer blueprint output"
    BOTH = "edited by you, and newer blueprint output"
    MISSING = "missing"
    DELETED = "deleted by you"
    MARKERS = "unresolved conflict markers"
    GONE = "no longer generated"

    @property
    def out_of_sync(self) -> bool:
        """Whether `blueprintgen upgrade` has work to do (or the user must act)."""
        return self in {State.NEWER, State.BOTH, State.MISSING, State.MARKERS, State.GONE}

    @property
    def is_user_edit(self) -> bool:
        """An edit of yours that upgrades keep: worth a note, not a problem."""
        return self is State.USER_EDIT

    @property
    def shows_diff(self) -> bool:
        """Whether ``blueprintgen diff`` shows the file (a file you deleted is not shown)."""
        return self is not State.DELETED

    @property
    def hint(self) -> str | None:
        """What to run (or do) about a file out of sync; None when nothing is to be done."""
        return _HINTS.get(self)


_HINTS = {
    State.NEWER: "run `blueprintgen upgrade --yes` (see `blueprintgen diff`)",
    State.BOTH: "run `blueprintgen upgrade --yes` to merge (see `blueprintgen diff`)",
    State.MISSING: "run `blueprintgen upgrade --yes --restore`, "
    "or delete it for good with `blueprintgen upgrade --yes`",
    State.MARKERS: "resolve the <<<<<<< yours / >>>>>>> blueprintgen blocks",
    State.GONE: "run `blueprintgen upgrade --yes` to remove it",
}


@dataclass(frozen=True)
class Flags:
    """The options that change a decision (never a file's state)."""

    force: bool = False
    """Overwrite the user's edits."""
    restore: bool = False
    """Re-create files the user deleted."""
    markers: bool = False
    """Write conflict markers where edits and new output clash, instead of stopping."""


@dataclass(frozen=True)
class Decision:
    """One file's row of the table: what a run does, and how the file stands."""

    action: Action
    state: State
    reason: str = ""
    merged: str | None = None
    conflicts: tuple[str, ...] = ()


_FORCED = "your edits are overwritten (--force)"


def decide(
    disk: OnDisk,
    new: str | None,
    record: FileRecord | None,
    base: str | None,
    flags: Flags = Flags(),
    *,
    yours: str | None = None,
    settled: bool = False,
    own: bool = False,
) -> Decision:
    """The decision table: what happens to one file, from the facts about it.

    ``disk`` is the file as the project holds it, ``new`` the fresh render (None: no
    longer generated), ``record`` what the manifest says blueprintgen last wrote,
    ``base`` the base copy of the 3-way merge. ``yours`` is the file on disk as the
    formatter would write it (so that formatting alone merges cleanly); ``settled``
    says the new render differs from the base copy only by the formatter's style;
    ``own`` marks the command's own state file (the project file), written as is.
    The state never depends on ``flags``.
    """
    if new is None:
        return _no_longer_generated(disk, record)
    if own:
        return _own_file(disk, new)
    if disk is None:
        state = State.NEWER if record is None else State.DELETED if record.deleted else State.MISSING
        if record is None or flags.restore or flags.force:
            return Decision(Action.CREATE, state)
        return Decision(Action.DELETED, state, "deleted by you; --restore brings it back")
    if disk is Unreadable.FOLDER:  # nothing can be written there, --force or not
        state = State.NEWER if record is None else State.MISSING
        return Decision(Action.CONFLICT, state, "a folder is where this file goes; move it away")
    if disk == new:
        return Decision(Action.UNCHANGED, State.IN_SYNC)
    if record is None:
        action = Action.OVERWRITE if flags.force else Action.CONFLICT
        return Decision(action, State.NEWER, "exists and was not written by blueprintgen")
    edited = disk is Unreadable.NOT_TEXT or digest(disk) != record.sha256
    marked = isinstance(disk, str) and has_markers(disk)
    if settled:  # the output changed only by the formatter's style: nothing to bring in
        state = State.MARKERS if marked else State.USER_EDIT if edited else State.IN_SYNC
        return Decision(Action.KEEP, state, "only the formatter's style changed; left as it is")
    if not edited:
        return Decision(Action.UPDATE, State.NEWER)
    output_unchanged = base == new if base is not None else digest(new) == record.sha256
    if marked:
        if flags.force:
            return Decision(Action.OVERWRITE, State.MARKERS, _FORCED)
        if output_unchanged:
            return Decision(Action.KEEP, State.MARKERS, "unresolved conflict markers; resolve them")
        return Decision(
            Action.CONFLICT,
            State.MARKERS,
            "unresolved conflict markers of an earlier run; resolve them first",
        )
    if output_unchanged:
        return _edited(flags, State.USER_EDIT, "edited by you; the blueprint output did not change")
    if base is None:
        return _edited(flags, State.BOTH, "edited by you, and no base copy to merge with", Action.CONFLICT)
    if not isinstance(disk, str):
        return _edited(flags, State.BOTH, "not UTF-8 text: cannot merge the new output in", Action.CONFLICT)
    result = merge(base, yours if yours is not None else disk, new)
    if result.clean and result.text == disk:
        return _edited(flags, State.USER_EDIT, "your edit already has the new output")
    if flags.force:
        return Decision(Action.OVERWRITE, State.BOTH, _FORCED)
    if result.clean:
        return Decision(Action.MERGE, State.BOTH, "your edits merged with the new output", result.text)
    count = len(result.conflicts)
    reason = f"{count} conflicting hunk{'s' if count > 1 else ''} between your edits and the new output"
    conflicts = tuple(result.conflicts)
    if flags.markers:
        return Decision(Action.MARKERS, State.BOTH, reason, result.text, conflicts)
    return Decision(Action.CONFLICT, State.BOTH, reason, conflicts=conflicts)


def _edited(flags: Flags, state: State, reason: str, action: Action = Action.KEEP) -> Decision:
    """A file the user edited: ``action`` unless --force overwrites it."""
    if flags.force:
        return Decision(Action.OVERWRITE, state, _FORCED)
    return Decision(action, state, reason)


def _no_longer_generated(disk: OnDisk, record: FileRecord | None) -> Decision:
    """A file the manifest owns that no run generates any more."""
    if record is None:
        raise ValueError("a file neither generated nor recorded in the manifest has no decision")
    if disk is None or disk is Unreadable.FOLDER:  # nothing of ours left: the record goes
        return Decision(Action.FORGET, State.DELETED, "no longer generated, and already deleted")
    if disk is Unreadable.NOT_TEXT or digest(disk) != record.sha256:
        return Decision(Action.ORPHAN, State.GONE, "no longer generated; kept because you edited it")
    return Decision(Action.REMOVE, State.GONE, "no longer generated")


def _own_file(disk: OnDisk, new: str) -> Decision:
    """The command's own state file (the project file): always written, never merged."""
    if disk is None:
        return Decision(Action.CREATE, State.NEWER)
    if disk is Unreadable.FOLDER:
        return Decision(Action.CONFLICT, State.NEWER, "a folder is where this file goes; move it away")
    if disk == new:
        return Decision(Action.UNCHANGED, State.IN_SYNC)
    return Decision(Action.UPDATE, State.NEWER)


@dataclass(frozen=True)
class FileChange:
    """One file's planned change: ``new`` is the render, ``text`` what lands on disk."""

    path: str
    new: str
    old: str | None
    decision: Decision
    tracked: bool = True

    @property
    def action(self) -> Action:
        """What the run does to the file."""
        return self.decision.action

    @property
    def state(self) -> State:
        """How the file stands against the new render."""
        return self.decision.state

    @property
    def reason(self) -> str:
        """Why, in a few words (empty when the action says it all)."""
        return self.decision.reason

    @property
    def merged(self) -> str | None:
        """The merge of the user's edits with the new render, when there is one."""
        return self.decision.merged

    @property
    def conflicts(self) -> tuple[str, ...]:
        """The clashing hunks, when the merge has any."""
        return self.decision.conflicts

    @property
    def text(self) -> str:
        """What is written to disk."""
        return self.merged if self.merged is not None else self.new

    def diff(self) -> str:
        """Unified diff from what is on disk to what would be written."""
        old = (self.old or "").splitlines(keepends=True)
        new = self.text.splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, new, fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


def plan_file(
    snapshot: Snapshot,
    path: str,
    new: str,
    flags: Flags = Flags(),
    *,
    yours: str | None = None,
    settled: bool = False,
    own: bool = False,
) -> FileChange:
    """The change to one generated file, judged against the snapshot."""
    disk = snapshot.get(path)
    record = snapshot.manifest.files.get(path)
    # Only a recorded file that differs from its render needs its base copy, and
    # decoding every copy of base.json would cost more than planning the rest.
    base = snapshot.bases.get(path) if record is not None and disk != new else None
    decision = decide(
        disk,
        new,
        record,
        base,
        flags,
        yours=yours,
        settled=settled,
        own=own,
    )
    return FileChange(path, new, disk if isinstance(disk, str) else None, decision, tracked=not own)


def plan(
    snapshot: Snapshot,
    files: Mapping[str, str],
    flags: Flags = Flags(),
    *,
    yours: Mapping[str, str] | None = None,
    settled: Collection[str] = (),
    own: Collection[str] = (),
) -> list[FileChange]:
    """Every generated file's change, in path order."""
    yours = yours or {}
    return [
        plan_file(
            snapshot,
            path,
            files[path],
            flags,
            yours=yours.get(path),
            settled=path in settled,
            own=path in own,
        )
        for path in sorted(files)
    ]


def removals(
    snapshot: Snapshot,
    files: Collection[str],
    *,
    instances: Collection[str] | None = None,
    force: bool = False,
) -> list[FileChange]:
    """Files the manifest owns that are no longer generated: removed unless edited (and
    then removed too with ``force``, as --force overwrites an edited file that is generated).

    With ``instances``, only the files those instances wrote (a run that renders only some
    of the project's instances knows only what they no longer generate).
    """
    changes: list[FileChange] = []
    for path, record in sorted(snapshot.manifest.files.items()):
        if path in files or (instances is not None and record.instance not in instances):
            continue
        disk = snapshot.get(path)
        decision = decide(disk, None, record, None)
        if force and decision.action is Action.ORPHAN:
            decision = Decision(
                Action.REMOVE, State.GONE, "no longer generated; your edits are removed (--force)"
            )
        changes.append(FileChange(path, "", disk if isinstance(disk, str) else None, decision))
    return changes


def edited(snapshot: Snapshot, files: Mapping[str, str]) -> dict[str, str]:
    """Generated files the user changed since blueprintgen wrote them, with their text."""
    found: dict[str, str] = {}
    for path, new in files.items():
        record = snapshot.manifest.files.get(path)
        old = snapshot.text(path)
        if record is not None and old is not None and old != new and digest(old) != record.sha256:
            found[path] = old
    return found


def refuse_conflicts(changes: list[FileChange]) -> None:
    """Stop before writing anything when a user's edits would be overwritten."""
    conflicts = [change for change in changes if change.action is Action.CONFLICT]
    if conflicts:
        listing = "\n".join(
            f"  {change.path}: {change.reason}" + "".join(f"\n{hunk.rstrip()}" for hunk in change.conflicts)
            for change in conflicts
        )
        noun = "file" if len(conflicts) == 1 else "files"
        raise ConflictError(
            f"{len(conflicts)} {noun} would lose your changes; nothing was written:\n{listing}",
            hint="review with --diff; --conflict markers writes conflict markers to resolve by hand; "
            "--force overwrites your edits",
        )
