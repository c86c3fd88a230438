"""Parameter values: parsing ``--set`` strings, type checks, defaults."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from blueprintgen import schemarefs
from blueprintgen.blueprint import Blueprint, Parameter
from blueprintgen.errors import ParameterError

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def problem(parameter: Parameter, value: Any) -> str | None:
    """Why ``value`` does not fit ``parameter``, or None when it does."""
    expected = _PYTHON_TYPES[parameter.type]
    if isinstance(value, bool) and parameter.type != "boolean":
        return f"expected {parameter.type}, got boolean {json.dumps(value)}"
    if not isinstance(value, expected):
        return f"expected {parameter.type}, got {_json_type(value)} {_shown(value)}"
    unwritable = unwritable_text(value)
    if unwritable:
        return unwritable
    if parameter.enum is not None and value not in parameter.enum:
        allowed = ", ".join(json.dumps(option) for option in parameter.enum)
        return f"{_shown(value)} is not one of {allowed}"
    if parameter.pattern and isinstance(value, str):
        try:
            matched = compiled_pattern(parameter.pattern).search(value) is not None
        except PatternError as error:
            # Blueprints are checked for this when loaded (schema.check).
            return f"its pattern cannot be used: {error}"
        if not matched:
            return f"{_shown(value)} does not match the pattern {parameter.pattern}"
    if parameter.items and isinstance(value, list):
        return _items_problem(parameter.items, value)
    return None


def _shown(value: Any, limit: int = 60) -> str:
    """A value as JSON for a message, cut short (a 100 KB value is not echoed whole)."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


def unwritable_text(value: Any) -> str | None:
    """Why a value cannot reach a file or a name: a string in it holds NUL or a lone
    surrogate (not UTF-8); None when every string in it is fine."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
        elif isinstance(item, str):
            bad = _UNWRITABLE.search(item)
            if bad is not None:
                what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate"
                return f"the value holds {what} (\\u{ord(bad.group()):04x}), which no file or name can hold"
    return None


class PatternError(ValueError):
    """A regular expression the linear-time engine cannot run."""


@functools.lru_cache(maxsize=512)
def compiled_pattern(pattern: str) -> Any:
    """``pattern`` compiled by RE2, which matches in time linear in the value's length.

    Python's ``re`` backtracks: ``^(a+)+$`` against forty ``a``s and a ``b`` takes
    minutes. RE2 has no backtracking, so it lacks lookaround and backreferences; a
    pattern that needs them raises PatternError saying so.
    """
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own line on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        reason = (
            error.args[0].decode("utf-8", "replace")
            if error.args and isinstance(error.args[0], bytes)
            else str(error)
        )
        raise PatternError(
            f"{reason} (patterns run in RE2, which matches in linear time: no lookaround, "
            "backreferences or possessive repeats)"
        ) from None


def regex_keywords(schema: Any, path: list[str | int] | None = None) -> list[tuple[list[str | int], str]]:
    """Every regular expression in a JSON Schema (``pattern`` values, ``patternProperties``
    names), with the path to it."""
    path = path or []
    found: list[tuple[list[str | int], str]] = []
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            found += regex_keywords(item, [*path, index])
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key == "pattern" and isinstance(value, str):
                found.append(([*path, key], value))
            elif key == "patternProperties" and isinstance(value, dict):
                found += [([*path, key, name], name) for name in value]
                for name, subschema in value.items():
                    found += regex_keywords(subschema, [*path, key, name])
            elif key in ("properties", "$defs", "definitions", "dependentSchemas") and isinstance(
                value, dict
            ):
                for name, subschema in value.items():
                    found += regex_keywords(subschema, [*path, key, name])
            elif key not in ("enum", "const", "default", "examples"):
                found += regex_keywords(value, [*path, key])
    return found


def items_schema_problems(items: Any) -> list[tuple[list[str | int], str]]:
    """Why an ``items`` schema cannot be used, each with the path inside it: not a JSON
    Schema (by the 2020-12 meta-schema), a ``$ref`` that does not resolve, a pattern
    RE2 cannot run. Empty when it can be used."""
    import jsonschema_rs

    if not jsonschema_rs.meta.is_valid(items):
        from jsonschema import Draft202012Validator

        meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
        by_place: dict[tuple[str, ...], tuple[list[str | int], str]] = {}
        for error in meta.iter_errors(items):  # one per place: vocabularies repeat a keyword's check
            by_place.setdefault(
                tuple(map(str, error.absolute_path)), (list(error.absolute_path), error.message)
            )
        return [(path, f"not a JSON Schema: {message}") for _, (path, message) in sorted(by_place.items())]
    found = schemarefs.unresolved(items)
    patterns = regex_keywords(items)
    for path, pattern in patterns:
        try:
            compiled_pattern(pattern)
        except PatternError as error:
            found.append((path, f"invalid regular expression {pattern!r}: {error}"))
    if not found and patterns and _fast_item_validator(_items_key(items)) is None:
        found.append(([], "its patterns cannot be compiled for validation (jsonschema-rs refused them)"))
    return found


def _items_problem(items: dict[str, Any], value: list[Any]) -> str | None:
    key = _items_key(items)
    fast = _fast_item_validator(key)
    if fast is None and regex_keywords(items):
        return "its items schema cannot be used: its patterns cannot be compiled for validation"
    for index, item in enumerate(value):
        if fast is not None and fast.is_valid(item):
            continue
        if fast is not None and regex_keywords(items):
            # jsonschema evaluates patterns with Python's backtracking re; jsonschema-rs,
            # built with the regex crate's engine, cannot hang on one. Its words then.
            error = next(iter(fast.iter_errors(item)), None)
            if error is not None:
                return f"item {index}: {error.message}"
            continue
        from referencing.exceptions import Unresolvable

        try:
            slow_error = next(iter(_item_validator(key).iter_errors(item)), None)
        except Unresolvable as unresolvable:
            # Blueprints are checked for this when loaded (schema.check); a Blueprint
            # built another way still gets a sentence, not a traceback.
            broken = schemarefs.unresolved(items)
            return f"its items schema cannot be used: {broken[0][1] if broken else unresolvable}"
        if slow_error is not None:
            return f"item {index}: {slow_error.message}"
    return None


@functools.lru_cache(maxsize=256)
def _item_validator(schema: str) -> Any:
    """A compiled validator for an array parameter's ``items`` schema, built once.

    ``$ref`` to a published schema (:mod:`blueprintgen.schemarefs`) resolves locally.
    """
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema), registry=schemarefs.registry())


_ITEMS_KEYS: dict[int, tuple[dict[str, Any], str]] = {}


def _items_key(items: dict[str, Any]) -> str:
    """The cache key of an ``items`` schema, computed once per schema object, not per value."""
    known = _ITEMS_KEYS.get(id(items))
    if known is None or known[0] is not items:
        known = _ITEMS_KEYS[id(items)] = (items, json.dumps(items, sort_keys=True))
    return known[1]


@functools.lru_cache(maxsize=256)
def _fast_item_validator(schema: str) -> Any:
    """jsonschema-rs for the common case (valid items), None where it is not installed.

    Its patterns run in the regex crate's engine (``RegexOptions``), which never backtracks.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - an optional speed-up
        return None
    try:
        return jsonschema_rs.Draft202012Validator(
            json.loads(schema), retriever=schemarefs.retrieve, pattern_options=jsonschema_rs.RegexOptions()
        )
    except ValueError:
        # A $ref that does not resolve: jsonschema words why (see problem).
        return None


