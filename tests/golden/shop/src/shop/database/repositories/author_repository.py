"""Data access for authors."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shop.database.keyset import after as after_position
from shop.database.keyset import keyset_order
from shop.database.models.author_db_model import AuthorDBModel
from shop.models.author_model import AuthorCreate

SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": AuthorDBModel.id,
    "name": AuthorDBModel.name,
    "age": AuthorDBModel.age,
    "created_at": AuthorDBModel.created_at,
    "updated_at": AuthorDBModel.updated_at,
}


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
        after: tuple[Any, int] | None = None,
    ) -> Sequence[AuthorDBModel]:
        """Return one page of authors: filtered, sorted, from `offset` or `after`."""
        column = SORT_COLUMNS[sort.removeprefix("-")]
        descending = sort.startswith("-")
        statement = (
            select(AuthorDBModel)
            .filter_by(**(filters or {}))
            .order_by(*keyset_order(column, AuthorDBModel.id, descending=descending))
            .offset(offset)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(
                after_position(column, AuthorDBModel.id, after, descending=descending)
            )
        return (await self._session.scalars(statement)).all()

    async def count(self, *, filters: Mapping[str, Any] | None = None) -> int:
        """Return the number of authors matching `filters`."""
        statement = (
            select(func.count()).select_from(AuthorDBModel).filter_by(**(filters or {}))
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
