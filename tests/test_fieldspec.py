"""Field specs (``--field`` strings, mappings, spec files) → field dicts, and back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from typer.testing import CliRunner

from blueprintgen import fieldspec
from blueprintgen.errors import BlueprintgenError
from blueprintgen.fieldspec import (
    FIELD_SPEC_HELP,
    FIELD_SPEC_HELP_PLAIN,
    FIELD_TYPES,
    FieldSpecError,
    column_name,
    default_fields,
    load_spec_file,
    parse_field,
    parse_fields,
    parse_spec,
    to_spec_string,
)

AUTHORS = {"author": "authors"}


def field(**values: Any) -> dict[str, Any]:
    """A field dict with the contract's defaults."""
    return {"optional": False, "unique": False, "index": False, **values}


# --- strings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("title:str", field(name="title", type="str")),
        ("body:text", field(name="body", type="text")),
        ("age:int?", field(name="age", type="int", optional=True)),
        ("age?:int", field(name="age", type="int", optional=True)),
        ("ratio:float=0.5", field(name="ratio", type="float", default=0.5)),
        ("ratio:float=2", field(name="ratio", type="float", default=2.0)),
        ("price:decimal=9.99", field(name="price", type="decimal", default="9.99")),
        ("price:decimal=10", field(name="price", type="decimal", default="10")),
        ("price:decimal=1e3", field(name="price", type="decimal", default="1000")),
        ("active:bool=true", field(name="active", type="bool", default=True)),
        ("active:bool=No", field(name="active", type="bool", default=False)),
        ("born:date?=2024-01-31", field(name="born", type="date", optional=True, default="2024-01-31")),
        (
            "seen_at:datetime=2024-01-31T12:00:00Z",
            field(name="seen_at", type="datetime", default="2024-01-31T12:00:00+00:00"),
        ),
        (
            "token:uuid=123E4567-E89B-12D3-A456-426614174000",
            field(name="token", type="uuid", default="123e4567-e89b-12d3-a456-426614174000"),
        ),
        ("email:email:unique", field(name="email", type="email", unique=True)),
        ("contact:email=a@example.com", field(name="contact", type="email", default="a@example.com")),
        ("site:url?:index", field(name="site", type="url", optional=True, index=True)),
        (
            "home:url=https://example.com/a=b",
            field(name="home", type="url", default="https://example.com/a=b"),
        ),
        ("settings:json", field(name="settings", type="json")),
        ('settings:json={"a": [1, true]}', field(name="settings", type="json", default={"a": [1, True]})),
        ("count:int:unique:index=0", field(name="count", type="int", unique=True, index=True, default=0)),
        ("count:int = -5", field(name="count", type="int", default=-5)),
        ("firstName:str", field(name="first_name", type="str")),
        ("Nick-Name:str", field(name="nick_name", type="str")),
        ("Title:STR", field(name="title", type="str")),
        ("label:str='  padded '", field(name="label", type="str", default="  padded ")),
        ('label:str="a:b"', field(name="label", type="str", default="a:b")),
        ("label:str=a:b=c", field(name="label", type="str", default="a:b=c")),
        ("nick:str?=null", field(name="nick", type="str", optional=True)),
        (
            "status:enum[active,inactive]=active",
            field(name="status", type="enum", choices=["active", "inactive"], default="active"),
        ),
        (
            "phase:enum[ To Do , in-progress,Done ]?",
            field(name="phase", type="enum", optional=True, choices=["To Do", "in-progress", "Done"]),
        ),
        (
            "author:ref:author",
            field(
                name="author",
                type="ref",
                index=True,
                ref={"resource": "author", "plural": "authors"},
                on_delete="CASCADE",
            ),
        ),
        (
            "author_id:ref:author?",
            field(
                name="author",
                type="ref",
                optional=True,
                index=True,
                ref={"resource": "author", "plural": "authors"},
                on_delete="SET NULL",
            ),
        ),
        (
            "writer:ref?:author:cascade",
            field(
                name="writer",
                type="ref",
                optional=True,
                index=True,
                ref={"resource": "author", "plural": "authors"},
                on_delete="CASCADE",
            ),
        ),
        (
            "editor:ref:Author?:set-null:unique",
            field(
                name="editor",
                type="ref",
                optional=True,
                unique=True,
                index=True,
                ref={"resource": "author", "plural": "authors"},
                on_delete="SET NULL",
            ),
        ),
    ],
)
def test_parse_field_string(spec: str, expected: dict[str, Any]) -> None:
    result = parse_field(spec, resource="post", resources=AUTHORS)
    assert result == expected
    json.dumps(result)  # a JSON value throughout
    assert parse_field(to_spec_string(result), resource="post", resources=AUTHORS) == result


