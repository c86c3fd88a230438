"""Table models; importing this package registers every table on `Base.metadata`."""

from collections.abc import Mapping

from sqlalchemy import Table

from shop.database.base import Base
from shop.utils.discovery import import_submodules

import_submodules(__name__, __path__)


def changed_by_delete(tables: Mapping[str, Table]) -> dict[str, frozenset[str]]:
    """For each table, the tables whose rows a delete from it may change besides the
    deleted row (itself too when it references itself).

    A foreign key with ON DELETE CASCADE deletes the referencing rows, whose own
    referencing rows follow in turn; SET NULL changes the referencing rows only.
    """
    referencing: dict[str, list[tuple[str, bool]]] = {name: [] for name in tables}
    for table in tables.values():
        for key in table.foreign_keys:
            cascades = (key.ondelete or "").upper() == "CASCADE"
            referencing[key.column.table.name].append((table.name, cascades))
    changed: dict[str, frozenset[str]] = {}
    for name in tables:
        found: set[str] = set()
        pending = [name]
        while pending:
            for child, cascades in referencing[pending.pop()]:
                if cascades and child not in found:
                    pending.append(child)
                found.add(child)
        changed[name] = frozenset(found)
    return changed


CASCADES_FROM: Mapping[str, frozenset[str]] = changed_by_delete(Base.metadata.tables)
"""Table name → the tables a delete from it reaches through foreign keys; their cached
rows and lists are invalidated with it, and nothing else is."""
