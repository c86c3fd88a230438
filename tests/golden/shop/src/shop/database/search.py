"""Case-insensitive prefix search, served by an index on the lower-cased column.

`q=ab` finds the rows whose column starts with `ab`, `AB` or `Ab`. A prefix, not a
substring: `lower(column) >= lower('ab')` and `< lower('ab') || U+10FFFF` is a range
of the index on `lower(column)` (the migrations create one for each string field), on
SQLite and PostgreSQL alike, so a search reads only the matching rows however big the
table is; a substring match (`LIKE '%ab%'`) cannot use a B-tree index and reads every
row. The range is compared bytewise on both databases (PostgreSQL's default collation
orders words in a way a prefix range does not follow: the index and the queries say
`COLLATE "C"` there), and a `LIKE` with `%`, `_` and `\\` escaped keeps the match
exact: those characters in the text are matched as themselves.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, and_, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

LAST_CHARACTER = "\U0010ffff"
"""The greatest code point: every text that starts with a prefix sorts before the
prefix followed by it."""


class search_key(FunctionElement[str]):  # noqa: N801 - used as a SQL function
    """`lower(value)`, compared bytewise: what the search indexes hold."""

    type = String()
    name = "search_key"
    inherit_cache = True


@compiles(search_key)
def _lower(element: search_key, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(search_key, "postgresql")
def _lower_bytewise(element: search_key, compiler: SQLCompiler, **kw: Any) -> str:
    return f'(lower({compiler.process(element.clauses, **kw)}) COLLATE "C")'


def escape_like(text: str) -> str:
    """`text` as a LIKE pattern that matches it literally (escape character `\\`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def starts_with(columns: Sequence[Any], text: str) -> ColumnElement[bool]:
    """The rows where one of `columns` starts with `text`, in any letter case."""
    low = search_key(literal(text, String()))
    high = search_key(literal(text + LAST_CHARACTER, String()))
    pattern = search_key(literal(escape_like(text) + "%", String()))
    return or_(
        *(
            and_(key >= low, key < high, key.like(pattern, escape="\\"))
            for key in (search_key(column) for column in columns)
        )
    )
