"""Resource field specs: ``--field`` strings and spec files → field dicts.

A field spec reads ``name:type[?][:modifier...][=default]``, for example
``email:email:unique``, ``age:int?``, ``role:enum[admin,member]=member`` or
``author:ref:author``. :func:`field_from_spec` checks one into a
:class:`blueprintgen.resource_model.Field`; :func:`parse_fields` turns a list of them
into the field dicts (``Field.to_param()``) every resource blueprint receives;
:func:`load_spec_file` reads several resources from a YAML or JSON file;
:func:`to_spec_string` writes a field dict back as a spec string.
"""

from __future__ import annotations

import builtins
import copy
import datetime as dt
import difflib
import functools
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from blueprintgen import naming
from blueprintgen.errors import BlueprintgenError, position_of
from blueprintgen.fieldgrammar import FIELD_SPEC_HELP, FIELD_SPEC_HELP_PLAIN
from blueprintgen.resource_model import (
    DECIMAL_DIGITS,
    DECIMAL_PLACES,
    FIELD_TYPES,
    MCP_STYLES,
    METHODS,
    ON_DELETE,
    STR_MAX_LENGTH,
    Field,
    column_of,
)

__all__ = [
    "DEFAULT_FIELD_SPECS",
    "FIELD_SPEC_HELP",
    "FIELD_SPEC_HELP_PLAIN",
    "FIELD_TYPES",
    "MCP_STYLES",
    "METHODS",
    "MODIFIERS",
    "RESERVED_FIELD_NAMES",
    "FieldSpecError",
    "column_name",
    "default_fields",
    "field_from_spec",
    "load_spec_file",
    "parse_field",
    "parse_fields",
    "parse_spec",
    "to_spec_string",
]

MODIFIERS = ("unique", "index", "cascade", "set_null")

DEFAULT_FIELD_SPECS = ("name:str", "description:text?", "status:enum[active,inactive]=active")

# Names a field may not take, with the reason shown to the user.
RESERVED_FIELD_NAMES = {
    "id": "every resource already has an integer primary key 'id'",
    "created_at": "every resource already has a 'created_at' timestamp",
    "updated_at": "every resource already has an 'updated_at' timestamp",
    "limit": "the list query uses it for pagination",
    "offset": "the list query uses it for pagination",
    "sort": "the list query uses it for sorting",
    "filters": "the list query uses it for its filters() method",
    "date": "it would hide the 'date' type inside the generated models",
    "datetime": "it would hide the 'datetime' type inside the generated models",
    "metadata": "SQLAlchemy reserves it on table models",
    "registry": "SQLAlchemy reserves it on table models",
    "awaitable_attrs": "SQLAlchemy reserves it on table models",
    "mapped_column": "it would hide SQLAlchemy's mapped_column() inside the table model",
    "reject_null": "the update model's validator has that name",
}
_PYDANTIC_ATTRIBUTES = frozenset(
    """
    construct copy dict from_orm json mro parse_file parse_obj parse_raw register
    schema schema_json update_forward_refs validate
    """.split()
)
# Builtins that are types, or that generated code calls: a field of that name would
# hide them inside class bodies and handlers.
_SHADOWED_BUILTINS = frozenset(
    name
    for name in naming.PYTHON_BUILTINS
    if isinstance(getattr(builtins, name), type)
    or name in {"getattr", "hasattr", "id", "isinstance", "len", "print", "setattr"}
)
# Enum fields name a class ``{Resource}{Field}``: these would clash with the
# resource's own classes (``ItemRead``, ``ItemService``, ...).
_ENUM_CLASH = frozenset("base create db_model page public query read repository service update".split())

_CHOICE = re.compile(r"[A-Za-z][A-Za-z0-9_\- ]*")
_TYPE_TOKEN = re.compile(r"(?P<type>[A-Za-z_]+)(?:\[(?P<args>[^\]]*)\])?(?P<optional>\?)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*")
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_TYPE_HINTS = {
    "string": "str",
    "varchar": "str",
    "char": "str",
    "integer": "int",
    "number": "float",
    "double": "float",
    "numeric": "decimal",
    "money": "decimal",
    "boolean": "bool",
    "timestamp": "datetime",
    "time": "datetime",
    "guid": "uuid",
    "uri": "url",
    "link": "url",
    "dict": "json",
    "object": "json",
    "choice": "enum",
    "fk": "ref",
    "foreign": "ref",
    "reference": "ref",
    "references": "ref",
}