def test_key_order_and_absent_keys_follow_the_contract() -> None:
    assert list(parse_field("age:int")) == ["name", "type", "optional", "unique", "index"]
    assert list(parse_field("s:enum[a]=a")) == [
        "name",
        "type",
        "optional",
        "unique",
        "index",
        "choices",
        "default",
    ]
    ref = parse_field("author:ref:author")
    assert list(ref) == ["name", "type", "optional", "unique", "index", "ref", "on_delete"]
    assert "default" not in parse_field("nick:str?")


def test_refs_without_known_resources_use_the_english_plural() -> None:
    assert parse_field("category:ref:category?", resource="post")["ref"] == {
        "resource": "category",
        "plural": "categories",
    }
    assert parse_field("owner:ref:Person")["ref"] == {"resource": "person", "plural": "people"}


def test_refs_take_the_plural_of_known_resources() -> None:
    result = parse_field("owner:ref:person", resources={"person": "persons"})
    assert result["ref"] == {"resource": "person", "plural": "persons"}


def test_self_reference_is_allowed_when_optional() -> None:
    result = parse_field("parent:ref:category?", resource="category", resources={})
    assert result["ref"] == {"resource": "category", "plural": "categories"}
    assert result["on_delete"] == "SET NULL"


@pytest.mark.parametrize(
    ("spec", "message", "hint"),
    [
        ("", "empty field spec", "NAME:TYPE"),
        ("   ", "empty field spec", None),
        ("title", "missing type", "title:str"),
        ("title:", "missing type", None),
        (":str", "must not be empty", None),
        ("age:integer", "unknown type 'integer'", "did you mean 'int'?"),
        ("age:string", "unknown type 'string'", "did you mean 'str'?"),
        ("age:boolean", "unknown type 'boolean'", "did you mean 'bool'?"),
        ("at:timestamp", "unknown type 'timestamp'", "did you mean 'datetime'?"),
        ("x:flaot", "unknown type 'flaot'", "did you mean 'float'?"),
        ("x:blob", "unknown type 'blob'", None),
        ("x:int(5)", "cannot read the type", None),
        ("x:str[5]", "only enum takes members", None),
        ("a:ref[author]", "only enum takes members", "a:ref:author"),
        ("x:str:uniq", "unknown modifier 'uniq'", "did you mean 'unique'?"),
        ("x:str:primary", "unknown modifier 'primary'", None),
        ("x:str:unique:unique", "given twice", None),
        ("x:str:", "empty modifier", None),
        ("x:str:int", "a field has one type", None),
        ("x:str:cascade", "only a ref takes cascade/set_null", None),
        ("s:enum", "an enum needs its members", "s:enum[a,b,c]"),
        ("s:enum[]", "at least one member", None),
        ("s:enum[a,,b]", "must start with a letter", None),
        ("s:enum[1st,2nd]", "must start with a letter", None),
        ("s:enum[a,b,a]", "'a' given twice", None),
        ("s:enum[in-progress,in_progress]", "clashes with 'in-progress'", None),
        ("s:enum[a.b]", "must start with a letter", None),
        ("s:enum[a,b]=c", "not a valid enum: expected one of a, b", None),
        ("s:enum[draft,published]=publised", "did you mean 'published'?", None),
        ("a:ref", "a ref needs the referenced resource", "a:ref:RESOURCE"),
        ("a:ref:", "a ref needs the referenced resource", None),
        ("a:ref:author=1", "a ref cannot have a default", None),
        ("a:ref:writer", "unknown resource 'writer' (known: author", None),
        ("a:ref:autor", "unknown resource 'autor'", "did you mean 'author'?"),
        ("a:ref:authors", "unknown resource 'authors'", "singular: 'author'"),
        ("a:ref:class", "Python keyword", None),
        ("parent:ref:post", "must be optional", "parent:ref:post?"),
        ("a:ref:author:set_null", "set_null needs an optional reference", None),
        ("a:ref:author?:set_null:cascade", "choose one of cascade and set_null", None),
        ("m:json:unique", "cannot be unique or indexed", None),
        ("m:json:index", "cannot be unique or indexed", None),
        ("n:int=abc", "not a valid int: expected a whole number", None),
        ("n:int=1.5", "expected a whole number", None),
        ("n:int=", "nothing after '='", None),
        ("n:int=null", "only an optional field", None),
        ("n:float=abc", "not a valid float", None),
        ("n:float=nan", "expected a finite number", None),
        ("n:float=inf", "expected a finite number", None),
        ("n:decimal=1.234", "more than 2 decimal places", None),
        ("n:decimal=12345678901", "more than 10 digits before the point", None),
        ("n:decimal=cheap", "expected a number", None),
        ("b:bool=maybe", "expected true or false", None),
        ("d:date=31/01/2024", "expected a date like 2024-01-31", None),
        ("d:datetime=tomorrow", "expected a date and time", None),
        ("d:datetime=2024-01-31T12:00:00", "add a UTC offset", None),
        ("u:uuid=123", "expected a UUID", None),
        ("e:email=nobody", "expected an email address", None),
        ("u:url=example.com", "expected an http:// or https:// URL", None),
        ("t:str=''", "it is empty", None),
        ("t:str=" + "x" * 256, "longer than 255", None),
        ("j:json=[1,2]", "a json field holds an object", None),
        ("j:json={oops}", "expected a JSON object", None),
        ("id:int", "field name 'id' is reserved", "leave it out"),
        ("created_at:datetime", "'created_at' is reserved", "leave it out"),
        ("updated_at:datetime", "'updated_at' is reserved", None),
        ("limit:int", "the list query uses it for pagination", None),
        ("sort:str", "the list query uses it for sorting", None),
        ("filters:json", "filters() method", None),
        ("date:date", "would hide the 'date' type", "post_date"),
        ("datetime:datetime", "would hide the 'datetime' type", None),
        ("metadata:json", "SQLAlchemy reserves it", None),
        ("registry:str", "SQLAlchemy reserves it", None),
        ("json:json", "pydantic models use that name", None),
        ("copy:str", "pydantic models use that name", None),
        ("model_name:str", "pydantic models use that name", None),
        ("str:str", "would hide the Python builtin str()", None),
        ("dict:json", "pydantic models use that name", None),
        ("list:json", "would hide the Python builtin list()", None),
        ("len:int", "would hide the Python builtin len()", None),
        ("post_id:int", "path parameter of the post endpoints", None),
        ("read:enum[a,b]", "enum class would clash", None),
        ("service:enum[a,b]", "enum class would clash", None),
        ("class:str", "Python keyword", None),
        ("type:str", "soft keyword", None),
        ("match:str", "soft keyword", None),
        ("2nd:str", "must not start with a digit", None),
        ("_x:str", "must start with a letter", None),
        ("my field:str", "may only contain", None),
    ],
)
def test_parse_field_errors(spec: str, message: str, hint: str | None) -> None:
    with pytest.raises(FieldSpecError) as caught:
        parse_field(spec, resource="post", resources=AUTHORS, path="spec.yaml")
    error = caught.value
    assert message in str(error)
    assert str(error).startswith(f"spec.yaml: resource 'post', field {spec!r}: ")
    if hint is not None:
        assert error.hint is not None
        assert hint in error.hint
    assert isinstance(error, ValueError)
    assert isinstance(error, BlueprintgenError)


