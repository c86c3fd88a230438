"""One field as the resource templates print it, in every layer."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from blueprintgen import naming
from blueprintgen.resource_model import (
    DECIMAL_PLACES,
    LIVE_ROWS,
    MAX_IN_VALUES,
    NO_NUL_PATTERN,
    Field,
    Reference,
    search_index_name,
)
from blueprintgen.views.words import description_code, naming_words

TIMESTAMP_TYPE = "UTCDateTime"
"""The column type of datetime fields: the generated database/base.py defines it, so
that SQLite hands back aware timestamps too."""


SEARCH_KEY_HELPER = '''def search_key(column: str) -> sa.TextClause:
    """lower(column), compared bytewise (as the queries of the prefix search are)."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.text(f'(lower({column}) COLLATE "C")')
    return sa.text(f"lower({column})")'''
"""The function the migrations that create search indexes define: the indexed expression
of a column, as the generated database/search.py compiles it on each database."""


class FieldView:
    """One field as the templates print it; ``cls`` is its resource's class name."""

    def __init__(self, field: Field, cls: str, plural: str, *, soft_deleted: bool = False) -> None:
        self.field = field
        self.live_unique = soft_deleted and field.unique
        """Unique among live rows only (a soft-deleted table): a partial unique index
        ``WHERE deleted_at IS NULL`` instead of a unique constraint or a unique index."""
        self.cls = cls
        self.plural = plural
        self.name = field.name
        self.type = field.type
        self.optional = field.optional
        self.unique = field.unique
        self.index = field.index
        self.choices = field.choices
        self.ref: Reference | None = field.ref
        self.on_delete = field.on_delete
        self.default = field.default
        self.has_default = field.has_default
        self.column = field.column
        self.required = field.required
        self.kind = field.kind
        self.filterable = field.kind.filterable
        self.sortable = field.kind.sortable
        self.ranged = field.kind.ranged
        self.listed = field.kind.listed
        self.searched = field.kind.searched
        self.words = naming_words(field.name)

    # --- names and types ---------------------------------------------------------

    @cached_property
    def enum_class(self) -> str:
        """The Python enum class of an enum field: ``{Resource}{Field}``, e.g. ``UserRole``."""
        return self.cls + naming.pascal(self.name)

    @cached_property
    def input_type(self) -> str:
        """The Python type of the value a client sends."""
        return self.enum_class if self.type == "enum" else self.kind.input_type

    @cached_property
    def read_type(self) -> str:
        """The Python type of the stored value (an e-mail address is a plain str)."""
        return self.enum_class if self.type == "enum" else self.kind.read_type

    @cached_property
    def default_code(self) -> str:
        """Python source of the default value (only for fields with a default)."""
        value = self.default
        if self.type == "enum":
            return f"{self.enum_class}.{naming.snake(value).upper()}"
        if self.type == "decimal":
            return f"Decimal({self._scaled_decimal!r})"
        if self.type == "date":
            return f"date({', '.join(str(int(part)) for part in value.split('-'))})"
        if self.type == "datetime":
            return f"datetime.fromisoformat({value!r})"
        if self.type == "uuid":
            return f"UUID({value!r})"
        return repr(value)

    @cached_property
    def default_json(self) -> str:
        """The JSON form of the default, as a Python literal (timestamps in ``Z`` form)."""
        if self.type == "datetime":
            return repr(self.default.replace("+00:00", "Z"))
        if self.type == "decimal":
            return repr(self._scaled_decimal)
        return repr(self.default)

    @cached_property
    def _scaled_decimal(self) -> str:
        """A decimal default at the column's scale (``0`` → ``0.00``): a new row then answers
        with the value a read of it gives."""
        return format(Decimal(self.default), f".{DECIMAL_PLACES}f")

    # --- pydantic schemas --------------------------------------------------------

    @cached_property
    def constraints(self) -> str:
        """The keyword arguments of ``Field(...)`` on the input schemas: the kind's
        constraints and the bounds of its column."""
        return ", ".join(part for part in (self.kind.constraints, self.kind.bounds) if part)

    @cached_property
    def uses_pydantic_field(self) -> bool:
        """The input schemas declare it with ``Field(...)``."""
        return bool(self.constraints) or (self.type == "json" and self.has_default)

    @cached_property
    def base_line(self) -> str:
        """``name: T = Field(...)`` for the Base/Create schema."""
        annotation = self.input_type + (" | None" if self.optional else "")
        value = self.default_code if self.has_default else ("None" if self.optional else "")
        line = f"{self.column}: {annotation}"
        constraints = self.constraints
        if self.type == "json" and self.has_default:
            return f"{line} = Field(default_factory={f'lambda: {value}' if self.default else 'dict'})"
        if constraints:
            arguments = ", ".join(part for part in [f"default={value}" if value else "", constraints] if part)
            return f"{line} = Field({arguments})"
        return f"{line} = {value}" if value else line

    @cached_property
    def update_line(self) -> str:
        """``name: T | None = ...`` for the Update schema: every field may be omitted. A
        field that cannot be empty refuses null, so its schema leaves null out
        (``SkipJsonSchema``) rather than document what is refused."""
        constraints = self.constraints
        if self.optional:
            value = f"Field(default=None, {constraints})" if constraints else "None"
            return f"{self.column}: {self.input_type} | None = {value}"
        # The constraints go on the type itself: on the union they would be applied
        # to the null that `SkipJsonSchema` lets through, a TypeError.
        annotation = f"Annotated[{self.input_type}, Field({constraints})]" if constraints else self.input_type
        return f"{self.column}: {annotation} | SkipJsonSchema[None] = None"

    @cached_property
    def read_line(self) -> str:
        """``name: T`` for the Read schema (values as stored)."""
        return f"{self.column}: {self.read_type}{' | None' if self.optional else ''}"

    @cached_property
    def filter_line(self) -> str:
        """The list filter as a field of the list-query model, with a description."""
        description = f"Only {naming_words(self.plural)} with this {self.words}."
        bounds = f", {self.kind.bounds}" if self.kind.bounds else ""
        if self.filter_type == "str":
            bounds += f", pattern={NO_NUL_PATTERN}"
        return (
            f"{self.column}: {self.filter_type} | None = "
            f"Field(default=None, description={description!r}{bounds})"
        )

    @cached_property
    def range_type(self) -> str:
        """The type of ``<column>_min`` and ``<column>_max``: what the field's input takes
        (a date or timestamp in ISO 8601 with its offset, a decimal as a string)."""
        return {"date": "IsoDate", "datetime": "IsoDatetime", "decimal": "DecimalText"}.get(
            self.type, self.read_type
        )

    @cached_property
    def range_names(self) -> tuple[str, str]:
        """The list parameters of a range: ``price_min``, ``price_max``."""
        return f"{self.column}_min", f"{self.column}_max"

    @cached_property
    def range_lines(self) -> list[str]:
        """``<column>_min`` and ``<column>_max`` as fields of the list-query model, checked
        as the field is (its bounds, digits, ISO form)."""
        bounds = f", {self.constraints}" if self.constraints else ""
        plural = naming_words(self.plural)
        low, high = self.range_names
        return [
            f"{low}: {self.range_type} | None = Field(default=None, "
            f"description={description_code(f'Only {plural} whose {self.words} is at least this.')}{bounds})",
            f"{high}: {self.range_type} | None = Field(default=None, "
            f"description={description_code(f'Only {plural} whose {self.words} is at most this.')}{bounds})",
        ]

    @cached_property
    def in_name(self) -> str:
        """The list parameter of any of several values: ``status_in``."""
        return f"{self.column}_in"

    @cached_property
    def in_line(self) -> str:
        """``<column>_in`` as a field of the list-query model: up to :data:`MAX_IN_VALUES`
        values, each checked as the field is (a choice, an id in range)."""
        item = f"Annotated[int, Field({self.kind.bounds})]" if self.type == "ref" else self.read_type
        description = (
            f"Only {naming_words(self.plural)} whose {self.words} is one of these "
            f"(repeat the parameter: up to {MAX_IN_VALUES} values)."
        )
        return (
            f"{self.in_name}: list[{item}] | None = Field(default=None, min_length=1, "
            f"max_length={MAX_IN_VALUES}, description={description_code(description)})"
        )

    def search_index_name(self, table: str) -> str:
        """The index of the lower-cased column that serves the prefix search."""
        return search_index_name(table, self.column)

    @cached_property
    def enum_class_code(self) -> str:
        """The StrEnum class of an enum field."""
        members = "\n".join(f"    {naming.snake(choice).upper()} = {choice!r}" for choice in self.choices)
        return (
            f"class {self.enum_class}(StrEnum):\n"
            f'    """Allowed values of the {self.words} field."""\n\n'
            f"{members}"
        )

    @cached_property
    def project_input_types(self) -> list[str]:
        """The input types from the project's ``models/types.py`` this field's input
        schemas use: a date or timestamp must be an ISO 8601 string, not a number; a
        decimal a string of the column's digits; an e-mail address's schema names the
        domains refused."""
        return [self.input_type] if self.type in ("date", "datetime", "decimal", "email") else []

    @cached_property
    def filter_type(self) -> str:
        """The type of the list filter: a query string spells a date in ISO 8601 and a
        boolean as ``true`` or ``false`` (pydantic would also read ``0`` as either)."""
        return {"date": "IsoDate", "bool": "QueryBool"}.get(self.type, self.read_type)

    @cached_property
    def schema_imports(self) -> list[tuple[str, str]]:
        """(module, name) pairs the schema lines of this field need."""
        pairs = [self.kind.stdlib_import] if self.kind.stdlib_import else []
        if self.type == "enum":
            pairs.append(("enum", "StrEnum"))
        if self.type == "bool":
            pairs.append(("pydantic", "StrictBool"))
        if self.uses_pydantic_field:
            pairs.append(("pydantic", "Field"))
        return pairs

    # --- SQLAlchemy table model --------------------------------------------------

    @cached_property
    def column_type(self) -> str:
        """The first argument of ``mapped_column``: the column type or the foreign key."""
        if self.ref is not None:
            return f'ForeignKey("{self.ref.plural}.id", ondelete="{self.on_delete}")'
        if self.type == "enum":
            return (
                f"Enum({self.enum_class}, values_callable=lambda e: [m.value for m in e], native_enum=False)"
            )
        if self.type == "datetime":
            return TIMESTAMP_TYPE
        return self.kind.column_type

    @cached_property
    def db_line(self) -> str:
        """``name: Mapped[T] = mapped_column(...)`` for the table model."""
        arguments = [self.column_type]
        if self.unique and not self.live_unique:
            arguments.append("unique=True")
        if self.index and not self.live_unique:
            arguments.append("index=True")
        if self.has_default and self.type == "json":
            arguments.append(f"default={f'lambda: {self.default_code}' if self.default else 'dict'}")
        elif self.has_default:
            arguments.append(f"default={self.default_code}")
        mapped = self.read_type + (" | None" if self.optional else "")
        return f"{self.column}: Mapped[{mapped}] = mapped_column({', '.join(arguments)})"

    def db_imports(self, models_module: str, base_module: str) -> list[tuple[str, str]]:
        """(module, name) pairs :attr:`db_line` needs."""
        pairs = [self.kind.stdlib_import] if self.kind.stdlib_import else []
        if self.type == "enum":
            pairs += [("sqlalchemy", "Enum"), (models_module, self.enum_class)]
        elif self.type == "datetime":
            pairs.append((base_module, TIMESTAMP_TYPE))
        else:
            pairs.append(("sqlalchemy", self.kind.column_type.split("(")[0]))
        return pairs

    # --- alembic migrations ------------------------------------------------------
    # Names follow the naming convention of the generated database/base.py:
    # ix_%(column_0_label)s, uq_%(table_name)s_%(column_0_name)s,
    # fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s.

    @cached_property
    def migration_type(self) -> str:
        if self.type == "enum":
            return f"sa.Enum({', '.join(map(repr, self.choices))}, native_enum=False)"
        return self.kind.migration_type

    @cached_property
    def migration_column(self) -> str:
        """``sa.Column(...)`` for ``op.create_table`` and ``batch.add_column``."""
        return f"sa.Column({self.column!r}, {self.migration_type}, nullable={self.optional})"

    def index_name(self, table: str) -> str:
        return f"ix_{table}_{self.column}"

    def unique_name(self, table: str) -> str:
        return f"uq_{table}_{self.column}"

    def live_unique_name(self, table: str) -> str:
        """The partial unique index of a soft-deleted table's unique field: named as the
        index or the unique constraint it stands for."""
        return self.index_name(table) if self.index else self.unique_name(table)

    def live_unique_index(self, table: str) -> str:
        """The ``Index(...)`` entry of the table model's ``__table_args__`` (with its comma)."""
        where = f"text({LIVE_ROWS!r})"
        return (
            f"Index({self.live_unique_name(table)!r}, {self.column!r}, unique=True, "
            f"sqlite_where={where}, postgresql_where={where}),"
        ).replace("'", '"')

    def create_live_unique(self, table: str, *, batch: bool = False) -> str:
        """``op.create_index(...)`` (``batch.create_index`` with ``batch``) of the partial unique index."""
        where = f"sa.text({LIVE_ROWS!r})"
        name = f"op.f({self.live_unique_name(table)!r})"
        target = f"batch.create_index({name}, " if batch else f"op.create_index({name}, {table!r}, "
        return (
            f"{target}[{self.column!r}], unique=True, sqlite_where={where}, postgresql_where={where})"
        ).replace("'", '"')

    def drop_live_unique(self, table: str, *, batch: bool = False) -> str:
        name = f"op.f({self.live_unique_name(table)!r})"
        return f"batch.drop_index({name})" if batch else f"op.drop_index({name}, table_name={table!r})"

    def foreign_key_name(self, table: str) -> str:
        assert self.ref is not None
        return f"fk_{table}_{self.column}_{self.ref.plural}"

    # --- test values -------------------------------------------------------------

    def sample(self, n: int = 1, ref_value: str = "1") -> str:
        """A valid value as a Python literal that is also JSON-ready (dates as strings).

        ``n`` varies it (1, 2, ...) for unique fields; ``ref_value`` is the referenced
        row's id.
        """
        if self.type == "enum":
            return repr(self.choices[(n - 1) % len(self.choices)])
        if self.kind.sample is None:
            return ref_value
        return self.kind.sample(self.name, n)

    @cached_property
    def invalid(self) -> str:
        """A value the Create and Update schemas reject, as a Python literal."""
        if self.type == "enum":
            taken = "not-a-choice" in self.choices
            return repr(f"not-a-choice-{len(self.choices)}" if taken else "not-a-choice")
        return self.kind.invalid

    @cached_property
    def invalid_values(self) -> list[str]:
        """Every value the input schemas reject, as Python literals: one of the wrong
        type or form, then those beyond what the column holds."""
        return [self.invalid, *self.kind.out_of_bounds]

    @cached_property
    def varying(self) -> str:
        """An expression of a valid, JSON-ready value that varies with the local ``number``
        (text and numbers always, other types when the field is unique, so that the
        rows a factory stores never collide)."""
        if self.type == "enum" and self.unique:
            return f"{list(self.choices)!r}[number % {len(self.choices)}]"
        if self.kind.varying is not None and (self.unique or not self.kind.varies_only_when_unique):
            return self.kind.varying(self.name)
        return self.sample()

    @cached_property
    def target_label(self) -> str:
        """The referenced resource in words, capitalised (a ref field's not-found message)."""
        assert self.ref is not None
        return naming_words(self.ref.resource).capitalize()