class FieldSpecError(BlueprintgenError, ValueError):
    """A field spec or spec file is wrong; the message says which one and why.

    Several problems found together are kept in ``problems`` and shown one per line.
    """

    def __init__(
        self,
        message: str,
        *,
        spec: object = None,
        resource: str | None = None,
        path: str | Path | None = None,
        hint: str | None = None,
        problems: Iterable[FieldSpecError] = (),
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
    ) -> None:
        self.spec = spec
        self.resource = resource
        self.problems = list(problems)
        context = []
        if resource:
            context.append(f"resource {resource!r}")
        if spec is not None:
            context.append(f"field {_show(spec)}")
        text = f"{', '.join(context)}: {message}" if context else message
        super().__init__(text, path=path, hint=hint, line=line, column=column, source_line=source_line)

    def format(self) -> str:
        """One line per problem when several were collected."""
        if self.problems:
            return "\n".join(problem.format() for problem in self.problems)
        return super().format()

    @classmethod
    def raise_all(cls, problems: list[FieldSpecError]) -> None:
        """Raise the only problem, or one error holding them all; do nothing if none."""
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise cls(f"{len(problems)} problems in field specs", problems=problems)


def _show(spec: object) -> str:
    if isinstance(spec, str):
        return repr(spec)
    return json.dumps(spec, default=str, sort_keys=False)


