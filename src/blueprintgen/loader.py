"""Stage 1: read blueprint files into JSON documents, with precise syntax errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blueprintgen.blueprint import Source
from blueprintgen.errors import LoadError, position_of


@dataclass(frozen=True)
class Document:
    """A parsed blueprint file, not yet validated."""

    path: Path
    source: Source
    text: str
    data: dict[str, Any]


def read_text(path: Path) -> str:
    """The UTF-8 text of a file, or a LoadError saying where the bad bytes are."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(f"cannot read the file: {error.strerror}", path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise LoadError(
            f"the file is not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded",
            path=path,
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None


def parse(text: str, path: Path, source: Source = Source.PATH) -> Document:
    """Parse a blueprint's JSON text; the top level must be an object."""
    if not text.strip():
        raise LoadError(
            "the file is empty; a blueprint is a JSON object",
            path=path,
            hint="start from `blueprintgen show NAME` or examples/",
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LoadError(f"invalid JSON: {error.msg}", path=path, **position_of(error, text)) from None
    if not isinstance(data, dict):
        kind = type(data).__name__.replace("dict", "object").replace("list", "array")
        raise LoadError(
            f"the top level must be a JSON object (a blueprint), not {kind}",
            path=path,
            line=1,
            column=1,
        )
    return Document(path=path, source=source, text=text, data=data)


def load(path: Path, source: Source = Source.PATH) -> Document:
    """Read and parse one blueprint file."""
    return parse(read_text(path), path, source)


def discover(folder: Path) -> list[Path]:
    """The blueprint files in a folder, recursively, in a stable order."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*.json") if path.is_file())
