"""A resource as the resource templates print it: names, method flags, field groups,
imports, and the choices the generated tests make."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from blueprintgen import naming
from blueprintgen.resource_model import (
    DELETED_AT,
    ID_BOUNDS,
    INT32_MAX,
    LIVE_ROWS,
    MAX_IN_VALUES,
    MAX_OFFSET,
    MAX_SORT_KEYS,
    NO_NUL_PATTERN,
    OFFSET_BOUNDS,
    OWNER_COLUMN,
    OWNER_TABLE,
    SEARCH_PARAMETER,
    STR_MAX_LENGTH,
    TIMESTAMP_COLUMNS,
    Reference,
    Resource,
    search_index_name,
    sort_index_name,
)
from blueprintgen.views.field import SEARCH_KEY_HELPER, FieldView
from blueprintgen.views.words import (
    article,
    deduplicated,
    description_code,
    either,
    import_lines,
    naming_words,
    response_budget_seconds,
    series,
    text_literal,
)

OPERATION_SCOPES = {
    "list": "read",
    "read": "read",
    "create": "write",
    "update": "write",
    "delete": "write",
    "restore": "write",
}
"""The token scope each method needs, on REST and MCP alike: ``read`` to look, ``write`` to
change (the generated README documents them, and ``admin`` for account administration)."""


class ResourceView:
    """A resource as the templates print it."""

    def __init__(
        self,
        resource: Resource,
        package: str | None = None,
        performance_targets: Mapping[str, Any] | None = None,
    ) -> None:
        self.package = package
        self.performance_targets = dict(performance_targets or {})
        self.model = resource
        self.resource = resource.name
        self.plural = resource.plural
        self.auth_required = resource.auth_required
        self.manager = resource.mcp_style == "manager"
        self.cls = naming.pascal(resource.name)
        self.soft_delete = resource.soft_delete
        """A delete sets ``deleted_at``; reads skip deleted rows; unique values hold among live rows."""
        self.fields = [
            FieldView(field, self.cls, resource.plural, soft_deleted=resource.soft_delete)
            for field in resource.fields
        ]
        self.methods = list(resource.methods)
        self.has_create = "create" in self.methods
        self.has_list = "list" in self.methods
        self.has_read = "read" in self.methods
        self.has_update = "update" in self.methods
        self.has_delete = "delete" in self.methods
        self.by_id = self.has_read or self.has_update or self.has_delete
        """Any endpoint that takes an id (read, update, delete)."""
        self.writes = self.has_create or self.has_update
        self.has_restore = self.soft_delete and self.has_delete
        self.soft_deleted_targets = {*resource.soft_deleted_targets, *([resource.name] * self.soft_delete)}
        """The referenced resources whose deleted rows a reference may not point to."""
        """A deleted row can be restored (REST ``POST .../{id}/restore``, the restore tool)."""
        self.mcp_methods = list(resource.exposed_on_mcp)
        """The methods also served as MCP tools (``mcp`` in the project file)."""
        self.has_mcp = bool(self.mcp_methods)
        self.owned = resource.owned
        """Each row belongs to the user who created it (``owned`` in the project file)."""
        self.owned_targets = list(resource.owned_targets)
        """The owned resources its references point to."""

    @cached_property
    def mcp_view(self) -> ResourceView:
        """The same resource with only its MCP methods: what the tools module and its tests print."""
        from dataclasses import replace

        only = replace(self.model, methods=tuple(self.mcp_methods), mcp_methods=None)
        return ResourceView(only, self.package, self.performance_targets)

    @cached_property
    def exposure(self) -> list[tuple[str, str, str]]:
        """(method, REST operation, MCP tool or "") for each method, as the README lists them."""
        base = self.url
        rest = {
            "create": f"POST {base}",
            "list": f"GET {base}",
            "read": f"GET {base}/{{id}}",
            "update": f"PATCH {base}/{{id}}",
            "delete": f"DELETE {base}/{{id}}",
            "restore": f"POST {base}/{{id}}/restore",
        }
        view = self.mcp_view
        tools = (
            dict.fromkeys(view.manager_actions, f"{self.resource}_manager")
            if self.manager
            else view.tool_names
        )
        return [(m, rest[m], tools.get(m, "")) for m in self.actions]

    @cached_property
    def actions(self) -> list[str]:
        """The methods, and ``restore`` for a soft-deleted resource: every REST operation."""
        return [*self.methods, *(["restore"] if self.has_restore else [])]

    @cached_property
    def manager_actions(self) -> list[str]:
        """The actions of the manager tool: :attr:`actions`."""
        return self.actions

    # --- names -------------------------------------------------------------------

    @cached_property
    def label(self) -> str:
        """``blog post``"""
        return naming_words(self.resource)

    @cached_property
    def labels(self) -> str:
        """``blog posts``"""
        return naming_words(self.plural)

    @cached_property
    def a_label(self) -> str:
        """``a blog post``, ``an item``"""
        return f"{article(self.label)} {self.label}"

    @cached_property
    def A_label(self) -> str:
        """``A blog post``"""
        return self.a_label.capitalize()

    @cached_property
    def Label(self) -> str:
        """``Blog post``"""
        return self.label.capitalize()

    @cached_property
    def Labels(self) -> str:
        """``Blog posts``"""
        return self.labels.capitalize()

    @cached_property
    def id(self) -> str:
        """The path parameter and argument naming one row: ``blog_post_id``."""
        return f"{self.resource}_id"

    @cached_property
    def id_path_type(self) -> str:
        """The annotation of the id in a REST path: bounded to the ``Integer`` primary key."""
        return f"Annotated[int, Path({ID_BOUNDS})]"

    @cached_property
    def id_argument_type(self) -> str:
        """The annotation of the id argument of an MCP tool, bounded as in a path."""
        return f"Annotated[int, Field({ID_BOUNDS})]"

    @cached_property
    def id_bounds(self) -> str:
        """``Field(...)`` keyword arguments bounding an id."""
        return ID_BOUNDS

    @cached_property
    def offset_bounds(self) -> str:
        """``Field(...)`` keyword arguments bounding a list's offset."""
        return OFFSET_BOUNDS

    @cached_property
    def past_max_offset(self) -> str:
        """An offset one past the deepest a list takes, as a literal."""
        return str(MAX_OFFSET + 1)

    @cached_property
    def past_int32(self) -> str:
        """An integer one past what an ``Integer`` column holds, as a literal."""
        return str(INT32_MAX + 1)

    @cached_property
    def sort_const(self) -> str:
        return f"{self.resource.upper()}_SORT_FIELDS"

    @cached_property
    def url(self) -> str:
        """The REST path: ``/api/v1/blog-posts``."""
        return f"/api/v1/{naming.kebab(self.plural)}"

    @cached_property
    def tag(self) -> str:
        return naming.kebab(self.plural)

    @cached_property
    def url_const(self) -> str:
        """The tests' constant holding the REST path: ``BLOG_POSTS``."""
        return self.plural.upper()

    def _module(self, path: str) -> str:
        if not self.package:
            raise ValueError(f"the view of {self.resource!r} has no package: module paths need one")
        return f"{self.package}.{path}"

    @cached_property
    def models_module(self) -> str:
        return self._module(f"models.{self.resource}_model")

    @cached_property
    def db_module(self) -> str:
        return self._module(f"database.models.{self.resource}_db_model")

    @cached_property
    def repository_module(self) -> str:
        return self._module(f"database.repositories.{self.resource}_repository")

    @cached_property
    def service_module(self) -> str:
        return self._module(f"services.{self.resource}_service")

    @cached_property
    def verbs(self) -> str:
        """``create, read and delete``: what the endpoints do."""
        words = (
            (["create"] if self.has_create else [])
            + (["read"] if self.has_list or self.has_read else [])
            + (["update"] if self.has_update else [])
            + (["delete"] if self.has_delete else [])
        )
        return series(words, "and")

    @cached_property
    def Verbs(self) -> str:
        """``Create, read and delete``"""
        return self.verbs.capitalize()

    @cached_property
    def by_id_verbs(self) -> str:
        """``read, update or delete``: what the id of the manager tool is for."""
        return either([verb for verb in ("read", "update", "delete", "restore") if verb in self.actions])

    # --- field groups ------------------------------------------------------------

    @cached_property
    def filterable(self) -> list[FieldView]:
        """The fields the list endpoint filters on by equality."""
        return [field for field in self.fields if field.filterable]

    @cached_property
    def ranged(self) -> list[FieldView]:
        """The fields the list takes ``<column>_min`` and ``<column>_max`` for."""
        return [field for field in self.fields if field.ranged]

    @cached_property
    def listed(self) -> list[FieldView]:
        """The fields the list takes ``<column>_in`` for."""
        return [field for field in self.fields if field.listed]

    @cached_property
    def searched(self) -> list[FieldView]:
        """The fields the list's prefix search ``q`` looks in (empty: no ``q``)."""
        return [field for field in self.fields if field.searched]

    @cached_property
    def search_parameter(self) -> str:
        return SEARCH_PARAMETER

    @cached_property
    def range_pairs(self) -> list[tuple[str, str]]:
        """(``<column>_min``, ``<column>_max``) of every range the list takes, the
        timestamps' too."""
        return [field.range_names for field in self.ranged] + [
            (f"{column}_min", f"{column}_max") for column in TIMESTAMP_COLUMNS
        ]

    @cached_property
    def query_lines(self) -> list[str]:
        """The list-query model's fields beyond the equality filters: ranges, ``_in``
        lists and the prefix search."""
        lines = [line for field in self.ranged for line in field.range_lines]
        for column in TIMESTAMP_COLUMNS:
            moment = column.removesuffix("_at")
            for name, edge in ((f"{column}_min", "at or after"), (f"{column}_max", "at or before")):
                description = f"Only {self.labels} {moment} {edge} this moment (with its offset)."
                lines.append(
                    f"{name}: IsoDatetime | None = Field(default=None, description={description_code(description)})"
                )
        lines += [field.in_line for field in self.listed]
        if self.searched:
            words = series([field.words for field in self.searched], "or")
            description = (
                f"Only {self.labels} whose {words} starts with this text, in any letter case"
                " (a prefix: % and _ are plain characters)."
            )
            lines.append(
                f"{SEARCH_PARAMETER}: str | None = Field(default=None, min_length=1, "
                f"max_length={STR_MAX_LENGTH}, pattern={NO_NUL_PATTERN}, "
                f"description={description_code(description)})"
            )
        return lines

    @cached_property
    def query_doc_lines(self) -> list[str]:
        """The body of the list-query model's docstring (its schema's description, in
        the OpenAPI document and the list tool's input schema): the query convention."""
        parts = ["`<field>` equality"] * bool(self.filterable)
        parts.append("`<field>_min`/`<field>_max` inclusive ranges")
        parts += ["`<field>_in` any of several values"] * bool(self.listed)
        if self.searched:
            words = series([field.column for field in self.searched], "or")
            parts.append(f"`{SEARCH_PARAMETER}` a case-insensitive prefix of {words}")
        text = (
            f"Filters combine with AND: {series(parts, 'and')}. `sort` takes up to "
            f"{MAX_SORT_KEYS} fields (`-created_at,id`)."
        )
        return textwrap.wrap(text, 84)

    @cached_property
    def query_annotated(self) -> bool:
        """The list-query model declares an ``Annotated`` item type (ids of an ``_in``)."""
        return any(field.type == "ref" for field in self.listed)

    @cached_property
    def filter_names(self) -> list[str]:
        """Every filter of the list-query model: what its ``filters()`` returns, what the
        cursor's checksum covers, what the repository turns into WHERE clauses."""
        names = [field.column for field in self.filterable]
        names += [name for pair in self.range_pairs for name in pair]
        names += [field.in_name for field in self.listed]
        return names + [SEARCH_PARAMETER] * bool(self.searched)

    @cached_property
    def filter_conditions(self) -> list[str]:
        """The repository's ``FILTERS`` entries: each filter's name and its WHERE clause."""
        model = f"{self.cls}DBModel"
        lines = [f'"{f.column}": lambda value: {model}.{f.column} == value,' for f in self.filterable]
        columns = [f.column for f in self.ranged] + list(TIMESTAMP_COLUMNS)
        for column in columns:
            lines.append(f'"{column}_min": lambda value: {model}.{column} >= value,')
            lines.append(f'"{column}_max": lambda value: {model}.{column} <= value,')
        lines += [f'"{f.in_name}": lambda value: {model}.{f.column}.in_(value),' for f in self.listed]
        if self.searched:
            searched = ", ".join(f"{model}.{f.column}" for f in self.searched)
            lines.append(f'"{SEARCH_PARAMETER}": lambda value: starts_with(({searched},), value),')
        return lines

    @cached_property
    def max_sort_keys(self) -> int:
        return MAX_SORT_KEYS

    @cached_property
    def max_in_values(self) -> int:
        return MAX_IN_VALUES

    @cached_property
    def sort_pattern_code(self) -> str:
        """The ``pattern=`` of ``sort``: up to :data:`MAX_SORT_KEYS` comma-separated
        columns, each optionally prefixed with ``-``."""
        return f'rf"^{{_SORT_KEY}}(,{{_SORT_KEY}}){{{{0,{MAX_SORT_KEYS - 1}}}}}$"'

    @cached_property
    def table_search_indexes(self) -> list[str]:
        """The ``Index(...)`` statements of the search indexes, after the table model."""
        return [
            f"Index({search_index_name(self.plural, f.column)!r}, search_key({self.cls}DBModel.{f.column}))"
            for f in self.searched
        ]

    @cached_property
    def migration_search_indexes(self) -> list[str]:
        """The ``op.create_index(...)`` statements of the search indexes (``search_key``
        is the migration's dialect-aware ``lower(column)``)."""
        return [
            f"op.create_index(op.f({search_index_name(self.plural, f.column)!r}), {self.plural!r}, "
            f"[search_key({f.column!r})], unique=False)"
            for f in self.searched
        ]

    @property
    def search_key_helper(self) -> str:
        """The ``search_key`` function of the migrations that create search indexes."""
        return SEARCH_KEY_HELPER

    @cached_property
    def migration_drop_search_indexes(self) -> list[str]:
        return [
            f"op.drop_index(op.f({search_index_name(self.plural, f.column)!r}), table_name={self.plural!r})"
            for f in reversed(self.searched)
        ]

    @cached_property
    def sort_columns(self) -> list[str]:
        """The columns a list may be sorted by: the id and every indexed one."""
        return ["id", *self.sort_index_columns]

    @cached_property
    def sort_index_columns(self) -> list[str]:
        """The columns with a (column, id) index: the sortable fields' and the timestamps."""
        return [*(f.column for f in self.fields if f.sortable), *TIMESTAMP_COLUMNS]

    @cached_property
    def targets(self) -> list[Reference]:
        """The referenced resources, each once, in field order."""
        found: dict[str, Reference] = {}
        for field in self.refs:
            assert field.ref is not None
            found.setdefault(field.ref.resource, field.ref)
        return list(found.values())

    @cached_property
    def other_targets(self) -> list[Reference]:
        """:attr:`targets` without the resource itself (the table models to import)."""
        return [target for target in self.targets if target.resource != self.resource]

    @cached_property
    def unique(self) -> list[FieldView]:
        return [field for field in self.fields if field.unique]

    @cached_property
    def refs(self) -> list[FieldView]:
        return [field for field in self.fields if field.type == "ref"]

    @cached_property
    def self_refs(self) -> list[FieldView]:
        """The references to the resource itself (a row may point at itself)."""
        return [field for field in self.refs if field.ref is not None and field.ref.resource == self.resource]

    @cached_property
    def not_null(self) -> list[FieldView]:
        return [field for field in self.fields if not field.optional]

    @cached_property
    def required(self) -> list[FieldView]:
        """The fields a create payload must hold."""
        return [field for field in self.fields if field.required]

    @cached_property
    def defaulted(self) -> list[FieldView]:
        return [field for field in self.fields if field.has_default]

    @cached_property
    def optional_without_default(self) -> list[FieldView]:
        return [field for field in self.fields if field.optional and not field.has_default]

    @cached_property
    def optional(self) -> list[FieldView]:
        return [field for field in self.fields if field.optional]

    @cached_property
    def strings(self) -> list[FieldView]:
        return [field for field in self.fields if field.type == "str"]

    @cached_property
    def enums(self) -> list[FieldView]:
        return [field for field in self.fields if field.type == "enum"]

    @cached_property
    def valued(self) -> list[FieldView]:
        """The fields the accounts' tests give values: all but references (whose rows
        those tests would have to create first)."""
        return [field for field in self.fields if field.ref is None]

    @cached_property
    def required_ref_targets(self) -> list[str]:
        """Resources a valid payload must point to (its required references), each once."""
        return deduplicated(f.ref.resource for f in self.refs if f.ref is not None and not f.optional)

    @cached_property
    def required_refs(self) -> list[FieldView]:
        return [field for field in self.refs if not field.optional]

    def shares_target(self, field: FieldView) -> bool:
        """Another reference points to the same resource (messages then name the column)."""
        return sum(1 for other in self.refs if other.ref == field.ref) > 1

    # --- schemas module ----------------------------------------------------------

    @cached_property
    def enum_classes_code(self) -> str:
        """Every enum class of the resource, two blank lines apart."""
        return "\n\n\n".join(field.enum_class_code for field in self.enums)

    @cached_property
    def model_imports(self) -> str:
        """The import lines the schema lines of the fields need."""
        pairs = [pair for field in self.fields for pair in field.schema_imports]
        return import_lines(pairs + self._project_type_imports)

    @cached_property
    def resource_model_imports(self) -> str:
        """:attr:`model_imports` of the resource's own models module, whose create and
        update models also check that numbers are sent as numbers."""
        pairs = [pair for field in self.fields for pair in field.schema_imports]
        numbers = [(self._module("models.types"), "json_number")] if self.number_columns else []
        # The list query's timestamp ranges, and the ranges of the fields' kinds.
        ranges = [(self._module("models.types"), "IsoDatetime")]
        ranges += [
            (self._module("models.types"), f.range_type) for f in self.ranged if f.range_type != f.read_type
        ]
        return import_lines(pairs + self._project_type_imports + numbers + ranges)

    @cached_property
    def _project_type_imports(self) -> list[tuple[str, str]]:
        return [
            (self._module("models.types"), name)
            for field in self.fields
            for name in field.project_input_types
        ]

    @cached_property
    def filter_imports(self) -> str:
        """The import lines the list filters need beyond :attr:`model_imports`."""
        names = {field.filter_type for field in self.filterable} & {"IsoDate", "QueryBool"}
        return import_lines((self._module("models.types"), name) for name in sorted(names))

    @cached_property
    def input_imports(self) -> str:
        """The import lines of a module of update schemas only (the accounts'): it imports
        the enum classes rather than defining them, and its :attr:`FieldView.update_line`
        declarations hold no default (a timestamp is an ``AwareDatetime``)."""
        unused = {("enum", "StrEnum"), ("datetime", "datetime"), ("datetime", "date"), ("decimal", "Decimal")}
        pairs = [pair for field in self.fields for pair in field.schema_imports]
        return import_lines([pair for pair in pairs if pair not in unused] + self._project_type_imports)

    @cached_property
    def update_annotated(self) -> bool:
        """The Update schema declares a field as ``Annotated[T, Field(...)]``."""
        return any(not field.optional and field.constraints for field in self.fields)

    # --- table model -------------------------------------------------------------

    @cached_property
    def db_model_imports(self) -> str:
        """The import lines the table model's columns need (the accounts' table model)."""
        return import_lines(self._db_model_pairs)

    @cached_property
    def indexed_db_model_imports(self) -> str:
        """The import lines of a resource's table model: its columns' and ``Index`` (and
        what a soft-deleted table's ``deleted_at`` and partial unique indexes need)."""
        pairs = [*self._db_model_pairs, ("sqlalchemy", "Index")]
        if self.soft_delete:
            base_module = self._module("database.base")
            pairs += [("datetime", "datetime"), (base_module, "UTCDateTime")]
            pairs += [("sqlalchemy.orm", "Mapped"), ("sqlalchemy.orm", "mapped_column")]
        if self.live_unique:
            pairs.append(("sqlalchemy", "text"))
        return import_lines(pairs)

    @cached_property
    def deleted_ref(self) -> FieldView | None:
        """The reference the soft-delete tests point at a deleted row (a create must refuse
        it): the first to another soft-deleted resource, if the resource has create."""
        if not self.has_create:
            return None
        return next(
            (
                f
                for f in self.refs
                if f.ref is not None
                and f.ref.resource != self.resource
                and f.ref.resource in self.soft_deleted_targets
            ),
            None,
        )

    @cached_property
    def soft_delete_test_targets(self) -> list[str]:
        """The other resources' factories the soft-delete tests use."""
        if self.deleted_ref is None or self.deleted_ref.ref is None:
            return []
        return deduplicated([*self.required_ref_targets, self.deleted_ref.ref.resource])

    def url_of(self, plural: str) -> str:
        """Another resource's REST path."""
        return f"/api/v1/{naming.kebab(plural)}"

    @cached_property
    def live_unique(self) -> list[FieldView]:
        """The unique fields of a soft-deleted table: unique among its live rows, through a
        partial unique index (a deleted row's value may be taken again)."""
        return [field for field in self.fields if field.live_unique]

    @cached_property
    def deleted_at(self) -> str:
        """The soft-deleted table's column."""
        return DELETED_AT

    @cached_property
    def live_rows(self) -> str:
        """The SQL condition of a live row (the partial indexes' WHERE)."""
        return LIVE_ROWS

    @cached_property
    def _db_model_pairs(self) -> list[tuple[str, str]]:
        base_module = self._module("database.base")
        pairs = [pair for field in self.fields for pair in field.db_imports(self.models_module, base_module)]
        if self.owned:
            pairs.append(("sqlalchemy", "ForeignKey"))
        if self.fields or self.owned:
            pairs += [("sqlalchemy.orm", "Mapped"), ("sqlalchemy.orm", "mapped_column")]
        return pairs

    def db_class(self, resource: str) -> str:
        """The table model class of a resource: ``BlogPostDBModel``."""
        return f"{naming.pascal(resource)}DBModel"

    def sort_index_keys(self, column: str) -> str:
        """The columns of the sort index of ``column``, as arguments: ``'title', "id"``. An
        owned resource's lead with the owner: a user's list page (``WHERE owner_id = ?
        ORDER BY column, id``) is then a range scan of the index, and the owner's foreign key
        (the cascade from the accounts) is served by any of them."""
        owner = f"{OWNER_COLUMN!r}, " if self.owned else ""
        return f'{owner}{column!r}, "id"'

    @cached_property
    def table_indexes(self) -> list[str]:
        """The ``Index(...)`` entries of the table model's ``__table_args__``, each with its comma."""
        return [
            f"Index({sort_index_name(self.plural, column)!r}, {self.sort_index_keys(column)}),"
            for column in self.sort_index_columns
        ] + [field.live_unique_index(self.plural) for field in self.live_unique]

    # --- owned rows --------------------------------------------------------------

    @cached_property
    def owner_column(self) -> str:
        """The column naming the account a row of an owned resource belongs to."""
        return OWNER_COLUMN

    @cached_property
    def owner_db_line(self) -> str:
        """The table model's owner column: the accounts' id, the rows going with the account."""
        return (
            f'{OWNER_COLUMN}: Mapped[int] = mapped_column(ForeignKey("{OWNER_TABLE}.id", ondelete="CASCADE"))'
        )

    @cached_property
    def owner_migration_column(self) -> str:
        """The owner column of ``op.create_table``."""
        return f"sa.Column({OWNER_COLUMN!r}, sa.Integer(), nullable=False)"

    @cached_property
    def owner_foreign_key(self) -> str:
        """The owner's foreign key of ``op.create_table``, with its comma."""
        name = f"fk_{self.plural}_{OWNER_COLUMN}_{OWNER_TABLE}"
        return (
            f"sa.ForeignKeyConstraint([{OWNER_COLUMN!r}], [{OWNER_TABLE + '.id'!r}], "
            f'name=op.f({name!r}), ondelete="CASCADE"),'
        )

    def scoped_ref(self, field: FieldView) -> bool:
        """A reference to an owned resource: its existence check sees only the caller's rows."""
        return field.ref is not None and field.ref.resource in self.owned_targets

    @cached_property
    def scoped_refs(self) -> list[FieldView]:
        """The references to owned resources."""
        return [field for field in self.refs if self.scoped_ref(field)]

    @cached_property
    def tests_ref_scope(self) -> bool:
        """The ownership tests create a row pointing to another user's owned row (and get 404)."""
        return self.has_create and bool(self.scoped_refs)

    @cached_property
    def owned_test_targets(self) -> list[str]:
        """The other resources' factories the ownership tests use."""
        payload = self.required_ref_targets if (self.owned and self.writes) or self.tests_ref_scope else []
        scoped = (
            [f.ref.resource for f in self.scoped_refs[:1] if f.ref is not None]
            if self.tests_ref_scope
            else []
        )
        return [target for target in deduplicated([*payload, *scoped]) if target != self.resource]

    @cached_property
    def owned_test_factory_names(self) -> str:
        """What the ownership tests import from the resource's own factory."""
        points_to_itself = self.tests_ref_scope and any(
            f.ref is not None and f.ref.resource == self.resource for f in self.scoped_refs[:1]
        )
        names = (
            ["default_owner"] * (self.owned and self.has_create)
            + [f"insert_{self.resource}"] * (self.owned or points_to_itself)
            + [f"{self.resource}_values"] * ((self.owned and self.writes) or self.tests_ref_scope)
        )
        return ", ".join(names)

    @cached_property
    def scoped_targets(self) -> list[str]:
        """The owned resources a write's references are checked against, each once."""
        return [target.resource for target in self.targets if target.resource in self.owned_targets]

    @cached_property
    def knows_caller(self) -> bool:
        """The service is built with the calling user: its rows are owned, or it refers to
        owned rows (a write may point only to rows the caller may see). It does not depend
        on the methods, so that the MCP view builds the service as the REST routes do."""
        return self.owned or bool(self.scoped_targets)

    @cached_property
    def scoped_queries(self) -> bool:
        """The repository restricts queries to an owner: its own rows, or references checked."""
        return self.owned or (self.writes and bool(self.scoped_targets))

    # --- create-table migration -------------------------------------------------

    @cached_property
    def migration_sort_indexes(self) -> list[str]:
        """The ``op.create_index(...)`` statements of the (column, id) sort indexes."""
        return [
            f"op.create_index(op.f({sort_index_name(self.plural, column)!r}), {self.plural!r}, "
            f"[{self.sort_index_keys(column)}], unique=False)"
            for column in self.sort_index_columns
        ]

    @cached_property
    def migration_drop_sort_indexes(self) -> list[str]:
        """The ``op.drop_index(...)`` statements of the sort indexes, in reverse order."""
        return [
            f"op.drop_index(op.f({sort_index_name(self.plural, column)!r}), table_name={self.plural!r})"
            for column in reversed(self.sort_index_columns)
        ]

    @cached_property
    def migration_constraints(self) -> list[str]:
        """The foreign keys and unique constraints of ``op.create_table``, each with its comma."""
        lines = [self.owner_foreign_key] if self.owned else []
        for field in self.fields:
            if field.ref is not None:
                lines.append(
                    f"sa.ForeignKeyConstraint([{field.column!r}], [{field.ref.plural + '.id'!r}], "
                    f"name=op.f({field.foreign_key_name(self.plural)!r}), ondelete={field.on_delete!r}),"
                )
            if field.unique and not field.index and not field.live_unique:
                lines.append(
                    f"sa.UniqueConstraint({field.column!r}, name=op.f({field.unique_name(self.plural)!r})),"
                )
        return lines

    @cached_property
    def migration_indexes(self) -> list[str]:
        """The ``op.create_index(...)`` statements after ``op.create_table``."""
        return [
            f.create_live_unique(self.plural)
            if f.live_unique
            else f"op.create_index(op.f({f.index_name(self.plural)!r}), {self.plural!r}, [{f.column!r}], "
            f"unique={f.unique})"
            for f in self.fields
            if f.index or f.live_unique
        ]

    @cached_property
    def migration_drop_indexes(self) -> list[str]:
        """The ``op.drop_index(...)`` statements of ``downgrade()``, in reverse order."""
        return [
            f.drop_live_unique(self.plural)
            if f.live_unique
            else f"op.drop_index(op.f({f.index_name(self.plural)!r}), table_name={self.plural!r})"
            for f in reversed(self.fields)
            if f.index or f.live_unique
        ]

    # --- service -----------------------------------------------------------------

    @cached_property
    def checks_refs(self) -> bool:
        """Writes check that referenced rows exist."""
        return self.writes and bool(self.refs)

    @cached_property
    def integrity(self) -> bool:
        """A write may fail on the database: a unique column, or a referenced row deleted meanwhile."""
        return self.writes and bool(self.unique or self.refs)

    @cached_property
    def conflict_literal(self) -> str:
        """The message of a write the database refused, as string literals."""
        if len(self.unique) > 2:
            message = f"{self.A_label} with the same unique values already exists"
        elif self.unique:
            message = f"{self.A_label} with this {' or '.join(f.words for f in self.unique)} already exists"
        else:
            message = f"The {self.label} refers to a row that no longer exists"
        return text_literal(message)

    def missing_ref_literal(self, field: FieldView, *, value: str, f: bool = False) -> str:
        """The not-found message of a reference to a row that does not exist, as literals."""
        column = f" ({field.column})" if self.shares_target(field) else ""
        return text_literal(f"{field.target_label} {value} not found{column}", f=f)

    def schemas(self, module: str) -> str:
        """The schema classes ``module`` (routes, service or tools) imports, comma-separated."""
        wanted = {
            "create": self.writes if module != "tools" else self.has_create,
            "list": self.has_list,
            "read": self.writes or self.has_read or (self.has_list and module == "service"),
            "update": self.has_update,
        }
        names = (
            [f"{self.cls}Create"] * wanted["create"]
            + [f"{self.cls}Page", f"{self.cls}Query"] * wanted["list"]
            + [f"{self.cls}Read"] * wanted["read"]
            + [f"{self.cls}Update"] * wanted["update"]
        )
        return ", ".join(names)

    def error_statuses(self, method: str) -> str:
        """The error statuses the REST operation of ``method`` can answer, for
        ``error_responses(...)``: 400 for a body that cannot be parsed, 401 behind a token
        and 403 for a token without the operation's scope, 404 for a missing row or referenced
        row, 409 for a write the database refuses (a unique value taken, a referenced row
        deleted meanwhile), 422 for any invalid input, 429 past the rate limit and 503
        without a database."""
        writes = method in ("create", "update")
        statuses = (
            [400] * writes
            + [401, 403] * self.auth_required
            + [404] * (method in ("read", "update", "delete", "restore") or (writes and self.checks_refs))
            + [409] * ((writes and self.integrity) or (method == "restore" and bool(self.unique)))
            + [422, 429, 503]
        )
        return ", ".join(str(status) for status in statuses)

    def account_error_statuses(self, operation: str) -> str:
        """:meth:`error_statuses` of the accounts' routes: ``read``, ``update`` and
        ``delete`` are an administrator's (403 for anyone else), ``profile`` is the
        caller's own. A change may take an e-mail address or a unique account field
        (409), and the last active administrator cannot be demoted or deleted (409)."""
        statuses = (
            [400] * (operation in ("update", "profile"))
            + [401]
            + [403]  # a scope missing, or (but for the caller's own profile) not an administrator
            + [404] * (operation != "profile")
            + [409] * (operation in ("update", "delete") or (operation == "profile" and bool(self.unique)))
            + [422, 429, 503]
        )
        return ", ".join(str(status) for status in statuses)

    @cached_property
    def errors_imported(self) -> str:
        """The error classes the service raises."""
        conflicts = self.integrity or (self.has_restore and bool(self.unique))
        names = ["ConflictError"] * conflicts + ["NotFoundError"] * (self.by_id or self.checks_refs)
        names += ["ServiceError"] * (self.owned and self.has_create)
        return ", ".join(names)

    # --- MCP tools ---------------------------------------------------------------

    @cached_property
    def manager_results(self) -> list[str]:
        """What the manager tool may return, as class-name suffixes (``str`` for a delete)."""
        return (
            ["Read"] * (self.writes or self.has_read or self.has_restore)
            + ["Page"] * self.has_list
            + ["str"] * self.has_delete
        )

    @cached_property
    def manager_result_type(self) -> str:
        return " | ".join(name if name == "str" else self.cls + name for name in self.manager_results)

    @cached_property
    def manager_data_description(self) -> str:
        if self.has_create and self.has_update:
            return "Fields to create with, or to change."
        return "Fields to create with." if self.has_create else "Fields to change."

    @cached_property
    def tool_names(self) -> dict[str, str]:
        """The MCP tool of each method (tools style)."""
        names = {
            "create": f"create_{self.resource}",
            "list": f"list_{self.plural}",
            "read": f"get_{self.resource}",
            "update": f"update_{self.resource}",
            "delete": f"delete_{self.resource}",
            "restore": f"restore_{self.resource}",
        }
        return {method: names[method] for method in self.actions}

    @cached_property
    def number_columns(self) -> str:
        """The columns a client sends as numbers (int, float, reference), as arguments of
        the models' ``field_validator``; empty when there are none."""
        return ", ".join(f'"{field.column}"' for field in self.number_fields)

    @cached_property
    def number_fields(self) -> list[FieldView]:
        """The fields a client sends as JSON numbers (int, float, reference)."""
        return [f for f in self.fields if f.type in ("int", "float", "ref")]

    @cached_property
    def number_validator(self) -> str:
        """The validator method (at class level) that refuses `true` or `"5"` for the
        number columns of an input model; empty when there are none. Every model a client
        sends such a column in has it: the resource's create and update models, the
        accounts' create, update and profile models."""
        if not self.number_columns:
            return ""
        return (
            f'@field_validator({self.number_columns}, mode="before")\n'
            "@classmethod\n"
            "def numbers_only(cls, value: object) -> object:\n"
            '    """Refuse `true` or `"5"` where a number is due."""\n'
            "    return json_number(value)\n"
        )

    @cached_property
    def number_import(self) -> str:
        """The import line of :attr:`number_validator`'s helper; empty when not needed."""
        return import_lines([(self._module("models.types"), "json_number")]) if self.number_columns else ""

    @property
    def str_max_length(self) -> int:
        """The length limit of a string field, as its schema and column declare it."""
        return STR_MAX_LENGTH

    @cached_property
    def stripped_columns(self) -> str:
        """The string and text columns whose surrounding whitespace the models trim, as
        arguments of a ``field_validator``; empty when there are none. They trim *after*
        the length and pattern checks, so the limits the schema documents hold for what
        the client sent (pydantic's ``str_strip_whitespace`` would measure the trimmed text
        and accept a longer body than ``maxLength`` says)."""
        return ", ".join(f'"{f.column}"' for f in self.fields if f.type in ("str", "text"))

    @cached_property
    def uri_scheme(self) -> str:
        """The scheme of its MCP resources: ``blog-post`` (a URI scheme takes no underscore)."""
        return naming.kebab(self.resource)

    @cached_property
    def resource_uri(self) -> str:
        """The MCP resource template of one row: ``blog-post://{blog_post_id}``."""
        return f"{self.uri_scheme}://{{{self.id}}}"

    @cached_property
    def list_resource_uri(self) -> str:
        """The MCP resource of the first page: ``blog-post://list``."""
        return f"{self.uri_scheme}://list"

    @cached_property
    def has_mcp_resources(self) -> bool:
        """Rows readable as MCP resources: one by id (read), the first page (list)."""
        return self.has_read or self.has_list

    def tool_annotations(self, action: str) -> str:
        """The ``ToolAnnotations(...)`` of a tool (``action`` a method, or ``manager``): every
        hint set, as clients show and trust them. Closed world: a tool touches only this
        service's database. An update overwrites values (destructive, in the protocol's
        terms: not only additive); repeating an update, a delete or a read changes nothing more."""
        titles = {
            "create": f"Create {self.label}",
            "list": f"List {self.labels}",
            "read": f"Get {self.label}",
            "update": f"Update {self.label}",
            "delete": f"Delete {self.label}",
            "restore": f"Restore {self.label}",
            "manager": f"Manage {self.labels}",
        }
        if action == "manager":
            read_only = not (self.has_create or self.has_update or self.has_delete)
            destructive = self.has_update or self.has_delete
            idempotent = not self.has_create
        else:
            # A restore brings a row back as it was: nothing is lost, repeating it changes nothing.
            read_only = action in {"list", "read"}
            destructive = action in {"update", "delete"}
            idempotent = action != "create"
        return tool_annotations_code(titles[action], read_only, destructive, idempotent)

    @cached_property
    def possible_tool_names(self) -> set[str]:
        """Every tool name this resource could have, exposed or not (what the tests look for)."""
        return {
            f"create_{self.resource}",
            f"list_{self.plural}",
            f"get_{self.resource}",
            f"update_{self.resource}",
            f"delete_{self.resource}",
            f"restore_{self.resource}",
            f"{self.resource}_manager",
        }

    @cached_property
    def possible_tools_code(self) -> str:
        """:attr:`possible_tool_names` as a Python set literal, sorted."""
        return "{" + ", ".join(f'"{name}"' for name in sorted(self.possible_tool_names)) + "}"

    def tool_call(self, action: str, arguments: str = "") -> str:
        """A tool call in the MCP tests: ``mcp.call_tool("create_item", {"data": payload})``."""
        if self.manager:
            extra = f", {arguments}" if arguments else ""
            return f'mcp.call_tool("{self.resource}_manager", {{"action": "{action}"{extra}}})'
        return f'mcp.call_tool("{self.tool_names[action]}", {{{arguments}}})'

    # --- scopes ------------------------------------------------------------------

    def scope(self, method: str) -> str:
        """The scope a route or tool of ``method`` needs: ``read`` or ``write``."""
        return OPERATION_SCOPES[method]

    def scope_guard(self, method: str) -> str:
        """The REST dependency that checks the scope of ``method``: ``require_write``."""
        return f"require_{self.scope(method)}"

    def route_guard(self, method: str) -> str:
        """What a route decorator of ``method`` adds to check its scope (nothing without auth)."""
        return f", dependencies=[Depends({self.scope_guard(method)})]" if self.auth_required else ""

    @cached_property
    def scope_guards(self) -> list[str]:
        """The REST scope dependencies the resource's routes use, sorted."""
        return sorted({self.scope_guard(method) for method in self.actions})

    @cached_property
    def route_auth_imports(self) -> list[str]:
        """What the routes import from the auth middleware: their scope dependencies, the
        caller (of owned rows), and the administrator check of a list of deleted rows."""
        extra = ["PrincipalDep", "require_admin"] if self.has_restore and self.has_list else []
        extra += ["CurrentUser"] * self.knows_caller
        return sorted([*self.scope_guards, *extra], key=lambda name: (not name[0].isupper(), name))

    @cached_property
    def scope_constants(self) -> list[str]:
        """The scope constants the resource's tools import: ``READ``, ``WRITE``."""
        return sorted({self.scope(method).upper() for method in self.actions})

    @cached_property
    def lists_deleted(self) -> bool:
        """The list (route or tool) takes ``deleted``: administrators list deleted rows."""
        return self.soft_delete and self.has_list and self.auth_required

    @cached_property
    def tool_scope_constants(self) -> list[str]:
        """:attr:`scope_constants` of the tools module (``ADMIN`` too when it lists deleted rows)."""
        return sorted({*self.scope_constants, *(["ADMIN"] * self.lists_deleted)})

    @cached_property
    def manager_scopes(self) -> str:
        """The manager tool's scope per action, as a literal: ``{"list": READ, ...}``."""
        pairs = ", ".join(f'"{method}": {self.scope(method).upper()}' for method in self.manager_actions)
        return "{" + pairs + "}"

    @cached_property
    def write_probe(self) -> str | None:
        """The changing method the scope tests try with a read-only token: the one whose
        arguments need no valid payload first (delete, then update, then create)."""
        if not self.auth_required:
            return None
        return next((method for method in ("delete", "update", "create") if method in self.methods), None)

    @cached_property
    def write_probe_arguments(self) -> str:
        """The tool arguments of :attr:`write_probe` in the MCP scope test."""
        if self.write_probe == "create":
            return '"data": payload'
        data = ', "data": {}' if self.write_probe == "update" else ""
        return f'"{self.id}": 1{data}'

    # --- tests -------------------------------------------------------------------

    @cached_property
    def response_budget_seconds(self) -> float:
        return response_budget_seconds(self.performance_targets)

    @cached_property
    def patched(self) -> FieldView:
        """The field the update tests change: the first that is neither a ref nor a bool."""
        return next((f for f in self.fields if f.type not in {"ref", "bool"}), self.fields[0])

    @cached_property
    def list_filter(self) -> FieldView | None:
        """The list filter the API tests use: a field with two distinct samples, else a ref."""
        for field in self.filterable:
            if field.type != "ref" and field.sample(1) != field.sample(2):
                return field
        return self.filterable[0] if self.filterable else None

    @cached_property
    def range_probe(self) -> FieldView | None:
        """The field the range tests bound: the first with ranges, not unique-bound."""
        return self.ranged[0] if self.ranged else None

    @cached_property
    def in_probe(self) -> FieldView | None:
        """The field the ``_in`` tests use: an enum with three choices or more, else a ref."""
        enums = [f for f in self.listed if f.type == "enum" and len(f.choices) >= 3]
        refs = [f for f in self.listed if f.type == "ref"]
        return (enums + refs)[0] if enums or refs else None

    @cached_property
    def search_probe(self) -> FieldView | None:
        """The string field the search tests fill."""
        return self.searched[0] if self.searched else None

    @cached_property
    def sort_probe(self) -> FieldView | None:
        """The field the multi-field sort tests sort by first: sortable, not a reference,
        with two distinct samples."""
        return next(
            (f for f in self.fields if f.sortable and f.ref is None and f.sample(1) != f.sample(2)),
            None,
        )

    @cached_property
    def duplicate(self) -> FieldView | None:
        """The unique field the 409 tests collide on: a plain one if there is one."""
        plain = [field for field in self.unique if field.type != "ref"]
        return (plain + self.unique)[0] if self.unique else None

    @cached_property
    def api_test_targets(self) -> list[str]:
        """The other resources' factories the API tests use."""
        targets = list(self.required_ref_targets)
        if self.duplicate is not None and self.duplicate.ref is not None and self.writes:
            targets.append(self.duplicate.ref.resource)
        if self.list_filter is not None and self.list_filter.ref is not None and self.has_list:
            targets.append(self.list_filter.ref.resource)
        # Each reference's ON DELETE rule is tested on a stored row.
        targets += [field.ref.resource for field in self.refs if field.ref is not None]
        return targets

    @cached_property
    def api_tests_insert(self) -> bool:
        """The API tests store rows of the resource itself through its factory."""
        inserts = self.has_read or self.has_list or self.has_update or self.has_delete
        return inserts or self.resource in self.api_test_targets

    @cached_property
    def api_test_imports(self) -> list[str]:
        """:attr:`api_test_targets` once each, without the resource itself."""
        return [target for target in deduplicated(self.api_test_targets) if target != self.resource]

    @cached_property
    def factory_imports(self) -> str:
        """The import line the factory's varying values need (dates of unique fields)."""
        moments = deduplicated(f.type for f in self.unique if f.type in {"date", "datetime"})
        if not moments:
            return ""
        names = ["UTC"] * ("datetime" in moments) + moments + ["timedelta"]
        return f"from datetime import {', '.join(names)}"

    @cached_property
    def mcp_wrapped(self) -> bool:
        """The manager tool's structured result is wrapped in ``{"result": ...}`` unless it
        returns one model."""
        return self.manager and (len(self.manager_results) > 1 or self.manager_results == ["str"])

    @cached_property
    def mcp_ref_targets(self) -> list[str]:
        return self.required_ref_targets if self.has_create else []

    @cached_property
    def mcp_factory_names(self) -> str:
        """What the MCP tests import from the resource's factory (empty: nothing)."""
        names = [f"insert_{self.resource}"] * (self.mcp_inserts or self.has_mcp_resources)
        names += [f"{self.resource}_values"] * self.has_create
        return ", ".join(names)

    @cached_property
    def mcp_uses_container(self) -> bool:
        """The MCP tests store rows through the factory, so they take the container."""
        return self.mcp_inserts or self.has_mcp_resources or bool(self.mcp_ref_targets)

    @cached_property
    def mcp_inserts(self) -> bool:
        """The MCP tests store a row through the factory (no create tool to make one)."""
        return not self.has_create and self.by_id

    @cached_property
    def mcp_helpers(self) -> str:
        uses_structured = self.manager or self.writes or self.has_read or self.has_list
        names = (
            ["error_text"] * bool(self.has_read or self.has_create or self.has_list or self.write_probe)
            + ["mcp_http_session"]
            + ["structured"] * uses_structured
        )
        return ", ".join(names)

    # --- helpers for templates ---------------------------------------------------

    def words(self, identifier: str) -> str:
        """``blog_post`` → ``blog post`` (another resource's name in a sentence)."""
        return naming_words(identifier)


def tool_annotations_code(title: str, read_only: bool, destructive: bool, idempotent: bool) -> str:
    """``ToolAnnotations(...)`` with every hint given (what the MCP tests check on every tool)."""
    return (
        f"ToolAnnotations(title={title!r}, read_only_hint={read_only}, destructive_hint={destructive}, "
        f"idempotent_hint={idempotent}, open_world_hint=False)"
    ).replace("'", '"')
