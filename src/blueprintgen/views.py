"""What the resource templates print, built in Python from the resource model.

A resource template asks for its view once (``{% set r = resource_view() %}``, a Jinja
global registered by :mod:`blueprintgen.render`) and prints its attributes: names with
their articles, module paths, method flags, field groups, each field's declarations in
every layer, the import lines a module needs, the values the generated tests use. The
knowledge of field kinds lives in :mod:`blueprintgen.resource_model`; the choices below
are the ones the generated code's layout needs (which field a test changes, which
message a conflict gives, how a long message is split into literals).

Every ``*_code`` and ``*_line`` value is Python source without a trailing newline;
several lines are joined by ``"\\n"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from blueprintgen import naming
from blueprintgen.resource_model import Field, Reference, Resource, fields_of

PARAMETERS = ("package", "resource", "plural", "fields", "methods", "auth_required", "mcp_style")
"""The blueprint parameters a resource view is built from (a template's context)."""

TIMESTAMP_TYPE = "UTCDateTime"
"""The column type of datetime fields: the generated database/base.py defines it, so
that SQLite hands back aware timestamps too."""

_VOWEL_LETTER_CONSONANT_SOUND = ("uni", "usa", "use", "usu", "uti", "eu", "one", "ewe")
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")


def article(words: str) -> str:
    """``a`` or ``an`` before ``words``: an item, an hour, but a user, a one-off."""
    vowel_sound = (
        words[0] in "aeiou" and not words.startswith(_VOWEL_LETTER_CONSONANT_SOUND)
    ) or words.startswith(_SILENT_H)
    return "an" if vowel_sound else "a"


def either(words: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return _series(words, "or")


def _series(words: Sequence[str], conjunction: str) -> str:
    if len(words) > 1:
        return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
    return "".join(words)


def text_literal(message: str, *, f: bool = False, width: int = 56) -> str:
    """A string literal for ``message``, split at spaces into implicitly concatenated
    literals of at most ``width`` characters, one per line (each an f-string when ``f``
    and it holds a placeholder), so that long names never push a line past the limit."""
    done: list[str] = []
    current = ""
    for word in message.split(" "):
        if current and len(f"{current} {word}") > width:
            done.append(f"{current} ")
            current = word
        else:
            current = f"{current} {word}" if current else word
    return "\n".join(f'{"f" if f and "{" in part else ""}"{part}"' for part in [*done, current])


def import_lines(pairs: Iterable[tuple[str, str]]) -> str:
    """``from module import A, B`` lines, one per module, modules and names sorted.

    Sorted without regard to case, duplicates dropped; the formatter sorts imports again,
    this order keeps the unformatted text (``--formatter none``) as it has always been.
    """
    seen: dict[str, tuple[str, str]] = {}
    for module, name in pairs:
        seen.setdefault(f"{module}:{name}".lower(), (module, name))
    lines: list[str] = []
    last_module = None
    for module, name in (seen[key] for key in sorted(seen)):
        if module == last_module:
            lines[-1] += f", {name}"
        else:
            lines.append(f"from {module} import {name}")
            last_module = module
    return "\n".join(lines)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def response_budget_seconds(targets: Mapping[str, Any]) -> float:
    """The seconds of a blueprint's ``"< 200ms"`` (or ``"< 0.5s"``) response-time target.

    A target that is not a number gives 0, so that the timing test fails rather than
    the generation.
    """
    limit = str(targets.get("response_time", "< 200ms")).replace("<", "").replace("=", "").strip()
    try:
        return float(limit[:-2]) / 1000 if limit.endswith("ms") else float(limit.replace("s", ""))
    except ValueError:
        return 0.0


class FieldView:
    """One field as the templates print it; ``cls`` is its resource's class name."""

    def __init__(self, field: Field, cls: str, plural: str) -> None:
        self.field = field
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
            return f"Decimal({value!r})"
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
        return repr(self.default)

    # --- pydantic schemas --------------------------------------------------------

    @cached_property
    def uses_pydantic_field(self) -> bool:
        """The input schemas declare it with ``Field(...)``."""
        return bool(self.kind.constraints) or (self.type == "json" and self.has_default)

    @cached_property
    def base_line(self) -> str:
        """``name: T = Field(...)`` for the Base/Create schema."""
        annotation = self.input_type + (" | None" if self.optional else "")
        value = self.default_code if self.has_default else ("None" if self.optional else "")
        line = f"{self.column}: {annotation}"
        constraints = self.kind.constraints
        if self.type == "json" and self.has_default:
            return f"{line} = Field(default_factory={f'lambda: {value}' if self.default else 'dict'})"
        if constraints:
            arguments = ", ".join(part for part in [f"default={value}" if value else "", constraints] if part)
            return f"{line} = Field({arguments})"
        return f"{line} = {value}" if value else line

    @cached_property
    def update_line(self) -> str:
        """``name: T | None = ...`` for the Update schema: every field optional."""
        constraints = self.kind.constraints
        value = f"Field(default=None, {constraints})" if constraints else "None"
        return f"{self.column}: {self.input_type} | None = {value}"

    @cached_property
    def read_line(self) -> str:
        """``name: T`` for the Read schema (values as stored)."""
        return f"{self.column}: {self.read_type}{' | None' if self.optional else ''}"

    @cached_property
    def filter_line(self) -> str:
        """The list filter as a field of the list-query model, with a description."""
        description = f"Only {naming_words(self.plural)} with this {self.words}."
        return f"{self.column}: {self.read_type} | None = Field(default=None, description={description!r})"

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
    def schema_imports(self) -> list[tuple[str, str]]:
        """(module, name) pairs the schema lines of this field need."""
        pairs = [self.kind.stdlib_import] if self.kind.stdlib_import else []
        if self.type == "enum":
            pairs.append(("enum", "StrEnum"))
        if self.type == "email":
            pairs.append(("pydantic", "EmailStr"))
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
        if self.unique:
            arguments.append("unique=True")
        if self.index:
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


def naming_words(identifier: str) -> str:
    """``blog_post`` → ``blog post``."""
    return identifier.replace("_", " ")


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
        self.resource = resource.name
        self.plural = resource.plural
        self.auth_required = resource.auth_required
        self.manager = resource.mcp_style == "manager"
        self.cls = naming.pascal(resource.name)
        self.fields = [FieldView(field, self.cls, resource.plural) for field in resource.fields]
        self.methods = list(resource.methods)
        self.has_create = "create" in self.methods
        self.has_list = "list" in self.methods
        self.has_read = "read" in self.methods
        self.has_update = "update" in self.methods
        self.has_delete = "delete" in self.methods
        self.by_id = self.has_read or self.has_update or self.has_delete
        """Any endpoint that takes an id (read, update, delete)."""
        self.writes = self.has_create or self.has_update

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
        return _series(words, "and")

    @cached_property
    def Verbs(self) -> str:
        """``Create, read and delete``"""
        return self.verbs.capitalize()

    @cached_property
    def by_id_verbs(self) -> str:
        """``read, update or delete``: what the id of the manager tool is for."""
        return either([verb for verb in ("read", "update", "delete") if verb in self.methods])

    # --- field groups ------------------------------------------------------------

    @cached_property
    def filterable(self) -> list[FieldView]:
        """The fields the list endpoint filters on by equality."""
        return [field for field in self.fields if field.filterable]

    @cached_property
    def sort_columns(self) -> list[str]:
        """The columns a list may be sorted by (every one but JSON)."""
        return ["id", *(f.column for f in self.fields if f.type != "json"), "created_at", "updated_at"]

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
    def required_ref_targets(self) -> list[str]:
        """Resources a valid payload must point to (its required references), each once."""
        return _unique(f.ref.resource for f in self.refs if f.ref is not None and not f.optional)

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
        return import_lines(pair for field in self.fields for pair in field.schema_imports)

    # --- table model -------------------------------------------------------------

    @cached_property
    def db_model_imports(self) -> str:
        """The import lines the table model's columns need."""
        base_module = self._module("database.base")
        pairs = [pair for field in self.fields for pair in field.db_imports(self.models_module, base_module)]
        if self.fields:
            pairs += [("sqlalchemy.orm", "Mapped"), ("sqlalchemy.orm", "mapped_column")]
        return import_lines(pairs)

    def db_class(self, resource: str) -> str:
        """The table model class of a resource: ``BlogPostDBModel``."""
        return f"{naming.pascal(resource)}DBModel"

    # --- create-table migration -------------------------------------------------

    @cached_property
    def migration_constraints(self) -> list[str]:
        """The foreign keys and unique constraints of ``op.create_table``, each with its comma."""
        lines = []
        for field in self.fields:
            if field.ref is not None:
                lines.append(
                    f"sa.ForeignKeyConstraint([{field.column!r}], [{field.ref.plural + '.id'!r}], "
                    f"name=op.f({field.foreign_key_name(self.plural)!r}), ondelete={field.on_delete!r}),"
                )
            if field.unique and not field.index:
                lines.append(
                    f"sa.UniqueConstraint({field.column!r}, name=op.f({field.unique_name(self.plural)!r})),"
                )
        return lines

    @cached_property
    def migration_indexes(self) -> list[str]:
        """The ``op.create_index(...)`` statements after ``op.create_table``."""
        return [
            f"op.create_index(op.f({f.index_name(self.plural)!r}), {self.plural!r}, [{f.column!r}], "
            f"unique={f.unique})"
            for f in self.fields
            if f.index
        ]

    @cached_property
    def migration_drop_indexes(self) -> list[str]:
        """The ``op.drop_index(...)`` statements of ``downgrade()``, in reverse order."""
        return [
            f"op.drop_index(op.f({f.index_name(self.plural)!r}), table_name={self.plural!r})"
            for f in reversed(self.fields)
            if f.index
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

    @cached_property
    def errors_imported(self) -> str:
        """The error classes the service raises."""
        names = ["ConflictError"] * self.integrity + ["NotFoundError"] * (self.by_id or self.checks_refs)
        return ", ".join(names)

    # --- MCP tools ---------------------------------------------------------------

    @cached_property
    def manager_results(self) -> list[str]:
        """What the manager tool may return, as class-name suffixes (``str`` for a delete)."""
        return (
            ["Read"] * (self.writes or self.has_read) + ["Page"] * self.has_list + ["str"] * self.has_delete
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
        }
        return {method: names[method] for method in self.methods}

    def tool_call(self, action: str, arguments: str = "") -> str:
        """A tool call in the MCP tests: ``mcp.call_tool("create_item", {"data": payload})``."""
        if self.manager:
            extra = f", {arguments}" if arguments else ""
            return f'mcp.call_tool("{self.resource}_manager", {{"action": "{action}"{extra}}})'
        return f'mcp.call_tool("{self.tool_names[action]}", {{{arguments}}})'

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
        return targets

    @cached_property
    def api_tests_insert(self) -> bool:
        """The API tests store rows of the resource itself through its factory."""
        inserts = self.has_read or self.has_list or self.has_update or self.has_delete
        return inserts or self.resource in self.api_test_targets

    @cached_property
    def api_test_imports(self) -> list[str]:
        """:attr:`api_test_targets` once each, without the resource itself."""
        return [target for target in _unique(self.api_test_targets) if target != self.resource]

    @cached_property
    def factory_imports(self) -> str:
        """The import line the factory's varying values need (dates of unique fields)."""
        moments = _unique(f.type for f in self.unique if f.type in {"date", "datetime"})
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
    def mcp_inserts(self) -> bool:
        """The MCP tests store a row through the factory (no create tool to make one)."""
        return not self.has_create and self.by_id

    @cached_property
    def mcp_helpers(self) -> str:
        uses_structured = self.manager or self.writes or self.has_read or self.has_list
        names = (
            ["error_text"] * (self.has_read or self.has_create)
            + ["mcp_http_session"]
            + ["structured"] * uses_structured
        )
        return ", ".join(names)

    # --- helpers for templates ---------------------------------------------------

    def words(self, identifier: str) -> str:
        """``blog_post`` → ``blog post`` (another resource's name in a sentence)."""
        return naming_words(identifier)


class SchemaChangeView:
    """A migration that changes a table from ``old_fields`` to ``new_fields``."""

    def __init__(self, plural: str, old_fields: Sequence[Field], new_fields: Sequence[Field]) -> None:
        self.table = plural
        cls = ""  # the migration names no enum class
        old = [FieldView(field, cls, plural) for field in old_fields]
        new = [FieldView(field, cls, plural) for field in new_fields]
        old_by_name = {field.name: field for field in old}
        new_names = {field.name for field in new}
        self.added = [field for field in new if field.name not in old_by_name]
        self.removed = [field for field in old if field.name not in new_names]
        self.changed = [
            (old_by_name[field.name], field)
            for field in new
            if field.name in old_by_name and field.field != old_by_name[field.name].field
        ]

    @cached_property
    def summary(self) -> str:
        """``add a, b; drop c; alter d``"""
        parts = [
            f"{verb} {', '.join(field.name for field in fields)}"
            for verb, fields in (
                ("add", self.added),
                ("drop", self.removed),
                ("alter", [after for _, after in self.changed]),
            )
            if fields
        ]
        return "; ".join(parts)

    @cached_property
    def upgrade_lines(self) -> list[str]:
        """The body of ``with op.batch_alter_table(...) as batch:`` in ``upgrade()``."""
        lines: list[str] = []
        for field in self.removed:
            lines += self._drop_extras(field)
            lines.append(f"batch.drop_column({field.column!r})")
        for field in self.added:
            lines.append(f"batch.add_column({self._add_column(field)})")
            lines += self._create_extras(field)
        for before, after in self.changed:
            lines += self._alter(before, after)
        return [f"        {line}" for line in lines]

    @cached_property
    def downgrade_lines(self) -> list[str]:
        """The body of ``with op.batch_alter_table(...) as batch:`` in ``downgrade()``."""
        lines: list[str] = []
        for before, after in reversed(self.changed):
            lines += self._alter(after, before)
        for field in reversed(self.added):
            lines += self._drop_extras(field)
            lines.append(f"batch.drop_column({field.column!r})")
        for field in reversed(self.removed):
            if field.optional or field.has_default:
                lines.append(f"batch.add_column({self._add_column(field)})")
            else:
                lines.append("# Restored as nullable: the dropped values cannot come back.")
                nullable = field.migration_column.replace("nullable=False", "nullable=True")
                lines.append(f"batch.add_column({nullable})")
            lines += self._create_extras(field)
        return [f"        {line}" for line in lines]

    def _add_column(self, field: FieldView) -> str:
        """The column of ``batch.add_column``: a required one gets its default for the rows there."""
        if not field.optional and field.has_default:
            return f"{field.migration_column[:-1]}, server_default={_server_default(field)})"
        return field.migration_column

    def _create_extras(self, field: FieldView) -> list[str]:
        lines = []
        if field.ref is not None:
            lines.append(
                f"batch.create_foreign_key(op.f({field.foreign_key_name(self.table)!r}), "
                f'{field.ref.plural!r}, [{field.column!r}], ["id"], ondelete={field.on_delete!r})'
            )
        if field.index:
            lines.append(
                f"batch.create_index(op.f({field.index_name(self.table)!r}), [{field.column!r}], "
                f"unique={field.unique})"
            )
        elif field.unique:
            lines.append(
                f"batch.create_unique_constraint(op.f({field.unique_name(self.table)!r}), [{field.column!r}])"
            )
        return lines

    def _drop_extras(self, field: FieldView) -> list[str]:
        lines = []
        if field.index:
            lines.append(f"batch.drop_index(op.f({field.index_name(self.table)!r}))")
        elif field.unique:
            lines.append(f'batch.drop_constraint(op.f({field.unique_name(self.table)!r}), type_="unique")')
        if field.ref is not None:
            lines.append(
                f'batch.drop_constraint(op.f({field.foreign_key_name(self.table)!r}), type_="foreignkey")'
            )
        return lines

    def _alter(self, before: FieldView, after: FieldView) -> list[str]:
        keys_change = (
            before.index != after.index or before.unique != after.unique or "ref" in (before.type, after.type)
        )
        lines = self._drop_extras(before) if keys_change else []
        if before.migration_type != after.migration_type or before.optional != after.optional:
            lines.append(
                f"batch.alter_column({after.column!r}, existing_type={before.migration_type}, "
                f"type_={after.migration_type}, existing_nullable={before.optional}, "
                f"nullable={after.optional})"
            )
        if keys_change:
            lines += self._create_extras(after)
        return lines


def _server_default(field: FieldView) -> str:
    """The SQL default a column added to a table with rows gets."""
    if field.type == "bool":
        return "sa.true()" if field.default else "sa.false()"
    if field.type == "json":
        # Byte for byte what the template before the views printed: Jinja's tojson
        # (sorted keys, HTML-safe escapes) and the repr of the Markup it returns.
        import json

        text = json.dumps(field.default, sort_keys=True)
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
            text = text.replace(char, escape)
        return f"Markup({text!r})"
    return repr(str(field.default))


def resource_view(params: Mapping[str, Any], **given: Any) -> ResourceView:
    """The view of the resource a template's parameters describe; ``given`` overrides them.

    ``fields`` may be field dicts (blueprint parameters) or :class:`Field` values.
    """
    values = {**params, **given}
    blueprint = values.get("blueprint")
    targets = blueprint.get("performance_targets") if isinstance(blueprint, Mapping) else None
    return ResourceView(Resource.from_params(values), values.get("package"), targets)


def schema_change_view(params: Mapping[str, Any], **given: Any) -> SchemaChangeView:
    """The view of a schema-change migration's parameters (plural, old_fields, new_fields)."""
    values = {**params, **given}
    return SchemaChangeView(
        values["plural"], fields_of(values["old_fields"]), fields_of(values["new_fields"])
    )
