"""The formatter's memo: it saves work and never changes a result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blueprintgen import format as formatting
from blueprintgen.errors import FormatError
from tests.conftest import Workspace, simple_blueprint

UNSORTED = "import sys\nimport os\nx=1\n"
SORTED = "import os\nimport sys\n\nx = 1\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BLUEPRINTGEN_NO_CACHE", raising=False)
    return tmp_path / "cache" / "blueprintgen"


def no_formatter(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record every file the formatter is asked to format, and format nothing else."""
    calls: list[list[str]] = []
    real = formatting._format_in

    def counting(parent, files, python, names, formatter, config_dir):  # type: ignore[no-untyped-def]
        calls.append(list(names))
        return real(parent, files, python, names, formatter, config_dir)

    monkeypatch.setattr(formatting, "_format_in", counting)
    return calls


def test_a_batch_seen_before_is_answered_without_the_formatter(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = no_formatter(monkeypatch)
    batch = {"a.py": UNSORTED, "pkg/b.py": "y=2\n", "README.md": "as is"}
    first = formatting.format_files(batch)
    assert first == {"a.py": SORTED, "pkg/b.py": "y = 2\n", "README.md": "as is"}
    assert calls == [["a.py", "pkg/b.py"]]
    assert formatting.format_files(batch) == first
    assert calls == [["a.py", "pkg/b.py"]], "nothing formatted the second time"
    assert len(list((cache / "format").glob("*.entry"))) == 1


def test_only_changed_files_are_formatted_again(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = no_formatter(monkeypatch)
    formatting.format_files({"a.py": UNSORTED, "b.py": "y=2\n"})
    changed = formatting.format_files({"a.py": UNSORTED, "b.py": "y=3\n"})
    assert changed == {"a.py": SORTED, "b.py": "y = 3\n"}
    assert calls[-1] == ["b.py"]
    assert formatting.format_files({"a.py": UNSORTED, "b.py": "y=3\n"}) == changed
    assert len(calls) == 2


def test_the_configuration_and_the_batch_s_modules_are_part_of_the_key(
    cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = no_formatter(monkeypatch)
    source = 'import os\n\nx = os.sep + "a very long string that goes past forty characters"\n'
    project = tmp_path / "project"
    project.mkdir()
    formatting.format_files({"a.py": source}, config_dir=project)
    (project / "ruff.toml").write_text("line-length = 40\n[format]\nquote-style = 'single'\n")
    narrow = formatting.format_files({"a.py": source}, config_dir=project)
    assert len(calls) == 2, "a new configuration: formatted again"
    assert "'a very long" in narrow["a.py"]
    # Another module beside it can make an import first-party: formatted again.
    formatting.format_files({"a.py": source, "os2.py": "z = 1\n"}, config_dir=project)
    assert len(calls) == 3


def test_imports_are_sorted_as_if_the_whole_batch_were_formatted(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Formatting only the changed file still sees its first-party neighbours."""
    batch = {
        "pyproject.toml": '[project]\nname = "app"\n[tool.ruff]\nsrc = ["src"]\n',
        "src/app/__init__.py": "",
        "src/app/core.py": "VALUE = 1\n",
        "tests/test_core.py": "import app.core\nimport pytest\n",
    }
    whole = formatting.format_files(batch)
    calls = no_formatter(monkeypatch)
    changed = {**batch, "tests/test_core.py": "import app.core\nimport pytest\n\nX=1\n"}
    again = formatting.format_files(changed)
    assert calls == [["tests/test_core.py"]]
    assert again["tests/test_core.py"] == whole["tests/test_core.py"] + "\nX = 1\n"
    assert again["tests/test_core.py"].startswith("import pytest\n\nimport app.core\n")


def test_a_damaged_memo_is_ignored_and_rewritten(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = {"a.py": UNSORTED}
    formatting.format_files(batch)
    memo = formatting.FormatMemo.open(formatting.describe("ruff"), batch, batch, None)
    assert memo is not None
    calls = no_formatter(monkeypatch)
    # A sound entry, but for another text: that file is formatted again.
    memo.store.put(memo.entry, json.dumps({"a.py": ["not the digest", "x = 2\n"]}))
    assert formatting.format_files(batch) == {"a.py": SORTED}
    assert len(calls) == 1
    memo.store.put(memo.entry, "not json")
    assert formatting.format_files(batch) == {"a.py": SORTED}
    assert len(calls) == 2
    (entry,) = (cache / "format").glob("*.entry")
    entry.write_bytes(entry.read_bytes()[:-5])  # cut short
    assert formatting.format_files(batch) == {"a.py": SORTED}
    assert len(calls) == 3
    assert json.loads(memo.store.get_text(memo.entry) or "")["a.py"][1] == SORTED, "rewritten"


def test_no_cache_turns_the_memo_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLUEPRINTGEN_NO_CACHE", "1")
    calls = no_formatter(monkeypatch)
    formatting.format_files({"a.py": UNSORTED})
    formatting.format_files({"a.py": UNSORTED})
    assert len(calls) == 2
    assert not (cache / "format").exists()


def test_a_file_the_formatter_rejects_is_not_remembered(cache: Path) -> None:
    with pytest.raises(FormatError):
        formatting.format_files({"bad.py": "def (:\n"})
    assert not list((cache / "format").glob("*.entry"))
    with pytest.raises(FormatError):
        formatting.format_files({"bad.py": "def (:\n"})


def test_old_memos_are_pruned(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formatting.FormatMemo, "KEEP", 3)
    for number in range(5):
        formatting.format_files({f"m{number}.py": "x=1\n"})
    assert len(list((cache / "format").glob("*.entry"))) <= 3
    calls = no_formatter(monkeypatch)
    formatting.format_files({"m4.py": "x=1\n"})
    assert calls == [], "the newest batch is kept"


def test_the_cli_remembers_across_runs(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.blueprint("greeting", simple_blueprint())
    assert ws.run("generate", "greeting", "--set", "who=world").exit_code == 0
    assert list((ws.root.parent / "cache" / "blueprintgen" / "format").glob("*.entry"))
    calls = no_formatter(monkeypatch)
    again = Workspace(ws.root.parent / "again")
    again.root.mkdir()
    again.blueprint("greeting", simple_blueprint())
    monkeypatch.chdir(again.root)
    assert again.run("generate", "greeting", "--set", "who=world").exit_code == 0
    assert (again.root / "src/greeting_world.py").read_text() == (
        ws.root / "src/greeting_world.py"
    ).read_text()
    assert calls == [], "the same batch elsewhere starts no formatter"
