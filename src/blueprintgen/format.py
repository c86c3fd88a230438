"""Stage 5: format generated Python once over the whole batch (ruff, or black)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from blueprintgen.errors import FormatError

if TYPE_CHECKING:
    from blueprintgen.cache import Cache

FORMATTERS = ("ruff", "black", "none")
CONFIG_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml")
_PARSE_ERROR = re.compile(
    r"(?:Failed to parse |error: )(?P<file>[^\s:]+\.py):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)"
)


@dataclass(frozen=True)
class Formatter:
    """Which formatter and which version: recorded so upgrades are explainable."""

    name: str
    version: str

    def as_dict(self) -> dict[str, str]:
        """For the manifest."""
        return {"name": self.name, "version": self.version}


def ruff_binary() -> str:
    """The ruff executable that ships with the installed ruff package."""
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff")
        if found is None:
            raise FormatError("ruff is not installed; `pip install ruff` or use --formatter none") from None
        return found


def describe(name: str) -> Formatter:
    """The formatter with its installed version."""
    if name not in FORMATTERS:
        raise FormatError(f"unknown formatter {name!r}; choose one of {', '.join(FORMATTERS)}")
    if name == "none":
        return Formatter("none", "")
    version = installed_version("black" if name == "black" else "ruff")
    if version is None:
        hint = "pip install 'blueprintgen[black]'" if name == "black" else "pip install ruff"
        raise FormatError(f"the {name} formatter is not installed", hint=hint)
    return Formatter(name, version)


def installed_version(package: str) -> str | None:
    """The installed version of ``package``, or None.

    Read off the ``{package}-{version}.dist-info`` folder name, which every installer
    writes: importing importlib.metadata (and email, which it imports) would cost more
    than the formatting it describes.
    """
    prefix = f"{package}-"
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")  # noqa: PTH208 - names only, no Path objects
        except OSError:
            continue
        for entry in names:
            if entry.startswith(prefix) and entry.endswith(".dist-info"):
                version = entry[len(prefix) : -len(".dist-info")]
                if version[:1].isdigit():
                    return version
    from importlib import metadata  # editable or unusual installs

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _scratch_parent() -> str | None:
    """Where the batch is formatted: memory-backed /dev/shm when there is one (creating and
    deleting a few hundred small files there costs a tenth of what it does on disk)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def format_files(
    files: dict[str, str],
    *,
    formatter: str = "ruff",
    config_dir: Path | None = None,
) -> dict[str, str]:
    """Format every Python file of ``files`` (path → text) in one batch.

    The project's own ruff configuration applies: a pyproject.toml or ruff.toml in the
    batch, or else the one in ``config_dir`` (the target project). Returns the batch
    with Python files formatted and every other file unchanged.

    What the formatter made of a batch is remembered (:class:`FormatMemo`): a batch
    seen before is answered without starting the formatter, and only the files that
    changed are formatted again.
    """
    tool = describe(formatter)
    python = {path: text for path, text in files.items() if path.endswith((".py", ".pyi"))}
    if formatter == "none" or not python:
        return dict(files)
    memo = FormatMemo.open(tool, files, python, config_dir)
    remembered = memo.recall(python) if memo else {}
    missing = sorted(path for path in python if path not in remembered)
    if not missing:
        return {**files, **remembered}
    try:
        formatted = _format_in(_scratch_parent(), files, python, missing, formatter, config_dir)
    except _ScratchError:
        try:  # /dev/shm full or refused: the ordinary temporary folder
            formatted = _format_in(None, files, python, missing, formatter, config_dir)
        except _ScratchError as scratch_error:
            error = scratch_error.error
            raise FormatError(
                f"cannot write the files to format in a temporary folder: {error.strerror or error}",
                path=getattr(error, "filename", None),
                hint="free some space in the temporary folder (TMPDIR)",
            ) from None
    if memo:
        memo.keep(python, {**remembered, **formatted})
    return {**files, **remembered, **formatted}


