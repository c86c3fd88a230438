"""Where each value of a JSON document starts, by JSON pointer (for error messages only)."""

from __future__ import annotations

import contextlib
import json
import re

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"[^,\]\}\s]+")


def escape(token: str) -> str:
    """Escape one JSON-pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(parts: list[str | int] | tuple[str | int, ...]) -> str:
    """The JSON pointer of a path such as jsonschema's ``absolute_path``."""
    return "".join(f"/{escape(str(part))}" for part in parts)


def positions(text: str) -> dict[str, int]:
    """Map every JSON pointer in ``text`` to the offset where its value starts.

    The document is assumed to be valid JSON (it was parsed already); for an object
    member the offset is that of its key, which is where a reader looks.
    """
    found: dict[str, int] = {}

    def skip(i: int) -> int:
        return _WS.match(text, i).end()  # type: ignore[union-attr]

    def value(i: int, here: str) -> int:
        i = skip(i)
        found.setdefault(here, i)
        if i >= len(text):
            return i
        char = text[i]
        if char == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key_match = _STRING.match(text, i)
                if key_match is None:
                    return len(text)

                key = json.loads(key_match.group())
                child = f"{here}/{escape(key)}"
                found[child] = i
                i = skip(key_match.end())
                i = skip(i + 1)  # the colon
                i = skip(value(i, child))
                if text[i] == ",":
                    i = skip(i + 1)
                    continue
                return i + 1
        if char == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = skip(value(i, f"{here}/{index}"))
                index += 1
                if text[i] == ",":
                    i = skip(i + 1)
                    continue
                return i + 1
        match = _STRING.match(text, i) if char == '"' else _SCALAR.match(text, i)
        return match.end() if match else i + 1

    with contextlib.suppress(IndexError):
        value(0, "")
    return found


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def locate(text: str, json_pointer: str) -> tuple[int, int] | None:
    """Line and column of the value at ``json_pointer``, or of its nearest ancestor."""
    table = positions(text)
    probe = json_pointer
    while True:
        if probe in table:
            return line_column(text, table[probe])
        if not probe:
            return None
        probe = probe.rsplit("/", 1)[0]
