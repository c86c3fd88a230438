"""The resource model: what a field kind means in every layer, and frozen field/resource values.

One table, :data:`KINDS`, says for each field type what the generated code uses: the
pydantic input and read types and constraints, the SQLAlchemy column type, the alembic
type, the standard-library import the Python type needs, whether the list endpoint
filters and sorts by it, and the values the generated tests send (valid, invalid, varying per
row). The limits the parser checks defaults against (255, 12/2, ...) are the ones the
generated columns and schemas declare, and every integer a client sends (a field, an
id, a filter, an offset) is bounded to the int32 ``Integer`` column that holds it, so a
value the database cannot store is a 422, never a 500.

Blueprint parameters keep holding fields as dicts (they are validated by JSON Schema
and recorded in the manifest); :meth:`Field.from_param` and :meth:`Field.to_param`
convert between that form and these values. Templates never see this module directly:
:mod:`blueprintgen.views` builds what they print from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from blueprintgen import naming

STR_MAX_LENGTH: Final = 255
EMAIL_MAX_LENGTH: Final = 320
URL_MAX_LENGTH: Final = 2048
DECIMAL_DIGITS: Final = 12
DECIMAL_PLACES: Final = 2
TEXT_MAX_LENGTH: Final = 65_535
"""The size limit of a text field, in characters (the column itself is unbounded)."""
INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
ID_BOUNDS: Final = f"ge=1, le={INT32_MAX}"
"""pydantic bounds of a row id (an ``Integer`` primary key) in paths, arguments, references."""
MAX_OFFSET: Final = 10_000
"""The deepest offset a list takes: a database walks past every skipped row, so deeper
pages are reached by cursor."""
OFFSET_BOUNDS: Final = f"ge=0, le={MAX_OFFSET}"
"""pydantic bounds of a list's offset."""

NO_NUL_PATTERN: Final = r'r"^[^\x00]*$"'
"""The pattern of a text (as printed in the generated code): no NUL character, which
PostgreSQL cannot store in a text column or compare in a query (its error would be a 500)."""
SOME_TEXT_PATTERN: Final = r'r"^[^\x00]*[^\s\x00][^\x00]*$"'
"""The pattern of a non-empty string: no NUL, and a character that is not whitespace
(the schemas strip whitespace, so "  " would be empty)."""

METHODS: Final = ("create", "list", "read", "update", "delete")
MCP_STYLES: Final = ("tools", "manager")
ON_DELETE: Final = ("CASCADE", "SET NULL")


def _words(name: str) -> str:
    return name.replace("_", " ")


def _day(n: int) -> str:
    return f"{(n - 1) % 28 + 1:02d}"


@dataclass(frozen=True)
class Kind:
    """What one field type becomes in the generated layers.

    Enum and ref fields take part of their code from the field itself (the enum class,
    the referenced table); their rows leave those entries empty and
    :class:`blueprintgen.views.FieldView` fills them in.
    """

    name: str
    input_type: str
    """The pydantic annotation on the create and update schemas."""
    read_type: str
    """The annotation of the stored value (read schema, table model, list filter)."""
    column_type: str
    """The SQLAlchemy column type of the table model."""
    migration_type: str
    """The alembic column type of the migrations."""
    constraints: str = ""
    """Keyword arguments of pydantic's ``Field(...)`` on the input schemas."""
    bounds: str = ""
    """Keyword arguments of ``Field(...)`` wherever a client sends the value: the input
    schemas and the list filters (the range the column holds)."""
    stdlib_import: tuple[str, str] | None = None
    """(module, name) the Python type comes from."""
    filterable: bool = False
    """The list endpoint filters on it by equality."""
    ranged: bool = False
    """The list endpoint takes ``<column>_min`` and ``<column>_max`` (inclusive) for it,
    served by its (column, id) sort index."""
    listed: bool = False
    """The list endpoint takes ``<column>_in``: any of up to :data:`MAX_IN_VALUES` values
    (a repeated query parameter, an array over MCP), served by its sort index."""
    searched: bool = False
    """The list endpoint's ``q`` matches a prefix of it in any letter case, served by an
    index on its lower-cased value (:func:`search_index_name`)."""
    sortable: bool = True
    """The list endpoint sorts by it, served by a (column, id) index that keyset pagination
    walks. Unbounded or structured values (text, JSON) and URLs (up to 2,048 characters,
    past the key size of some indexes) are neither indexed nor offered for sorting."""
    invalid: str = ""
    """A Python literal the input schemas reject."""
    out_of_bounds: tuple[str, ...] = ()
    """Python literals of the right type that the input schemas reject as beyond
    what the column holds (past int32, a naive timestamp, an oversized text)."""
    sample: Callable[[str, int], str] | None = None
    """(field name, n) → a valid, JSON-ready Python literal; n varies it."""
    varying: Callable[[str], str] | None = None
    """field name → an expression of the local ``number`` giving a valid value."""
    varies_only_when_unique: bool = False
    """Factory rows use ``varying`` only for a unique field (else the first sample)."""