def test_reserved_names_are_fine_when_they_are_not_whole_names() -> None:
    for spec in ["type_name:str", "order:int", "user:str", "group:str", "identifier:str", "kind:str"]:
        parse_field(spec, resource="post")
    for spec in ["format:str", "hash:str", "input:str", "license:str", "fields:str", "items:json"]:
        parse_field(spec, resource="post")


def test_type_hint_for_bare_word_keeps_the_name() -> None:
    with pytest.raises(FieldSpecError) as caught:
        parse_field("price")
    assert caught.value.hint is not None
    assert "price:str" in caught.value.hint


# --- mappings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected_string"),
    [
        ({"name": "title", "type": "str"}, "title:str"),
        ({"name": "age", "type": "int", "optional": True, "default": 3}, "age:int?=3"),
        ({"name": "email", "type": "email", "unique": True, "index": True}, "email:email:unique:index"),
        (
            {"name": "role", "type": "enum", "choices": ["admin", "member"], "default": "member"},
            "role:enum[admin,member]=member",
        ),
        ({"name": "role", "type": "enum[admin,member]"}, "role:enum[admin,member]"),
        ({"name": "author", "type": "ref", "ref": "author"}, "author:ref:author"),
        ({"name": "author", "type": "ref:author?"}, "author:ref:author?"),
        (
            {"name": "author", "type": "ref", "ref": "author", "optional": True, "on_delete": "cascade"},
            "author:ref:author?:cascade",
        ),
        ({"name": "age", "type": "int?"}, "age:int?"),
        ({"name": "price", "type": "decimal", "default": 9.5}, "price:decimal=9.5"),
        ({"name": "on", "type": "bool", "default": False}, "on:bool=false"),
        ({"name": "tags", "type": "json", "default": {"a": 1}}, 'tags:json={"a":1}'),
        ({"title": "str:unique"}, "title:str:unique"),
        ({"name": "str"}, "name:str"),
    ],
)
def test_parse_field_mapping(spec: dict[str, Any], expected_string: str) -> None:
    result = parse_field(spec, resources=AUTHORS)
    assert to_spec_string(result) == expected_string
    assert parse_field(expected_string, resources=AUTHORS) == result


