"""base.json: exact round trips, lazy entries, and files laid out by someone else."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from blueprintgen.errors import LoadError
from blueprintgen.manifest import BASES, BaseCopies

ODD = ["", "\n", "x", "x\n", "a\r\nb\r\n", "  ],\n", '    "q"\n', "ü\u2028v\x0cw", "\t}\n", "{\n", "last"]


def write(project: Path, text: str) -> None:
    (project / BASES).parent.mkdir(parents=True, exist_ok=True)
    (project / BASES).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("seed", range(20))
def test_round_trip_is_exact(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    folders = ["src", 'we"ird', "a b", "é"]
    suffixes = [".py", '": [', ".md"]
    texts = {
        rng.choice(folders) + f"/{index}" + rng.choice(suffixes): "".join(
            rng.choice(ODD) for _ in range(rng.randint(0, 8))
        )
        for index in range(rng.randint(0, 12))
    }
    text = BaseCopies().updated(texts)
    if not texts:
        assert text is None
        return
    assert text is not None
    write(tmp_path, text)
    read = BaseCopies.read(tmp_path)
    assert {path: read.get(path) for path in texts} == texts
    assert {path: "".join(lines) for path, lines in json.loads(text).items()} == texts
    assert read.updated(dict(texts)) is None, "the same texts again: nothing to write"


def test_untouched_entries_are_written_back_as_they_were(tmp_path: Path) -> None:
    texts = {f"f{index}.py": f"x = {index}\n" * 3 for index in range(5)}
    first = BaseCopies().updated(texts)
    assert first is not None
    write(tmp_path, first)
    second = BaseCopies.read(tmp_path).updated({"f2.py": "changed\n", "f4.py": None, "new.py": "n\n"})
    assert second is not None
    assert json.loads(second) == {
        **{
            path: [line + "\n" for line in text.splitlines()]
            for path, text in texts.items()
            if path not in ("f2.py", "f4.py")
        },
        "f2.py": ["changed\n"],
        "new.py": ["n\n"],
    }
    assert first.split("\n")[2:6] == second.split("\n")[2:6], "f0's lines copied verbatim"


def test_json_laid_out_otherwise_is_still_read(tmp_path: Path) -> None:
    write(tmp_path, json.dumps({"a.py": ["x\n", "y"]}, indent=4))
    copies = BaseCopies.read(tmp_path)
    assert copies.get("a.py") == "x\ny" and "a.py" in copies and copies.get("b.py") is None
    assert copies.updated({"a.py": "x\ny"}) is None


def test_damaged_file_names_itself(tmp_path: Path) -> None:
    write(tmp_path, '{\n  "a.py": [\n    "x\n')
    with pytest.raises(LoadError) as caught:
        BaseCopies.read(tmp_path)
    assert "base copies are damaged" in str(caught.value) and "base.json" in str(caught.value.path)


def test_a_damaged_entry_names_the_file_when_it_is_needed(tmp_path: Path) -> None:
    write(tmp_path, '{\n  "a.py": [\n    "x\\n",\n    oops\n  ],\n  "b.py": [\n    "fine\\n"\n  ]\n}\n')
    copies = BaseCopies.read(tmp_path)
    assert copies.get("b.py") == "fine\n"
    with pytest.raises(LoadError) as caught:
        copies.get("a.py")
    assert "'a.py' is damaged" in str(caught.value)
