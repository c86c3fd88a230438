"""The resource model and its views, and the code the real resource templates make of them.

The first half tests :mod:`blueprintgen.resource_model` and :mod:`blueprintgen.views` in
Python: the kind table, names with their articles, the imports of each module, the test
values. The second half renders the real templates (``resource/model.py.j2``,
``db_model.py.j2``, ``migration.py.j2`` and the project's ``database/base.py.j2``) for a
field list covering every type and modifier, through the engine's own stages (blueprint
instances, :func:`blueprintgen.render.render_all`, :func:`blueprintgen.format.format_files`),
then checks that ruff and mypy are clean, that the schemas accept the view's sample values
and reject its invalid ones, and that the tables work on SQLite and PostgreSQL, whether
created from the models or by the migrations (the two give the same schema).
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import importlib
import importlib.util
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from blueprintgen import catalog as catalogs
from blueprintgen import fieldspec, render, resource_model
from blueprintgen import format as formatting
from blueprintgen.fieldspec import FIELD_TYPES, column_name, parse_fields
from blueprintgen.instances import Request, resolve
from blueprintgen.resource_model import KINDS, NO_DEFAULT, Field, Reference, Resource
from blueprintgen.views import (
    ResourceView,
    SchemaChangeView,
    article,
    either,
    import_lines,
    resource_view,
    text_literal,
)

PACKAGE = "fieldgen"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

GADGET_SPECS = [
    "name:str",
    "nickname:str?:index",
    "code:str:unique:index=ABC",
    "summary:text?",
    "body:text=Hello",
    "rank:int:index=0",
    "quantity:int",
    "stock:int?",
    "score:float?=1.5",
    "weight:float",
    "price:decimal=9.99",
    "cost:decimal?",
    "active:bool=true",
    "featured:bool?",
    "launch_on:date?=2024-01-31",
    "checked_at:datetime=2024-01-01T00:00:00Z",
    "seen_at:datetime?",
    "ext:uuid:unique",
    "token:uuid?=123e4567-e89b-12d3-a456-426614174000",
    "contact_email:email:unique",
    "backup_email:email?=backup@example.com",
    "website:url?",
    "home:url=https://example.com",
    "settings:json?",
    'extra:json={"a": 1}',
    "empty:json={}",
    "status:enum[active,inactive,in-progress]=active",
    "tier:enum[gold,silver]?",
    "maker:ref:maker",
    "backup_maker:ref:maker?:cascade",
    "curator:ref:maker?:unique",
    "parent:ref:gadget?",
]
MAKER_SPECS = ["name:str:unique"]
RESOURCES = {"maker": "makers", "gadget": "gadgets"}
GADGET_FIELDS = parse_fields(GADGET_SPECS, resource="gadget", resources=RESOURCES)
MAKER_FIELDS = parse_fields(MAKER_SPECS, resource="maker", resources=RESOURCES)
EVERY_TYPE = {f["type"] for f in GADGET_FIELDS}


def gadget_view(**given: Any) -> ResourceView:
    return resource_view(
        {"package": PACKAGE, "resource": "gadget", "plural": "gadgets", "fields": GADGET_FIELDS}, **given
    )


# --- the resource model ------------------------------------------------------------


def test_field_list_covers_every_type_and_modifier() -> None:
    assert set(FIELD_TYPES) == EVERY_TYPE == set(KINDS)
    assert any(f["unique"] and not f["index"] for f in GADGET_FIELDS)
    assert any(f["index"] and not f["unique"] and f["type"] != "ref" for f in GADGET_FIELDS)
    assert any(f["unique"] and f["index"] and f["type"] != "ref" for f in GADGET_FIELDS)
    assert {f["on_delete"] for f in GADGET_FIELDS if f["type"] == "ref"} == {"CASCADE", "SET NULL"}
    assert {f["type"] for f in GADGET_FIELDS if "default" in f} == EVERY_TYPE - {"ref"}
    assert {f["type"] for f in GADGET_FIELDS if f["optional"]} == EVERY_TYPE


def test_the_parser_and_the_generated_code_share_the_limits() -> None:
    assert fieldspec.STR_MAX_LENGTH is resource_model.STR_MAX_LENGTH == 255
    assert (fieldspec.DECIMAL_DIGITS, fieldspec.DECIMAL_PLACES) == (12, 2)
    assert KINDS["str"].column_type == "String(255)"
    assert KINDS["str"].constraints.startswith("min_length=1, max_length=255,")
    assert KINDS["email"].migration_type == "sa.String(length=320)"
    assert KINDS["url"].constraints.startswith("max_length=2048,")
    assert KINDS["decimal"].column_type == "Numeric(12, 2)"
    assert KINDS["decimal"].constraints == "max_digits=12, decimal_places=2"
    with pytest.raises(fieldspec.FieldSpecError, match="longer than 255"):
        parse_fields([f"name:str={'x' * 256}"])
    with pytest.raises(fieldspec.FieldSpecError, match="more than 2 decimal places"):
        parse_fields(["price:decimal=1.234"])


def test_the_kind_table() -> None:
    filterable = {kind.name for kind in KINDS.values() if kind.filterable}
    assert filterable == {"str", "email", "enum", "bool", "int", "ref", "date", "uuid"}
    assert {kind.name: kind.stdlib_import for kind in KINDS.values() if kind.stdlib_import} == {
        "decimal": ("decimal", "Decimal"),
        "date": ("datetime", "date"),
        "datetime": ("datetime", "datetime"),
        "uuid": ("uuid", "UUID"),
        "json": ("typing", "Any"),
    }
    # An e-mail address is read by the project's `Email` (models/types.py), stored as a str.
    assert (KINDS["email"].input_type, KINDS["email"].read_type) == ("Email", "str")
    assert KINDS["ref"].migration_type == "sa.Integer()"
    assert all(kind.invalid for kind in KINDS.values() if kind.name != "enum")


@pytest.mark.parametrize("spec", GADGET_SPECS)
def test_a_field_dict_and_its_value_convert_both_ways(spec: str) -> None:
    (param,) = parse_fields([spec], resource="gadget", resources=RESOURCES)
    field = Field.from_param(param)
    assert field.to_param() == param
    assert list(field.to_param()) == list(param), "keys in the parser's order"
    assert field.column == column_name(param)
    assert field.has_default == ("default" in param)


def test_a_resource_from_blueprint_parameters() -> None:
    resource = Resource.from_params(
        {"resource": "blog_post", "fields": MAKER_FIELDS, "methods": ["delete", "create"]}
    )
    assert (resource.plural, resource.methods, resource.mcp_style) == (
        "blog_posts",
        ("create", "delete"),
        "tools",
    )
    assert resource.fields == (Field("name", "str", unique=True),)
    assert resource.fields[0].default is NO_DEFAULT
    assert Resource.from_params(resource.to_params()) == resource


# --- names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("item", "an"),
        ("order line", "an"),
        ("hour", "an"),
        ("honest review", "an"),
        ("user", "a"),
        ("unit", "a"),
        ("euro price", "a"),
        ("one off", "a"),
        ("book", "a"),
        ("heir", "an"),
    ],
)
def test_articles(words: str, expected: str) -> None:
    assert article(words) == expected


def test_names_of_a_resource() -> None:
    view = resource_view({"package": "shop", "resource": "order_item", "plural": "order_items", "fields": []})
    assert (view.cls, view.label, view.labels, view.a_label, view.A_label) == (
        "OrderItem",
        "order item",
        "order items",
        "an order item",
        "An order item",
    )
    assert (view.Label, view.Labels, view.id, view.sort_const) == (
        "Order item",
        "Order items",
        "order_item_id",
        "ORDER_ITEM_SORT_FIELDS",
    )
    assert (view.url, view.tag, view.url_const) == ("/api/v1/order-items", "order-items", "ORDER_ITEMS")
    assert view.models_module == "shop.models.order_item_model"
    assert view.db_module == "shop.database.models.order_item_db_model"
    assert view.repository_module == "shop.database.repositories.order_item_repository"
    assert view.service_module == "shop.services.order_item_service"


def test_a_view_without_a_package_has_no_module_paths() -> None:
    view = resource_view({"resource": "item", "plural": "items", "fields": MAKER_FIELDS})
    assert view.migration_indexes == []
    with pytest.raises(ValueError, match="no package"):
        _ = view.models_module


def test_methods_flags_and_verbs() -> None:
    view = resource_view(
        {"resource": "note", "fields": MAKER_FIELDS, "methods": ["delete", "list", "create"]}
    )
    assert view.methods == ["create", "list", "delete"]
    assert (view.has_create, view.has_list, view.has_read, view.has_update, view.has_delete) == (
        True,
        True,
        False,
        False,
        True,
    )
    assert (view.by_id, view.writes, view.verbs, view.Verbs) == (
        True,
        True,
        "create, read and delete",
        "Create, read and delete",
    )
    assert view.by_id_verbs == "delete"
    assert view.tool_names == {"create": "create_note", "list": "list_notes", "delete": "delete_note"}
    assert view.schemas("routes") == "NoteCreate, NotePage, NoteQuery, NoteRead"
    assert view.schemas("service") == "NoteCreate, NotePage, NoteQuery, NoteRead"
    assert view.schemas("tools") == "NoteCreate, NotePage, NoteQuery, NoteRead"
    read_only = resource_view({"resource": "note", "fields": MAKER_FIELDS, "methods": ["list"]})
    assert read_only.schemas("routes") == "NotePage, NoteQuery"
    assert read_only.schemas("service") == "NotePage, NoteQuery, NoteRead"
    assert either(["a", "b", "c"]) == "a, b or c"


def test_manager_tool() -> None:
    view = resource_view({"resource": "note", "fields": MAKER_FIELDS, "mcp_style": "manager"})
    assert view.manager_result_type == "NoteRead | NotePage | str"
    assert view.mcp_wrapped
    assert (
        view.tool_call("read", '"note_id": 1')
        == 'mcp.call_tool("note_manager", {"action": "read", "note_id": 1})'
    )
    tools = resource_view({"resource": "note", "fields": MAKER_FIELDS, "methods": ["read"]})
    assert not tools.mcp_wrapped
    assert tools.tool_call("read", '"note_id": 1') == 'mcp.call_tool("get_note", {"note_id": 1})'


def test_long_messages_become_several_literals() -> None:
    assert text_literal("Short") == '"Short"'
    long = "Blog post category {data.category_id} not found (category_id) " * 2
    literal = text_literal(long.strip(), f=True)
    parts = literal.split("\n")
    assert len(parts) > 1
    assert all(len(part) <= 56 + 3 for part in parts)
    assert all(part.startswith('f"') == ("{" in part) for part in parts)
    assert "".join(ast.literal_eval(part.removeprefix("f")) for part in parts) == long.strip()


# --- field groups, declarations and imports ----------------------------------------


def test_field_groups() -> None:
    view = gadget_view()
    assert [f.column for f in view.filterable] == [
        column_name(f)
        for f in GADGET_FIELDS
        if f["type"] in {"str", "email", "enum", "bool", "int", "ref", "date", "uuid"}
    ]
    assert view.sort_columns[:3] == ["id", "name", "nickname"]
    assert "settings" not in view.sort_columns and view.sort_columns[-2:] == ["created_at", "updated_at"]
    assert view.targets == [Reference("maker", "makers"), Reference("gadget", "gadgets")]
    assert view.other_targets == [Reference("maker", "makers")]
    assert [f.name for f in view.unique] == ["code", "ext", "contact_email", "curator"]
    assert [f.column for f in view.required] == [
        "name",
        "quantity",
        "weight",
        "ext",
        "contact_email",
        "maker_id",
    ]
    assert view.required_ref_targets == ["maker"]
    assert view.shares_target(view.refs[0]) and not view.shares_target(view.refs[-1])
    assert view.duplicate is not None and view.duplicate.name == "code"
    assert view.patched.name == "name"
    assert view.list_filter is not None and view.list_filter.name == "name"
    assert view.conflict_literal == '"A gadget with the same unique values already exists"'


def test_declarations_of_one_field() -> None:
    price = gadget_view().fields[GADGET_SPECS.index("price:decimal=9.99")]
    assert (
        price.base_line
        == "price: DecimalText = Field(default=Decimal('9.99'), max_digits=12, decimal_places=2)"
    )
    # It cannot be null: documented as not nullable, the constraints on the type.
    assert (
        price.update_line
        == "price: Annotated[DecimalText, Field(max_digits=12, decimal_places=2)] | SkipJsonSchema[None] = None"
    )
    assert price.read_line == "price: Decimal"
    assert price.db_line == "price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal('9.99'))"
    assert price.migration_column == "sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False)"
    maker = gadget_view().fields[GADGET_SPECS.index("maker:ref:maker")]
    assert (
        maker.db_line
        == 'maker_id: Mapped[int] = mapped_column(ForeignKey("makers.id", ondelete="CASCADE"), index=True)'
    )
    status = gadget_view().fields[GADGET_SPECS.index("status:enum[active,inactive,in-progress]=active")]
    assert status.base_line == "status: GadgetStatus = GadgetStatus.ACTIVE"
    assert "    IN_PROGRESS = 'in-progress'" in status.enum_class_code.splitlines()


def test_imports_of_each_module() -> None:
    view = gadget_view()
    assert view.model_imports.splitlines() == [
        "from datetime import date, datetime",
        "from decimal import Decimal",
        "from enum import StrEnum",
        "from fieldgen.models.types import DecimalText, Email, IsoDate, IsoDatetime",
        "from pydantic import Field, StrictBool",
        "from typing import Any",
        "from uuid import UUID",
    ]
    assert view.db_model_imports.splitlines() == [
        "from datetime import date, datetime",
        "from decimal import Decimal",
        "from fieldgen.database.base import UTCDateTime",
        "from fieldgen.models.gadget_model import GadgetStatus, GadgetTier",
        "from sqlalchemy.orm import Mapped, mapped_column",
        "from sqlalchemy import Boolean, Date, Enum, Float, ForeignKey, Integer, JSON, Numeric, String, Text, Uuid",
        "from typing import Any",
        "from uuid import UUID",
    ]
    assert (
        resource_view({"resource": "note", "fields": MAKER_FIELDS}).model_imports
        == "from pydantic import Field"
    )
    assert (
        import_lines([("b", "Y"), ("a", "x"), ("b", "X"), ("a", "x")])
        == "from a import x\nfrom b import X, Y"
    )
    dated = resource_view(
        {"resource": "note", "fields": parse_fields(["on:date:unique", "at:datetime:unique"])}
    )
    assert dated.factory_imports == "from datetime import UTC, date, datetime, timedelta"
    assert gadget_view().factory_imports == ""


def test_sample_values() -> None:
    for field in gadget_view().fields:
        first, second = field.sample(1), field.sample(2)
        if field.ref is None:
            assert ast.literal_eval(first) is not None, field.name
        if field.type not in {"bool", "enum", "ref"}:
            assert first != second, field.name
        assert field.invalid not in {first, second}
    by_name = {field.name: field for field in gadget_view().fields}
    assert by_name["contact_email"].sample(3) == "'contact-email3@example.com'"
    assert by_name["checked_at"].sample(29) == '"2024-01-01T12:00:00Z"'
    assert by_name["tier"].invalid == "'not-a-choice'"
    assert by_name["ext"].varying == 'f"00000000-0000-4000-8000-{number:012d}"'
    assert by_name["active"].varying == "True", "not unique: the first sample"
    assert by_name["checked_at"].default_json == "'2024-01-01T00:00:00Z'"


def test_decimal_defaults_are_at_the_column_scale() -> None:
    """A new row answers with the value a read of it gives: 0.00, not 0."""
    (balance,) = resource_view({"resource": "wallet", "fields": parse_fields(["balance:decimal=0"])}).fields
    assert balance.default_code == "Decimal('0.00')" and balance.default_json == "'0.00'"


def test_account_update_schemas_import_what_they_use() -> None:
    fields = parse_fields(["seen_at:datetime?", "tier:enum[a,b]=a", "born_on:date?"])
    view = resource_view({"package": "shop", "resource": "user", "plural": "users", "fields": fields})
    assert "StrEnum" in view.model_imports and "datetime" in view.model_imports
    assert view.input_imports == "from shop.models.types import IsoDate, IsoDatetime"


def test_schema_change() -> None:
    old = [Field.from_param(f) for f in parse_fields(["title:str:unique", "body:text", "rank:int"])]
    new = [
        Field.from_param(f) for f in parse_fields(["title:str", "rank:int?", "tags:json?", "done:bool=false"])
    ]
    change = SchemaChangeView("posts", old, new)
    assert change.summary == "add tags, done; drop body; alter title, rank"
    assert change.upgrade_lines == [
        "        batch.drop_column('body')",
        "        batch.add_column(sa.Column('tags', sa.JSON(), nullable=True))",
        "        batch.add_column(sa.Column('done', sa.Boolean(), nullable=False, server_default=sa.false()))",
        "        batch.drop_constraint(op.f('uq_posts_title'), type_=\"unique\")",
        "        batch.alter_column('rank', existing_type=sa.Integer(), type_=sa.Integer(), existing_nullable=False, nullable=True)",
    ]
    assert change.downgrade_lines[-2:] == [
        "        # Restored as nullable: the dropped values cannot come back.",
        "        batch.add_column(sa.Column('body', sa.Text(), nullable=True))",
    ]


def test_a_required_json_field_added_to_rows_gets_its_default_as_sql() -> None:
    """Regression: the default was printed as ``Markup('...')``, a name the migration lacks."""
    import json

    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    old = [Field.from_param(f) for f in parse_fields(["title:str"])]
    new = [Field.from_param(f) for f in parse_fields(["title:str", 'meta:json={"a": 1, "b": "<&>"}'])]
    (line,) = [line for line in SchemaChangeView("posts", old, new).upgrade_lines if "meta" in line]
    assert "Markup" not in line

    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE posts (id INTEGER PRIMARY KEY, title VARCHAR(255))"))
        connection.execute(sa.text("INSERT INTO posts (id, title) VALUES (1, 'a post')"))
        op = Operations(MigrationContext.configure(connection))
        with op.batch_alter_table("posts") as batch:
            exec(line.strip(), {"sa": sa, "op": op, "batch": batch})  # the migration's own line
        stored = connection.execute(sa.text("SELECT meta FROM posts")).scalar_one()
    assert json.loads(stored) == {"a": 1, "b": "<&>"}


# --- the real templates, rendered and formatted by the engine ------------------------

PYPROJECT = f"""\
[tool.ruff]
line-length = 88
target-version = "py311"