def test_mapping_defaults_from_yaml_types() -> None:
    import datetime as dt

    assert (
        parse_field({"name": "born", "type": "date", "default": dt.date(2024, 1, 31)})["default"]
        == "2024-01-31"
    )
    moment = dt.datetime(2024, 1, 31, 12, tzinfo=dt.UTC)
    assert (
        parse_field({"name": "at", "type": "datetime", "default": moment})["default"]
        == "2024-01-31T12:00:00+00:00"
    )
    assert parse_field({"name": "n", "type": "int", "default": "7"})["default"] == 7
    assert parse_field({"name": "s", "type": "str", "default": "'quoted'"})["default"] == "'quoted'"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "x", "unique": True}, "'type' is required"),
        ({"name": "x"}, "unknown type 'x'"),
        ({"type": "str"}, "'name' is required"),
        ({"name": "x", "type": "str", "nullable": True}, "unknown key 'nullable'"),
        ({"name": "x", "type": "str", "optional": "yes"}, "'optional' must be true or false"),
        ({"name": "x", "type": "enum", "choices": "a,b"}, "'choices' must be a list of strings"),
        ({"name": "x", "type": "str", "choices": ["a"]}, "only an enum has choices"),
        ({"name": "x", "type": "str", "ref": "author"}, "only a ref takes a referenced resource"),
        ({"name": "x", "type": "ref", "ref": 5}, "'ref' must name a resource"),
        (
            {"name": "x", "type": "ref", "ref": "author", "on_delete": "RESTRICT"},
            "'on_delete' must be one of",
        ),
        (
            {"name": "x", "type": "ref", "ref": "author", "on_delete": "SET NULL"},
            "set_null needs an optional",
        ),
        ({"name": "x", "type": "int", "default": True}, "expected a number"),
        ({"name": "x", "type": "int", "default": 1.5}, "expected a whole number"),
        ({"name": "x", "type": "str", "default": 5}, "expected text"),
        ({"name": "x", "type": "int", "default": None}, "only an optional field"),
        ({"name": "x", "type": "json", "default": {"a": {1, 2}}}, "expected a JSON object"),
        ({"name": "x", "type": "enum", "choices": ["a"], "default": 1}, "expected one of a"),
        (5, "expected a string like 'title:str' or a mapping, got int"),
    ],
)
def test_parse_field_mapping_errors(spec: Any, message: str) -> None:
    with pytest.raises(FieldSpecError) as caught:
        parse_field(spec, resources=AUTHORS)
    assert message in str(caught.value)


