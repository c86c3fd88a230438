"""The one folder a server works in: every path a tool is given is resolved inside it.

A path is resolved (symlinks followed, ``..`` collapsed) before it is checked, so a
link inside the folder that points out of it is refused like ``../elsewhere``. A
project found by walking up from a path must be inside the folder too: the commands
look for ``blueprintgen.yaml`` in the parents, and a project above the served folder
is not the server's to read or write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from blueprintgen.errors import UsageError


@dataclass(frozen=True)
class ServedFolder:
    """The folder given at start (``--project``), resolved."""

    root: Path

    def path(self, given: str) -> Path:
        """``given`` (relative to the folder, or absolute) resolved; UsageError when it leaves the folder."""
        try:
            resolved = (self.root / given).resolve()
        except (OSError, ValueError, RuntimeError) as error:  # a NUL byte, a symlink loop
            raise UsageError(f"{given!r} is not a usable path ({error})") from None
        if not resolved.is_relative_to(self.root):
            raise UsageError(
                f"{given!r} is outside the folder this server works in ({self.root}); nothing was read or written",
                hint="give a path inside it, relative to it (e.g. '.' or 'my-service'); "
                "to work elsewhere, start another `blueprintgen mcp --project DIR`",
            )
        return resolved

    def start(self, given: str = ".") -> Path:
        """The folder a command would run in: inside the served folder, and not inside a
        project that lies above it."""
        from blueprintgen.project import find_root

        folder = self.path(given)
        found = find_root(folder)
        if found is not None and not found.is_relative_to(self.root):
            raise UsageError(
                f"{given!r} is inside the project {found}, which is outside the folder this server "
                f"works in ({self.root}); nothing was read or written",
                hint=f"serve the project itself: `blueprintgen mcp --project {found}`",
            )
        return folder

    def relative(self, path: Path) -> str:
        """``path`` as the tools report it: relative to the folder ('.' for the folder itself)."""
        try:
            return str(path.resolve().relative_to(self.root)) or "."
        except ValueError:
            return str(path)