KINDS: Final[Mapping[str, Kind]] = {
    kind.name: kind
    for kind in (
        Kind(
            "str",
            searched=True,
            input_type="str",
            read_type="str",
            column_type=f"String({STR_MAX_LENGTH})",
            migration_type=f"sa.String(length={STR_MAX_LENGTH})",
            constraints=f"min_length=1, max_length={STR_MAX_LENGTH}, pattern={SOME_TEXT_PATTERN}",
            filterable=True,
            invalid='""',
            sample=lambda name, n: repr(f"{_words(name).capitalize()} {n}"),
            varying=lambda name: f'f"{_words(name).capitalize()} {{number}}"',
        ),
        Kind(
            "text",
            sortable=False,
            input_type="str",
            read_type="str",
            column_type="Text",
            migration_type="sa.Text()",
            constraints=f"max_length={TEXT_MAX_LENGTH}, pattern={NO_NUL_PATTERN}",
            invalid="12345",
            out_of_bounds=(f'"x" * {TEXT_MAX_LENGTH + 1}',),
            sample=lambda name, n: repr(f"Some {_words(name)} {n}"),
            varying=lambda name: f'f"Some {_words(name)} {{number}}"',
        ),
        Kind(
            "int",
            ranged=True,
            input_type="int",
            read_type="int",
            column_type="Integer",
            migration_type="sa.Integer()",
            bounds=f"ge={INT32_MIN}, le={INT32_MAX}",
            filterable=True,
            invalid='"not-a-number"',
            out_of_bounds=(str(INT32_MAX + 1), str(INT32_MIN - 1)),
            sample=lambda name, n: str(n),
            varying=lambda name: "number",
        ),
        Kind(
            "float",
            ranged=True,
            input_type="float",
            read_type="float",
            column_type="Float",
            migration_type="sa.Float()",
            bounds="allow_inf_nan=False",
            invalid='"not-a-number"',
            sample=lambda name, n: f"{n}.5",
            varying=lambda name: "number + 0.5",
        ),
        Kind(
            "decimal",
            ranged=True,
            input_type="DecimalText",
            read_type="Decimal",
            column_type=f"Numeric({DECIMAL_DIGITS}, {DECIMAL_PLACES})",
            migration_type=f"sa.Numeric(precision={DECIMAL_DIGITS}, scale={DECIMAL_PLACES})",
            constraints=f"max_digits={DECIMAL_DIGITS}, decimal_places={DECIMAL_PLACES}",
            stdlib_import=("decimal", "Decimal"),
            invalid='"not-a-number"',
            sample=lambda name, n: f'"{n}.99"',
            varying=lambda name: 'f"{number}.99"',
        ),
        Kind(
            "bool",
            input_type="StrictBool",
            read_type="bool",
            column_type="Boolean",
            migration_type="sa.Boolean()",
            filterable=True,
            invalid='"not-a-bool"',
            sample=lambda name, n: str(n % 2 == 1),
            varying=lambda name: "number % 2 == 1",
            varies_only_when_unique=True,
        ),
        Kind(
            "date",
            ranged=True,
            input_type="IsoDate",
            read_type="date",
            column_type="Date",
            migration_type="sa.Date()",
            stdlib_import=("datetime", "date"),
            filterable=True,
            invalid='"not-a-date"',
            sample=lambda name, n: f'"2024-01-{_day(n)}"',
            varying=lambda name: "(date(2024, 1, 1) + timedelta(days=number)).isoformat()",
            varies_only_when_unique=True,
        ),
        Kind(
            "datetime",
            ranged=True,
            input_type="IsoDatetime",
            read_type="datetime",
            column_type="DateTime(timezone=True)",
            migration_type="sa.DateTime(timezone=True)",
            stdlib_import=("datetime", "datetime"),
            invalid='"not-a-datetime"',
            out_of_bounds=('"2024-01-01T12:00:00"',),
            sample=lambda name, n: f'"2024-01-{_day(n)}T12:00:00Z"',
            varying=lambda name: (
                "(datetime(2024, 1, 1, 12, tzinfo=UTC) + timedelta(days=number)).isoformat()"
            ),
            varies_only_when_unique=True,
        ),
        Kind(
            "uuid",
            input_type="UUID",
            read_type="UUID",
            column_type="Uuid",
            migration_type="sa.Uuid()",
            stdlib_import=("uuid", "UUID"),
            filterable=True,
            invalid='"not-a-uuid"',
            sample=lambda name, n: f'"00000000-0000-4000-8000-{n:012d}"',
            varying=lambda name: 'f"00000000-0000-4000-8000-{number:012d}"',
        ),
        Kind(
            "email",
            input_type="Email",
            read_type="str",
            column_type=f"String({EMAIL_MAX_LENGTH})",
            migration_type=f"sa.String(length={EMAIL_MAX_LENGTH})",
            filterable=True,
            invalid='"not-an-email"',
            sample=lambda name, n: repr(f"{naming.kebab(name)}{n}@example.com"),
            varying=lambda name: f'f"{naming.kebab(name)}{{number}}@example.com"',
        ),
        Kind(
            "url",
            sortable=False,
            input_type="str",
            read_type="str",
            column_type=f"String({URL_MAX_LENGTH})",
            migration_type=f"sa.String(length={URL_MAX_LENGTH})",
            constraints=f'max_length={URL_MAX_LENGTH}, pattern=r"^https?://[^\\s\\x00]+$"',
            invalid='"not-a-url"',
            sample=lambda name, n: repr(f"https://example.com/{naming.kebab(name)}/{n}"),
            varying=lambda name: f'f"https://example.com/{naming.kebab(name)}/{{number}}"',
        ),
        Kind(
            "json",
            sortable=False,
            input_type="dict[str, Any]",
            read_type="dict[str, Any]",
            column_type="JSON",
            migration_type="sa.JSON()",
            stdlib_import=("typing", "Any"),
            invalid='"not-an-object"',
            sample=lambda name, n: f'{{"key": {f"value {n}"!r}}}',
            varying=lambda name: '{"key": f"value {number}"}',
        ),
        Kind(
            "enum",
            listed=True,
            input_type="",
            read_type="",
            column_type="Enum",
            migration_type="",
            filterable=True,
            varies_only_when_unique=True,
        ),
        Kind(
            "ref",
            listed=True,
            input_type="int",
            read_type="int",
            column_type="ForeignKey",
            migration_type="sa.Integer()",
            bounds=ID_BOUNDS,
            filterable=True,
            invalid='"not-an-id"',
            out_of_bounds=("0", str(INT32_MAX + 1)),
        ),
    )
}
"""Every field type, in the order the grammar lists them."""