class FormatMemo:
    """What the formatter made of the Python files of one batch, kept in the user's cache.

    ruff's output for a file depends on the file, its path, the configuration, the
    formatter's version and, for sorting imports, which modules exist beside it
    (first-party or third-party). The memo for a batch is therefore one entry of the
    ``format`` cache (:mod:`blueprintgen.cache`), keyed by the formatter and its version,
    the configuration files' text and the paths of every Python file in the batch;
    inside it each file's entry holds the digest of the text that was formatted.
    The cache keeps the :attr:`KEEP` most recently used batches (and at most 64 MiB).
    """

    VERSION = 1
    """The entry's format: bump it when what an entry holds changes."""
    KEEP = 64

    def __init__(self, store: Cache, entry: str) -> None:
        self.store = store
        self.entry = entry

    @classmethod
    def open(
        cls, tool: Formatter, files: dict[str, str], python: dict[str, str], config_dir: Path | None
    ) -> FormatMemo | None:
        """The memo of this batch, or None when caches are off."""
        from blueprintgen import cache

        store = cache.open("format", cls.VERSION, max_entries=cls.KEEP)
        if store is None:
            return None
        parts = [tool.name, tool.version]
        for name in CONFIG_FILES:
            text = files.get(name)
            if text is None and config_dir is not None:
                try:
                    text = (config_dir / name).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    text = None
            parts += [name, "<none>" if text is None else f"={text}"]
        return cls(store, store.key(*parts, *sorted(python)))

    def recall(self, python: dict[str, str]) -> dict[str, str]:
        """The remembered output of every file whose text is the one formatted before."""
        data = self.store.get(self.entry)
        try:
            entries = json.loads(data) if data is not None else None
        except ValueError:
            return {}
        if not isinstance(entries, dict):
            return {}
        found: dict[str, str] = {}
        for path, text in python.items():
            entry = entries.get(path)
            if (
                isinstance(entry, list)
                and len(entry) == 2
                and isinstance(entry[1], str)
                and entry[0] == _digest(text)
            ):
                found[path] = entry[1]
        return found

    def keep(self, python: dict[str, str], formatted: dict[str, str]) -> None:
        """Remember the batch; a cache that cannot be written is only a slower next run."""
        entries = {path: [_digest(text), formatted[path]] for path, text in python.items()}
        self.store.put(self.entry, json.dumps(entries))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class _ScratchError(Exception):
    """Writing the batch to the scratch folder failed (full, read-only, gone)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def _format_in(
    parent: str | None,
    files: dict[str, str],
    python: dict[str, str],
    names: list[str],
    formatter: str,
    config_dir: Path | None,
) -> dict[str, str]:
    """Format ``names`` in a scratch copy of the batch.

    Every Python file of the batch is written, not only those formatted: sorting
    imports asks which modules exist beside a file (first-party or third-party).
    """
    try:
        scratch_dir = tempfile.TemporaryDirectory(prefix="blueprintgen-format-", dir=parent)
    except OSError as error:
        raise _ScratchError(error) from None
    with scratch_dir as scratch:
        root = Path(scratch)
        try:
            for name in CONFIG_FILES:
                if name in files:
                    (root / name).write_text(files[name], encoding="utf-8")
                elif config_dir is not None and (config_dir / name).is_file():
                    shutil.copyfile(config_dir / name, root / name)
            for path, text in python.items():
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise _ScratchError(error) from None
        ruff = ruff_binary()
        _run(
            [ruff, "check", "--fix", "--select", "I", "--exit-zero", "--quiet", "--no-cache"],
            names,
            root,
            files,
        )
        if formatter == "ruff":
            _run([ruff, "format", "--no-cache"], names, root, files)
            formatted = {path: (root / path).read_text(encoding="utf-8") for path in names}
        else:
            formatted = _black(root, names)
    return formatted


def _run(command: list[str], names: list[str], cwd: Path, files: dict[str, str]) -> None:
    # Chunks keep a huge batch under the OS limit on argument length.
    for start in range(0, len(names), 500):
        result = subprocess.run(
            [*command, *names[start : start + 500]], cwd=cwd, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            _raise_for(result.stderr or result.stdout, files)


def _raise_for(output: str, files: dict[str, str]) -> None:
    match = _PARSE_ERROR.search(output)
    if match:
        path = match.group("file")
        line = int(match.group("line"))
        source = files.get(path, "").splitlines()
        raise FormatError(
            f"the generated file is not valid Python: {match.group('msg').strip()}",
            path=path,
            line=line,
            column=int(match.group("col")),
            source_line=source[line - 1] if 0 < line <= len(source) else None,
            hint="the template that generates this file produces invalid code",
        )
    raise FormatError(f"ruff failed: {output.strip()[:2000]}")


def _black(root: Path, names: list[str]) -> dict[str, str]:
    import black
    import black.parsing

    mode = black.Mode()
    formatted: dict[str, str] = {}
    for name in names:
        text = (root / name).read_text(encoding="utf-8")
        try:
            formatted[name] = black.format_str(text, mode=mode)
        except black.parsing.InvalidInput as error:
            raise FormatError(f"the generated file is not valid Python: {error}", path=name) from None
    return formatted
