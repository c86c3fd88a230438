"""Stage 1: read blueprint files into JSON documents, with precise syntax errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blueprintgen.blueprint import Source
from blueprintgen.errors import LoadError, position_of

MAX_DEPTH = 64
"""How deeply arrays and objects may nest. Blueprints nest a few levels; the JSON decoder
and every stage after it recurse once per level, so input nested a thousand deep would end
in Python's recursion limit instead of a message."""

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|-?Infinity|NaN', re.DOTALL)
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
"""The escapes that can spell NUL or half of a surrogate pair (a raw one is invalid JSON)."""
_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL, and a surrogate the decoder did not pair: neither can be a path, nor UTF-8 text."""


class StrictJSONError(json.JSONDecodeError):
    """JSON the standard decoder takes but blueprintgen does not, at a place in the text."""

    def __init__(self, message: str, text: str, offset: int, pointer: str | None = None) -> None:
        super().__init__(message, text, offset)
        self.pointer = pointer


class _Constant(Exception):
    """``NaN`` or ``Infinity`` in the text."""


class _Members(dict[str, Any]):
    """An object in which a key occurs twice: ``duplicate`` is that key."""

    duplicate: str


def strict_loads(text: str, *, plain_strings: bool = True) -> Any:
    """``json.loads``, refusing what the standard decoder lets through: ``NaN`` and ``Infinity``
    (not JSON numbers), a key twice in one object (the last would win silently), nesting
    deeper than :data:`MAX_DEPTH` and, with ``plain_strings``, NUL or a lone surrogate in a
    key or string. A refusal is a :class:`StrictJSONError` at the offending place, so callers
    report it as they report a syntax error.
    """
    if text.count("[") + text.count("{") > MAX_DEPTH:  # only then can it nest too deeply
        _check_depth(text)
    duplicates: list[_Members] = []

    def members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        flagged = _Members(result)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                flagged.duplicate = key
                break
            seen.add(key)
        duplicates.append(flagged)
        return flagged

    def constant(name: str) -> Any:
        raise _Constant(name)

    try:
        data = json.loads(text, parse_constant=constant, object_pairs_hook=members)
    except _Constant as found:
        offset = next((match.start() for match in _TOKEN.finditer(text) if match.group() == found.args[0]), 0)
        raise StrictJSONError(
            f"{found.args[0]} is not a JSON number; write a number, or a string", text, offset
        ) from None
    if duplicates:
        pointer = next(here for here, value in _walk(data) if value is duplicates[0])
        key = duplicates[0].duplicate
        raise StrictJSONError(
            f"duplicate key {key!r}: a key may occur once in an object (the last would win silently)",
            text,
            _offset_of(text, f"{pointer}/{_escape(key)}"),
            pointer=f"{pointer}/{_escape(key)}",
        )
    if plain_strings and _SUSPECT_ESCAPE.search(text):
        _check_strings(text, data)
    return data


def _check_depth(text: str) -> None:
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise StrictJSONError(
                    f"nested more than {MAX_DEPTH} levels deep; a blueprintgen file nests a few",
                    text,
                    match.start(),
                )
        elif token in ("]", "}"):
            depth -= 1


def _check_strings(text: str, data: Any) -> None:
    for here, value in _walk(data):
        strings = [value] if isinstance(value, str) else list(value) if isinstance(value, dict) else []
        for string in strings:
            bad = _UNWRITABLE.search(string)
            if bad is None:
                continue
            what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate (half a UTF-16 pair)"
            whose = "the string" if string is value else "a key of this object"
            # A key's own pointer would hold the character; the object's is printable.
            located = here if string is value else f"{here}/{_escape(string)}"
            raise StrictJSONError(
                f"{whose} holds {what} (\\u{ord(bad.group()):04x}), which no file or name can hold",
                text,
                _offset_of(text, located),
                pointer=here,
            )


def _walk(data: Any) -> Iterator[tuple[str, Any]]:
    """Every value of a parsed document with its JSON pointer, depth first, without recursion."""
    todo: list[tuple[str, Any]] = [("", data)]
    while todo:
        here, value = todo.pop()
        yield here, value
        if isinstance(value, dict):
            todo.extend((f"{here}/{_escape(key)}", item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            todo.extend((f"{here}/{index}", item) for index, item in reversed(list(enumerate(value))))


def _escape(token: str) -> str:
    from blueprintgen import jsonpos

    return jsonpos.escape(token)


def _offset_of(text: str, pointer: str) -> int:
    """Where the value at ``pointer`` (or its nearest ancestor) starts in ``text``."""
    from blueprintgen import jsonpos

    table = jsonpos.positions(text)
    while pointer not in table and pointer:
        pointer = pointer.rsplit("/", 1)[0]
    return table.get(pointer, 0)


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
    """Parse a blueprint's JSON text strictly (see :func:`strict_loads`); the top level must be an object."""
    if not text.strip():
        raise LoadError(
            "the file is empty; a blueprint is a JSON object",
            path=path,
            hint="start from `blueprintgen show NAME` or examples/",
        )
    try:
        data = strict_loads(text)
    except StrictJSONError as error:
        raise LoadError(error.msg, path=path, pointer=error.pointer, **position_of(error, text)) from None
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
