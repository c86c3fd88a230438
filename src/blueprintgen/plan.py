"""Stage 6: decide, per file, what a run would do to the project on disk."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from blueprintgen.errors import ConflictError
from blueprintgen.manifest import Manifest, digest


class Action(StrEnum):
    """What happens to one file."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    OVERWRITE = "overwrite"
    DELETED = "kept deleted"

    @property
    def writes(self) -> bool:
        """Whether the file is written."""
        return self in {Action.CREATE, Action.UPDATE, Action.OVERWRITE}


@dataclass(frozen=True)
class FileChange:
    """One file's planned change."""

    path: str
    action: Action
    new: str
    old: str | None
    reason: str = ""
    tracked: bool = True

    def diff(self) -> str:
        """Unified diff from what is on disk to what would be written."""
        old = (self.old or "").splitlines(keepends=True)
        new = self.new.splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, new, fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, IsADirectoryError):
        return ""


def plan_file(
    project: Path,
    path: str,
    new: str,
    manifest: Manifest,
    *,
    force: bool = False,
    restore: bool = False,
) -> FileChange:
    """The action for one generated file, judged against disk and the manifest."""
    old = _read(project / path)
    record = manifest.files.get(path)
    if old is None:
        if record is not None and not (restore or force):
            return FileChange(path, Action.DELETED, new, None, "deleted by you; --restore brings it back")
        return FileChange(path, Action.CREATE, new, None)
    if old == new:
        return FileChange(path, Action.UNCHANGED, new, old)
    if record is not None and digest(old) == record.sha256:
        return FileChange(path, Action.UPDATE, new, old)
    reason = (
        "edited since blueprintgen wrote it"
        if record is not None
        else "exists and was not written by blueprintgen"
    )
    if force:
        return FileChange(path, Action.OVERWRITE, new, old, reason)
    return FileChange(path, Action.CONFLICT, new, old, reason)


def plan(
    project: Path,
    files: dict[str, str],
    manifest: Manifest,
    *,
    force: bool = False,
    restore: bool = False,
) -> list[FileChange]:
    """Every file's change, in path order."""
    return [
        plan_file(project, path, files[path], manifest, force=force, restore=restore)
        for path in sorted(files)
    ]


def refuse_conflicts(changes: list[FileChange]) -> None:
    """Stop before writing anything when a user's edits would be overwritten."""
    conflicts = [change for change in changes if change.action is Action.CONFLICT]
    if conflicts:
        listing = "\n".join(f"  {change.path}: {change.reason}" for change in conflicts)
        noun = "file" if len(conflicts) == 1 else "files"
        raise ConflictError(
            f"{len(conflicts)} {noun} would overwrite your changes; nothing was written:\n{listing}",
            hint="review with --diff; --force overwrites them",
        )
