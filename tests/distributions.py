"""blueprintgen's own sdist and wheel, built once per test session.

The packaging tests check and install them; the end-to-end tests serve the wheel to
pip through ``PIP_FIND_LINKS`` wherever a generated project asks for
``blueprintgen==<version>``, which is not published on PyPI yet.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO


@dataclass(frozen=True)
class Distributions:
    """The built files and the folder holding them (a find-links folder for pip)."""

    folder: Path
    sdist: Path
    wheel: Path

    def find_links(self) -> str:
        """``PIP_FIND_LINKS`` with this folder added to what the environment already has."""
        return " ".join(filter(None, [os.environ.get("PIP_FIND_LINKS", ""), str(self.folder)]))


_built: dict[str, Distributions] = {}


def built(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    """Build the sdist, then the wheel from it (``uv build``), once per session."""
    if "dist" not in _built:
        folder = tmp_path_factory.mktemp("dist")
        result = subprocess.run(
            [sys.executable, "-m", "uv", "build", "--quiet", "--out-dir", str(folder), str(REPO)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=600,
        )
        assert result.returncode == 0, f"uv build failed:\n{result.stdout}\n{result.stderr}"
        (sdist,) = folder.glob("blueprintgen-*.tar.gz")
        (wheel,) = folder.glob("blueprintgen-*.whl")
        _built["dist"] = Distributions(folder, sdist, wheel)
    return _built["dist"]
