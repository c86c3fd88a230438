"""Book use cases, with read-through caching."""

import hashlib

from sqlalchemy.exc import IntegrityError

from shop.database.models import CASCADES_FROM
from shop.database.models.book_db_model import BookDBModel
from shop.database.repositories.book_repository import BookRepository
from shop.middleware.cache import CacheManager
from shop.models.book_model import BookCreate, BookPage, BookQuery, BookRead, BookUpdate
from shop.utils.errors import ConflictError, NotFoundError

CACHE_PREFIX = "books"
ROWS = f"{CACHE_PREFIX}:rows"
"""The cache scope of single books; its generation moves when a delete elsewhere
cascades here."""
LISTS = f"{CACHE_PREFIX}:lists"
"""The cache scope of list pages; its generation moves on every write."""


class BookService:
    """Use cases of books; reads are cached until the next write."""

    def __init__(self, repository: BookRepository, cache: CacheManager) -> None:
        self._repository = repository
        self._cache = cache

    async def create_book(self, data: BookCreate) -> BookRead:
        """Create a book."""
        await self._check_references(data)
        try:
            row = await self._repository.create(data)
        except IntegrityError as exc:
            raise ConflictError(
                "A book with this title or isbn already exists"
            ) from exc
        await self._cache.bump([LISTS])
        return BookRead.model_validate(row)

    async def list_books(self, query: BookQuery) -> BookPage:
        """Return one page of books for the query."""
        generation = await self._cache.generation(LISTS)
        key = f"{LISTS}:{generation}:{_digest(query.model_dump_json())}"
        if (cached := await self._cache.get(key)) is not None:
            return BookPage.model_validate_json(cached)
        filters = query.filters()
        # One row more than the page tells whether another page follows.
        rows = await self._repository.list(
            offset=query.offset,
            limit=query.limit + 1,
            sort=query.sort,
            filters=filters,
            after=query.after,
        )
        items = [BookRead.model_validate(row) for row in rows[: query.limit]]
        more = len(rows) > query.limit
        page = BookPage(
            items=items,
            limit=query.limit,
            offset=query.offset,
            next_cursor=query.cursor_after(items[-1]) if more else None,
            total=(
                await self._repository.count(filters=filters)
                if query.include_total
                else None
            ),
        )
        await self._cache.set(key, page.model_dump_json())
        return page

    async def get_book(self, book_id: int) -> BookRead:
        """Return one book."""
        key = await self._row_key(book_id)
        if (cached := await self._cache.get(key)) is not None:
            return BookRead.model_validate_json(cached)
        result = BookRead.model_validate(await self._get_row(book_id))
        await self._cache.set(key, result.model_dump_json())
        return result

    async def replace_book(self, book_id: int, data: BookCreate) -> BookRead:
        """Replace every field of a book."""
        await self._check_references(data)
        return await self._update(book_id, data.model_dump())

    async def update_book(self, book_id: int, data: BookUpdate) -> BookRead:
        """Change only the fields that were sent."""
        await self._check_references(data)
        return await self._update(book_id, data.model_dump(exclude_unset=True))

    async def delete_book(self, book_id: int) -> None:
        """Delete a book."""
        await self._repository.delete(await self._get_row(book_id))
        await self._cache.delete(await self._row_key(book_id))
        # Rows that reference this one were deleted or cleared with it.
        changed = CASCADES_FROM.get(CACHE_PREFIX, frozenset())
        await self._cache.bump(
            [
                LISTS,
                *(
                    f"{table}:{scope}"
                    for table in changed
                    for scope in ("rows", "lists")
                ),
            ]
        )

    async def _update(self, book_id: int, values: dict[str, object]) -> BookRead:
        row = await self._get_row(book_id)
        try:
            row = await self._repository.update(row, values)
        except IntegrityError as exc:
            raise ConflictError(
                "A book with this title or isbn already exists"
            ) from exc
        await self._cache.delete(await self._row_key(book_id))
        await self._cache.bump([LISTS])
        return BookRead.model_validate(row)

    async def _check_references(self, data: BookCreate | BookUpdate) -> None:
        """Refuse references to rows that do not exist."""
        if data.author_id is not None and not await self._repository.author_exists(
            data.author_id
        ):
            raise NotFoundError(f"Author {data.author_id} not found (author_id)")
        if data.editor_id is not None and not await self._repository.author_exists(
            data.editor_id
        ):
            raise NotFoundError(f"Author {data.editor_id} not found (editor_id)")

    async def _get_row(self, book_id: int) -> BookDBModel:
        row = await self._repository.get(book_id)
        if row is None:
            raise NotFoundError(f"Book {book_id} not found")
        return row

    async def _row_key(self, book_id: int) -> str:
        return f"{ROWS}:{await self._cache.generation(ROWS)}:{book_id}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