[tool.ruff.lint]
select = [
    "ASYNC", "B", "C4", "E", "F", "FAST", "I", "N", "PT", "PTH", "RUF", "SIM", "TID",
    "UP", "W",
]

[tool.ruff.lint.isort]
known-first-party = ["{PACKAGE}"]

[tool.ruff.lint.flake8-tidy-imports]
ban-relative-imports = "all"

[tool.mypy]
python_version = "3.11"
strict = true
plugins = ["pydantic.mypy"]
explicit_package_bases = true

[tool.pydantic-mypy]
init_forbid_extra = true
init_typed = true
warn_required_dynamic_aliases = true
"""

WANTED = (
    f"src/{PACKAGE}/database/base.py",
    f"src/{PACKAGE}/utils/pagination.py",
    f"src/{PACKAGE}/database/search.py",
    f"src/{PACKAGE}/models/",
    f"src/{PACKAGE}/database/models/",
    "alembic/versions/",
)
"""The generated files the tests keep: the schemas (with the cursors they read), the
tables (with the search key of their search indexes) and their migrations."""


@cache
def _catalog() -> catalogs.Catalog:
    return catalogs.load(Path("/nonexistent-project"))


def resource_requests(resource: str, fields: list[dict[str, Any]], revision: str) -> list[Request]:
    """The table model (which brings the schemas) and the create migration of a resource:
    the migration no longer depends on the model, so both are asked for."""
    values = {
        "package": PACKAGE,
        "resource": resource,
        "plural": RESOURCES[resource],
        "fields": fields,
        "methods": list(fieldspec.METHODS),
    }
    return [
        Request(f"resource-db-model-{resource}", values),
        Request(
            f"resource-migration-{resource}",
            values
            | {
                "sort_indexes": True,
                "search_indexes": True,
                "migration_revision": revision,
                "migration_down_revision": f"{int(revision) - 1:04d}",
            },
        ),
    ]


def generated_files(gadget_fields: list[dict[str, Any]]) -> dict[str, str]:
    """The engine's rendering of the maker and gadget tables and the project's base."""
    requests = [
        Request("project-database", {"project_name": PACKAGE, "package": PACKAGE}),
        *resource_requests("maker", MAKER_FIELDS, "0002"),
        *resource_requests("gadget", gadget_fields, "0003"),
    ]
    catalog = _catalog()
    graph = resolve(catalog, requests)
    rendered = render.render_all(render.Renderer(catalog.template_dirs), graph.order, graph.outputs)
    files = {}
    for item in rendered:
        # The package's own __init__ modules discover models through utils: not kept.
        if item.path.startswith(WANTED) and not item.path.endswith("__init__.py"):
            # The migrations are loaded by path: out of the way of the alembic package.
            path = item.path.replace("alembic/versions/", "migrations/m").removeprefix("src/")
            files[path] = item.content
    return files


def write_package(root: Path, files: dict[str, str]) -> None:
    for folder in ["", "models", "database", "database/models"]:
        files.setdefault(f"{PACKAGE}/{folder}/__init__.py".replace("//", "/"), f'"""{PACKAGE} {folder}."""\n')
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def format_like_the_engine(batches: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Format several packages in one formatter run, each under its own folder."""
    combined = {"pyproject.toml": PYPROJECT}
    for prefix, files in batches.items():
        combined.update({f"{prefix}{path}": text for path, text in files.items()})
    formatted = formatting.format_files(combined, formatter="ruff")
    return {
        prefix: {path.removeprefix(prefix): formatted[f"{prefix}{path}"] for path in files}
        for prefix, files in batches.items()
    }


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The rendered, formatted package on sys.path."""
    root = tmp_path_factory.mktemp("fields")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    write_package(root, format_like_the_engine({"": generated_files(GADGET_FIELDS)})[""])
    sys.path.insert(0, str(root))
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def load_migration(root: Path, revision: str) -> ModuleType:
    (path,) = (root / "migrations").glob(f"m{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def samples(n: int) -> dict[str, Any]:
    """The view's n-th sample of every gadget field, as the JSON a client sends."""
    return {field.column: ast.literal_eval(field.sample(n)) for field in gadget_view().fields}


