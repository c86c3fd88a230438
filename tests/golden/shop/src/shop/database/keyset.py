"""Keyset pagination: the order of a list, and the rows after a cursor's position.

Rows are ordered by their sort columns, then id. Sorted by one column, that is the
table's (column, id) index, so a page after a position is an index range scan, however
deep it is; sorted by several, the first column's index serves the order. NULLs, which
SQLite and PostgreSQL order differently, come after every value ascending and before
every value descending, on both.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, literal, or_
from sqlalchemy.orm import InstrumentedAttribute

SortKey = tuple[InstrumentedAttribute[Any], bool]
"""A sort column and whether it is descending."""


def keyset_order(
    keys: Sequence[SortKey], id_column: InstrumentedAttribute[int]
) -> list[UnaryExpression[Any]]:
    """Return the ORDER BY of a list sorted by `keys`, ties broken by id (in the
    direction of the last key)."""
    order = [_order(column, descending=descending) for column, descending in keys]
    return [*order, id_column.desc() if keys[-1][1] else id_column.asc()]


def after(
    keys: Sequence[SortKey],
    id_column: InstrumentedAttribute[int],
    position: tuple[Sequence[Any], int],
) -> ColumnElement[bool]:
    """Return the condition of the rows that come after `position` (the sort values and
    the id of a row) in `keyset_order`."""
    values, row_id = position
    terms: list[ColumnElement[bool]] = []
    ties: list[ColumnElement[bool]] = []
    for (column, descending), value in zip(keys, values, strict=True):
        later = _later(column, value, descending=descending)
        if later is not None:
            terms.append(and_(*ties, later))
        ties.append(column.is_(None) if value is None else column == value)
    last = id_column < row_id if keys[-1][1] else id_column > row_id
    terms.append(and_(*ties, last))
    bound = _bound(*keys[0], values[0])
    return or_(*terms) if bound is None else and_(bound, or_(*terms))


def _bound(
    column: InstrumentedAttribute[Any], descending: bool, value: Any
) -> ColumnElement[bool] | None:
    """A range on the first sort column that every later row is in (None: no such range).

    It says nothing the OR above does not, but a planner seeks the column's index with
    it: without it SQLite scans the index from its start to the position (measured: a
    page halfway through 1,000,000 rows took 22 ms instead of 0.01 ms).
    """
    if value is None:
        # Ascending, NULLs come last: only NULLs follow one. Descending: anything may.
        return None if descending else column.is_(None)
    if descending:
        # NULLs come first descending, so none follows a value.
        at_most: ColumnElement[bool] = column <= value
        return at_most
    if _nullable(column):
        return (
            None  # NULLs follow every value ascending: no single range holds them all
        )
    at_least: ColumnElement[bool] = column >= value
    return at_least


def _order(
    column: InstrumentedAttribute[Any], *, descending: bool
) -> UnaryExpression[Any]:
    if descending:
        return column.desc().nulls_first() if _nullable(column) else column.desc()
    return column.asc().nulls_last() if _nullable(column) else column.asc()


def _later(
    column: InstrumentedAttribute[Any], value: Any, *, descending: bool
) -> ColumnElement[bool] | None:
    """The rows whose `column` comes after `value` (None: no value does)."""
    if value is None:
        # NULLs come first descending (every value is later), last ascending.
        return column.is_not(None) if descending else None
    # A bound value: SQLAlchemy compares True and False with `=` and `IS` only.
    value = literal(value, type_=column.type)
    if descending:
        earlier: ColumnElement[bool] = column < value
        return earlier
    later: ColumnElement[bool] = column > value
    return or_(later, column.is_(None)) if _nullable(column) else later


def _nullable(column: InstrumentedAttribute[Any]) -> bool:
    return bool(getattr(column.expression, "nullable", False))
