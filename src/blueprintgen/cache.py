"""One layer for every disk cache: versioned keys, atomic writes, a bound, one off switch.

A cache only ever saves time: deleting it, turning it off or finding it damaged changes no
result. Every disk cache of blueprintgen goes through this module, so that all of them obey
the same rules:

- **Where.** ``$XDG_CACHE_HOME/blueprintgen/<kind>/`` (default ``~/.cache/blueprintgen``),
  one file per entry, named by its key.
- **Keys.** :meth:`Cache.key` hashes blueprintgen's version, the Python version, the
  cache's kind and format ``version`` and the caller's inputs; bump ``version`` whenever
  what an entry holds (or how it is computed) changes, and every old entry becomes a miss.
- **Reads.** :meth:`Cache.get` answers None for anything missing, unreadable, cut short,
  damaged or written by another format version: each entry carries its version, length
  and a digest of its bytes in a one-line header, checked on every read.
- **Writes.** :meth:`Cache.put` writes a temporary file in the same folder and renames it
  over the entry (``os.replace``), so a reader sees the old entry or the new one, never
  half of one; the temporary file is removed on any failure, a KeyboardInterrupt
  included. A folder that cannot be created or written only makes runs slower.
- **Bound.** Each cache keeps at most ``max_entries`` entries and ``max_bytes`` bytes; a
  put beyond either removes the least recently used (by mtime, which a hit refreshes when
  it is more than an hour old). The first put of a process also removes the folders of
  the layout before this layer (``<kind>/pyXY/``).
- **Off.** ``BLUEPRINTGEN_NO_CACHE=1`` (any non-empty value) turns every cache off, read
  and write, and is read here only; :func:`disabled` does the same for a block of code
  (what a command's ``--no-cache`` should use). :func:`open` then answers None.

Use::

    from blueprintgen import cache

    store = cache.open("format", version=1)        # None when caches are off
    if store is not None:
        entry = store.key(tool_version, config_text, *paths)
        data = store.get(entry)                    # bytes, or None on a miss (get_text: str)
        ...
        store.put(entry, text)                     # bytes or str; False if not written

:func:`key` is the same hash without the versions, for callers that need a digest of
their own (e.g. of a file's text inside an entry). :func:`jinja_bytecode` gives Jinja a
``BytecodeCache`` on this layer, so compiled templates obey the same rules.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import BytecodeCache

OFF_SWITCH = "BLUEPRINTGEN_NO_CACHE"
"""The environment variable that turns every cache off."""

_MAGIC = b"blueprintgen-cache"
_SUFFIX = ".entry"
_SCRATCH = ".tmp"
_TOUCH_AFTER = 3600.0
"""A hit refreshes an entry's mtime only when it is older than this (seconds): the order of
pruning needs no finer grain, and most hits then write nothing."""
_STALE_SCRATCH = 3600.0
"""A temporary file this old was left by a killed process: pruning removes it."""
_PRUNE_TO = 0.9
"""Pruning goes down to this share of the bound, so that the next put does not prune again."""

_disabled_depth = 0
_scratch_numbers = itertools.count()


def enabled() -> bool:
    """Whether caches are on: ``BLUEPRINTGEN_NO_CACHE`` unset or empty, outside :func:`disabled`."""
    return _disabled_depth == 0 and not os.environ.get(OFF_SWITCH)


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Turn every cache off inside the block (what ``BLUEPRINTGEN_NO_CACHE=1`` does for a run)."""
    global _disabled_depth
    _disabled_depth += 1
    try:
        yield
    finally:
        _disabled_depth -= 1