def invalid_values() -> dict[str, Any]:
    return {field.column: ast.literal_eval(field.invalid) for field in gadget_view().fields}


# --- code quality --------------------------------------------------------------------


def test_rendered_code_is_ruff_clean(project: Path) -> None:
    result = ruff("check", "--no-cache", ".", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rendered_code_is_mypy_strict_clean(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null", PACKAGE, "migrations"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_field_alone_imports_exactly_what_it_uses(tmp_path: Path) -> None:
    """One package per field: an unused or missing import shows up as F401 or F821."""
    batches = {
        f"v{index:02d}_{field['name']}/": generated_files([field])
        for index, field in enumerate(GADGET_FIELDS)
    }
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    for prefix, files in format_like_the_engine(batches).items():
        write_package(tmp_path / prefix, files)
    result = ruff("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


# --- schemas -------------------------------------------------------------------------


def test_schemas_accept_samples_and_reject_invalid_values(project: Path) -> None:
    from pydantic import ValidationError

    models = load("models.gadget_model")
    valid = [samples(1), samples(2)]
    for payload in valid:
        created = models.GadgetCreate.model_validate(payload)
        assert created.status in set(models.GadgetStatus)
    assert models.GadgetUpdate.model_validate({}).model_dump(exclude_unset=True) == {}
    for column, invalid in invalid_values().items():
        for schema, base in [(models.GadgetCreate, valid[0]), (models.GadgetUpdate, {})]:
            with pytest.raises(ValidationError) as caught:
                schema.model_validate({**base, column: invalid})
            assert {error["loc"][0] for error in caught.value.errors()} == {column}, (schema, column)
        models.GadgetUpdate.model_validate({column: valid[1][column]})


def test_required_fields_are_exactly_those_without_default_or_question_mark(project: Path) -> None:
    from pydantic import ValidationError

    models = load("models.gadget_model")
    with pytest.raises(ValidationError) as caught:
        models.GadgetCreate.model_validate({})
    missing = {e["loc"][0] for e in caught.value.errors() if e["type"] == "missing"}
    assert missing == {column_name(f) for f in GADGET_FIELDS if not f["optional"] and "default" not in f}
    assert missing == {field.column for field in gadget_view().required}


def test_schema_defaults_are_the_field_defaults(project: Path) -> None:
    models = load("models.gadget_model")
    required = {field.column for field in gadget_view().required}
    created = models.GadgetCreate.model_validate({k: v for k, v in samples(1).items() if k in required})
    for field in GADGET_FIELDS:
        value = getattr(created, column_name(field))
        if "default" in field:
            assert normalise(field, value) == normalise(field, field["default"]), field["name"]
        elif field["optional"]:
            assert value is None
    assert created.status is models.GadgetStatus.ACTIVE
    dumped = created.model_dump(mode="json")
    for view in gadget_view().defaulted:
        assert dumped[view.column] == ast.literal_eval(view.default_json), view.name


def normalise(field: dict[str, Any], value: Any) -> Any:
    """A field value in one comparable form, from Python or JSON."""
    kind = field["type"]
    if value is None:
        return None
    if kind == "datetime":
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    converters = {
        "decimal": Decimal,
        "uuid": lambda v: uuid.UUID(str(v)),
        "date": lambda v: dt.date.fromisoformat(str(v)),
    }
    if kind in converters:
        return converters[kind](value)
    if kind == "enum":
        return str(value)
    return value


def test_enum_classes(project: Path) -> None:
    models = load("models.gadget_model")
    assert [m.name for m in models.GadgetStatus] == ["ACTIVE", "INACTIVE", "IN_PROGRESS"]
    assert [m.value for m in models.GadgetStatus] == ["active", "inactive", "in-progress"]
    assert models.GadgetTier.GOLD == "gold"


def test_list_filters_are_query_parameters(project: Path) -> None:
    """The list query model as the generated routes take it: ``Annotated[Query, Query()]``."""
    from typing import Annotated

    from fastapi import FastAPI, Query
    from fastapi.testclient import TestClient

    models = load("models.gadget_model")
    app = FastAPI()

    async def list_gadgets(query: Any) -> dict[str, Any]:
        return query.filters()  # type: ignore[no-any-return]

    # Set as objects: this module's string annotations could not name the generated class.
    list_gadgets.__annotations__ = {"query": Annotated[models.GadgetQuery, Query()], "return": dict[str, Any]}
    app.get("/gadgets")(list_gadgets)

    client = TestClient(app)
    assert client.get("/gadgets").json() == {}
    query = {
        "status": "in-progress",
        "maker_id": "3",
        "launch_on": "2024-01-31",
        "ext": "00000000-0000-4000-8000-000000000001",
        "active": "false",
        "contact_email": "a@example.com",
    }
    assert client.get("/gadgets", params=query).json() == {**query, "maker_id": 3, "active": False}
    assert client.get("/gadgets", params={"status": "bogus"}).status_code == 422
    assert client.get("/gadgets", params={"launch_on": "soon"}).status_code == 422
    assert client.get("/gadgets", params={"price": "1"}).status_code == 422, "not a filter"


def test_list_query_model_holds_the_filters(project: Path) -> None:
    from pydantic import ValidationError

    models = load("models.gadget_model")
    query = models.GadgetQuery.model_validate(
        {"status": "inactive", "maker_id": "3", "ext": str(uuid.UUID(int=1))}
    )
    assert query.filters() == {
        "status": models.GadgetStatus.INACTIVE,
        "maker_id": 3,
        "ext": uuid.UUID(int=1),
    }
    properties = models.GadgetQuery.model_json_schema()["properties"]
    assert properties["maker_id"]["description"] == "Only gadgets with this maker."
    assert properties["contact_email"]["description"] == "Only gadgets with this contact email."
    assert "price" not in properties
    paging = {"offset", "limit", "sort", "cursor", "include_total"}
    # The equality filters, and the ranges, `_in` lists and search of the list queries.
    assert set(properties) == paging | set(gadget_view().filter_names)
    assert {f.column for f in gadget_view().filterable} <= set(properties)
    with pytest.raises(ValidationError):
        models.GadgetQuery.model_validate({"status": "bogus"})


def test_sorting_accepts_exactly_the_sort_columns(project: Path) -> None:
    from pydantic import ValidationError

    models = load("models.gadget_model")
    for column in gadget_view().sort_columns:
        assert models.GadgetQuery(sort=f"-{column}").sort == f"-{column}"
    with pytest.raises(ValidationError):
        models.GadgetQuery(sort="settings")


# --- databases -----------------------------------------------------------------------


def rows_to_insert(models: ModuleType) -> list[dict[str, Any]]:
    """Create payloads dumped as the service would hand them to the table model."""
    return [models.GadgetCreate.model_validate(valid).model_dump() for valid in (samples(1), samples(2))]


async def exercise_tables(engine: Any, *, foreign_keys: bool) -> None:
    """Insert makers and gadgets, read them back, check defaults, unique and FK actions."""
    from sqlalchemy import delete, select
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.ext.asyncio import async_sessionmaker

    models = load("models.gadget_model")
    maker_table = load("database.models.maker_db_model").MakerDBModel
    gadget_table = load("database.models.gadget_db_model").GadgetDBModel
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async with sessions() as session:
        makers = [maker_table(name="Acme"), maker_table(name="Globex")]
        session.add_all(makers)
        await session.flush()
        first, second = rows_to_insert(models)
        one = gadget_table(
            **{
                **first,
                "maker_id": makers[0].id,
                "backup_maker_id": None,
                "curator_id": makers[0].id,
                "parent_id": None,
            }
        )
        session.add(one)
        await session.flush()
        two = gadget_table(
            **{
                **second,
                "maker_id": makers[1].id,
                "backup_maker_id": makers[1].id,
                "curator_id": None,
                "parent_id": one.id,
            }
        )
        session.add(two)
        # Only the required columns: the table model's defaults fill the rest.
        required = {field.column for field in gadget_view().required}
        values = {k: v for k, v in samples(1).items() if k in required}
        values.update(contact_email="min@example.com", ext=uuid.uuid4(), maker_id=makers[0].id)
        minimal = gadget_table(**values)
        session.add(minimal)
        await session.commit()
        ids = (one.id, two.id, minimal.id)

    async with sessions() as session:
        stored = await session.get(gadget_table, ids[0])
        read = models.GadgetRead.model_validate(stored)
        for field in GADGET_FIELDS:
            column = column_name(field)
            if field["type"] != "ref":
                assert normalise(field, getattr(read, column)) == normalise(field, samples(1)[column]), column
        assert read.status is models.GadgetStatus.ACTIVE
        assert read.extra == {"key": "value 1"}
        minimal_row = models.GadgetRead.model_validate(await session.get(gadget_table, ids[2]))
        for field in GADGET_FIELDS:
            if "default" in field:
                value = getattr(minimal_row, column_name(field))
                assert normalise(field, value) == normalise(field, field["default"]), field["name"]
        raw_status = (
            await session.execute(select(gadget_table.status).where(gadget_table.id == ids[1]))
        ).scalar_one()
        assert raw_status == models.GadgetStatus.INACTIVE

    async with sessions() as session:
        duplicate = gadget_table(
            **{
                **rows_to_insert(models)[0],
                "maker_id": 1,
                "parent_id": None,
                "curator_id": None,
                "backup_maker_id": None,
            }
        )
        session.add(duplicate)
        with pytest.raises(IntegrityError):
            await session.commit()

    if foreign_keys:
        async with sessions() as session:
            await session.execute(delete(gadget_table).where(gadget_table.id == ids[0]))
            await session.commit()
            assert (await session.get(gadget_table, ids[1])).parent_id is None, "SET NULL"
        async with sessions() as session:
            await session.execute(delete(maker_table).where(maker_table.name == "Globex"))
            await session.commit()
            assert await session.get(gadget_table, ids[1]) is None, "CASCADE"


def run_migrations(connection: Any, root: Path, action: str) -> None:
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    context = MigrationContext.configure(connection)
    revisions = ["0002", "0003"] if action == "upgrade" else ["0003", "0002"]
    with Operations.context(context):
        for revision in revisions:
            getattr(load_migration(root, revision), action)()


def describe(connection: Any) -> dict[str, Any]:
    """Columns, keys and indexes of both tables, as the database reports them."""
    from sqlalchemy import inspect

    inspector = inspect(connection)
    return {
        table: {
            "columns": [
                (
                    c["name"],
                    str(c["type"]) + (" WITH TIME ZONE" if getattr(c["type"], "timezone", False) else ""),
                    c["nullable"],
                )
                for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
            ),
            "fks": sorted(
                (
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    fk["options"].get("ondelete"),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
        }
        for table in ("makers", "gadgets")
    }


def enforce_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def table_names(connection: Any) -> list[str]:
    from sqlalchemy import inspect

    return inspect(connection).get_table_names()


def test_sqlite_tables_from_models_and_from_migrations(project: Path, tmp_path: Path) -> None:
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine

    base = load("database.base").Base
    load("database.models.maker_db_model")
    load("database.models.gadget_db_model")

    async def scenario() -> None:
        from_models = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'models.db'}")
        from_migrations = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}")
        for engine in (from_models, from_migrations):
            event.listen(engine.sync_engine, "connect", enforce_foreign_keys)
        try:
            async with from_models.begin() as connection:
                await connection.run_sync(base.metadata.create_all)
                expected = await connection.run_sync(describe)
            async with from_migrations.begin() as connection:
                await connection.run_sync(run_migrations, project, "upgrade")
                assert await connection.run_sync(describe) == expected
            await exercise_tables(from_models, foreign_keys=True)
            await exercise_tables(from_migrations, foreign_keys=True)
            async with from_migrations.begin() as connection:
                await connection.run_sync(run_migrations, project, "downgrade")
                assert await connection.run_sync(table_names) == []
        finally:
            await from_models.dispose()
            await from_migrations.dispose()

    asyncio.run(scenario())


def test_postgres_tables_from_models_and_from_migrations(project: Path) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    base = load("database.base").Base
    load("database.models.maker_db_model")
    load("database.models.gadget_db_model")
    suffix = uuid.uuid4().hex[:8]
    schemas = {"models": f"fields_models_{suffix}", "migrations": f"fields_migrations_{suffix}"}

    async def scenario() -> None:
        admin = create_async_engine(POSTGRES_URL)
        try:
            async with admin.begin() as connection:
                for schema in schemas.values():
                    await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        except (OSError, DBAPIError) as error:
            await admin.dispose()
            pytest.skip(f"PostgreSQL not reachable: {error}")
        engines = {
            key: create_async_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
            for key, schema in schemas.items()
        }
        try:
            async with engines["models"].begin() as connection:
                await connection.run_sync(base.metadata.create_all)
                expected = await connection.run_sync(describe)
            async with engines["migrations"].begin() as connection:
                await connection.run_sync(run_migrations, project, "upgrade")
                assert await connection.run_sync(describe) == expected
            types = {name: kind for name, kind, _ in expected["gadgets"]["columns"]}
            assert types["price"] == "NUMERIC(12, 2)"
            assert types["status"] == "VARCHAR(11)"
            assert types["checked_at"] == "TIMESTAMP WITH TIME ZONE"
            assert types["ext"] == "UUID"
            for engine in engines.values():
                await exercise_tables(engine, foreign_keys=True)
            async with engines["migrations"].begin() as connection:
                await connection.run_sync(run_migrations, project, "downgrade")
                left = await connection.execute(
                    text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                    {"s": schemas["migrations"]},
                )
                assert left.scalar_one() == 0
        finally:
            for engine in engines.values():
                await engine.dispose()
            async with admin.begin() as connection:
                for schema in schemas.values():
                    await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await admin.dispose()

    asyncio.run(scenario())


def test_templates_get_their_views_from_the_renderer(tmp_path: Path) -> None:
    """``resource_view()`` reads the template's parameters; keyword arguments override them."""
    (tmp_path / "names.j2").write_text(
        "{% set r = resource_view() %}{{ r.a_label }} {{ r.url }} "
        "{{ resource_view(fields=[]).sort_columns | length }}"
        "{% set change = schema_change_view() %} {{ change.summary }}"
    )
    template = render.Renderer([tmp_path]).env.get_template("names.j2")
    text = template.render(
        resource="order_item",
        plural="order_items",
        fields=MAKER_FIELDS,
        old_fields=[],
        new_fields=MAKER_FIELDS,
    )
    assert text == "an order item /api/v1/order-items 3 add name"
