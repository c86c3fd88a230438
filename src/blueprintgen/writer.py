"""Stage 7: write a plan into the project, all or nothing. The only module that writes.

The all or nothing is transaction.py's: a journal, new contents beside their targets, the
state committed last, a rollback on any error or signal, and recovery after a kill."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from blueprintgen import transaction
from blueprintgen.errors import UnsafePathError, WriteError


def inside(project: Path, relative: str, resolved_dirs: dict[Path, Path] | None = None) -> Path:
    """The absolute path of ``relative`` in ``project``; refuse anything that leaves it.

    ``resolved_dirs`` caches resolved folders across calls: a batch resolves each
    folder once instead of every path component of every file.
    """
    cache = {} if resolved_dirs is None else resolved_dirs
    root = cache.get(project)
    if root is None:
        root = cache[project] = project.resolve()
    candidate = root / relative
    if Path(relative).is_absolute() or ".." in Path(relative).parts:
        raise UnsafePathError(f"{relative!r} is outside the project", path=relative)
    if candidate.is_symlink():
        raise UnsafePathError(
            "refusing to write through a symbolic link",
            path=relative,
            hint="replace the link with a regular file",
        )
    folder = cache.get(candidate.parent)
    if folder is None:
        folder = cache[candidate.parent] = candidate.parent.resolve()
    resolved = folder / candidate.name
    if not resolved.is_relative_to(root):
        raise UnsafePathError(
            f"{relative!r} resolves to {resolved}, outside the project (a symbolic link points out)",
            path=relative,
        )
    return candidate


def write_all(project: Path, files: dict[str, str | None]) -> None:
    """Write (or, for None, remove) every file, or none of them.

    Under the project lock (taken here unless this thread holds it already), as one
    journaled transaction: project files first, the state (``.blueprintgen/*``,
    ``blueprintgen.yaml``) last. New files get the umask's mode; a replaced file keeps its own.
    """
    resolved_dirs: dict[Path, Path] = {}
    changes: dict[str, bytes | None] = {}
    for relative, text in files.items():
        inside(project, relative, resolved_dirs)
        normal = PurePosixPath(relative).as_posix()
        if normal in transaction.RESERVED:
            raise UnsafePathError(f"{normal} is blueprintgen's own (its journal or lock)", path=normal)
        changes[normal] = _encoded(normal, text)
    order = sorted(changes, key=lambda path: (transaction.is_state(path), path))
    transaction.write(project, [(relative, changes[relative]) for relative in order])


def _encoded(relative: str, text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise WriteError(
            f"its text cannot be written as UTF-8 ({error.reason} at character {error.start}); "
            "nothing was written",
            path=relative,
        ) from None
