"""Stage 6: decide, per file, what a run would do to the project on disk."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from blueprintgen.errors import ConflictError
from blueprintgen.manifest import BaseCopies, Manifest, digest
from blueprintgen.merge import merge


class Action(StrEnum):
    """What happens to one file."""

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

    @property
    def writes(self) -> bool:
        """Whether the file is written."""
        return self in {Action.CREATE, Action.UPDATE, Action.MERGE, Action.MARKERS, Action.OVERWRITE}

    @property
    def owned(self) -> bool:
        """Whether blueprintgen records the new render as this file's base afterwards."""
        return self not in {Action.CONFLICT, Action.DELETED, Action.REMOVE, Action.ORPHAN}


@dataclass(frozen=True)
class FileChange:
    """One file's planned change: ``new`` is the render, ``text`` what lands on disk."""

    path: str
    action: Action
    new: str
    old: str | None
    reason: str = ""
    tracked: bool = True
    merged: str | None = None
    conflicts: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """What is written to disk."""
        return self.merged if self.merged is not None else self.new

    def diff(self) -> str:
        """Unified diff from what is on disk to what would be written."""
        old = (self.old or "").splitlines(keepends=True)
        new = self.text.splitlines(keepends=True)
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
    bases: BaseCopies,
    *,
    force: bool = False,
    restore: bool = False,
    markers: bool = False,
    yours: str | None = None,
    settled: bool = False,
) -> FileChange:
    """The action for one generated file, judged against disk, the manifest and the base copy.

    ``yours`` is the file on disk as the formatter would write it, so that formatting
    alone never counts as an edit.
    """
    old = _read(project / path)
    record = manifest.files.get(path)
    if old is None:
        if record is not None and not (restore or force):
            return FileChange(path, Action.DELETED, new, None, "deleted by you; --restore brings it back")
        return FileChange(path, Action.CREATE, new, None)
    if old == new:
        return FileChange(path, Action.UNCHANGED, new, old)
    if settled and record is not None:
        return FileChange(path, Action.KEEP, new, old, "only the formatter's style changed; left as it is")
    if record is not None and digest(old) == record.sha256:
        return FileChange(path, Action.UPDATE, new, old)
    if record is None:
        reason = "exists and was not written by blueprintgen"
        return FileChange(path, Action.OVERWRITE if force else Action.CONFLICT, new, old, reason)
    if force:
        return FileChange(path, Action.OVERWRITE, new, old, "your edits are overwritten (--force)")
    base = bases.get(path)
    if base is None:
        return FileChange(path, Action.CONFLICT, new, old, "edited by you, and no base copy to merge with")
    if base == new:
        return FileChange(path, Action.KEEP, new, old, "edited by you; the blueprint output did not change")
    result = merge(base, yours if yours is not None else old, new)
    if result.clean:
        if result.text == old:
            return FileChange(path, Action.KEEP, new, old, "your edit already has the new output")
        return FileChange(
            path, Action.MERGE, new, old, "your edits merged with the new output", merged=result.text
        )
    count = len(result.conflicts)
    reason = f"{count} conflicting hunk{'s' if count > 1 else ''} between your edits and the new output"
    if markers:
        return FileChange(
            path, Action.MARKERS, new, old, reason, merged=result.text, conflicts=tuple(result.conflicts)
        )
    return FileChange(path, Action.CONFLICT, new, old, reason, conflicts=tuple(result.conflicts))


def plan(
    project: Path,
    files: dict[str, str],
    manifest: Manifest,
    bases: BaseCopies,
    *,
    force: bool = False,
    restore: bool = False,
    markers: bool = False,
    yours: dict[str, str] | None = None,
    settled: set[str] | None = None,
) -> list[FileChange]:
    """Every file's change, in path order."""
    yours = yours or {}
    settled = settled or set()
    return [
        plan_file(
            project,
            path,
            files[path],
            manifest,
            bases,
            force=force,
            restore=restore,
            markers=markers,
            yours=yours.get(path),
            settled=path in settled,
        )
        for path in sorted(files)
    ]


def edited(project: Path, files: dict[str, str], manifest: Manifest) -> dict[str, str]:
    """Files the user changed since blueprintgen wrote them, with their current text."""
    found: dict[str, str] = {}
    for path, new in files.items():
        record = manifest.files.get(path)
        old = _read(project / path)
        if record is not None and old is not None and old != new and digest(old) != record.sha256:
            found[path] = old
    return found


def removals(project: Path, files: dict[str, str], manifest: Manifest) -> list[FileChange]:
    """Files blueprintgen generated before and no longer generates: removed unless edited."""
    changes: list[FileChange] = []
    for path, record in sorted(manifest.files.items()):
        if path in files:
            continue
        old = _read(project / path)
        if old is None:
            continue
        if digest(old) == record.sha256:
            changes.append(FileChange(path, Action.REMOVE, "", old, "no longer generated"))
        else:
            changes.append(
                FileChange(path, Action.ORPHAN, old, old, "no longer generated; kept because you edited it")
            )
    return changes


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
