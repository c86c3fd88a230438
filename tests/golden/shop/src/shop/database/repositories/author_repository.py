"""Data access for authors."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shop.database.keyset import after as after_position
from shop.database.keyset import keyset_order
from shop.database.models.author_db_model import AuthorDBModel
from shop.database.search import starts_with
from shop.models.author_model import AuthorCreate

SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": AuthorDBModel.id,
    "name": AuthorDBModel.name,
    "age": AuthorDBModel.age,
    "created_at": AuthorDBModel.created_at,
    "updated_at": AuthorDBModel.updated_at,
}
FILTERS: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "name": lambda value: AuthorDBModel.name == value,
    "age": lambda value: AuthorDBModel.age == value,
    "age_min": lambda value: AuthorDBModel.age >= value,
    "age_max": lambda value: AuthorDBModel.age <= value,
    "created_at_min": lambda value: AuthorDBModel.created_at >= value,
    "created_at_max": lambda value: AuthorDBModel.created_at <= value,
    "updated_at_min": lambda value: AuthorDBModel.updated_at >= value,
    "updated_at_max": lambda value: AuthorDBModel.updated_at <= value,
    "q": lambda value: starts_with((AuthorDBModel.name,), value),
}
"""The WHERE clause of each filter of the list query, by its name."""


class AuthorRepository:
    """Create, read, update and delete rows of the `authors` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, data: AuthorCreate) -> AuthorDBModel:
        """Insert an author and return it with its generated fields."""
        row = AuthorDBModel(**data.model_dump())
        self._session.add(row)
        await self._commit()
        return row

    async def get(self, author_id: int) -> AuthorDBModel | None:
        """Return the author with this id, if any."""
        return await self._session.get(AuthorDBModel, author_id)

    async def list(
        self,
        *,
        offset: int,
        limit: int,
        sort: str = "-created_at",
        filters: Mapping[str, Any] | None = None,
        after: tuple[Sequence[Any], int] | None = None,
    ) -> Sequence[AuthorDBModel]:
        """Return one page of authors: filtered, sorted, from `offset` or `after`."""
        keys = _sort_keys(sort)
        statement = (
            select(AuthorDBModel)
            .where(*_conditions(filters or {}))
            .order_by(*keyset_order(keys, AuthorDBModel.id))
            .offset(offset)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(after_position(keys, AuthorDBModel.id, after))
        return (await self._session.scalars(statement)).all()

    async def count(self, *, filters: Mapping[str, Any] | None = None) -> int:
        """Return the number of authors matching `filters`."""
        statement = (
            select(func.count())
            .select_from(AuthorDBModel)
            .where(*_conditions(filters or {}))
        )
        return (await self._session.scalar(statement)) or 0

    async def update(
        self, row: AuthorDBModel, values: Mapping[str, object]
    ) -> AuthorDBModel:
        """Apply `values` to an author and save it."""
        for field, value in values.items():
            setattr(row, field, value)
        await self._commit()
        return row

    async def delete(self, row: AuthorDBModel) -> None:
        """Delete an author."""
        await self._session.delete(row)
        await self._commit()

    async def _commit(self) -> None:
        try:
            await self._session.commit()
        except IntegrityError:
            await self._session.rollback()
            raise


def _sort_keys(sort: str) -> list[tuple[InstrumentedAttribute[Any], bool]]:
    """The (column, descending) pairs of a sort such as `-price,name`."""
    return [
        (SORT_COLUMNS[key.removeprefix("-")], key.startswith("-"))
        for key in sort.split(",")
    ]


def _conditions(filters: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the filters given (they combine with AND)."""
    return [FILTERS[name](value) for name, value in filters.items()]
