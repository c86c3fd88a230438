"""How a project's files stand against what blueprintgen would generate now.

A view of the plan's decision table (:func:`blueprintgen.plan.decide`): each file's
:class:`State` is the one the table gives it, so ``validate`` and ``diff`` say what
``upgrade`` would find.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from blueprintgen.plan import FileChange, State, plan, removals
from blueprintgen.snapshot import Snapshot

__all__ = ["FileState", "State", "states", "view"]


@dataclass(frozen=True)
class FileState:
    """A file, its state, and the texts behind it."""

    path: str
    state: State
    current: str | None
    """The file's text on disk (None: missing, or not a text file)."""
    generated: str | None
    """What blueprintgen holds to be its output now (None: no longer generated)."""
    instance: str

    @property
    def shows_diff(self) -> bool:
        """Whether ``blueprintgen diff`` has something to show for this file."""
        return self.state.shows_diff and self.current != self.generated

    def diff(self) -> str:
        """Unified diff from the file on disk to what blueprintgen would generate now."""
        lines = difflib.unified_diff(
            (self.current or "").splitlines(keepends=True),
            (self.generated or "").splitlines(keepends=True),
            fromfile=f"a/{self.path} (yours)",
            tofile=f"b/{self.path} (generated now)",
        )
        return "".join(lines)


def states(
    snapshot: Snapshot,
    generated: Mapping[str, str],
    *,
    settled: Collection[str] = (),
    own: Collection[str] = (),
) -> list[FileState]:
    """Every manifest-owned file and every generated one, with its state, in path order."""
    changes = plan(snapshot, generated, settled=settled, own=own) + removals(snapshot, generated)
    return view(changes, snapshot, settled)


def view(changes: Iterable[FileChange], snapshot: Snapshot, settled: Collection[str] = ()) -> list[FileState]:
    """The states of planned changes (those of every generated and every recorded file).

    A file in ``settled`` has new output that differs from its base copy only by the
    formatter's style; its output stays the base copy, so that is what it is compared with.
    """
    found: list[FileState] = []
    for change in sorted(changes, key=lambda change: change.path):
        record = snapshot.manifest.files.get(change.path)
        if change.action.drops_record:
            generated = None
        elif change.path in settled:
            generated = snapshot.bases.get(change.path)
        else:
            generated = change.new
        instance = record.instance if record is not None else ""
        found.append(FileState(change.path, change.state, snapshot.text(change.path), generated, instance))
    return found
