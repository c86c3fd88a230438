"""Shared fixtures: drive the CLI as a user would, in a temporary project folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blueprintgen.cli import app

REPO = Path(__file__).resolve().parent.parent

# The golden trees are generated projects with tests of their own: never collect them.
collect_ignore = ["golden"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current generator (and report what changed) "
        "instead of comparing against it",
    )


@dataclass
class Result:
    """What a CLI run printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Workspace:
    """A temporary folder the CLI runs in, with helpers to write blueprints."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def run(self, *args: str, input: str | None = None) -> Result:
        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    def blueprint(self, name: str, data: dict[str, Any] | str | bytes, folder: str = "blueprints") -> Path:
        path = self.root / folder / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        elif isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        return path

    def template(self, relative: str, text: str) -> Path:
        path = self.root / "templates" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the workspace with its bytes (to prove nothing was written)."""
        return {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        }


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the tests' caches (templates, formatter, checks) out of the user's own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A fresh workspace as the current directory, with an isolated template cache."""
    root = tmp_path / "ws"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")
    yield Workspace(root)


def simple_blueprint(name: str = "greeting", **overrides: Any) -> dict[str, Any]:
    """A small valid blueprint with one embedded Python module."""
    data: dict[str, Any] = {
        "metadata": {"name": name, "version": "1.0.0", "category": "examples", "description": "Says hello."},
        "template": {
            "embedded_code": '"""Greeting for {{ who }}."""\n\nGREETING = {{ ("Hello, " ~ who) | pyrepr }}\n',
            "dependencies": [],
            "imports": [],
        },
        "parameters": {"who": {"type": "string", "required": True, "examples": ["world"]}},
        "relationships": {"depends_on": [], "generates": [f"src/{name.replace('-', '_')}_{{who}}.py"]},
    }
    for key, value in overrides.items():
        data[key] = value
    return data