def _json_type(value: Any) -> str:
    for name, types in _PYTHON_TYPES.items():
        if isinstance(value, types) and not (isinstance(value, bool) and name != "boolean"):
            return name
    return "null" if value is None else type(value).__name__


def parse_value(parameter: Parameter, text: str) -> Any:
    """Turn a command-line string into a value of the parameter's type."""
    kind = parameter.type
    if kind == "string":
        return text
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"expected a boolean (true/false), got {text!r}")
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"expected an integer, got {text!r}") from None
    if kind == "number":
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            raise ValueError(f"expected a number, got {text!r}") from None
    stripped = text.strip()
    if kind == "array" and not stripped.startswith("["):
        return [item.strip() for item in stripped.split(",") if item.strip()]
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError as error:
        raise ValueError(f"expected JSON {kind}: {error.msg} at column {error.colno}") from None
    return value


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """Split ``key=value`` strings (``--set``)."""
    values: dict[str, str] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            raise ParameterError(
                f"--set {assignment!r} is not of the form key=value",
                hint="for example --set resource_name=user",
            )
        values[key.strip()] = value
    return values


def coerce(blueprint: Blueprint, raw: dict[str, str]) -> dict[str, Any]:
    """Parse ``--set`` strings to the types the blueprint declares."""
    values: dict[str, Any] = {}
    for key, text in raw.items():
        parameter = blueprint.parameters.get(key)
        if parameter is None:
            from difflib import get_close_matches

            close = get_close_matches(key, list(blueprint.parameters), n=1)
            known = ", ".join(sorted(blueprint.parameters)) or "none"
            raise ParameterError(
                f"unknown parameter {key!r} (known: {known})",
                path=blueprint.path,
                blueprint=blueprint.name,
                hint=f"did you mean {close[0]!r}?" if close else None,
            )
        try:
            values[key] = parse_value(parameter, text)
        except ValueError as error:
            raise ParameterError(
                f"--set {key}: {error}",
                **blueprint.where(f"/parameters/{key}"),
                blueprint=blueprint.name,
            ) from None
    return values


def resolve(blueprint: Blueprint, given: dict[str, Any], *, requested_by: str = "") -> dict[str, Any]:
    """The full parameter set of an instance: given values checked, defaults filled."""
    values: dict[str, Any] = {}
    for name, parameter in blueprint.parameters.items():
        if name in given:
            value = given[name]
        elif parameter.has_default:
            value = parameter.default
        elif parameter.required:
            via = f" (needed by {requested_by})" if requested_by else ""
            raise ParameterError(
                f"missing required parameter {name!r} of type {parameter.type}{via}",
                **blueprint.where(f"/parameters/{name}"),
                blueprint=blueprint.name,
                hint=f"pass --set {name}=VALUE",
            )
        else:
            continue
        reason = problem(parameter, value)
        if reason:
            raise ParameterError(
                f"parameter {name!r}: {reason}",
                **blueprint.where(f"/parameters/{name}"),
                blueprint=blueprint.name,
            )
        values[name] = value
    return values


def sample(parameter: Parameter) -> Any:
    """A value for checking a template: default, first example, or one of the type."""
    if parameter.has_default:
        return parameter.default
    if parameter.examples:
        return parameter.examples[0]
    if parameter.enum:
        return parameter.enum[0]
    return {
        "string": "example",
        "integer": 1,
        "number": 1.0,
        "boolean": True,
        "array": [],
        "object": {},
    }[parameter.type]
