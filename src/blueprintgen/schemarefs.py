"""``$ref`` in parameter schemas: the schemas blueprintgen publishes, resolved locally.

A parameter's ``items`` (or any schema inside it) may refer to a published schema by
its ``$id``, e.g. ``{"$ref": "https://blueprintgen.dev/schemas/field.schema.json"}``;
built-in blueprints and a user's own in a project's ``blueprints/`` folder write it the
same way, wherever the file lives. The ids are names, not addresses: they resolve
against the ``schemas/`` folder shipped with blueprintgen, and nothing is fetched over
the network, by jsonschema (through :func:`registry`) or jsonschema-rs (through
:func:`retrieve`).

:func:`unresolved` finds the references that would not resolve without importing
either library, so the check that runs on every blueprint load stays cheap.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from blueprintgen import resources

if TYPE_CHECKING:
    from referencing import Registry

SCHEMA_BASE = "https://blueprintgen.dev/schemas/"
FIELD_SCHEMA = SCHEMA_BASE + "field.schema.json"
"""The ``$id`` of one resource field (what ``--field`` specs parse into)."""

# Keywords whose value maps names to subschemas: their keys are names, not keywords.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
# Keywords whose value is instance data, never a schema.
_DATA = frozenset({"enum", "const", "default", "examples"})


@cache
def published() -> dict[str, dict[str, Any]]:
    """Every schema under ``schemas/``, by its ``$id``."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((resources.data_root() / "schemas").glob("*.schema.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        found[document["$id"]] = document
    return found


def retrieve(uri: str) -> dict[str, Any]:
    """A published schema for jsonschema-rs's ``retriever``; any other URI is refused."""
    try:
        return published()[uri]
    except KeyError:
        raise LookupError(f"{uri} is not a schema blueprintgen publishes (nothing is fetched)") from None


@cache
def registry() -> Registry:
    """The published schemas as a ``referencing`` registry for jsonschema validators.

    Given a registry, jsonschema resolves only what it holds (plus the JSON Schema
    meta-schemas) and never retrieves a URI.
    """
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (uri, DRAFT202012.create_resource(document)) for uri, document in published().items()
    )


def unresolved(schema: Any) -> list[tuple[list[str | int], str]]:
    """Every ``$ref`` in ``schema`` that would not resolve, with why.

    Each is given as the path to its ``$ref`` key inside ``schema`` (for a JSON
    pointer) and a message. A reference resolves when it names a published ``$id``
    or, with ``#...`` alone, a place in ``schema`` itself; a fragment must point at
    something there.
    """
    problems: list[tuple[list[str | int], str]] = []
    for path, ref in _references(schema, []):
        reason = _why_unresolved(schema, ref)
        if reason:
            problems.append(([*path, "$ref"], reason))
    return problems


def _references(node: Any, path: list[str | int]) -> list[tuple[list[str | int], str]]:
    found: list[tuple[list[str | int], str]] = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found += _references(item, [*path, index])
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.append((path, value))
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                for name, subschema in value.items():
                    found += _references(subschema, [*path, key, name])
            elif key not in _DATA:
                found += _references(value, [*path, key])
    return found


def _why_unresolved(schema: Any, ref: str) -> str | None:
    uri, _, fragment = ref.partition("#")
    if uri:
        target = published().get(uri)
        if target is None:
            return _unknown(ref, uri)
        where = uri
    else:
        target, where = schema, "this schema"
    if not fragment:
        return None
    from urllib.parse import unquote

    if not fragment.startswith("/"):
        if fragment in _anchors(target):
            return None
        return f"$ref {ref!r}: there is no $anchor {fragment!r} in {where}"
    node = target
    for token in unquote(fragment).split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return f"$ref {ref!r}: {fragment!r} points at nothing in {where}"
    return None


def _unknown(ref: str, uri: str) -> str:
    from difflib import get_close_matches

    known = sorted(published())
    close = get_close_matches(uri, known, n=1)
    by_file = [k for k in known if k.rsplit("/", 1)[-1] == uri.rsplit("/", 1)[-1]]
    suggestion = by_file[0] if by_file else close[0] if close else None
    if suggestion:
        return (
            f"$ref {ref!r} names no schema blueprintgen publishes; did you mean {suggestion!r}? "
            "(a published schema is named by its $id, never fetched)"
        )
    return f"$ref {ref!r} names no schema blueprintgen publishes (by $id: {', '.join(known)}; nothing is fetched)"


def _anchors(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_anchors(item) for item in node))
    if not isinstance(node, dict):
        return set()
    own = {node["$anchor"]} if isinstance(node.get("$anchor"), str) else set()
    return own.union(*(_anchors(value) for key, value in node.items() if key not in _DATA))
