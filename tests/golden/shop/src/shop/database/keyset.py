"""Keyset pagination: the order of a list, and the rows after a cursor's position.

Rows are ordered by (column, id), which the table's (column, id) index serves, so a
page after a position is an index range scan, however deep it is. NULLs, which SQLite
and PostgreSQL order differently, come after every value ascending and before every
value descending, on both.
"""

from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, or_
from sqlalchemy.orm import InstrumentedAttribute


def keyset_order(
    column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[int],
    *,
    descending: bool,
) -> list[UnaryExpression[Any]]:
    """Return the ORDER BY of a list sorted by `column`, ties broken by id."""
    if descending:
        first = column.desc().nulls_first() if _nullable(column) else column.desc()
        return [first, id_column.desc()]
    first = column.asc().nulls_last() if _nullable(column) else column.asc()
    return [first, id_column.asc()]


def after(
    column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[int],
    position: tuple[Any, int],
    *,
    descending: bool,
) -> ColumnElement[bool]:
    """Return the condition of the rows that come after `position` in `keyset_order`."""
    value, row_id = position
    nullable = _nullable(column)
    if value is None:
        tie = and_(
            column.is_(None), id_column < row_id if descending else id_column > row_id
        )
        return or_(tie, column.is_not(None)) if descending else tie
    if descending:
        return or_(column < value, and_(column == value, id_column < row_id))
    later = or_(column > value, and_(column == value, id_column > row_id))
    return or_(later, column.is_(None)) if nullable else later


def _nullable(column: InstrumentedAttribute[Any]) -> bool:
    return bool(getattr(column.expression, "nullable", False))