FIELD_TYPES: Final = tuple(KINDS)


class _NoDefault:
    """The default of a field that has none (None is a default an optional field may have)."""

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Final = _NoDefault()


TIMESTAMP_COLUMNS: Final = ("created_at", "updated_at")
"""The columns every table gets; lists sort by them (newest first by default) and take
ranges of them (``created_at_min``, ...)."""
OWNER_COLUMN: Final = "owner_id"
"""The column of an owned resource naming the account each row belongs to."""
OWNER_TABLE: Final = "users"
"""The accounts table (the project's) that an owned resource's rows refer to."""
DELETED_AT: Final = "deleted_at"
"""The column of a soft-deleted resource that holds when a row was deleted (null: live)."""
LIVE_ROWS: Final = f"{DELETED_AT} IS NULL"
"""The condition of a live row: the WHERE of a soft-deleted table's partial unique indexes."""


MAX_IN_VALUES: Final = 50
"""The most values an ``<column>_in`` filter takes."""
MAX_SORT_KEYS: Final = 3
"""The most fields a list sorts by at once (``sort=-price,name``; id breaks the ties)."""
SEARCH_PARAMETER: Final = "q"
"""The list parameter of the case-insensitive prefix search over the string fields."""


def search_index_name(table: str, column: str) -> str:
    """The index of ``lower(column)`` that serves the prefix search ``q``."""
    return f"ix_{table}_{column}_search"


def sort_index_name(table: str, column: str) -> str:
    """The (column, id) index that serves sorting by ``column`` and a keyset page after a row."""
    return f"ix_{table}_{column}_keyset"


def column_of(name: str, kind: str) -> str:
    """The table column of a field: a ref ``author`` is stored as ``author_id``."""
    return f"{name}_id" if kind == "ref" else name


@dataclass(frozen=True)
class Reference:
    """The resource a ``ref`` field points to, and its table."""

    resource: str
    plural: str