def _did_you_mean(word: str, options: Iterable[str], hints: Mapping[str, str] | None = None) -> str | None:
    options = list(options)
    if hints and word.lower() in hints:
        return f"did you mean {hints[word.lower()]!r}?"
    close = difflib.get_close_matches(word.lower(), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return None


def column_name(field: Mapping[str, Any]) -> str:
    """The table column (and schema attribute) of a field dict: ``author`` ref → ``author_id``."""
    return column_of(str(field["name"]), field["type"])


# --- one field -------------------------------------------------------------------


class _Problem(Exception):
    """A problem in one field spec; parse_field adds the spec and resource."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


def field_from_spec(
    spec: str | Mapping[str, Any],
    *,
    resource: str | None = None,
    resources: Mapping[str, str] | None = None,
    path: str | Path | None = None,
) -> Field:
    """Check one field spec (a string or a mapping) and return the field.

    *resource* is the resource the field belongs to (for messages and for
    self-references); *resources* maps known resource names to their plurals:
    when given, a ``ref`` must name one of them.
    """
    if resources is not None and resource and resource not in resources:
        resources = {**resources, resource: naming.plural(resource)}
    try:
        if isinstance(spec, str):
            raw = _split_string(spec)
        elif isinstance(spec, Mapping):
            raw = _split_mapping(spec)
        else:
            raise _Problem(f"expected a string like 'title:str' or a mapping, got {type(spec).__name__}")
        return Field.from_param(_build(raw, resource=resource, resources=resources))
    except _Problem as problem:
        raise FieldSpecError(
            problem.message, spec=spec, resource=resource, path=path, hint=problem.hint
        ) from None


def parse_field(
    spec: str | Mapping[str, Any],
    *,
    resource: str | None = None,
    resources: Mapping[str, str] | None = None,
    path: str | Path | None = None,
) -> dict[str, Any]:
    """Parse one field spec into a field dict (see :func:`field_from_spec`)."""
    return field_from_spec(spec, resource=resource, resources=resources, path=path).to_param()


def _split_string(spec: str) -> dict[str, Any]:
    text = spec.strip()
    if not text:
        raise _Problem("empty field spec", hint="write NAME:TYPE, for example title:str")
    head, has_default, default_text = text.partition("=")
    parts = [part.strip() for part in head.split(":")]
    name = parts[0]
    optional = name.endswith("?")
    name = name.removesuffix("?").strip()
    if len(parts) < 2 or not parts[1]:
        raise _Problem(
            "missing type",
            hint=f"write {name or 'NAME'}:TYPE, for example {name or 'title'}:str"
            f" (types: {', '.join(FIELD_TYPES)})",
        )
    match = _TYPE_TOKEN.fullmatch(parts[1])
    if not match:
        raise _Problem(f"cannot read the type {parts[1]!r}", hint="write for example int, int? or enum[a,b]")
    raw: dict[str, Any] = {"name": name, "type": match["type"].lower()}
    optional = optional or bool(match["optional"])
    modifiers = parts[2:]
    if raw["type"] == "enum":
        if match["args"] is None:
            raise _Problem("an enum needs its members", hint=f"write {name}:enum[a,b,c]")
        raw["choices"] = [choice.strip() for choice in match["args"].split(",")]
    elif match["args"] is not None:
        hint = (
            f"a reference names its resource after a colon: {name}:ref:{match['args'].strip()}"
            if raw["type"] == "ref"
            else None
        )
        raise _Problem(f"only enum takes members in brackets, not {raw['type']!r}", hint=hint)
    if raw["type"] == "ref":
        if not modifiers or not modifiers[0].removesuffix("?"):
            raise _Problem(
                "a ref needs the referenced resource",
                hint=f"write {name}:ref:RESOURCE, for example {name}:ref:{name.removesuffix('_id') or 'author'}",
            )
        target = modifiers.pop(0)
        optional = optional or target.endswith("?")
        raw["ref"] = target.removesuffix("?").strip()
    for modifier in modifiers:
        word = modifier.lower().replace("-", "_")
        if not word:
            raise _Problem("empty modifier after ':'")
        if word not in MODIFIERS:
            if word in FIELD_TYPES:
                raise _Problem(f"a field has one type; {modifier!r} comes after {raw['type']!r}")
            raise _Problem(
                f"unknown modifier {modifier!r} (modifiers: {', '.join(MODIFIERS)})",
                hint=_did_you_mean(word, MODIFIERS),
            )
        if word in raw:
            raise _Problem(f"modifier {word!r} given twice")
        raw[word] = True
    if "cascade" in raw and "set_null" in raw:
        raise _Problem("choose one of cascade and set_null")
    if "cascade" in raw or "set_null" in raw:
        raw["on_delete"] = "CASCADE" if raw.pop("cascade", False) else "SET NULL"
        raw.pop("set_null", None)
    raw["optional"] = optional
    if has_default:
        raw["default_text"] = default_text
    return raw


_MAPPING_KEYS = ("name", "type", "optional", "unique", "index", "default", "choices", "ref", "on_delete")


def _split_mapping(spec: Mapping[str, Any]) -> dict[str, Any]:
    if "type" not in spec and len(spec) == 1:
        # Shorthand ``{title: "str:unique"}`` from YAML like ``- title: str:unique``.
        ((name, rest),) = spec.items()
        if isinstance(rest, str):
            return _split_string(f"{name}:{rest}")
    for key in spec:
        if key not in _MAPPING_KEYS:
            raise _Problem(
                f"unknown key {key!r} (keys: {', '.join(_MAPPING_KEYS)})",
                hint=_did_you_mean(str(key), _MAPPING_KEYS),
            )
    for key in ("name", "type"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise _Problem(f"{key!r} is required and must be a string")
    raw: dict[str, Any]
    type_text = spec["type"].strip()
    if any(mark in type_text for mark in ":[?"):
        # ``type: "enum[a,b]"``, ``type: "ref:author"`` or ``type: "int?"``.
        raw = _split_string(f"{spec['name']}:{type_text}")
    else:
        raw = {"name": spec["name"], "type": type_text.lower(), "optional": False}
    for key in ("optional", "unique", "index"):
        if key in spec:
            if not isinstance(spec[key], bool):
                raise _Problem(f"{key!r} must be true or false, not {spec[key]!r}")
            raw[key] = spec[key] or raw.get(key, False)
    if "choices" in spec:
        choices = spec["choices"]
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise _Problem("'choices' must be a list of strings")
        raw["choices"] = [choice.strip() for choice in choices]
    if "ref" in spec:
        if not isinstance(spec["ref"], str):
            raise _Problem("'ref' must name a resource")
        raw["ref"] = spec["ref"].strip()
    if "on_delete" in spec:
        value = str(spec["on_delete"]).upper().replace("_", " ")
        if value not in ON_DELETE:
            raise _Problem(f"'on_delete' must be one of {', '.join(ON_DELETE)}, not {spec['on_delete']!r}")
        raw["on_delete"] = value
    if "default" in spec:
        raw["default_value"] = spec["default"]
    return raw


def _build(
    raw: dict[str, Any], *, resource: str | None, resources: Mapping[str, str] | None
) -> dict[str, Any]:
    kind = raw["type"]
    if kind not in FIELD_TYPES:
        raise _Problem(
            f"unknown type {kind!r} (types: {', '.join(FIELD_TYPES)})",
            hint=_did_you_mean(kind, FIELD_TYPES, _TYPE_HINTS),
        )
    name = _check_name(raw["name"], kind, resource)
    field: dict[str, Any] = {
        "name": name,
        "type": kind,
        "optional": bool(raw.get("optional", False)),
        "unique": bool(raw.get("unique", False)),
        "index": bool(raw.get("index", False)),
    }
    if kind == "enum":
        field["choices"] = _check_choices(raw.get("choices"), name)
    elif raw.get("choices") is not None:
        raise _Problem("only an enum has choices")
    if kind == "ref":
        _add_ref(field, raw, resource, resources)
    else:
        for key in ("ref", "on_delete"):
            if key in raw:
                label = {"ref": "a referenced resource", "on_delete": "cascade/set_null"}[key]
                raise _Problem(f"only a ref takes {label}", hint=f"write {name}:ref:RESOURCE")
    if kind == "json" and (field["unique"] or field["index"]):
        raise _Problem("a json field cannot be unique or indexed (databases cannot compare JSON)")
    if kind in {"bool", "enum"} and field["unique"]:
        raise _Problem(f"a {kind} field cannot be unique: the table could hold only one row per value")
    if "default_text" in raw or "default_value" in raw:
        default = _parse_default(field, raw)
        if default is not None:
            field["default"] = default
    return field


def _check_name(raw_name: str, kind: str, resource: str | None) -> str:
    if kind == "ref" and raw_name.endswith("_id"):
        raw_name = raw_name.removesuffix("_id")
    try:
        name = naming.check_identifier(raw_name, "field name", allow_builtins=True)
    except naming.InvalidNameError as error:
        raise _Problem(str(error)) from None
    reason = RESERVED_FIELD_NAMES.get(name)
    if reason is None and (name in _PYDANTIC_ATTRIBUTES or name.startswith("model_")):
        reason = "pydantic models use that name"
    if reason is None and name in _SHADOWED_BUILTINS:
        reason = f"it would hide the Python builtin {name}()"
    if reason is None and resource and name == f"{resource}_id":
        reason = f"'{resource}_id' is the path parameter of the {resource} endpoints"
    if reason is None and kind == "enum" and name in _ENUM_CLASH:
        reason = "its enum class would clash with one of the resource's own classes"
    if reason:
        hint = f"choose a more specific name, for example {resource or 'item'}_{name}"
        if name in {"id", "created_at", "updated_at"}:
            hint = "leave it out: it is added automatically"
        raise _Problem(f"field name {name!r} is reserved: {reason}", hint=hint)
    return name


def _check_choices(choices: list[str] | None, name: str) -> list[str]:
    if not choices or choices == [""]:
        raise _Problem("an enum needs at least one member", hint=f"write {name}:enum[a,b,c]")
    members: dict[str, str] = {}
    for choice in choices:
        if not _CHOICE.fullmatch(choice) or len(choice) > 50:
            raise _Problem(
                f"enum member {choice!r} must start with a letter and hold only letters,"
                " digits, '_', '-' and spaces (at most 50 characters)"
            )
        member = naming.snake(choice).upper()
        if member in members:
            same = "given twice" if members[member] == choice else f"clashes with {members[member]!r}"
            raise _Problem(f"enum member {choice!r} {same}")
        members[member] = choice
    return list(choices)


def _add_ref(
    field: dict[str, Any],
    raw: dict[str, Any],
    resource: str | None,
    resources: Mapping[str, str] | None,
) -> None:
    target_text = raw.get("ref")
    if not target_text:
        raise _Problem("a ref needs the referenced resource", hint=f"write {field['name']}:ref:RESOURCE")
    try:
        target = naming.check_identifier(target_text, "referenced resource")
    except naming.InvalidNameError as error:
        raise _Problem(str(error)) from None
    known = dict(resources or {})
    if target not in known and resources is not None:
        hint = _did_you_mean(target, known)
        if naming.singular(target) in known:
            hint = f"name the resource in the singular: {naming.singular(target)!r}"
        elif hint is None:
            hint = (
                f"a ref points to a resource of the project: add it first (`blueprintgen add resource "
                f"{target}`), or add both with one --spec file"
            )
        listed = ", ".join(sorted(known)) or "none yet"
        raise _Problem(f"unknown resource {target!r} (known: {listed})", hint=hint)
    if target == resource and not field["optional"]:
        raise _Problem(
            "a reference to the resource itself must be optional (the first row has nothing to point to)",
            hint=f"write {field['name']}:ref:{target}?",
        )
    field["index"] = True
    field["ref"] = {"resource": target, "plural": known.get(target) or naming.plural(target)}
    on_delete = raw.get("on_delete") or ("SET NULL" if field["optional"] else "CASCADE")
    if on_delete == "SET NULL" and not field["optional"]:
        raise _Problem(
            "set_null needs an optional reference", hint=f"write {field['name']}:ref:{target}?:set_null"
        )
    field["on_delete"] = on_delete


# --- defaults --------------------------------------------------------------------


def _parse_default(field: dict[str, Any], raw: dict[str, Any]) -> Any:
    kind = field["type"]
    if kind == "ref":
        raise _Problem("a ref cannot have a default")
    from_text = "default_text" in raw
    value = raw["default_text"].strip() if from_text else raw["default_value"]
    if from_text and not value:
        raise _Problem("nothing after '='", hint="write a default or drop the '='")
    if value is None or (from_text and value.lower() in {"null", "none"}):
        if not field["optional"]:
            raise _Problem("only an optional field (TYPE?) can default to null")
        return None
    try:
        return _convert_default(field, value, from_text=from_text)
    except _BadDefault as error:
        raise _Problem(f"default {value!r} is not a valid {kind}: {error}") from None


class _BadDefault(Exception):
    """Why a default does not fit its field's type."""


def _convert_default(field: dict[str, Any], value: Any, *, from_text: bool) -> Any:
    kind = field["type"]
    if kind in {"str", "text", "email", "url"}:
        return _text_default(kind, value, from_text=from_text)
    if kind in {"int", "float", "decimal"}:
        return _number_default(kind, value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        word = str(value).lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise _BadDefault("expected true or false")
    if kind in {"date", "datetime"}:
        return _moment_default(kind, value)
    if kind == "uuid":
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise _BadDefault("expected a UUID like 123e4567-e89b-12d3-a456-426614174000") from None
    if kind == "json":
        try:
            data = json.loads(value) if from_text else value
            json.dumps(data)
        except (TypeError, ValueError):
            raise _BadDefault('expected a JSON object, for example {"key": 1}') from None
        if not isinstance(data, dict):
            raise _BadDefault('a json field holds an object, for example {"key": 1}')
        return data
    choices = field["choices"]
    if value not in choices:
        close = difflib.get_close_matches(str(value), choices, n=1)
        extra = f"; did you mean {close[0]!r}?" if close else ""
        raise _BadDefault(f"expected one of {', '.join(choices)}{extra}")
    return value


def _text_default(kind: str, raw: Any, *, from_text: bool) -> str:
    if not isinstance(raw, str):
        raise _BadDefault("expected text")
    value: str = raw
    if from_text and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    if not value:
        raise _BadDefault("it is empty; make the field optional instead")
    if kind == "str" and len(value) > STR_MAX_LENGTH:
        raise _BadDefault(f"longer than {STR_MAX_LENGTH} characters")
    if kind == "email" and not _EMAIL.fullmatch(value):
        raise _BadDefault("expected an email address")
    if kind == "url" and not _URL.fullmatch(value):
        raise _BadDefault("expected an http:// or https:// URL")
    return value


def _number_default(kind: str, value: Any) -> int | float | str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _BadDefault("expected a number")
    if kind == "int":
        if isinstance(value, float):
            raise _BadDefault("expected a whole number")
        try:
            return int(value)
        except ValueError:
            raise _BadDefault("expected a whole number") from None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _BadDefault("expected a number") from None
    if not amount.is_finite():
        raise _BadDefault("expected a finite number")
    if kind == "float":
        return float(amount)
    exponent = amount.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > DECIMAL_PLACES:
        raise _BadDefault(f"more than {DECIMAL_PLACES} decimal places")
    whole_digits = DECIMAL_DIGITS - DECIMAL_PLACES
    if abs(amount) >= 10**whole_digits:
        raise _BadDefault(f"more than {whole_digits} digits before the point")
    return format(amount, "f")


def _moment_default(kind: str, value: Any) -> str:
    if kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise _BadDefault("expected a date like 2024-01-31") from None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise _BadDefault("expected a date and time like 2024-01-31T12:00:00Z") from None
    if moment.tzinfo is None:
        raise _BadDefault("add a UTC offset, for example 2024-01-31T12:00:00Z")
    return moment.isoformat()


# --- field lists -----------------------------------------------------------------


def default_fields() -> list[dict[str, Any]]:
    """A fresh copy of the fields a resource gets when none are given."""
    return copy.deepcopy(list(_default_fields()))


def parse_fields(
    specs: Iterable[str | Mapping[str, Any]],
    *,
    resource: str | None = None,
    plural: str | None = None,
    resources: Mapping[str, str] | None = None,
    path: str | Path | None = None,
) -> list[dict[str, Any]]:
    """Parse every spec, check the names do not collide, and report all problems at once.

    *resources* maps the project's existing resources to their plurals; when
    given, references must point to one of them or to *resource* itself.
    """
    known = None
    if resources is not None:
        known = dict(resources)
        if resource:
            known[resource] = plural or naming.plural(resource)
    problems: list[FieldSpecError] = []
    fields: list[dict[str, Any]] = []
    taken: dict[str, object] = {}
    specs = list(specs)
    if not specs:
        problems.append(FieldSpecError("a resource needs at least one field", resource=resource, path=path))
    for spec in specs:
        try:
            field = field_from_spec(spec, resource=resource, resources=known, path=path)
        except FieldSpecError as error:
            problems.append(error)
            continue
        names = list(dict.fromkeys([field.name, field.column]))
        for name in names:
            if name in taken:
                problems.append(
                    FieldSpecError(
                        f"{name!r} is already used by field {_show(taken[name])}",
                        spec=spec,
                        resource=resource,
                        path=path,
                    )
                )
                break
        else:
            taken.update(dict.fromkeys(names, spec))
            fields.append(field.to_param())
    FieldSpecError.raise_all(problems)
    return fields


def to_spec_string(field: Mapping[str, Any]) -> str:
    """Write a field dict back as a spec string that :func:`parse_field` reads the same."""
    kind = field["type"]
    optional = "?" if field.get("optional") else ""
    if kind == "enum":
        parts = [field["name"], f"enum[{','.join(field['choices'])}]{optional}"]
    elif kind == "ref":
        parts = [field["name"], "ref", f"{field['ref']['resource']}{optional}"]
    else:
        parts = [field["name"], f"{kind}{optional}"]
    if field.get("unique"):
        parts.append("unique")
    if field.get("index") and kind != "ref":
        parts.append("index")
    if kind == "ref":
        natural = "SET NULL" if field.get("optional") else "CASCADE"
        if field.get("on_delete", natural) != natural:
            parts.append("set_null" if field["on_delete"] == "SET NULL" else "cascade")
    text = ":".join(parts)
    if "default" in field and field["default"] is not None:
        text += "=" + _default_text(kind, field["default"])
    return text


def _default_text(kind: str, value: Any) -> str:
    if kind == "bool":
        return "true" if value else "false"
    if kind == "json":
        return json.dumps(value, separators=(",", ":"))
    text = str(value)
    if kind in {"str", "text", "email", "url"} and (text != text.strip() or text[:1] in "'\""):
        return f'"{text}"'
    return text


@functools.cache
def _default_fields() -> tuple[dict[str, Any], ...]:
    # Parsed on first use, not when the CLI starts.
    return tuple(parse_fields(DEFAULT_FIELD_SPECS))


# --- spec files ------------------------------------------------------------------

_RESOURCE_KEYS = (
    "fields",
    "plural",
    "methods",
    "auth",
    "auth_required",
    "mcp",
    "mcp_style",
    "owned",
    "soft_delete",
)


def load_spec_file(path: str | Path, *, resources: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Read a YAML or JSON spec file of resources; see :func:`parse_spec`."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FieldSpecError(f"cannot read the spec file: {error.strerror}", path=path) from None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.load(text, Loader=loader)
    except json.JSONDecodeError as error:
        raise FieldSpecError(f"not valid JSON: {error.msg}", path=path, **position_of(error, text)) from None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or error
        raise FieldSpecError(f"not valid YAML: {problem}", path=path, **position_of(error, text)) from None
    return parse_spec(data, path=path, resources=resources)


def parse_spec(
    data: Any, *, path: str | Path | None = None, resources: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Check a loaded spec file and return its resources, referenced ones first.

    Each resource is ``{"resource", "plural", "fields"}`` plus whichever of
    ``methods``, ``auth_required``, ``mcp``, ``mcp_style``, ``owned`` and ``soft_delete`` the file sets. A resource
    without ``fields`` gets :func:`default_fields`. References may point to
    resources of the same file, or (when *resources* is given) to those.
    """
    if not isinstance(data, Mapping) or "resources" not in data:
        raise FieldSpecError(
            "a spec file holds a mapping with a 'resources' key",
            path=path,
            hint="start with `resources:`, one entry per resource, e.g. {resources: {item: {fields: [name:str]}}}",
        )
    extra = [key for key in data if key != "resources"]
    if extra:
        raise FieldSpecError(
            f"unknown top-level key {extra[0]!r}", path=path, hint=_did_you_mean(str(extra[0]), ["resources"])
        )
    entries = _resource_entries(data["resources"], path)
    problems: list[FieldSpecError] = []
    heads: list[dict[str, Any]] = []
    for name, body in entries:
        try:
            heads.append(_resource_head(name, body, path))
        except FieldSpecError as error:
            problems.append(error)
    FieldSpecError.raise_all(problems)
    seen: set[str] = set()
    for head in heads:
        if head["resource"] in seen:
            problems.append(FieldSpecError("resource defined twice", resource=head["resource"], path=path))
        seen.add(head["resource"])
    FieldSpecError.raise_all(problems)
    known = dict(resources or {})
    known.update({head["resource"]: head["plural"] for head in heads})
    for head in heads:
        try:
            specs = head.pop("field_specs")
            if specs is None:
                # The accounts (`user`) have their built-in columns: no field is added unasked.
                head["fields"] = [] if head["resource"] == "user" else default_fields()
            else:
                head["fields"] = parse_fields(
                    specs, resource=head["resource"], plural=head["plural"], resources=known, path=path
                )
        except FieldSpecError as error:
            problems.extend(error.problems or [error])
    FieldSpecError.raise_all(problems)
    return _dependency_order(heads, path)


def _resource_entries(value: Any, path: str | Path | None) -> list[tuple[str, Any]]:
    if isinstance(value, Mapping):
        return [(str(name), body) for name, body in value.items()]
    if isinstance(value, list):
        entries = []
        for index, item in enumerate(value):
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                raise FieldSpecError(f"resources[{index}] needs a 'name'", path=path)
            entries.append((item["name"], {k: v for k, v in item.items() if k != "name"}))
        return entries
    raise FieldSpecError("'resources' must map resource names to their settings", path=path)


def _resource_head(name: str, body: Any, path: str | Path | None) -> dict[str, Any]:
    body = {} if body is None else body
    if not isinstance(body, Mapping):
        raise FieldSpecError(
            "settings must be a mapping (fields, plural, methods, auth)", resource=name, path=path
        )
    for key in body:
        if key not in _RESOURCE_KEYS:
            raise FieldSpecError(
                f"unknown key {key!r} (keys: {', '.join(_RESOURCE_KEYS)})",
                resource=name,
                path=path,
                hint=_did_you_mean(str(key), _RESOURCE_KEYS),
            )
    plural = body.get("plural")
    if plural is not None and not isinstance(plural, str):
        raise FieldSpecError("'plural' must be a string", resource=name, path=path)
    try:
        resource, table = naming.check_resource_name(name, plural)
    except naming.InvalidNameError as error:
        raise FieldSpecError(str(error), resource=name, path=path) from None
    head: dict[str, Any] = {
        "resource": resource,
        "plural": table,
        "field_specs": _field_specs(body.get("fields"), resource, path),
    }
    if "methods" in body:
        head["methods"] = _check_methods(body["methods"], resource, path)
    if "auth" in body and "auth_required" in body:
        raise FieldSpecError("give 'auth' or 'auth_required', not both", resource=resource, path=path)
    for key in ("auth", "auth_required"):
        if key in body:
            if not isinstance(body[key], bool):
                raise FieldSpecError(f"{key!r} must be true or false", resource=resource, path=path)
            head["auth_required"] = body[key]
    if "mcp_style" in body:
        if body["mcp_style"] not in MCP_STYLES:
            raise FieldSpecError(
                f"'mcp_style' must be one of {', '.join(MCP_STYLES)}, not {body['mcp_style']!r}",
                resource=resource,
                path=path,
            )
        head["mcp_style"] = body["mcp_style"]
    if "mcp" in body:
        from blueprintgen.project import mcp_problem

        problem = mcp_problem({"methods": head.get("methods"), "mcp": body["mcp"]})
        if problem:
            raise FieldSpecError(problem, resource=resource, path=path)
        head["mcp"] = body["mcp"]
    if "owned" in body:
        if not isinstance(body["owned"], bool):
            raise FieldSpecError("'owned' must be true or false", resource=resource, path=path)
        if body["owned"]:
            head["owned"] = True
    if "soft_delete" in body:
        if not isinstance(body["soft_delete"], bool):
            raise FieldSpecError("'soft_delete' must be true or false", resource=resource, path=path)
        if body["soft_delete"]:
            head["soft_delete"] = True
    return head


def _field_specs(value: Any, resource: str, path: str | Path | None) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        # ``fields: {title: "str:unique", author: {type: ref, ref: author}}``
        specs: list[Any] = []
        for name, rest in value.items():
            if isinstance(rest, Mapping):
                specs.append({"name": name, **rest})
            else:
                specs.append(f"{name}:{rest}")
        return specs
    raise FieldSpecError("'fields' must be a list of field specs", resource=resource, path=path)


def _check_methods(value: Any, resource: str, path: str | Path | None) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(m, str) for m in value):
        raise FieldSpecError(
            f"'methods' must be a non-empty list drawn from {', '.join(METHODS)}",
            resource=resource,
            path=path,
        )
    for method in value:
        if method not in METHODS:
            raise FieldSpecError(
                f"unknown method {method!r} (methods: {', '.join(METHODS)})",
                resource=resource,
                path=path,
                hint=_did_you_mean(method, METHODS),
            )
    if len(set(value)) != len(value):
        raise FieldSpecError("'methods' lists a method twice", resource=resource, path=path)
    return [method for method in METHODS if method in value]


def _dependency_order(heads: list[dict[str, Any]], path: str | Path | None) -> list[dict[str, Any]]:
    names = {head["resource"] for head in heads}
    needs = {
        head["resource"]: {
            f["ref"]["resource"]
            for f in head["fields"]
            if f["type"] == "ref"
            and f["ref"]["resource"] in names
            and f["ref"]["resource"] != head["resource"]
        }
        for head in heads
    }
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()
    waiting = list(heads)
    while waiting:
        ready = next((head for head in waiting if needs[head["resource"]] <= placed), None)
        if ready is None:
            cycle = " → ".join(_find_cycle({h["resource"] for h in waiting}, needs))
            raise FieldSpecError(
                f"resources reference each other in a cycle: {cycle}",
                path=path,
                hint="remove one of the references; tables are created in reference order",
            )
        ordered.append(ready)
        placed.add(ready["resource"])
        waiting.remove(ready)
    return ordered


def _find_cycle(waiting: set[str], needs: Mapping[str, set[str]]) -> list[str]:
    start = min(waiting)
    trail = [start]
    while True:
        step = min(needs[trail[-1]] & waiting)
        if step in trail:
            return [*trail[trail.index(step) :], step]
        trail.append(step)
