"""The READMEs are literally true: their shell blocks run as written, in order.

blueprintgen's README.md runs in a copy of this checkout, then the README.md of the
project its first command generated (``my-service/``) runs in that project: each README
in one fresh ``bash -eo pipefail`` session, as a user types its ``bash`` blocks into a new
terminal one after the other. The environment is a new machine's: an empty HOME, no pip
cache (``PIP_NO_CACHE_DIR``), no blueprintgen cache, no activated venv, and a PATH with
nothing but the system folders and ``python3``.

Markers and stand-ins:

- A block right after an HTML comment ``<!-- needs: WHAT -->`` is skipped, and WHAT says
  why: ``server`` (it starts uvicorn or talks to one), ``postgres``, ``docker``, or
  ``the whole suite``. Every other ``bash`` block runs.
- The README's second command (``... && .venv/bin/python -m pytest``) runs this test
  suite, this test included: it is left out, and everything else of its block runs.
- blueprintgen is not on PyPI yet: the generated README's ``pip install -e '.[dev]'``
  finds the pinned ``blueprintgen==<version>`` in the wheel built from this checkout,
  through ``PIP_FIND_LINKS`` (what the generated README tells its reader to set).
- ``create-admin`` asks for a password: the session's stdin answers it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.distributions import Distributions, built

pytestmark = pytest.mark.e2e

SUITE_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"
"""The README's second command: the whole suite, this test among it."""
PASSWORD = "a-long-readme-password"
FENCE = re.compile(r"^```bash\n(.*?)^```$", re.MULTILINE | re.DOTALL)
NEEDS = re.compile(r"<!--\s*needs:\s*(.+?)\s*-->\s*\Z")
COPY_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".nox",
    "__pycache__",
    "*.egg-info",
    "dist",
    "build",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "my-service",
    "billing",
)


@dataclass(frozen=True)
class Block:
    """One ```bash block of a README."""

    line: int
    text: str
    needs: str | None


def shell_blocks(readme: str) -> list[Block]:
    """Every ```bash block, in order, with the ``<!-- needs: ... -->`` marker before it."""
    blocks = []
    for match in FENCE.finditer(readme):
        marker = NEEDS.search(readme[: match.start()])
        line = readme.count("\n", 0, match.start()) + 1
        blocks.append(Block(line, match.group(1), marker.group(1) if marker else None))
    return blocks


def session_script(blocks: list[Block], readme: str) -> str:
    """One shell session that runs the blocks not marked, saying which one runs."""
    parts = []
    for block in blocks:
        if block.needs is None:
            parts.append(f"echo '>>> {readme}:{block.line}' >&2\n{block.text}")
    return "\n".join(parts)


def test_shell_blocks_and_markers_are_found() -> None:
    readme = (
        "a\n```bash\none\n```\n\n<!-- needs: server -->\n```bash\ntwo \\\n  more\n```\n```json\n{}\n```\n"
    )
    assert shell_blocks(readme) == [Block(2, "one\n", None), Block(7, "two \\\n  more\n", "server")]


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    return built(tmp_path_factory)


def fresh_machine(root: Path, dists: Distributions) -> dict[str, str]:
    """An environment like a new container's: new HOME, no caches, bare PATH with python3."""
    home = root / "home"
    tools = root / "tools"
    home.mkdir()
    tools.mkdir()
    (tools / "python3").symlink_to(Path(sys.base_prefix) / "bin" / "python3")
    env = {k: v for k, v in os.environ.items() if k.startswith("PIP_") or k in {"LANG", "LC_ALL", "TERM"}}
    env.update(
        HOME=str(home),
        PATH=f"{tools}:/usr/local/bin:/usr/bin:/bin",
        PIP_NO_CACHE_DIR="1",
        PIP_FIND_LINKS=dists.find_links(),
    )
    return env


def run_session(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        input=f"{PASSWORD}\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
        # No controlling terminal: getpass reads the password from stdin.
        start_new_session=True,
    )
    ran = re.findall(r"^>>> (.+)$", result.stderr, re.MULTILINE)
    assert result.returncode == 0, (
        f"the README failed in its block at {ran[-1] if ran else '?'} ({result.returncode}):\n"
        f"{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    )
    return result


def test_readmes_run_as_written(tmp_path: Path, dists: Distributions) -> None:
    checkout = tmp_path / "blueprintgen"
    shutil.copytree(REPO, checkout, ignore=COPY_IGNORED, symlinks=True)
    env = fresh_machine(tmp_path, dists)

    blocks = shell_blocks((checkout / "README.md").read_text())
    first = blocks[0]
    assert SUITE_COMMAND in first.text.splitlines(), (
        "the README's second command changed; update SUITE_COMMAND"
    )
    blocks[0] = Block(first.line, first.text.replace(f"{SUITE_COMMAND}\n", ""), None)
    assert sum(block.needs is None for block in blocks) >= 2, blocks
    run_session(session_script(blocks, "README.md"), checkout, env)

    project = checkout / "my-service"
    assert (project / "src/my_service/database/models").is_dir()
    generated = shell_blocks((project / "README.md").read_text())
    assert {block.needs for block in generated} >= {None, "server"}, generated
    result = run_session(session_script(generated, "my-service/README.md"), project, env)
    assert "Created administrator admin@example.com" in result.stdout
    assert (checkout / "billing/blueprintgen.yaml").is_file()
