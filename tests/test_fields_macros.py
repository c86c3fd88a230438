"""The macros of templates/resource/_fields.j2 render code that works.

A field list covering every type and modifier is rendered into a small package
(pydantic schemas, SQLAlchemy table models, alembic migrations, a FastAPI router
with the list filters, test data), formatted the way the engine formats output,
then checked: ruff and mypy are clean, the schemas accept the sample values and
reject the invalid ones, and the tables work on SQLite and PostgreSQL, whether
created from the models or by the migrations (the two give the same schema).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import importlib.util
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from blueprintgen import naming
from blueprintgen.fieldspec import FIELD_TYPES, column_name, parse_fields
from blueprintgen.render import FILTERS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
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

# Scaffolds standing in for the real resource templates: just enough around the macros.
MODELS = '''\
{% import "resource/_fields.j2" as fld %}
"""Schemas of {{ plural }}."""

{{ fld.model_imports(fields) }}
from datetime import datetime
from pydantic import BaseModel, ConfigDict, Field
{% if fld.enum_classes(fields, cls) %}


{{ fld.enum_classes(fields, cls) }}
{% endif %}


class {{ cls }}Base(BaseModel):
    """Fields shared by the {{ resource }} schemas."""

{% for f in fields %}
    {{ fld.base_field(f, cls) }}
{% endfor %}


class {{ cls }}Create({{ cls }}Base):
    """Payload to create a {{ resource }}."""


class {{ cls }}Update(BaseModel):
    """Payload to change a {{ resource }}: every field is optional."""

{% for f in fields %}
    {{ fld.update_field(f, cls) }}
{% endfor %}


class {{ cls }}Read(BaseModel):
    """A stored {{ resource }}."""

    model_config = ConfigDict(from_attributes=True)

    id: int
{% for f in fields %}
    {{ fld.read_field(f, cls) }}
{% endfor %}
    created_at: datetime


class {{ cls }}Query(BaseModel):
    """Pagination and filters for listing {{ plural }}."""

    model_config = ConfigDict(extra="forbid")

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=100)
{% for f in fields if fld.is_filterable(f) %}
    {{ fld.filter_field(f, cls, plural) }}
{% endfor %}
'''

DB_MODEL = '''\
{% import "resource/_fields.j2" as fld %}
"""Table of {{ plural }}."""

{{ fld.db_model_imports(fields, cls, package ~ ".models." ~ resource ~ "_model", tz_type=tz_type, tz_module=package ~ ".database.base") }}
from datetime import datetime
from sqlalchemy import DateTime, func
from sqlalchemy.orm import Mapped, mapped_column

from {{ package }}.database.base import Base


class {{ cls }}DBModel(Base):
    """A row of {{ plural }}."""

    __tablename__ = "{{ plural }}"

    id: Mapped[int] = mapped_column(primary_key=True)
{% for f in fields %}
    {{ fld.db_column(f, cls, tz_type=tz_type) }}
{% endfor %}
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
'''

MIGRATION = '''\
{% import "resource/_fields.j2" as fld %}
"""Create {{ plural }}."""

import sqlalchemy as sa
from alembic import op

revision = "{{ revision }}"
down_revision = {{ down_revision | pyrepr }}


def upgrade() -> None:
    """Create the {{ plural }} table."""
    op.create_table(
        "{{ plural }}",
        sa.Column("id", sa.Integer(), nullable=False),
{% for f in fields %}
        {{ fld.migration_column(f) }},
{% endfor %}
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_{{ plural }}")),
        {{ fld.migration_constraints(fields, plural) | indent(8) }}
    )
{{ fld.migration_indexes(fields, plural) }}


def downgrade() -> None:
    """Drop the {{ plural }} table."""
{{ fld.migration_drop_indexes(fields, plural) }}
    op.drop_table("{{ plural }}")
'''

ROUTES = '''\
{% import "resource/_fields.j2" as fld %}
"""List filters of {{ plural }}."""

{{ fld.filter_imports(fields, cls, package ~ ".models." ~ resource ~ "_model") }}
from typing import Any

from fastapi import APIRouter

router = APIRouter(prefix="/{{ plural }}")


@router.get("/")
async def list_{{ plural }}(
{% for f in fields if fld.is_filterable(f) %}
    {{ fld.filter_param(f, cls) }},
{% endfor %}
) -> dict[str, Any]:
    """Echo the filters."""
    return {
{% for f in fields if fld.is_filterable(f) %}
        "{{ fld.column_name(f) }}": {{ fld.column_name(f) }},
{% endfor %}
    }
'''

SAMPLES = '''\
{% import "resource/_fields.j2" as fld %}
"""Sample {{ resource }} payloads."""

from typing import Any

VALID: list[dict[str, Any]] = [
{% for n in [1, 2] %}
    {
{% for f in fields %}
        "{{ fld.column_name(f) }}": {{ fld.sample_value(f, n) }},
{% endfor %}
    },
{% endfor %}
]

INVALID: dict[str, Any] = {
{% for f in fields %}
    "{{ fld.column_name(f) }}": {{ fld.invalid_value(f) }},
{% endfor %}
}

FILTERABLE = [
{% for f in fields if fld.is_filterable(f) %}
    "{{ fld.column_name(f) }}",
{% endfor %}
]
'''

BASE = '''\
"""Declarative base with the generated project's naming convention."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware timestamps on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        """Tag naive values from SQLite as UTC."""
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Base class of every table model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
'''

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


def environment() -> SandboxedEnvironment:
    """The engine's Jinja settings, with filters equivalent to its own."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render(source: str, **values: Any) -> str:
    return environment().from_string(source).render(**values)


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def format_like_the_engine(root: Path) -> None:
    """Sort imports, then format: what the engine does to every generated .py file."""
    for args in (["check", "--select", "I", "--fix", "--quiet", "."], ["format", "--quiet", "."]):
        result = ruff(*args, cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr


def write_resource(
    root: Path,
    resource: str,
    fields: list[dict[str, Any]],
    revision: str,
    down: str | None,
    tz_type: str | None = None,
) -> None:
    values = {
        "package": PACKAGE,
        "resource": resource,
        "plural": RESOURCES[resource],
        "cls": naming.pascal(resource),
        "fields": fields,
        "tz_type": tz_type,
        "revision": revision,
        "down_revision": down,
    }
    pkg = root / PACKAGE
    files = {
        pkg / "models" / f"{resource}_model.py": MODELS,
        pkg / "database" / "models" / f"{resource}_db_model.py": DB_MODEL,
        pkg / "routes" / f"{resource}_routes.py": ROUTES,
        pkg / "samples" / f"{resource}_samples.py": SAMPLES,
        root / "migrations" / f"m{revision}_create_{RESOURCES[resource]}.py": MIGRATION,
    }
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(template, **values), encoding="utf-8")


def write_package(root: Path, gadget_fields: list[dict[str, Any]], tz_type: str | None = None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    pkg = root / PACKAGE
    for folder in ["", "models", "database", "database/models", "routes", "samples"]:
        (pkg / folder).mkdir(parents=True, exist_ok=True)
        (pkg / folder / "__init__.py").write_text(f'"""{PACKAGE} {folder}."""\n', encoding="utf-8")
    (pkg / "database" / "base.py").write_text(BASE, encoding="utf-8")
    write_resource(root, "maker", MAKER_FIELDS, "0001", None)
    write_resource(root, "gadget", gadget_fields, "0002", "0001", tz_type)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The rendered, formatted package on sys.path."""
    root = tmp_path_factory.mktemp("fields")
    write_package(root, GADGET_FIELDS)
    format_like_the_engine(root)
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


# --- code quality ------------------------------------------------------------------


def test_field_list_covers_every_type_and_modifier() -> None:
    assert set(FIELD_TYPES) == EVERY_TYPE
    assert any(f["unique"] and not f["index"] for f in GADGET_FIELDS)
    assert any(f["index"] and not f["unique"] and f["type"] != "ref" for f in GADGET_FIELDS)
    assert any(f["unique"] and f["index"] and f["type"] != "ref" for f in GADGET_FIELDS)
    assert {f["on_delete"] for f in GADGET_FIELDS if f["type"] == "ref"} == {"CASCADE", "SET NULL"}
    assert {f["type"] for f in GADGET_FIELDS if "default" in f} == EVERY_TYPE - {"ref"}
    assert {f["type"] for f in GADGET_FIELDS if f["optional"]} == EVERY_TYPE


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
    for index, field in enumerate(GADGET_FIELDS):
        root = tmp_path / f"v{index:02d}_{field['name']}"
        write_package(root, [field], tz_type="UTCDateTime" if field["type"] == "datetime" else None)
    format_like_the_engine(tmp_path)
    result = ruff("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


# --- schemas -----------------------------------------------------------------------


def test_schemas_accept_samples_and_reject_invalid_values(project: Path) -> None:
    from pydantic import ValidationError

    models = load("models.gadget_model")
    samples = load("samples.gadget_samples")
    assert set(samples.INVALID) == {column_name(f) for f in GADGET_FIELDS}
    for valid in samples.VALID:
        created = models.GadgetCreate.model_validate(valid)
        assert created.status in set(models.GadgetStatus)
    assert models.GadgetUpdate.model_validate({}).model_dump(exclude_unset=True) == {}
    for column, invalid in samples.INVALID.items():
        for schema, base in [(models.GadgetCreate, samples.VALID[0]), (models.GadgetUpdate, {})]:
            with pytest.raises(ValidationError) as caught:
                schema.model_validate({**base, column: invalid})
            assert {error["loc"][0] for error in caught.value.errors()} == {column}, (schema, column)
        models.GadgetUpdate.model_validate({column: samples.VALID[1][column]})


def test_required_fields_are_exactly_those_without_default_or_question_mark(project: Path) -> None:
    from pydantic import ValidationError

    models = load("models.gadget_model")
    with pytest.raises(ValidationError) as caught:
        models.GadgetCreate.model_validate({})
    missing = {e["loc"][0] for e in caught.value.errors() if e["type"] == "missing"}
    assert missing == {column_name(f) for f in GADGET_FIELDS if not f["optional"] and "default" not in f}


def test_schema_defaults_are_the_field_defaults(project: Path) -> None:
    models = load("models.gadget_model")
    samples = load("samples.gadget_samples")
    required = {column_name(f) for f in GADGET_FIELDS if not f["optional"] and "default" not in f}
    created = models.GadgetCreate.model_validate({k: v for k, v in samples.VALID[0].items() if k in required})
    for field in GADGET_FIELDS:
        value = getattr(created, column_name(field))
        if "default" in field:
            assert normalise(field, value) == normalise(field, field["default"]), field["name"]
        elif field["optional"]:
            assert value is None
    assert created.status is models.GadgetStatus.ACTIVE


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
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    routes = load("routes.gadget_routes")
    samples = load("samples.gadget_samples")
    filterable = {"str", "email", "enum", "bool", "int", "ref", "date", "uuid"}
    expected = [column_name(f) for f in GADGET_FIELDS if f["type"] in filterable]
    assert expected == samples.FILTERABLE
    app = FastAPI()
    app.include_router(routes.router)
    client = TestClient(app)
    assert set(client.get("/gadgets/").json().values()) == {None}
    query = {
        "status": "in-progress",
        "maker_id": "3",
        "launch_on": "2024-01-31",
        "ext": "00000000-0000-4000-8000-000000000001",
        "active": "false",
        "contact_email": "a@example.com",
    }
    echoed = client.get("/gadgets/", params=query).json()
    assert {key: echoed[key] for key in query} == {**query, "maker_id": 3, "active": False}
    assert client.get("/gadgets/", params={"status": "bogus"}).status_code == 422
    assert client.get("/gadgets/", params={"launch_on": "soon"}).status_code == 422


def test_list_query_model_holds_the_filters(project: Path) -> None:
    from pydantic import ValidationError

    models = load("models.gadget_model")
    query = models.GadgetQuery.model_validate(
        {"status": "inactive", "maker_id": "3", "ext": str(uuid.UUID(int=1))}
    )
    assert query.model_dump(exclude_none=True, exclude={"offset", "limit"}) == {
        "status": models.GadgetStatus.INACTIVE,
        "maker_id": 3,
        "ext": uuid.UUID(int=1),
    }
    properties = models.GadgetQuery.model_json_schema()["properties"]
    assert properties["maker_id"]["description"] == "Only gadgets with this maker."
    assert properties["contact_email"]["description"] == "Only gadgets with this contact email."
    assert "price" not in properties
    with pytest.raises(ValidationError):
        models.GadgetQuery.model_validate({"status": "bogus"})


# --- databases ---------------------------------------------------------------------


def rows_to_insert(samples: ModuleType, models: ModuleType) -> list[dict[str, Any]]:
    """Create payloads dumped as the service would hand them to the table model."""
    return [models.GadgetCreate.model_validate(valid).model_dump() for valid in samples.VALID]


async def exercise_tables(engine: Any, *, foreign_keys: bool) -> None:
    """Insert makers and gadgets, read them back, check defaults, unique and FK actions."""
    from sqlalchemy import delete, select
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.ext.asyncio import async_sessionmaker

    models = load("models.gadget_model")
    samples = load("samples.gadget_samples")
    maker_table = load("database.models.maker_db_model").MakerDBModel
    gadget_table = load("database.models.gadget_db_model").GadgetDBModel
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async with sessions() as session:
        makers = [maker_table(name="Acme"), maker_table(name="Globex")]
        session.add_all(makers)
        await session.flush()
        first, second = rows_to_insert(samples, models)
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
        required = {column_name(f) for f in GADGET_FIELDS if not f["optional"] and "default" not in f}
        values = {k: v for k, v in samples.VALID[0].items() if k in required}
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
                assert normalise(field, getattr(read, column)) == normalise(
                    field, samples.VALID[0][column]
                ), column
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
                **rows_to_insert(samples, models)[0],
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
    revisions = ["0001", "0002"] if action == "upgrade" else ["0002", "0001"]
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