def test_mapping_unknown_key_suggests_the_right_one() -> None:
    with pytest.raises(FieldSpecError) as caught:
        parse_field({"name": "x", "type": "str", "uniqe": True})
    assert caught.value.hint == "did you mean 'unique'?"


# --- lists -----------------------------------------------------------------------


def test_parse_fields_in_order() -> None:
    fields = parse_fields(["title:str", "body:text", "author:ref:author"], resource="post", resources=AUTHORS)
    assert [f["name"] for f in fields] == ["title", "body", "author"]
    assert [column_name(f) for f in fields] == ["title", "body", "author_id"]


def test_parse_fields_adds_the_resource_itself_for_self_references() -> None:
    fields = parse_fields(["parent:ref:post?"], resource="post", plural="entries", resources={})
    assert fields[0]["ref"] == {"resource": "post", "plural": "entries"}


def test_parse_fields_reports_every_problem_at_once() -> None:
    with pytest.raises(FieldSpecError) as caught:
        parse_fields(["title:str", "age:integer", "x:str:uniq", "title:text"], resource="post")
    error = caught.value
    assert len(error.problems) == 3
    lines = str(error).splitlines()
    assert any("unknown type 'integer'" in line for line in lines)
    assert any("unknown modifier 'uniq'" in line for line in lines)
    assert any("'title' is already used by field 'title:str'" in line for line in lines)
    assert "did you mean 'int'?" in str(error)


@pytest.mark.parametrize(
    "specs",
    [
        ["title:str", "title:text"],
        ["title:str", "Title:int"],
        ["author:ref:author", "author_id:int"],
        ["author_id:int", "author:ref:author"],
        ["author:ref:author", "author:str"],
        ["firstName:str", "first_name:str"],
    ],
)
def test_parse_fields_refuses_duplicates(specs: list[str]) -> None:
    with pytest.raises(FieldSpecError, match="is already used by field"):
        parse_fields(specs, resource="post", resources=AUTHORS)


def test_parse_fields_needs_a_field() -> None:
    with pytest.raises(FieldSpecError, match="at least one field"):
        parse_fields([], resource="post")


def test_a_single_problem_is_raised_as_is() -> None:
    with pytest.raises(FieldSpecError) as caught:
        parse_fields(["age:integer"], resource="post")
    assert caught.value.problems == []


# --- defaults, help, round trip -------------------------------------------------


def test_default_fields_match_the_seed() -> None:
    assert [to_spec_string(f) for f in default_fields()] == list(fieldspec.DEFAULT_FIELD_SPECS)
    assert [to_spec_string(f) for f in default_fields()] == [
        "name:str",
        "description:text?",
        "status:enum[active,inactive]=active",
    ]
    copy = default_fields()
    copy[2]["choices"].append("archived")
    assert default_fields()[2]["choices"] == ["active", "inactive"]


