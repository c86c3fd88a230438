"""A migration that changes a table from one field list to another."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property

from blueprintgen.resource_model import (
    DELETED_AT,
    OWNER_COLUMN,
    TIMESTAMP_COLUMNS,
    Field,
    search_index_name,
    sort_index_name,
)
from blueprintgen.views.field import SEARCH_KEY_HELPER, FieldView


class SchemaChangeView:
    """A migration that changes a table from ``old_fields`` to ``new_fields``, and that
    creates its (column, id) sort indexes when it had none (``old_sort_indexes`` false,
    ``new_sort_indexes`` true) or keeps them in step with its columns. The sort indexes of an
    ``owned`` table lead with its owner column (see :attr:`ResourceView.sort_index_keys`). A table that turns
    soft-deleted (``old_soft_delete`` false, ``new_soft_delete`` true) gets ``deleted_at``
    and its unique constraints become partial unique indexes over live rows; turning it off
    deletes the rows marked deleted, then goes back."""

    def __init__(
        self,
        plural: str,
        old_fields: Sequence[Field],
        new_fields: Sequence[Field],
        *,
        old_sort_indexes: bool = False,
        new_sort_indexes: bool = False,
        owned: bool = False,
        old_soft_delete: bool = False,
        new_soft_delete: bool = False,
        old_search_indexes: bool = False,
        new_search_indexes: bool = False,
    ) -> None:
        self.table = plural
        self.owned = owned
        self.old_sort_indexes = old_sort_indexes
        self.new_sort_indexes = new_sort_indexes
        self.old_soft_delete = old_soft_delete
        self.new_soft_delete = new_soft_delete
        self.old_search_indexes = old_search_indexes
        self.new_search_indexes = new_search_indexes
        cls = ""  # the migration names no enum class
        old = [FieldView(field, cls, plural, soft_deleted=old_soft_delete) for field in old_fields]
        new = [FieldView(field, cls, plural, soft_deleted=new_soft_delete) for field in new_fields]
        self.new = new
        self.old = old
        old_by_name = {field.name: field for field in old}
        new_names = {field.name for field in new}
        self.added = [field for field in new if field.name not in old_by_name]
        self.removed = [field for field in old if field.name not in new_names]
        self.changed = [
            (old_by_name[field.name], field)
            for field in new
            if field.name in old_by_name and field.field != old_by_name[field.name].field
        ]
        self.swapped = [
            (old_by_name[field.name], field)
            for field in new
            if old_soft_delete != new_soft_delete
            and field.unique
            and field.name in old_by_name
            and field.field == old_by_name[field.name].field
        ]
        """Unchanged unique fields whose constraint turns into a partial index (or back)."""

    @cached_property
    def soft_delete_turns(self) -> str | None:
        """``on`` or ``off`` when this migration turns soft delete on or off, else None."""
        if self.old_soft_delete == self.new_soft_delete:
            return None
        return "on" if self.new_soft_delete else "off"

    @cached_property
    def purge_line(self) -> str:
        """The statement that deletes the rows marked deleted (before deleted_at goes)."""
        return f'op.execute(sa.text("DELETE FROM {self.table} WHERE {DELETED_AT} IS NOT NULL"))'

    @cached_property
    def pre_upgrade_lines(self) -> list[str]:
        """Statements of ``upgrade()`` before the batch: turning soft delete off really
        deletes the rows marked deleted (they would come back to life otherwise)."""
        return [self.purge_line] if self.soft_delete_turns == "off" else []

    @cached_property
    def pre_downgrade_lines(self) -> list[str]:
        """Statements of ``downgrade()`` before the batch (the same, the other way)."""
        return [self.purge_line] if self.soft_delete_turns == "on" else []

    @cached_property
    def adds_sort_indexes(self) -> bool:
        """This migration creates the table's sort indexes."""
        return self.new_sort_indexes and not self.old_sort_indexes

    @cached_property
    def summary(self) -> str:
        """``add a, b; drop c; alter d`` (and ``index the sort columns``)"""
        parts = [
            f"{verb} {', '.join(field.name for field in fields)}"
            for verb, fields in (
                ("add", self.added),
                ("drop", self.removed),
                ("alter", [after for _, after in self.changed]),
            )
            if fields
        ]
        if self.adds_sort_indexes:
            parts.append("index the sort columns")
        if self.soft_delete_turns:
            parts.append(f"soft delete {self.soft_delete_turns}")
        if self.adds_search_indexes and any(field.searched for field in self.new):
            parts.append("index the string fields for search")
        return "; ".join(parts)

    @cached_property
    def adds_search_indexes(self) -> bool:
        """This migration creates the table's search indexes (lower(column))."""
        return self.new_search_indexes and not self.old_search_indexes

    # The search indexes are dropped before the batch and created after it: SQLite's
    # batch mode copies a table without the indexes of expressions (it cannot reflect
    # them), so they are rebuilt whenever the table changes.

    def _drop_search(self, fields: Sequence[FieldView]) -> list[str]:
        return [
            f"op.drop_index(op.f({search_index_name(self.table, f.column)!r}), table_name={self.table!r})"
            for f in reversed(fields)
            if f.searched
        ]

    def _create_search(self, fields: Sequence[FieldView]) -> list[str]:
        return [
            f"op.create_index(op.f({search_index_name(self.table, f.column)!r}), {self.table!r}, "
            f"[search_key({f.column!r})], unique=False)"
            for f in fields
            if f.searched
        ]

    @cached_property
    def upgrade_before(self) -> list[str]:
        """``upgrade()`` lines before the batch: the purge of :attr:`pre_upgrade_lines`, and
        the search indexes of the old columns dropped."""
        return self.pre_upgrade_lines + (self._drop_search(self.old) if self.old_search_indexes else [])

    @cached_property
    def upgrade_after(self) -> list[str]:
        """``upgrade()`` lines after the batch: the search indexes of the new columns."""
        return self._create_search(self.new) if self.new_search_indexes else []

    @cached_property
    def downgrade_before(self) -> list[str]:
        return self.pre_downgrade_lines + (self._drop_search(self.new) if self.new_search_indexes else [])

    @cached_property
    def downgrade_after(self) -> list[str]:
        return self._create_search(self.old) if self.old_search_indexes else []

    @property
    def search_key_helper(self) -> str:
        """The ``search_key`` function of the migrations that create search indexes."""
        return SEARCH_KEY_HELPER

    @cached_property
    def uses_search_key(self) -> bool:
        """The migration creates a search index (and defines ``search_key``)."""
        return bool(self.upgrade_after or self.downgrade_after)

    @cached_property
    def upgrade_lines(self) -> list[str]:
        """The body of ``with op.batch_alter_table(...) as batch:`` in ``upgrade()``."""
        lines: list[str] = []
        if self.soft_delete_turns == "on":
            lines.append(f"batch.add_column({_DELETED_AT_COLUMN})")
        for field in self.removed:
            lines += self._drop_extras(field)
            lines.append(f"batch.drop_column({field.column!r})")
        for field in self.added:
            lines.append(f"batch.add_column({self._add_column(field)})")
            lines += self._create_extras(field)
        for before, after in self.changed:
            lines += self._alter(before, after)
        for before, after in self.swapped:
            lines += [*self._drop_unique(before), *self._create_unique(after)]
        if self.soft_delete_turns == "off":
            lines.append(f"batch.drop_column({DELETED_AT!r})")
        if self.adds_sort_indexes:
            lines += [self._create_sort_index(column) for column in self._sort_columns(self.new)]
        return [f"        {line}" for line in lines]

    @cached_property
    def downgrade_lines(self) -> list[str]:
        """The body of ``with op.batch_alter_table(...) as batch:`` in ``downgrade()``."""
        lines: list[str] = []
        if self.adds_sort_indexes:
            lines += [self._drop_sort_index(column) for column in reversed(self._sort_columns(self.new))]
        if self.soft_delete_turns == "off":
            lines.append(f"batch.add_column({_DELETED_AT_COLUMN})")
        for before, after in reversed(self.swapped):
            lines += [*self._drop_unique(after), *self._create_unique(before)]
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
        if self.soft_delete_turns == "on":
            lines.append(f"batch.drop_column({DELETED_AT!r})")
        return [f"        {line}" for line in lines]

    def _add_column(self, field: FieldView) -> str:
        """The column of ``batch.add_column``: a required one gets its default for the rows there."""
        if not field.optional and field.has_default:
            return f"{field.migration_column[:-1]}, server_default={_server_default(field)})"
        return field.migration_column

    def _sort_columns(self, fields: Sequence[FieldView]) -> list[str]:
        return [*(field.column for field in fields if field.sortable), *TIMESTAMP_COLUMNS]

    def _create_sort_index(self, column: str) -> str:
        name = sort_index_name(self.table, column)
        owner = f"{OWNER_COLUMN!r}, " if self.owned else ""
        return f'batch.create_index(op.f({name!r}), [{owner}{column!r}, "id"], unique=False)'

    def _drop_sort_index(self, column: str) -> str:
        return f"batch.drop_index(op.f({sort_index_name(self.table, column)!r}))"

    def _create_extras(self, field: FieldView, *, sort: bool = True) -> list[str]:
        lines = []
        if sort and self.old_sort_indexes and field.sortable:
            lines.append(self._create_sort_index(field.column))
        if field.ref is not None:
            lines.append(
                f"batch.create_foreign_key(op.f({field.foreign_key_name(self.table)!r}), "
                f'{field.ref.plural!r}, [{field.column!r}], ["id"], ondelete={field.on_delete!r})'
            )
        return lines + self._create_unique(field)

    def _create_unique(self, field: FieldView) -> list[str]:
        """The field's index or unique constraint (a partial unique index on a soft-deleted table)."""
        if field.live_unique:
            return [field.create_live_unique(self.table, batch=True)]
        if field.index:
            return [
                f"batch.create_index(op.f({field.index_name(self.table)!r}), [{field.column!r}], "
                f"unique={field.unique})"
            ]
        if field.unique:
            return [
                f"batch.create_unique_constraint(op.f({field.unique_name(self.table)!r}), [{field.column!r}])"
            ]
        return []

    def _drop_unique(self, field: FieldView) -> list[str]:
        """Drop what :meth:`_create_unique` created."""
        if field.live_unique:
            return [field.drop_live_unique(self.table, batch=True)]
        if field.index:
            return [f"batch.drop_index(op.f({field.index_name(self.table)!r}))"]
        if field.unique:
            return [f'batch.drop_constraint(op.f({field.unique_name(self.table)!r}), type_="unique")']
        return []

    def _drop_extras(self, field: FieldView, *, sort: bool = True) -> list[str]:
        lines = []
        if sort and self.old_sort_indexes and field.sortable:
            lines.append(self._drop_sort_index(field.column))
        lines += self._drop_unique(field)
        if field.ref is not None:
            lines.append(
                f'batch.drop_constraint(op.f({field.foreign_key_name(self.table)!r}), type_="foreignkey")'
            )
        return lines

    def _alter(self, before: FieldView, after: FieldView) -> list[str]:
        keys_change = (
            before.index != after.index
            or before.unique != after.unique
            or before.live_unique != after.live_unique
            or "ref" in (before.type, after.type)
            or (self.old_sort_indexes and before.sortable != after.sortable)
        )
        # The sort index stays when the column keeps its name and stays sortable.
        sort = before.sortable != after.sortable or before.column != after.column
        lines = self._drop_extras(before, sort=sort) if keys_change else []
        if before.migration_type != after.migration_type or before.optional != after.optional:
            lines.append(
                f"batch.alter_column({after.column!r}, existing_type={before.migration_type}, "
                f"type_={after.migration_type}, existing_nullable={before.optional}, "
                f"nullable={after.optional})"
            )
        if keys_change:
            lines += self._create_extras(after, sort=sort)
        return lines


_DELETED_AT_COLUMN = f"sa.Column({DELETED_AT!r}, sa.DateTime(timezone=True), nullable=True)"


def _server_default(field: FieldView) -> str:
    """The SQL default a column added to a table with rows gets."""
    if field.type == "bool":
        return "sa.true()" if field.default else "sa.false()"
    if field.type == "json":
        # A SQL string literal the database casts to the column's JSON type.
        return repr(json.dumps(field.default, sort_keys=True))
    return repr(str(field.default))