@dataclass(frozen=True)
class Field:
    """One field of a resource, as the field-spec parser checked it."""

    name: str
    type: str
    optional: bool = False
    unique: bool = False
    index: bool = False
    choices: tuple[str, ...] = ()
    ref: Reference | None = None
    on_delete: str | None = None
    default: Any = NO_DEFAULT

    @property
    def kind(self) -> Kind:
        return KINDS[self.type]

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT

    @property
    def column(self) -> str:
        """The table column (and schema attribute): a ref ``author`` is stored as ``author_id``."""
        return column_of(self.name, self.type)

    @property
    def required(self) -> bool:
        """A create payload must hold it: not optional and without a default."""
        return not self.optional and not self.has_default

    @classmethod
    def from_param(cls, param: Mapping[str, Any]) -> Field:
        """The field of a blueprint parameter's field dict."""
        ref = param.get("ref")
        return cls(
            name=param["name"],
            type=param["type"],
            optional=bool(param.get("optional", False)),
            unique=bool(param.get("unique", False)),
            index=bool(param.get("index", False)),
            choices=tuple(param.get("choices") or ()),
            ref=Reference(ref["resource"], ref["plural"]) if ref else None,
            on_delete=param.get("on_delete"),
            default=param.get("default", NO_DEFAULT),
        )

    def to_param(self) -> dict[str, Any]:
        """The field dict blueprint parameters and the manifest hold (keys in this order)."""
        param: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "optional": self.optional,
            "unique": self.unique,
            "index": self.index,
        }
        if self.type == "enum":
            param["choices"] = list(self.choices)
        if self.ref is not None:
            param["ref"] = {"resource": self.ref.resource, "plural": self.ref.plural}
            param["on_delete"] = self.on_delete
        if self.has_default:
            param["default"] = self.default
        return param


@dataclass(frozen=True)
class Resource:
    """A resource: its names, fields and which endpoints and tools it has."""

    name: str
    plural: str
    fields: tuple[Field, ...] = ()
    methods: tuple[str, ...] = METHODS
    auth_required: bool = True
    mcp_style: str = "tools"
    mcp_methods: tuple[str, ...] | None = None
    """The methods also served as MCP tools (a subset of ``methods``); None: all of them."""
    owned: bool = False
    """Each row belongs to the user who created it (an ``owner_id`` column referencing the
    accounts): other users can neither read, list, change nor delete it, administrators can."""
    owned_targets: tuple[str, ...] = ()
    """The owned resources its references point to: a write may only point to a row the
    caller may see."""
    soft_delete: bool = False
    """A delete sets ``deleted_at`` instead of removing the row: reads skip it, a restore
    brings it back, administrators list deleted rows, unique values hold among live rows."""
    soft_deleted_targets: tuple[str, ...] = ()
    """The referenced resources that are soft-deleted (a reference to a deleted row is refused)."""

    @property
    def exposed_on_mcp(self) -> tuple[str, ...]:
        """The methods served as MCP tools, in the order of ``METHODS``."""
        if self.mcp_methods is None:
            return self.methods
        return tuple(m for m in self.methods if m in self.mcp_methods)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Resource:
        """The resource a resource blueprint's parameters describe (absent ones take defaults)."""
        methods = params.get("methods")
        mcp = params.get("mcp_methods")
        return cls(
            name=params["resource"],
            plural=params.get("plural") or naming.plural(params["resource"]),
            fields=fields_of(params.get("fields") or ()),
            methods=METHODS if methods is None else tuple(m for m in METHODS if m in methods),
            auth_required=bool(params.get("auth_required", True)),
            mcp_style=params.get("mcp_style") or "tools",
            mcp_methods=None if mcp is None else tuple(m for m in METHODS if m in mcp),
            owned=bool(params.get("owned", False)),
            owned_targets=tuple(params.get("owned_targets") or ()),
            soft_delete=bool(params.get("soft_delete", False)),
            soft_deleted_targets=tuple(params.get("soft_deleted_targets") or ()),
        )

    def to_params(self) -> dict[str, Any]:
        return {
            "resource": self.name,
            "plural": self.plural,
            "fields": [field.to_param() for field in self.fields],
            "methods": list(self.methods),
            "auth_required": self.auth_required,
            "mcp_style": self.mcp_style,
            **({} if self.mcp_methods is None else {"mcp_methods": list(self.exposed_on_mcp)}),
            **({"owned": True} if self.owned else {}),
            **({"owned_targets": list(self.owned_targets)} if self.owned_targets else {}),
            **({"soft_delete": True} if self.soft_delete else {}),
            **(
                {"soft_deleted_targets": list(self.soft_deleted_targets)} if self.soft_deleted_targets else {}
            ),
        }


def fields_of(params: Iterable[Mapping[str, Any] | Field]) -> tuple[Field, ...]:
    """Fields from field dicts (fields pass through)."""
    return tuple(item if isinstance(item, Field) else Field.from_param(item) for item in params)
