"""Stage 7: write a plan into the project, all or nothing. The only module that writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from blueprintgen.errors import BlueprintgenError, UnsafePathError


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
    """Write (or, for None, delete) every file or none: on failure, restore what was there."""
    resolved_dirs: dict[Path, Path] = {}
    targets = {relative: inside(project, relative, resolved_dirs) for relative in sorted(files)}
    previous: dict[Path, bytes | None] = {}
    created_dirs: list[Path] = []
    try:
        for relative, target in targets.items():
            text = files[relative]
            previous[target] = target.read_bytes() if target.exists() else None
            if text is None:
                target.unlink(missing_ok=True)
                continue
            missing: list[Path] = []
            parent = target.parent
            while not parent.exists():
                missing.append(parent)
                parent = parent.parent
            target.parent.mkdir(parents=True, exist_ok=True)
            created_dirs.extend(reversed(missing))
            _atomic_write(target, text)
        _prune_empty_folders(project, [targets[r] for r, text in files.items() if text is None])
    except (OSError, BlueprintgenError) as error:
        _rollback(previous, created_dirs)
        if isinstance(error, BlueprintgenError):
            raise
        raise BlueprintgenError(
            f"writing failed ({error.strerror or error}); every file was restored as it was",
            path=getattr(error, "filename", None),
        ) from None


def _prune_empty_folders(project: Path, deleted: list[Path]) -> None:
    """Remove the folders that deleting files left empty, up to (not including) the project."""
    root = project.resolve()
    for target in deleted:
        folder = target.parent
        while folder.resolve() != root and folder.resolve().is_relative_to(root):
            try:
                folder.rmdir()  # only succeeds when empty
            except OSError:
                break
            folder = folder.parent


def _atomic_write(target: Path, text: str) -> None:
    mode = target.stat().st_mode & 0o777 if target.exists() else None
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _rollback(previous: dict[Path, bytes | None], created_dirs: list[Path]) -> None:
    for target, content in previous.items():
        try:
            if content is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(content)
        except OSError:
            continue
    for folder in reversed(created_dirs):
        try:
            folder.rmdir()
        except OSError:
            continue
