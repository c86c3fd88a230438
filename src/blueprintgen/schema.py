"""Stage 2: check documents against the blueprint JSON Schema and build Blueprints."""

from __future__ import annotations

import json
from difflib import get_close_matches
from functools import cache
from typing import TYPE_CHECKING, Any

from blueprintgen import jsonpos, params, resources
from blueprintgen.blueprint import Blueprint, known_placeholders, placeholders_in
from blueprintgen.errors import BlueprintgenError, ProblemsFound, SchemaError, line_of

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

    from blueprintgen.loader import Document


@cache
def schema() -> dict[str, Any]:
    """The blueprint JSON Schema."""
    loaded: dict[str, Any] = json.loads(resources.schema_path().read_text(encoding="utf-8"))
    return loaded


@cache
def validator() -> Draft202012Validator:
    """The schema's validator, compiled once per process."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def fast_validator() -> Any:
    """jsonschema-rs compiled from the same schema, or None where it is not installed.

    It only answers "valid?" (in microseconds, and without importing jsonschema);
    an invalid document goes through :func:`validator` for the messages, so what a
    user reads does not depend on which validator is installed.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - an optional speed-up
        return None
    # Patterns are Python regular expressions (re), not ECMA-262 ones: judge them as jsonschema does.
    return jsonschema_rs.Draft202012Validator(
        schema(), validate_formats=True, formats={"regex": _is_python_regex}
    )


def _is_python_regex(text: str) -> bool:
    import re

    try:
        re.compile(text)
    except re.error:
        return False
    return True


def _message(error: ValidationError) -> str:
    """A schema violation in plain words, with a did-you-mean for unknown fields."""
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extras = sorted(set(error.instance) - set(allowed))
        parts = []
        for extra in extras:
            close = get_close_matches(extra, allowed, n=1)
            suggestion = f" (did you mean {close[0]!r}?)" if close else ""
            parts.append(f"unknown field {extra!r}{suggestion}")
        return "; ".join(parts) + f"; allowed: {', '.join(allowed)}"
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required")
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] == "version":
        return f"{error.instance!r} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0)"
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] == "name":
        return (
            f"{error.instance!r} is not a valid blueprint name: use lowercase letters, digits and "
            "dashes (kebab-case), optionally with {parameter} placeholders"
        )
    if error.validator == "pattern":
        return f"{error.instance!r} does not match the expected form ({error.schema.get('description', error.validator_value)})"
    if error.validator == "not" and isinstance(error.instance, str):
        return f"{error.instance!r} must be a relative path inside the project (no leading /, no '..')"
    if error.validator == "oneOf" and isinstance(error.instance, str | dict):
        causes = error.context or []
        for cause in causes:
            if cause.validator == "not" or (cause.absolute_path and cause.validator == "not"):
                return _message(cause)
        relevant = [c for c in causes if c.validator != "type"]
        inner = _message(relevant[0]) if relevant else error.message
        return f"not a valid generated file entry: {inner}"
    return str(error.message)


def _problem(document: Document, pointer: str, message: str, name: str | None) -> SchemaError:
    where = jsonpos.locate(document.text, pointer)
    line, column = where if where else (None, None)
    source_line = line_of(document.text, line)
    return SchemaError(
        message,
        path=document.path,
        pointer=pointer,
        line=line,
        column=column,
        blueprint=name,
        source_line=source_line,
    )