def test_help_text_mentions_every_type_and_survives_rich_markup() -> None:
    for kind in FIELD_TYPES:
        assert kind in FIELD_SPEC_HELP_PLAIN
    assert "enum[a,b,...]" in FIELD_SPEC_HELP_PLAIN
    assert "[" not in FIELD_SPEC_HELP.replace("\\[", "")

    command = typer.Typer()

    @command.command(epilog=FIELD_SPEC_HELP)
    def add(field: Annotated[list[str] | None, typer.Option(help=FIELD_SPEC_HELP)] = None) -> None:
        """Add a resource."""

    output = CliRunner().invoke(command, ["--help"], terminal_width=120).output
    assert "NAME:TYPE[?][:MODIFIER...][=DEFAULT]" in output
    assert "role:enum[admin,member]=member" in output
    assert "\\[" not in output


@pytest.mark.parametrize(
    "spec",
    [
        "a:str",
        "a:str?:unique:index",
        "a:text='  x'",
        'a:str="quoted"',
        "a:int=-3",
        "a:float?=2.5",
        "a:decimal=0.10",
        "a:bool=false",
        "a:date=2024-02-29",
        "a:datetime=2024-01-01T00:00:00+02:00",
        "a:uuid?",
        "a:email:unique",
        "a:url=https://x.io/p?q=1",
        "a:json={}",
        'a:json?={"k":[1,null]}',
        "a:enum[x,y-z,W]=y-z",
        "a:ref:author",
        "a:ref:author?",
        "a:ref:author?:cascade",
        "a:ref:author:unique",
    ],
)
def test_to_spec_string_round_trips(spec: str) -> None:
    parsed = parse_field(spec, resources=AUTHORS)
    again = parse_field(to_spec_string(parsed), resources=AUTHORS)
    assert again == parsed


# --- spec files ------------------------------------------------------------------

BLOG_YAML = """\
resources:
  post:
    plural: posts
    fields: ["title:str", "body:text", "author:ref:author"]
    methods: [read, create, list]
    auth: false
  author:
    fields:
      - name:str
      - email:email:unique
      - {name: role, type: enum, choices: [admin, member], default: member}
      - born: date?
  tag:
    mcp_style: manager
"""


def test_load_yaml_spec_file(tmp_path: Path) -> None:
    path = tmp_path / "blog.yaml"
    path.write_text(BLOG_YAML, encoding="utf-8")
    resources = load_spec_file(path)
    assert [r["resource"] for r in resources] == ["author", "post", "tag"], "referenced resources first"
    author, post, tag = resources
    assert author == {
        "resource": "author",
        "plural": "authors",
        "fields": parse_fields(
            ["name:str", "email:email:unique", "role:enum[admin,member]=member", "born:date?"],
            resource="author",
        ),
    }
    assert post["methods"] == ["create", "list", "read"]
    assert post["auth_required"] is False
    assert post["fields"][2]["ref"] == {"resource": "author", "plural": "authors"}
    assert tag["mcp_style"] == "manager"
    assert tag["fields"] == list(default_fields())


