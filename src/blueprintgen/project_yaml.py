"""blueprintgen.yaml as text: checked against ``schemas/project.schema.json`` where it is
read, and rewritten in place where a command changes it.

Reading uses PyYAML (already loaded for every command) and the schema; an invalid file
gives one message per wrong value, at its line and column. Writing goes through
ruamel.yaml's round-trip mode, imported only when the file's content changes: the
user's comments, key order, quoting and unknown top-level keys survive, and only the
values blueprintgen owns are replaced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from difflib import get_close_matches
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprintgen import resources
from blueprintgen.errors import BlueprintgenError, LoadError, ProblemsFound, line_of

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from yaml import Node

OWNED_KEYS = ("blueprintgen", "project", "resources", "removed")
"""The top-level keys blueprintgen reads and writes; any other is the user's, kept as it is."""

_MAX_SHOWN = 60  # characters of a value quoted in a message


@cache
def schema() -> dict[str, Any]:
    """The project file's JSON Schema."""
    loaded: dict[str, Any] = json.loads(
        (resources.data_root() / "schemas" / "project.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def check(data: Any, text: str, path: Path) -> None:
    """Raise LoadError (ProblemsFound for several) for every value of ``data`` the schema
    refuses, each once, at its line and column in ``text``, and for every key ``text``
    gives twice (YAML keeps the last without a word, so an edit of the first would be lost)."""
    root = _compose(text)
    problems: list[BlueprintgenError] = _duplicate_keys(root, text, path)
    if not _fast_valid(data):
        from jsonschema import Draft202012Validator

        # One message per wrong value and rule. The schema has no alternatives (anyOf, oneOf),
        # so no error explains another: a value of the wrong type is not looked into.
        found: dict[tuple[tuple[str, ...], str], ValidationError] = {}
        for error in Draft202012Validator(schema()).iter_errors(data):
            found.setdefault((tuple(map(str, error.absolute_path)), str(error.validator)), error)
        problems += [problem for error in found.values() for problem in _problems(error, root, text, path)]
    problems.sort(key=lambda problem: (problem.line or 0, problem.column or 0))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ProblemsFound(problems)


def _duplicate_keys(root: Node | None, text: str, path: Path) -> list[BlueprintgenError]:
    import yaml

    problems: list[BlueprintgenError] = []
    waiting = [root]
    visited: set[int] = set()  # an alias makes a node its own descendant (`x: &a [*a]`)
    while waiting:
        node = waiting.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                name = str(getattr(key, "value", ""))
                if name in seen:
                    problems.append(
                        _at(
                            f"the key {_shown(name)} is given twice (first on line {seen[name]}); "
                            "YAML would keep this one and drop the first without a word",
                            "merge the two into one",
                            key,
                            text,
                            path,
                        )
                    )
                else:
                    seen[name] = key.start_mark.line + 1
                waiting.append(value)
        elif isinstance(node, yaml.SequenceNode):
            waiting.extend(node.value)
    return problems


def _fast_valid(data: Any) -> bool:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - an optional speed-up
        return False
    try:
        return bool(_fast_validator(jsonschema_rs).is_valid(data))
    except (ValueError, TypeError):  # YAML values JSON has no word for (dates): ask jsonschema
        return False


@cache
def _fast_validator(module: Any) -> Any:
    return module.Draft202012Validator(schema())


def _problems(error: ValidationError, root: Node | None, text: str, path: Path) -> list[LoadError]:
    """The error in words, at its place: one for each unknown key, else one."""
    keys = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        owner = label(keys) if keys else "the file"
        found = []
        for extra in sorted(set(error.instance) - set(allowed), key=str):
            close = get_close_matches(str(extra), allowed, n=1)
            message = f"unknown key {_shown(extra)} in {owner}" + (
                f" (did you mean {close[0]!r}?)" if close else ""
            )
            hint = f"the keys allowed there are {', '.join(allowed)}"
            found.append(_at(message, hint, _key_node(root, [*keys, extra]), text, path))
        return found
    message = f"{label(keys)}: {_complaint(error)}" if keys else f"the file {_complaint(error)}"
    description = error.schema.get("description")
    return [_at(message, str(description) if description else None, _value_node(root, keys), text, path)]


def _at(message: str, hint: str | None, node: Node | None, text: str, path: Path) -> LoadError:
    line = column = None
    if node is not None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
    return LoadError(message, path=path, line=line, column=column, source_line=line_of(text, line), hint=hint)


def _complaint(error: ValidationError) -> str:
    """What is wrong with the value, in words (no JSON Schema vocabulary)."""
    instance = error.instance
    if error.validator == "type":
        expected = (
            error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        )
        wanted = " or ".join(_TYPE_WORDS[kind] for kind in expected if kind != "null")
        return f"must be {wanted}, not {_kind_of(instance)}"
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in instance]
        return f"needs {' and '.join(repr(key) for key in missing)}"
    if error.validator == "enum":
        return f"{_shown(instance)} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "pattern":
        return f"{_shown(instance)} is not of the form it needs"
    if error.validator == "minItems":
        return "must not be empty"
    if error.validator == "minLength":
        return "must not be empty"
    if error.validator == "uniqueItems":
        return "lists a value twice"
    return shorten(str(error.message))


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
}


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true or false)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {_shown(value)}"
    return f"{_shown(value)} ({type(value).__name__})"


