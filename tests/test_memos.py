"""The formatter's and the schema's memos: they save work and never change a result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blueprintgen import format as formatting
from blueprintgen import schema
from blueprintgen.blueprint import Source
from blueprintgen.errors import FormatError, ProblemsFound
from blueprintgen.loader import Document
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


def document(tmp_path: Path, data: dict[str, object]) -> Document:
    text = json.dumps(data, indent=2)
    path = tmp_path / "greeting.json"
    path.write_text(text)
    return Document(path, Source.PATH, text, json.loads(text))


def test_schema_passes_are_remembered_by_text(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    valid = document(tmp_path, simple_blueprint())
    schema.build([valid])
    assert list((cache / "schema").glob("*.entry"))
    monkeypatch.setattr(schema, "fast_validator", lambda: pytest.fail("validated again"))
    monkeypatch.setattr(schema, "validator", lambda: pytest.fail("validated again"))
    (built,) = schema.build([valid])
    assert built.name == "greeting"


def test_the_meaning_is_checked_even_when_the_schema_pass_is_remembered(cache: Path, tmp_path: Path) -> None:
    data = simple_blueprint()
    data["relationships"]["generates"] = ["src/{nobody}.py"]  # type: ignore[index]
    bad = document(tmp_path, data)
    for _ in range(2):
        with pytest.raises(ProblemsFound, match="nobody"):
            schema.build([bad])


def test_an_invalid_blueprint_is_never_remembered(cache: Path, tmp_path: Path) -> None:
    data = simple_blueprint()
    data["metadata"]["version"] = "one"  # type: ignore[index]
    bad = document(tmp_path, data)
    for _ in range(2):
        with pytest.raises(ProblemsFound, match="semantic version"):
            schema.build([bad])
    memo = schema.ValidMemo.open()
    assert bad not in memo


def test_a_new_schema_forgets_every_pass(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    valid = document(tmp_path, simple_blueprint())
    schema.build([valid])
    assert valid in schema.ValidMemo.open()
    monkeypatch.setattr(schema, "_schema_digest", lambda: "another schema")
    assert valid not in schema.ValidMemo.open()


def test_the_cli_remembers_across_runs(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    assert ws.run("generate", "greeting", "--set", "who=world").exit_code == 0
    caches = ws.root.parent / "cache" / "blueprintgen"
    assert list((caches / "schema").glob("*.entry")), "passes recorded"
    assert list((caches / "format").glob("*.entry"))