def test_load_json_spec_file_with_a_resource_list(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    data = {
        "resources": [
            {"name": "comment", "fields": {"body": "text", "post": {"type": "ref", "ref": "post"}}},
            {"name": "post", "plural": "entries", "fields": ["title:str"], "auth_required": True},
        ]
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    resources = load_spec_file(path)
    assert [r["resource"] for r in resources] == ["post", "comment"]
    assert resources[1]["fields"][1]["ref"] == {"resource": "post", "plural": "entries"}
    assert resources[0]["auth_required"] is True


def test_spec_file_refs_may_point_at_existing_resources(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("resources:\n  post:\n    fields: ['author:ref:author']\n", encoding="utf-8")
    resources = load_spec_file(path, resources={"author": "writers"})
    assert resources[0]["fields"][0]["ref"] == {"resource": "author", "plural": "writers"}
    with pytest.raises(FieldSpecError, match="unknown resource 'author'"):
        load_spec_file(path, resources={})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a mapping with a 'resources' key"),
        ({"resource": {}}, "a mapping with a 'resources' key"),
        ({"resources": {}, "extra": 1}, "unknown top-level key 'extra'"),
        ({"resources": 5}, "'resources' must map resource names"),
        ({"resources": [{"fields": []}]}, "resources[0] needs a 'name'"),
        ({"resources": {"post": ["title:str"]}}, "settings must be a mapping"),
        ({"resources": {"post": {"feilds": []}}}, "unknown key 'feilds'"),
        ({"resources": {"post": {"plural": 5}}}, "'plural' must be a string"),
        ({"resources": {"post": {"plural": "post"}}}, "is its own plural"),
        ({"resources": {"class": {}}}, "Python keyword"),
        ({"resources": {"usr": {"plural": "user"}}}, "SQL reserved word"),
        ({"resources": {"post": {"fields": "title:str"}}}, "'fields' must be a list"),
        ({"resources": {"post": {"fields": []}}}, "at least one field"),
        ({"resources": {"post": {"methods": []}}}, "'methods' must be a non-empty list"),
        ({"resources": {"post": {"methods": ["get"]}}}, "unknown method 'get'"),
        ({"resources": {"post": {"methods": ["list", "list"]}}}, "lists a method twice"),
        ({"resources": {"post": {"auth": "no"}}}, "'auth' must be true or false"),
        ({"resources": {"post": {"auth": True, "auth_required": True}}}, "not both"),
        ({"resources": {"post": {"mcp_style": "one"}}}, "'mcp_style' must be one of tools, manager"),
        ({"resources": [{"name": "post"}, {"name": "Post"}]}, "resource defined twice"),
        ({"resources": {"post": {"fields": ["a:ref:nobody"]}}}, "unknown resource 'nobody'"),
        (
            {"resources": {"alpha": {"fields": ["b:ref:beta"]}, "beta": {"fields": ["a:ref:alpha?"]}}},
            "cycle: alpha → beta → alpha",
        ),
    ],
)
def test_parse_spec_errors(data: Any, message: str) -> None:
    with pytest.raises(FieldSpecError) as caught:
        parse_spec(data, path="spec.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("spec.yaml: ")


def test_spec_file_errors_name_resource_and_field_and_collect_all(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "resources:\n  post:\n    fields: ['title:strng', 'n:int=x']\n  author:\n    fields: ['e:email:uniq']\n",
        encoding="utf-8",
    )
    with pytest.raises(FieldSpecError) as caught:
        load_spec_file(path)
    text = str(caught.value)
    assert f"{path}: resource 'post', field 'title:strng': unknown type 'strng'" in text
    assert "did you mean 'str'?" in text
    assert "resource 'post', field 'n:int=x'" in text
    assert "resource 'author', field 'e:email:uniq': unknown modifier" in text
    assert len(caught.value.problems) == 3


def test_method_typo_suggests(tmp_path: Path) -> None:
    with pytest.raises(FieldSpecError) as caught:
        parse_spec({"resources": {"post": {"methods": ["delet"]}}})
    assert caught.value.hint == "did you mean 'delete'?"


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(FieldSpecError, match="cannot read the spec file"):
        load_spec_file(tmp_path / "missing.yaml")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("resources: [unclosed\n", encoding="utf-8")
    with pytest.raises(FieldSpecError, match="not valid YAML") as caught:
        load_spec_file(bad_yaml)
    assert caught.value.line == 2 and "<unicode string>" not in caught.value.format()
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{'resources': {}}", encoding="utf-8")
    with pytest.raises(FieldSpecError, match="not valid JSON") as caught:
        load_spec_file(bad_json)
    assert (caught.value.line, caught.value.column) == (1, 2)
    assert "bad.json:1:2" in caught.value.format() and "{'resources': {}}" in caught.value.format()


def test_example_blog_spec_loads() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "blog.yaml"
    if not example.exists():
        pytest.skip("examples/blog.yaml not present")
    resources = load_spec_file(example)
    names = [r["resource"] for r in resources]
    assert names.index("author") < names.index("post") < names.index("comment")


def test_public_names_are_exported() -> None:
    for name in fieldspec.__all__:
        assert hasattr(fieldspec, name)