def shorten(text: str, limit: int = _MAX_SHOWN) -> str:
    """``text``, cut in the middle when it is longer than ``limit`` characters."""
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


def _shown(value: Any) -> str:
    return shorten(repr(value))


def label(keys: Sequence[Any]) -> str:
    """How a message names the value at ``keys``: ``project option 'db'``, ``resource 'item',
    schema[0].fields`` (as the checks of values against blueprint parameters name them)."""
    if keys[0] == "project" and len(keys) > 1:
        return f"project {keys[1]}" if keys[1] in ("name", "package") else f"project option {keys[1]!r}"
    if keys[0] == "resources" and len(keys) > 1:
        rest = _dotted(keys[2:])
        return f"resource {keys[1]!r}, {rest}" if rest else f"resource {keys[1]!r}"
    return f"`{_dotted(keys)}`"


def _dotted(keys: Sequence[Any]) -> str:
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


# --- positions -----------------------------------------------------------------------


def _compose(text: str) -> Node | None:
    import yaml

    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def _child(node: Node | None, key: Any, *, want_key: bool = False) -> Node | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if getattr(name, "value", None) == str(key):
                return name if want_key else value
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _value_node(root: Node | None, keys: Sequence[Any]) -> Node | None:
    node = root
    for key in keys:
        found = _child(node, key)
        if found is None:
            return node  # as near as the text allows
        node = found
    return node


def _key_node(root: Node | None, keys: Sequence[Any]) -> Node | None:
    parent = _value_node(root, keys[:-1])
    return _child(parent, keys[-1], want_key=True) or parent


def position(text: str, keys: Sequence[Any], *, key: bool = False) -> tuple[int, int] | None:
    """Line and column (from 1) of the value at ``keys`` in YAML ``text`` (of its key, with
    ``key``); None where the text has no such place (a value not written yet)."""
    node = _compose(text)
    for index, part in enumerate(keys):
        node = _child(node, part, want_key=key and index == len(keys) - 1)
        if node is None:
            return None
    if node is None:
        return None
    return node.start_mark.line + 1, node.start_mark.column + 1


# --- rewriting -----------------------------------------------------------------------


def rewrite(source: str, data: Mapping[str, Any]) -> str:
    """``source`` with the values of ``data`` (the keys blueprintgen owns) put in place,
    everything else of it (comments, order, quoting, the user's own keys) as it was."""
    from io import StringIO

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    mapping, offset = _indentation(source)
    document = YAML()  # round-trip
    document.preserve_quotes = True
    document.width = 100
    document.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    try:
        tree = document.load(source)
    except YAMLError as error:  # what PyYAML read and ruamel.yaml does not: rare, still a message
        raise LoadError(
            f"blueprintgen.yaml cannot be rewritten in place: {getattr(error, 'problem', None) or error}",
            path="blueprintgen.yaml",
            hint="simplify the YAML at that place (plain mappings, lists and scalars), then run again",
        ) from None
    if not isinstance(tree, CommentedMap):
        tree = CommentedMap()
    for key in OWNED_KEYS:
        if key in data:
            tree[key] = _merged(tree.get(key), data[key])
        elif key in tree:  # blueprintgen's key with nothing left in it (`removed:`)
            del tree[key]
    out = StringIO()
    document.dump(tree, out)
    return out.getvalue()


def _indentation(source: str) -> tuple[int, int]:
    """How ``source`` indents: a nested mapping's keys, and a list's dashes under their key
    (0, as PyYAML writes, or 2), from the first of each; new entries are written alike."""
    mapping = offset = None
    opener: int | None = None  # the indentation of a line such as `fields:`, opening a block
    for line in source.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if opener is not None and indent >= opener:
            if stripped.startswith("-"):
                offset = indent - opener if offset is None else offset
            elif indent > opener and mapping is None:
                mapping = indent - opener
        if mapping is not None and offset is not None:
            break
        head = stripped.split(" #", 1)[0].rstrip()
        opener = indent if head.endswith(":") and not head.startswith("-") else None
    return mapping or 2, offset or 0


def _merged(old: Any, new: Any) -> Any:
    """``new``, reusing ``old``'s nodes (and so their comments and style) wherever they agree."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(new, Mapping):
        if not isinstance(old, CommentedMap):
            old = CommentedMap()
        elif old.fa.flow_style() and new:
            old.fa.set_block_style()  # `resources: {}` grows into a block
        for key in [key for key in old if key not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merged(old.get(key), value)
        return old
    if isinstance(new, list):
        if not isinstance(old, CommentedSeq):
            old = CommentedSeq()
        elif old.fa.flow_style() and any(isinstance(item, (Mapping, list)) for item in new):
            old.fa.set_block_style()
        del old[len(new) :]
        for index, value in enumerate(new):
            if index < len(old):
                old[index] = _merged(old[index], value)
            else:
                old.append(_merged(None, value))
        return old
    if type(old) is not bool and type(new) is not bool and old == new and isinstance(old, type(new)):
        return old  # the same scalar: keep its quoting
    if isinstance(old, bool) and old is new:
        return old
    return _scalar(new)


def _scalar(value: Any) -> Any:
    """A new string PyYAML would read back as something else (``yes``, ``0003``) is quoted."""
    if not isinstance(value, str):
        return value
    import yaml
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
    return value if resolved == "tag:yaml.org,2002:str" else SingleQuotedScalarString(value)
