"""Data access for books."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shop.database.keyset import after as after_position
from shop.database.keyset import keyset_order
from shop.database.models.author_db_model import AuthorDBModel
from shop.database.models.book_db_model import BookDBModel
from shop.models.book_model import BookCreate

SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": BookDBModel.id,
    "title": BookDBModel.title,
    "subtitle": BookDBModel.subtitle,
    "contact": BookDBModel.contact,
    "pages": BookDBModel.pages,
    "rating": BookDBModel.rating,
    "price": BookDBModel.price,
    "in_stock": BookDBModel.in_stock,
    "published_on": BookDBModel.published_on,
    "released_at": BookDBModel.released_at,
    "isbn": BookDBModel.isbn,
    "format": BookDBModel.format,
    "author_id": BookDBModel.author_id,
    "editor_id": BookDBModel.editor_id,
    "created_at": BookDBModel.created_at,
    "updated_at": BookDBModel.updated_at,
}


class BookRepository:
    """Create, read, update and delete rows of the `books` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, data: BookCreate) -> BookDBModel:
        """Insert a book and return it with its generated fields."""
        row = BookDBModel(**data.model_dump())
        self._session.add(row)
        await self._commit()
        return row

    async def get(self, book_id: int) -> BookDBModel | None:
        """Return the book with this id, if any."""
        return await self._session.get(BookDBModel, book_id)

    async def list(
        self,
        *,
        offset: int,
        limit: int,
        sort: str = "-created_at",
        filters: Mapping[str, Any] | None = None,
        after: tuple[Any, int] | None = None,
    ) -> Sequence[BookDBModel]:
        """Return one page of books: filtered, sorted, from `offset` or `after`."""
        column = SORT_COLUMNS[sort.removeprefix("-")]
        descending = sort.startswith("-")
        statement = (
            select(BookDBModel)
            .filter_by(**(filters or {}))
            .order_by(*keyset_order(column, BookDBModel.id, descending=descending))
            .offset(offset)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(
                after_position(column, BookDBModel.id, after, descending=descending)
            )
        return (await self._session.scalars(statement)).all()

    async def count(self, *, filters: Mapping[str, Any] | None = None) -> int:
        """Return the number of books matching `filters`."""
        statement = (
            select(func.count()).select_from(BookDBModel).filter_by(**(filters or {}))
        )
        return (await self._session.scalar(statement)) or 0

    async def update(
        self, row: BookDBModel, values: Mapping[str, object]
    ) -> BookDBModel:
        """Apply `values` to a book and save it."""
        for field, value in values.items():
            setattr(row, field, value)
        await self._commit()
        return row

    async def delete(self, row: BookDBModel) -> None:
        """Delete a book."""
        await self._session.delete(row)
        await self._commit()

    async def author_exists(self, author_id: int) -> bool:
        """Tell whether the author a reference points to exists."""
        row = await self._session.get(AuthorDBModel, author_id)
        return row is not None

    async def _commit(self) -> None:
        try:
            await self._session.commit()
        except IntegrityError:
            await self._session.rollback()
            raise
