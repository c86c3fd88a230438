"""The field item schema, published once and referenced by ``$ref``; refs resolve locally."""

from __future__ import annotations

import json
from typing import Any

import pytest

from blueprintgen import fieldspec, params, resources, schemarefs
from blueprintgen.blueprint import Parameter
from tests.conftest import Workspace, simple_blueprint

FIELD_REF = {"$ref": schemarefs.FIELD_SCHEMA}


def field_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (resources.data_root() / "schemas/field.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def test_field_schema_is_published_under_its_id() -> None:
    from jsonschema import Draft202012Validator

    document = field_schema()
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == schemarefs.FIELD_SCHEMA
    assert document["title"] and document["description"]
    for path in (resources.data_root() / "schemas").glob("*.schema.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["$id"] == schemarefs.SCHEMA_BASE + path.name
    assert schemarefs.published()[schemarefs.FIELD_SCHEMA] == document


def test_field_schema_names_what_fieldspec_knows() -> None:
    properties = field_schema()["properties"]
    assert tuple(properties["type"]["enum"]) == fieldspec.FIELD_TYPES
    assert tuple(properties["on_delete"]["enum"]) == fieldspec.ON_DELETE


def test_every_parsed_field_fits_the_schema() -> None:
    specs = [
        "title:str:unique",
        "summary:text?",
        "contact:email:index",
        "homepage:url?",
        "pages:int=100",
        "rating:float?=4.5",
        "price:decimal=9.99",
        "in_stock:bool=true",
        "published_on:date?=2024-01-31",
        "released_at:datetime?",
        "isbn:uuid:unique",
        "extra:json?",
        "format:enum[hardcover,paperback]=paperback",
        "author:ref:author:cascade",
        "editor:ref:author?:set_null",
    ]
    fields = [fieldspec.parse_field(spec, resource="book") for spec in specs]
    assert params.problem(Parameter("fields", "array", items=FIELD_REF), fields) is None


def test_builtin_blueprints_reference_the_field_schema() -> None:
    """No blueprint pastes the field schema again: every list of fields refers to it."""
    found = 0
    for path in sorted(resources.blueprints_dir().rglob("*.json")):
        for name, spec in json.loads(path.read_text(encoding="utf-8")).get("parameters", {}).items():
            if name.endswith("fields"):
                assert spec["items"] == FIELD_REF, f"{path.name}: {name}"
                found += 1
    assert found >= 11


def test_fast_and_slow_item_validators_resolve_the_ref() -> None:
    key = params._items_key(FIELD_REF)
    assert params._fast_item_validator(key) is not None, "jsonschema-rs must resolve the published $id"
    good = {"name": "title", "type": "str", "optional": False, "unique": False, "index": False}
    bad = {**good, "type": "strnig"}
    assert params._fast_item_validator(key).is_valid(good)
    assert not params._fast_item_validator(key).is_valid(bad)
    assert not list(params._item_validator(key).iter_errors(good))
    assert [e.message for e in params._item_validator(key).iter_errors(bad)] == [
        "'strnig' is not one of " + repr(list(fieldspec.FIELD_TYPES))
    ]


def test_unknown_ref_is_refused_without_any_fetch() -> None:
    with pytest.raises(LookupError, match="not a schema blueprintgen publishes"):
        schemarefs.retrieve("https://example.com/field.schema.json")
    # A parameter that never went through the load-time check still gets a sentence.
    broken = Parameter("fields", "array", items={"$ref": "https://example.com/field.schema.json"})
    reason = params.problem(broken, [{"name": "x"}])
    assert reason is not None
    assert reason.startswith("its items schema cannot be used: $ref 'https://example.com/field.schema.json'")


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (schemarefs.FIELD_SCHEMA, None),
        (schemarefs.FIELD_SCHEMA + "#/properties/type", None),
        ("#/$defs/name", None),
        ("#named", None),
        ("../../schemas/field.schema.json", f"did you mean {schemarefs.FIELD_SCHEMA!r}?"),
        ("https://blueprintgen.dev/schemas/feild.schema.json", f"did you mean {schemarefs.FIELD_SCHEMA!r}?"),
        (schemarefs.FIELD_SCHEMA + "#/properties/nope", "'/properties/nope' points at nothing in"),
        ("#/$defs/nope", "points at nothing in this schema"),
        ("#missing", "there is no $anchor 'missing' in this schema"),
    ],
)
def test_unresolved_refs(ref: str, expected: str | None) -> None:
    items = {
        "$defs": {"name": {"type": "string", "$anchor": "named"}},
        "properties": {"$ref": {"type": "string"}, "tags": {"items": {"$ref": ref}}},
        "examples": [{"$ref": "not a schema, a value"}],
    }
    problems = schemarefs.unresolved(items)
    if expected is None:
        assert problems == []
    else:
        [(path, message)] = problems
        assert path == ["properties", "tags", "items", "$ref"]
        assert expected in message and ref in message


def fields_blueprint(items: dict[str, Any]) -> dict[str, Any]:
    """A user's blueprint with a list-of-fields parameter, as the README shows."""
    return simple_blueprint(
        "columns",
        template={
            "embedded_code": '"""Columns of {{ table }}."""\n\nCOLUMNS = {{ fields | map(attribute="name") | list | pyrepr }}\n',
            "dependencies": [],
            "imports": [],
        },
        parameters={
            "table": {"type": "string", "required": True, "examples": ["books"]},
            "fields": {
                "type": "array",
                "required": True,
                "items": items,
                "examples": [
                    [{"name": "title", "type": "str", "optional": False, "unique": True, "index": False}]
                ],
            },
        },
        relationships={"depends_on": [], "generates": ["src/{table}_columns.py"]},
    )


def test_users_blueprint_references_the_field_schema(ws: Workspace) -> None:
    ws.blueprint("columns", fields_blueprint(FIELD_REF))
    assert ws.run("validate", "blueprints/columns.json").exit_code == 0
    title = {"name": "title", "type": "str", "optional": False, "unique": True, "index": False}
    result = ws.run("generate", "columns", "--set", "table=books", "--set", f"fields={json.dumps([title])}")
    assert result.exit_code == 0, result.output
    assert 'COLUMNS = ["title"]' in (ws.root / "src/books_columns.py").read_text()


def test_a_bad_field_value_is_worded_as_before(ws: Workspace) -> None:
    ws.blueprint("columns", fields_blueprint(FIELD_REF))
    bad = [{"name": "title", "type": "str", "unique": True, "index": False}]
    result = ws.run("generate", "columns", "--set", "table=books", "--set", f"fields={json.dumps(bad)}")
    assert result.exit_code == 1
    assert "parameter 'fields': item 0: 'optional' is a required property" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_ref_names_the_file_and_pointer(ws: Workspace) -> None:
    ws.blueprint("columns", fields_blueprint({"$ref": "../schemas/field.schema.json"}))
    result = ws.run("validate", "blueprints/columns.json")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "blueprints/columns.json:" in result.stderr
    assert "/parameters/fields/items/$ref" in result.stderr
    assert "$ref '../schemas/field.schema.json' names no schema blueprintgen publishes" in result.stderr
    assert f"did you mean {schemarefs.FIELD_SCHEMA!r}?" in result.stderr
