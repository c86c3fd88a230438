"""The project as one run found it: read once, before planning, and never again.

Planning, the formatter-only check, the user's edits and the drift check all judge
the same snapshot, so they cannot disagree because the disk changed between two
reads, and a run reads each file once however many stages look at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import MappingProxyType

from blueprintgen.errors import ProjectError
from blueprintgen.manifest import BaseCopies, Manifest


class Unreadable(Enum):
    """A path that holds something other than UTF-8 text: never compared, merged or decoded."""

    NOT_TEXT = "not UTF-8 text"
    FOLDER = "a folder"


OnDisk = str | Unreadable | None
"""What a path holds: its text, something that is not text, or (None) nothing."""


@dataclass(frozen=True)
class Snapshot:
    """The files that matter to a run, the previous manifest and the base copies."""

    root: Path
    files: Mapping[str, OnDisk] = field(default_factory=lambda: MappingProxyType({}))
    manifest: Manifest = field(default_factory=Manifest)
    bases: BaseCopies = field(default_factory=BaseCopies)

    def get(self, path: str) -> OnDisk:
        """What ``path`` held when the snapshot was taken (None: nothing, or never read)."""
        return self.files.get(path)

    def text(self, path: str) -> str | None:
        """The text of ``path``; None when it is missing or not a text file."""
        found = self.files.get(path)
        return found if isinstance(found, str) else None

    def exists(self, path: str) -> bool:
        """Whether anything (file or folder) was at ``path``."""
        return self.files.get(path) is not None


def take(
    root: Path, paths: Iterable[str], manifest: Manifest | None = None, bases: BaseCopies | None = None
) -> Snapshot:
    """Read ``paths`` and every path the manifest owns, with the manifest and base copies.

    ``manifest`` (or ``bases``) is one a caller already read, to choose the requests
    or the formatter, so that a run reads it once.
    """
    manifest = Manifest.read(root) if manifest is None else manifest
    bases = BaseCopies.read(root) if bases is None else bases
    wanted = sorted(set(paths) | set(manifest.files))
    found = {path: _read(root, path) for path in wanted} if root.is_dir() else dict.fromkeys(wanted)
    return Snapshot(root, MappingProxyType(found), manifest, bases)


def _read(root: Path, path: str) -> OnDisk:
    target = root / path
    try:
        return target.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # nothing there, or a file where a folder goes
        return None
    except IsADirectoryError:
        return Unreadable.FOLDER
    except UnicodeDecodeError:
        return Unreadable.NOT_TEXT
    except OSError as error:
        raise ProjectError(f"cannot read {path} ({error.strerror or error})", path=target) from None
