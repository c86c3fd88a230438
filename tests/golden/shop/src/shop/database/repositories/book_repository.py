"""Data access for books."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shop.database.keyset import after as after_position
from shop.database.keyset import keyset_order
from shop.database.models.author_db_model import AuthorDBModel
from shop.database.models.book_db_model import BookDBModel
from shop.database.search import starts_with
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
FILTERS: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "title": lambda value: BookDBModel.title == value,
    "subtitle": lambda value: BookDBModel.subtitle == value,
    "contact": lambda value: BookDBModel.contact == value,
    "pages": lambda value: BookDBModel.pages == value,
    "in_stock": lambda value: BookDBModel.in_stock == value,
    "published_on": lambda value: BookDBModel.published_on == value,
    "isbn": lambda value: BookDBModel.isbn == value,
    "format": lambda value: BookDBModel.format == value,
    "author_id": lambda value: BookDBModel.author_id == value,
    "editor_id": lambda value: BookDBModel.editor_id == value,
    "pages_min": lambda value: BookDBModel.pages >= value,
    "pages_max": lambda value: BookDBModel.pages <= value,
    "rating_min": lambda value: BookDBModel.rating >= value,
    "rating_max": lambda value: BookDBModel.rating <= value,
    "price_min": lambda value: BookDBModel.price >= value,
    "price_max": lambda value: BookDBModel.price <= value,
    "published_on_min": lambda value: BookDBModel.published_on >= value,
    "published_on_max": lambda value: BookDBModel.published_on <= value,
    "released_at_min": lambda value: BookDBModel.released_at >= value,
    "released_at_max": lambda value: BookDBModel.released_at <= value,
    "created_at_min": lambda value: BookDBModel.created_at >= value,
    "created_at_max": lambda value: BookDBModel.created_at <= value,
    "updated_at_min": lambda value: BookDBModel.updated_at >= value,
    "updated_at_max": lambda value: BookDBModel.updated_at <= value,
    "format_in": lambda value: BookDBModel.format.in_(value),
    "author_id_in": lambda value: BookDBModel.author_id.in_(value),
    "editor_id_in": lambda value: BookDBModel.editor_id.in_(value),
    "q": lambda value: starts_with(
        (
            BookDBModel.title,
            BookDBModel.subtitle,
        ),
        value,
    ),
}
"""The WHERE clause of each filter of the list query, by its name."""


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
        after: tuple[Sequence[Any], int] | None = None,
    ) -> Sequence[BookDBModel]:
        """Return one page of books: filtered, sorted, from `offset` or `after`."""
        keys = _sort_keys(sort)
        statement = (
            select(BookDBModel)
            .where(*_conditions(filters or {}))
            .order_by(*keyset_order(keys, BookDBModel.id))
            .offset(offset)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(after_position(keys, BookDBModel.id, after))
        return (await self._session.scalars(statement)).all()

    async def count(self, *, filters: Mapping[str, Any] | None = None) -> int:
        """Return the number of books matching `filters`."""
        statement = (
            select(func.count())
            .select_from(BookDBModel)
            .where(*_conditions(filters or {}))
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


def _sort_keys(sort: str) -> list[tuple[InstrumentedAttribute[Any], bool]]:
    """The (column, descending) pairs of a sort such as `-price,name`."""
    return [
        (SORT_COLUMNS[key.removeprefix("-")], key.startswith("-"))
        for key in sort.split(",")
    ]


def _conditions(filters: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the filters given (they combine with AND)."""
    return [FILTERS[name](value) for name, value in filters.items()]
