"""The cache layer: versioned keys, atomic writes, a bound, one off switch, never a wrong answer."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import blueprintgen
from blueprintgen import cache
from blueprintgen.cache import Cache
from tests.conftest import Workspace, simple_blueprint


@pytest.fixture
def caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every cache under tmp_path, and caches on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.OFF_SWITCH, raising=False)
    return tmp_path / "xdg" / "blueprintgen"


def opened(kind: str = "things", version: int = 1, **bound: int) -> Cache:
    store = cache.open(kind, version, **bound)
    assert store is not None, "caches are on"
    return store


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def test_a_value_put_is_got_back_and_an_unknown_key_is_a_miss(caches: Path) -> None:
    store = opened()
    assert store.get(store.key("nothing here")) is None
    assert store.put(store.key("text"), "héllo \udcff")
    assert store.put(store.key("bytes"), b"\x00\xff")
    assert store.put(store.key("empty"), b"")
    assert store.get_text(store.key("text")) == "héllo \udcff"
    assert store.get(store.key("bytes")) == b"\x00\xff"
    assert store.get(store.key("empty")) == b""
    assert store.folder == caches / "things"
    assert len(list(store.folder.glob("*.entry"))) == 3


def test_keys_hash_every_part_apart() -> None:
    assert cache.key("ab", "c") != cache.key("a", "bc")
    assert cache.key("a") == cache.key(b"a")
    assert cache.key() != cache.key("")


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, OSError])
def test_a_failed_write_leaves_the_old_entry_and_no_temporary_file(
    caches: Path, monkeypatch: pytest.MonkeyPatch, interruption: type[BaseException]
) -> None:
    store = opened()
    entry = store.key("entry")
    assert store.put(entry, "old")

    def fail(source: object, target: object) -> None:
        raise interruption

    monkeypatch.setattr(os, "replace", fail)  # the moment between writing and renaming
    if interruption is KeyboardInterrupt:
        with pytest.raises(KeyboardInterrupt):
            store.put(entry, "new")
    else:
        assert store.put(entry, "new") is False
    monkeypatch.undo()
    assert files_in(store.folder) == [store.path(entry).name], "no temporary file left"
    assert store.get_text(entry) == "old"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[:-1], id="cut short"),
        pytest.param(lambda data: data[:-1] + bytes([data[-1] ^ 1]), id="a flipped bit"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data.partition(b"\n")[2], id="no header"),
        pytest.param(lambda data: b"garbage\n" + data.partition(b"\n")[2], id="another header"),
        pytest.param(lambda data: data + b"more", id="longer"),
    ],
)
def test_a_damaged_entry_is_a_miss_and_can_be_written_again(caches: Path, damage: object) -> None:
    store = opened()
    entry = store.key("entry")
    store.put(entry, "the value")
    path = store.path(entry)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert store.get(entry) is None
    assert store.put(entry, "the value")
    assert store.get_text(entry) == "the value"


def test_a_folder_in_place_of_an_entry_is_a_miss(caches: Path) -> None:
    store = opened()
    entry = store.key("entry")
    store.path(entry).mkdir(parents=True)
    assert store.get(entry) is None
    assert store.put(entry, "value") is False


def test_a_new_version_misses_every_old_entry(caches: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = opened(version=1)
    entry = first.key("input")
    first.put(entry, "computed by version 1")
    second = opened(version=2)
    assert second.key("input") != entry
    assert second.get(second.key("input")) is None
    # Even an old entry under the new name is refused: its header names version 1.
    first.path(entry).rename(second.path(second.key("input")))
    assert second.get(second.key("input")) is None
    # Another blueprintgen, another Python, another kind: other keys.
    monkeypatch.setattr(blueprintgen, "__version__", "0.0.0-other")
    assert opened(version=1).key("input") != entry
    assert opened("others", 1).key("input") != entry


def test_the_bound_on_entries_prunes_the_least_recently_used(caches: Path) -> None:
    store = opened(max_entries=10)
    entries = [store.key(str(number)) for number in range(10)]
    long_ago = time.time() - 10 * 86400
    for age, entry in enumerate(entries):
        store.put(entry, "x")
        os.utime(store.path(entry), (long_ago + age, long_ago + age))
    assert store.get(entries[0]) == b"x", "the oldest, read now: recently used"
    store.put(store.key("one more"), "x")
    kept = {path.name for path in store.folder.glob("*.entry")}
    assert len(kept) == 9, "pruned to nine tenths of the bound"
    assert store.path(entries[0]).name in kept
    assert store.path(store.key("one more")).name in kept
    assert not {store.path(entry).name for entry in entries[1:3]} & kept, "the least recently used went"


def test_the_bound_on_bytes_prunes_too(caches: Path) -> None:
    store = opened(max_entries=1000, max_bytes=10_000)
    for number in range(30):
        store.put(store.key(str(number)), b"x" * 1000)
    sizes = [path.stat().st_size for path in store.folder.glob("*.entry")]
    assert sum(sizes) <= 10_000
    assert store.get(store.key("29")) == b"x" * 1000, "the newest is kept"


def test_the_bound_counts_what_other_processes_wrote(caches: Path) -> None:
    for number in range(10):
        opened(max_entries=10).put(cache.key(str(number)), "x")  # one process each
    opened(max_entries=10).put(cache.key("eleventh"), "x")
    assert len(list((caches / "things").glob("*.entry"))) == 9


def test_pruning_removes_temporary_files_left_by_killed_processes(caches: Path) -> None:
    store = opened(max_entries=1)
    store.put(store.key("a"), "x")
    left = store.folder / ".dead.entry.123.0.tmp"
    left.write_text("half")
    os.utime(left, (time.time() - 86400, time.time() - 86400))
    fresh = store.folder / ".busy.entry.456.0.tmp"
    fresh.write_text("being written")
    store.put(store.key("b"), "x")
    assert not left.exists()
    assert fresh.exists(), "another process may be writing it now"


def test_the_folders_of_the_layout_before_the_layer_are_removed(caches: Path) -> None:
    old = caches / "format" / "py311"
    old.mkdir(parents=True)
    (old / "0123.json").write_text("{}")
    kept = caches / "format" / "python-notes"
    kept.mkdir()
    store = opened("format")
    store.put(store.key("a"), "x")
    assert not old.exists()
    assert kept.is_dir(), "only pyXY folders, which the old layout made"
    assert store.get(store.key("a")) == b"x"


def test_the_off_switch_turns_every_cache_off(caches: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.OFF_SWITCH, "1")
    assert cache.open("things", 1) is None
    assert cache.jinja_bytecode() is None
    monkeypatch.setenv(cache.OFF_SWITCH, "")
    assert cache.open("things", 1) is not None
    with cache.disabled():
        assert cache.open("things", 1) is None
        assert not cache.enabled()
    assert cache.enabled()


def test_no_cache_writes_nothing_at_all(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    caches = ws.root.parent / "cache"
    monkeypatch.setenv(cache.OFF_SWITCH, "1")
    ws.blueprint("greeting", simple_blueprint())
    assert ws.run("generate", "greeting", "--set", "who=world").exit_code == 0
    assert ws.run("validate", "--check-all").exit_code == 0
    assert not caches.exists() or not [path for path in caches.rglob("*") if path.is_file()]
    monkeypatch.delenv(cache.OFF_SWITCH)
    assert ws.run("validate", "--check-all").exit_code == 0
    assert [path for path in caches.rglob("*") if path.is_file()], "and caches on do write"


def test_validate_no_cache_reads_and_writes_no_cache(ws: Workspace) -> None:
    caches = ws.root.parent / "cache"
    ws.blueprint("greeting", simple_blueprint())
    assert ws.run("validate", "--check-all", "--no-cache").exit_code == 0
    assert not caches.exists() or not [path for path in caches.rglob("*") if path.is_file()]


def test_an_unwritable_cache_folder_only_makes_runs_slower(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = ws.root.parent / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    store = opened()
    assert store.put(store.key("a"), "x") is False
    assert store.get(store.key("a")) is None
    ws.blueprint("greeting", simple_blueprint())
    for _ in range(2):
        generated = ws.run("generate", "greeting", "--set", "who=world")
        assert generated.exit_code == 0, generated.output
        assert ws.run("validate", "--check-all").exit_code == 0
    greeting = (ws.root / "src/greeting_world.py").read_text()
    assert greeting == '"""Greeting for world."""\n\nGREETING = "Hello, world"\n'
    assert blocked.read_text() == "a file where the cache folder would be"


def test_compiled_templates_are_kept_and_recompiled_when_a_template_changes(
    caches: Path, tmp_path: Path
) -> None:
    from jinja2 import Environment, FileSystemLoader

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.j2").write_text("{{ name }}!")

    def render(**options: object) -> str:
        env = Environment(
            loader=FileSystemLoader(str(templates)), bytecode_cache=cache.jinja_bytecode(), **options
        )
        return env.get_template("page.j2").render(name="x")

    assert render() == "x!"
    (entry,) = (caches / "jinja").glob("*.entry")
    stored = entry.read_bytes()
    assert render() == "x!"
    assert entry.read_bytes() == stored, "loaded, not compiled again"
    (templates / "page.j2").write_text("{{ name }}?")
    assert render() == "x?", "a changed source is compiled again"
    (entry,) = (caches / "jinja").glob("*.entry")
    assert entry.read_bytes() != stored
    render(trim_blocks=True)
    assert len(list((caches / "jinja").glob("*.entry"))) == 2, "other settings, other compiled code"
    entry.write_bytes(b"damaged")
    assert render() == "x?"
