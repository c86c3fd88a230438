"""`new project` gives the project a secret key of its own, written once and never tracked."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import Workspace


def _key(ws: Workspace, name: str) -> str:
    text = (ws.root / name / ".env").read_text(encoding="utf-8")
    match = re.search(r"(?m)^SECRET_KEY=(\S+)$", text)
    assert match, text
    return match.group(1)


def test_each_new_project_gets_a_strong_random_key_that_upgrade_leaves_alone(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = ""
    for name in ("alpha", "beta"):
        result = ws.run("new", "project", name, "--no-git")
        assert result.exit_code == 0, result.output
        printed += result.output
    first, second = _key(ws, "alpha"), _key(ws, "beta")
    assert first != second
    assert len(first) >= 32 and len(set(first)) >= 16
    project = ws.root / "alpha"
    assert ".env" in (project / ".gitignore").read_text(encoding="utf-8").split()
    manifest = json.loads((project / ".blueprintgen/manifest.json").read_text(encoding="utf-8"))
    assert ".env" not in manifest["files"]
    assert first not in printed and second not in printed  # the keys are not printed

    monkeypatch.chdir(project)
    assert ws.run("validate", "--check-all").exit_code == 0
    assert ws.run("upgrade", "--yes").exit_code == 0
    assert _key(ws, "alpha") == first