def root() -> Path:
    """The folder holding every cache: ``$XDG_CACHE_HOME/blueprintgen``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "blueprintgen"


def key(*parts: str | bytes) -> str:
    """A hex digest of ``parts``, each length-prefixed so that no two lists of parts collide."""
    return _hasher(*parts).hexdigest()


def _hasher(*parts: str | bytes) -> hashlib._Hash:
    digest = hashlib.sha256()
    _feed(digest, parts)
    return digest


def _feed(digest: hashlib._Hash, parts: tuple[str | bytes, ...]) -> None:
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(b"%d:%s" % (len(data), data))


def open(
    kind: str,
    version: int,
    *,
    max_entries: int = 1024,
    max_bytes: int = 64 * 1024 * 1024,
) -> Cache | None:
    """The cache named ``kind`` in format ``version``, or None when caches are off.

    Nothing touches the disk until the first :meth:`Cache.get` or :meth:`Cache.put`.
    """
    if not enabled():
        return None
    try:
        folder = root() / kind
    except RuntimeError:  # no XDG_CACHE_HOME and no home folder: nowhere to keep anything
        return None
    return Cache(folder, kind, version, max_entries=max_entries, max_bytes=max_bytes)


class Cache:
    """One named cache: a folder of entries, each a file named by its key."""

    def __init__(self, folder: Path, kind: str, version: int, *, max_entries: int, max_bytes: int) -> None:
        from blueprintgen import __version__

        self.folder = folder
        self.kind = kind
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._salted = _hasher(
            f"blueprintgen {__version__}",
            f"python {sys.version_info[0]}.{sys.version_info[1]}",
            kind,
            str(version),
        )
        """The hash of the versions and the kind, copied for each key (a run computes hundreds)."""
        self._prefix = f"{os.fspath(folder)}{os.sep}"
        self._header_start = b"%s %d " % (_MAGIC, version)
        self._tally: tuple[int, int] | None = None
        """Entries and bytes in the folder, counted at the first put, then kept up to date."""

    def key(self, *parts: str | bytes) -> str:
        """The key of an entry: blueprintgen's version, Python's, this cache's kind and
        version, then ``parts`` (whatever the cached value was computed from)."""
        digest = self._salted.copy()
        _feed(digest, parts)
        return digest.hexdigest()

    def path(self, entry: str) -> Path:
        """The file that holds the entry ``entry`` (a key from :meth:`key`)."""
        return Path(self._file(entry))

    def _file(self, entry: str) -> str:
        # A string, not a Path: building Path objects is a tenth of the cost of a hit.
        return f"{self._prefix}{entry}{_SUFFIX}"

    def get(self, entry: str) -> bytes | None:
        """The value stored under ``entry``, or None: missing, damaged or another version."""
        path = self._file(entry)
        try:
            with builtins.open(path, "rb") as stream:  # noqa: PTH123 - a str: Path objects cost a tenth of a hit
                data = stream.read()
                modified = os.fstat(stream.fileno()).st_mtime
        except OSError:
            return None
        header, newline, payload = data.partition(b"\n")
        if not newline or not header.startswith(self._header_start):
            return None
        try:
            length_text, digest = header[len(self._header_start) :].split(b" ")
            length = int(length_text)
        except ValueError:
            return None
        if length != len(payload) or digest != _digest(payload):
            return None
        if time.time() - modified > _TOUCH_AFTER:  # recently used: kept when older entries go
            with contextlib.suppress(OSError):
                os.utime(path)
        return payload

    def get_text(self, entry: str) -> str | None:
        """:meth:`get` decoded from UTF-8; bytes that do not decode are a miss."""
        data = self.get(entry)
        if data is None:
            return None
        try:
            return data.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return None

    def put(self, entry: str, value: bytes | str) -> bool:
        """Store ``value`` under ``entry`` at once; False when it cannot be written (which
        only makes a later run slower). Prunes the least recently used beyond the bound."""
        payload = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
        header = b"%s%d %s\n" % (self._header_start, len(payload), _digest(payload))
        path = self.path(entry)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        try:
            previous: int | None = path.stat().st_size
        except OSError:
            previous = None
        if not _write_at_once(path, header + payload):
            return False
        self._count(len(header) + len(payload), previous)
        return True

    def _count(self, written: int, replaced: int | None) -> None:
        if self._tally is None:
            self._tally = self._measure()  # the new entry is already on disk: counted there
        else:
            entries, size = self._tally
            if replaced is None:
                self._tally = (entries + 1, size + written)
            else:
                self._tally = (entries, size + written - replaced)
        entries, size = self._tally
        if entries > self.max_entries or size > self.max_bytes:
            self.prune()

    def _measure(self) -> tuple[int, int]:
        """Entries and bytes in the folder; removes the folders of the layout before this
        layer (``<kind>/pyXY/``), which nothing reads any more."""
        entries = size = 0
        with contextlib.suppress(OSError), os.scandir(self.folder) as found:
            for item in found:
                if item.name.endswith(_SUFFIX):
                    with contextlib.suppress(OSError):
                        size += item.stat().st_size
                        entries += 1
                elif (
                    item.name.startswith("py")
                    and item.name[2:].isdigit()
                    and item.is_dir(follow_symlinks=False)
                ):
                    import shutil

                    shutil.rmtree(item.path, ignore_errors=True)
        return entries, size

    def prune(self) -> None:
        """Remove the least recently used entries until the cache is within its bound
        (down to nine tenths of it), and temporary files left by killed processes."""
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        with contextlib.suppress(OSError), os.scandir(self.folder) as found:
            for item in found:
                try:
                    stat = item.stat()
                except OSError:
                    continue
                if item.name.endswith(_SUFFIX):
                    entries.append((stat.st_mtime, stat.st_size, item.path))
                elif item.name.endswith(_SCRATCH) and now - stat.st_mtime > _STALE_SCRATCH:
                    with contextlib.suppress(OSError):
                        Path(item.path).unlink()
        entries.sort()
        count, size = len(entries), sum(entry[1] for entry in entries)
        if count > self.max_entries or size > self.max_bytes:
            keep_entries = int(self.max_entries * _PRUNE_TO)
            keep_bytes = int(self.max_bytes * _PRUNE_TO)
            for _, entry_size, entry_path in entries:
                if count <= keep_entries and size <= keep_bytes:
                    break
                with contextlib.suppress(OSError):
                    Path(entry_path).unlink()
                    count -= 1
                    size -= entry_size
        self._tally = (count, size)


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).hexdigest().encode("ascii")


def _write_at_once(path: Path, data: bytes) -> bool:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    No fsync: a crash may lose the entry or leave it empty, and a damaged entry is a miss.
    The temporary file is removed whatever goes wrong, a KeyboardInterrupt included.
    """
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{next(_scratch_numbers)}{_SCRATCH}")
    try:  # the name is this process's own: removing it on failure removes nobody else's file
        with os.fdopen(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb") as stream:
            stream.write(data)
        os.replace(scratch, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            scratch.unlink()
        if isinstance(error, OSError):
            return False
        raise
    return True


def jinja_bytecode(version: int = 1) -> BytecodeCache | None:
    """A Jinja ``BytecodeCache`` on this layer (kind ``jinja``), or None when caches are off.

    An entry is keyed by Jinja's own key for the template (its name and file), Jinja's
    version and every environment setting that changes the compiled code (delimiters,
    whitespace options, the environment's class); Jinja itself checks the source's
    checksum stored in the entry, and compiles again when the template changed.
    """
    store = open("jinja", version, max_entries=512, max_bytes=32 * 1024 * 1024)
    if store is None:
        return None
    return _bytecode_class()(store)


def _bytecode_class() -> Callable[[Cache], BytecodeCache]:
    import jinja2
    from jinja2.bccache import Bucket, BytecodeCache

    def settings_of(environment: jinja2.Environment) -> str:
        """Every setting of ``environment`` that changes the code Jinja compiles."""
        return repr(
            (
                environment.block_start_string,
                environment.block_end_string,
                environment.variable_start_string,
                environment.variable_end_string,
                environment.comment_start_string,
                environment.comment_end_string,
                environment.line_statement_prefix,
                environment.line_comment_prefix,
                environment.trim_blocks,
                environment.lstrip_blocks,
                environment.newline_sequence,
                environment.keep_trailing_newline,
                environment.optimized,
                environment.autoescape if isinstance(environment.autoescape, bool) else "callable",
                sorted(environment.extensions),
                type(environment).__qualname__,
            )
        )

    class LayeredBytecodeCache(BytecodeCache):
        """Jinja's bytecode cache stored through :class:`Cache`."""

        def __init__(self, store: Cache) -> None:
            self.store = store
            self._settings: tuple[jinja2.Environment, str] | None = None
            """The last environment seen (held, so its id is never another's) and its settings."""

        def get_bucket(
            self, environment: jinja2.Environment, name: str, filename: str | None, source: str
        ) -> Bucket:
            if self._settings is None or self._settings[0] is not environment:
                self._settings = (environment, settings_of(environment))
            entry = self.store.key(jinja2.__version__, self._settings[1], self.get_cache_key(name, filename))
            bucket = Bucket(environment, entry, self.get_source_checksum(source))
            self.load_bytecode(bucket)
            return bucket

        def load_bytecode(self, bucket: Bucket) -> None:
            data = self.store.get(bucket.key)
            if data is None:
                return
            try:  # Jinja checks its magic and the source's checksum, and resets the bucket
                bucket.bytecode_from_string(data)
            except Exception:  # whatever unpickling a foreign entry raises: compile again
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            self.store.put(bucket.key, bucket.bytecode_to_string())

        def clear(self) -> None:
            for path in self.store.folder.glob(f"*{_SUFFIX}"):
                path.unlink(missing_ok=True)

    return LayeredBytecodeCache
