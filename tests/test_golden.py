"""Golden trees: a generated project compared file by file with the copy under tests/golden/.

Any change to generated output shows up here as missing files, extra files and a unified
diff per file that differs. When the change is meant, refresh the copy and review it in
the commit: ``pytest tests/test_golden.py --update-golden``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blueprintgen.cli import app
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden"

# One step per CLI run: (folder to run in, relative to the work folder, arguments).
# "shop" is made with every option that could vary spelled out; the resources then cover
# every field kind and modifier of the field grammar, a reference with each on-delete rule,
# the account resource and a schema change (the schema_change migration template).
SHOP_STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        ".",
        ("new", "project", "shop", "--output", "shop", "--no-git", "--db", "sqlite", "--formatter", "ruff"),
    ),
    ("shop", ("add", "resource", "author", "--field", "name:str", "--field", "bio:text?")),
    (
        "shop",
        (
            "add",
            "resource",
            "book",
            "--field",
            "title:str:unique",
            "--field",
            "subtitle:str?=untitled",
            "--field",
            "summary:text?",
            "--field",
            "contact:email:index",
            "--field",
            "homepage:url?",
            "--field",
            "pages:int:index=100",
            "--field",
            "rating:float?=4.5",
            "--field",
            "price:decimal=9.99",
            "--field",
            "in_stock:bool=true",
            "--field",
            "published_on:date?=2024-01-31",
            "--field",
            "released_at:datetime?",
            "--field",
            "isbn:uuid:unique",
            "--field",
            "extra:json?",
            "--field",
            "format:enum[hardcover,paperback,e-book]=paperback",
            "--field",
            "author:ref:author:cascade",
            "--field",
            "editor:ref:author?:set_null",
        ),
    ),
    ("shop", ("add", "resource", "user")),
    (
        "shop",
        (
            "add",
            "resource",
            "author",
            "--replace",
            "--field",
            "name:str:index",
            "--field",
            "website:url?:unique",
            "--field",
            "age:int=0",
        ),
    ),
)

CASES = {"shop": SHOP_STEPS}

# Not content: git's own folder, and the base copies (the files' texts once more, as JSON).
# The manifest stays: it is deterministic (versions of blueprintgen and the formatter, no
# dates, no absolute paths), and what it records about each file is part of the output.
_NOT_CONTENT_DIRS = {".git", "__pycache__"}
_NOT_CONTENT_FILES = {".blueprintgen/base.json"}


def generate(
    work: Path, steps: tuple[tuple[str, tuple[str, ...]], ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run the CLI steps in *work*, as a user would, with every disk cache off."""
    monkeypatch.setenv("BLUEPRINTGEN_NO_CACHE", "1")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    for folder, args in steps:
        monkeypatch.chdir(work / folder)
        result = runner.invoke(app, [*args, "--yes"], catch_exceptions=False)
        assert result.exit_code == 0, f"blueprintgen {' '.join(args)} failed:\n{result.stdout}{result.stderr}"


def tree(root: Path) -> dict[str, bytes]:
    """Every content file under *root*, by POSIX path relative to it."""
    return dict(_walk(root, root))


def _walk(root: Path, folder: Path) -> Iterator[tuple[str, bytes]]:
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            if entry.name not in _NOT_CONTENT_DIRS:
                yield from _walk(root, entry)
            continue
        relative = entry.relative_to(root).as_posix()
        if relative == ".env":  # the project's own random key: its shape is the content
            yield relative, re.sub(rb"(?m)^SECRET_KEY=\S+$", b"SECRET_KEY=<random>", entry.read_bytes())
        elif relative not in _NOT_CONTENT_FILES:
            yield relative, entry.read_bytes()


def differences(expected: Mapping[str, bytes], actual: Mapping[str, bytes]) -> list[str]:
    """Missing files, extra files and a unified diff per differing file, as report lines."""
    report = [
        f"missing (in the golden tree, not generated): {path}" for path in sorted(expected.keys() - actual)
    ]
    report += [
        f"extra (generated, not in the golden tree): {path}" for path in sorted(actual.keys() - expected)
    ]
    for path in sorted(expected.keys() & actual.keys()):
        if expected[path] == actual[path]:
            continue
        before = expected[path].decode("utf-8", errors="replace").splitlines(keepends=True)
        after = actual[path].decode("utf-8", errors="replace").splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(before, after, f"golden/{path}", f"generated/{path}"))
        report.append(f"differs: {path}\n{diff or '(bytes differ; same text lines)'}")
    return report


def update(golden: Path, actual: Mapping[str, bytes]) -> list[str]:
    """Make *golden* hold exactly *actual*; what was added, changed and removed."""
    expected = tree(golden) if golden.is_dir() else {}
    changes: list[str] = []
    for path in sorted(expected.keys() - actual):
        (golden / path).unlink()
        changes.append(f"removed {path}")
    for path, data in sorted(actual.items()):
        if expected.get(path) == data:
            continue
        target = golden / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        changes.append(f"{'changed' if path in expected else 'added'} {path}")
    for folder in sorted((p for p in golden.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return changes


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_tree_matches_golden(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    generate(work, CASES[case], monkeypatch)
    actual = tree(work / case)
    golden = GOLDEN / case
    if request.config.getoption("--update-golden"):
        changes = update(golden, actual)
        if changes:
            pytest.skip(f"golden tree {case!r} updated ({len(changes)} files):\n  " + "\n  ".join(changes))
        return
    assert golden.is_dir(), f"no golden tree {golden}; create it with: pytest {__file__} --update-golden"
    report = differences(tree(golden), actual)
    if report:
        pytest.fail(
            f"the generated {case!r} tree differs from tests/golden/{case} ({len(report)} problems); "
            "if the change is meant, refresh with --update-golden and review the diff\n\n"
            + "\n".join(report),
            pytrace=False,
        )


def test_differences_reports_missing_extra_and_diff() -> None:
    report = differences(
        {"gone.py": b"x\n", "same.py": b"s\n", "edit.py": b"a = 1\n"},
        {"new.py": b"y\n", "same.py": b"s\n", "edit.py": b"a = 2\n"},
    )
    assert report[0] == "missing (in the golden tree, not generated): gone.py"
    assert report[1] == "extra (generated, not in the golden tree): new.py"
    assert report[2].startswith("differs: edit.py\n--- golden/edit.py\n+++ generated/edit.py\n")
    assert "-a = 1\n+a = 2\n" in report[2]
    assert len(report) == 3


def test_update_rewrites_and_prunes(tmp_path: Path) -> None:
    golden = tmp_path / "golden"
    (golden / "old" / "deep").mkdir(parents=True)
    (golden / "old" / "deep" / "stale.py").write_bytes(b"stale\n")
    (golden / "keep.py").write_bytes(b"same\n")
    (golden / "edit.py").write_bytes(b"before\n")
    changes = update(golden, {"keep.py": b"same\n", "edit.py": b"after\n", "pkg/new.py": b"new\n"})
    assert changes == ["removed old/deep/stale.py", "changed edit.py", "added pkg/new.py"]
    assert tree(golden) == {"edit.py": b"after\n", "keep.py": b"same\n", "pkg/new.py": b"new\n"}
    assert not (golden / "old").exists()
