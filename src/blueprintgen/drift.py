"""How a project's files stand against what blueprintgen would generate now."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from blueprintgen.manifest import BaseCopies, Manifest, digest
from blueprintgen.merge import has_markers


class State(StrEnum):
    """One generated file's state."""

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


@dataclass(frozen=True)
class FileState:
    """A file, its state, and the texts behind it."""

    path: str
    state: State
    current: str | None
    generated: str | None
    instance: str


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None
    except UnicodeDecodeError:
        return ""


def classify(
    root: Path, manifest: Manifest, generated: dict[str, str], bases: BaseCopies | None = None
) -> list[FileState]:
    """Every manifest-owned file and every newly generated one, with its state."""
    bases = BaseCopies.read(root) if bases is None else bases
    states: list[FileState] = []
    for path in sorted(set(manifest.files) | set(generated)):
        record = manifest.files.get(path)
        current = _read(root / path)
        new = generated.get(path)
        instance = record.instance if record else ""
        if record is None:
            state = State.IN_SYNC if current == new else State.NEWER
        elif record.deleted and current is None:
            state = State.DELETED
        elif current is None:
            state = State.MISSING
        elif new is None:
            state = State.GONE
        elif has_markers(current):
            state = State.MARKERS
        elif current == new:
            state = State.IN_SYNC
        else:
            base = bases.get(path)
            unedited = digest(current) == record.sha256
            unchanged_output = base == new if base is not None else digest(new) == record.sha256
            if unedited:
                state = State.NEWER
            elif unchanged_output:
                state = State.USER_EDIT
            else:
                state = State.BOTH
        states.append(FileState(path, state, current, new, instance))
    return states