def check(document: Document) -> list[BlueprintgenError]:
    """Every problem in one document: schema violations, then meaning."""
    data = document.data
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) and isinstance(meta.get("name"), str) else None
    problems: list[BlueprintgenError] = []
    errors: list[ValidationError] = []
    fast = fast_validator()
    if fast is None or not fast.is_valid(data):
        errors = sorted(validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        pointer = jsonpos.pointer(list(error.absolute_path))
        problems.append(_problem(document, pointer, _message(error), name))
    if problems:
        return problems
    blueprint = Blueprint.from_data(data, path=document.path, source=document.source, text=document.text)
    return [_problem(document, pointer, message, name) for pointer, message in _meaning(blueprint)]


def _meaning(blueprint: Blueprint) -> list[tuple[str, str]]:
    """Problems the schema cannot see: ``items`` that are no usable JSON Schema, patterns RE2
    cannot run, defaults of the wrong type, unknown placeholders."""
    found: list[tuple[str, str]] = []
    for name, parameter in blueprint.parameters.items():
        broken = params.items_schema_problems(parameter.items) if parameter.items else []
        for path, message in broken:
            found.append((f"/parameters/{name}/items{jsonpos.pointer(path)}", message))
        bad_pattern = False
        if parameter.pattern:
            try:
                params.compiled_pattern(parameter.pattern)
            except params.PatternError as error:
                bad_pattern = True
                found.append((f"/parameters/{name}/pattern", f"invalid regular expression: {error}"))
        if parameter.has_default and not broken and not bad_pattern:
            reason = params.problem(parameter, parameter.default)
            if reason:
                found.append((f"/parameters/{name}/default", f"default of {name!r} does not match: {reason}"))
    known = known_placeholders(set(blueprint.parameters))
    # A file's path is expanded for every instance: each placeholder in it needs a value
    # every instance has, a string or number (required, or with a default).
    always = known_placeholders(
        {
            name
            for name, parameter in blueprint.parameters.items()
            if parameter.type in ("string", "integer", "number")
            and (parameter.required or parameter.has_default)
        }
    )
    patterned = [("/metadata/name", blueprint.name, False)]
    patterned += [
        (f"/relationships/depends_on/{i}", ref, False) for i, ref in enumerate(blueprint.depends_on)
    ]
    for output in blueprint.outputs:
        here = f"/relationships/generates/{output.index}"
        pointer = here if output.template is None and output.condition is None else f"{here}/path"
        patterned.append((pointer, output.path, True))
    patterned += [
        (f"/validation/required_files/{i}", p, True) for i, p in enumerate(blueprint.required_files)
    ]
    for pointer, text, is_path in patterned:
        for placeholder in placeholders_in(text):
            if placeholder not in known:
                close = get_close_matches(placeholder, sorted(known), n=1)
                suggestion = f" (did you mean {{{close[0]}}}?)" if close else ""
                found.append(
                    (
                        pointer,
                        f"placeholder {{{placeholder}}} names no parameter{suggestion}; declare it under parameters",
                    )
                )
            elif is_path and placeholder not in always:
                found.append(
                    (
                        pointer,
                        f"placeholder {{{placeholder}}} may have no value: its parameter is optional without a "
                        "default, or not a string or number; make it required or give it a default",
                    )
                )
    plain = [output for output in blueprint.outputs if output.template is None]
    if plain and blueprint.embedded_code is None:
        found.append(
            (
                f"/relationships/generates/{plain[0].index}",
                f'{plain[0].path!r} has no template: add template.embedded_code or give the entry a "template"',
            )
        )
    if len(plain) > 1 and blueprint.embedded_code is not None:
        found.append(
            (
                f"/relationships/generates/{plain[1].index}",
                'embedded_code renders one file; give the other entries their own "template"',
            )
        )
    return found


def build(documents: list[Document]) -> list[Blueprint]:
    """Validate every document, collecting all problems, then raise once or build all.

    Schema passes are not cached: the checks of meaning load jsonschema-rs for every
    blueprint with a list of fields anyway, so a remembered pass saved under 10 ms a run,
    within the benchmark's noise.
    """
    problems: list[BlueprintgenError] = []
    for document in documents:
        problems.extend(check(document))
    if problems:
        raise ProblemsFound(problems)
    return [Blueprint.from_data(d.data, path=d.path, source=d.source, text=d.text) for d in documents]
