"""Author use cases, with read-through caching."""

import hashlib

from sqlalchemy.exc import IntegrityError

from shop.database.models import CASCADES_FROM
from shop.database.models.author_db_model import AuthorDBModel
from shop.database.repositories.author_repository import AuthorRepository
from shop.middleware.cache import CacheManager
from shop.models.author_model import (
    AuthorCreate,
    AuthorPage,
    AuthorQuery,
    AuthorRead,
    AuthorUpdate,
)
from shop.utils.errors import ConflictError, NotFoundError

CACHE_PREFIX = "authors"
ROWS = f"{CACHE_PREFIX}:rows"
"""The cache scope of single authors; its generation moves when a delete elsewhere
cascades here."""
LISTS = f"{CACHE_PREFIX}:lists"
"""The cache scope of list pages; its generation moves on every write."""


class AuthorService:
    """Use cases of authors; reads are cached until the next write."""

    def __init__(self, repository: AuthorRepository, cache: CacheManager) -> None:
        self._repository = repository
        self._cache = cache

    async def create_author(self, data: AuthorCreate) -> AuthorRead:
        """Create an author."""
        try:
            row = await self._repository.create(data)
        except IntegrityError as exc:
            raise ConflictError("An author with this website already exists") from exc
        await self._cache.bump([LISTS])
        return AuthorRead.model_validate(row)

    async def list_authors(self, query: AuthorQuery) -> AuthorPage:
        """Return one page of authors for the query."""
        generation = await self._cache.generation(LISTS)
        key = f"{LISTS}:{generation}:{_digest(query.model_dump_json())}"
        if (cached := await self._cache.get(key)) is not None:
            return AuthorPage.model_validate_json(cached)
        filters = query.filters()
        # One row more than the page tells whether another page follows.
        rows = await self._repository.list(
            offset=query.offset,
            limit=query.limit + 1,
            sort=query.sort,
            filters=filters,
            after=query.after,
        )
        items = [AuthorRead.model_validate(row) for row in rows[: query.limit]]
        more = len(rows) > query.limit
        page = AuthorPage(
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

    async def get_author(self, author_id: int) -> AuthorRead:
        """Return one author."""
        key = await self._row_key(author_id)
        if (cached := await self._cache.get(key)) is not None:
            return AuthorRead.model_validate_json(cached)
        result = AuthorRead.model_validate(await self._get_row(author_id))
        await self._cache.set(key, result.model_dump_json())
        return result

    async def replace_author(self, author_id: int, data: AuthorCreate) -> AuthorRead:
        """Replace every field of an author."""
        return await self._update(author_id, data.model_dump())

    async def update_author(self, author_id: int, data: AuthorUpdate) -> AuthorRead:
        """Change only the fields that were sent."""
        return await self._update(author_id, data.model_dump(exclude_unset=True))

    async def delete_author(self, author_id: int) -> None:
        """Delete an author."""
        await self._repository.delete(await self._get_row(author_id))
        await self._cache.delete(await self._row_key(author_id))
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

    async def _update(self, author_id: int, values: dict[str, object]) -> AuthorRead:
        row = await self._get_row(author_id)
        try:
            row = await self._repository.update(row, values)
        except IntegrityError as exc:
            raise ConflictError("An author with this website already exists") from exc
        await self._cache.delete(await self._row_key(author_id))
        await self._cache.bump([LISTS])
        return AuthorRead.model_validate(row)

    async def _get_row(self, author_id: int) -> AuthorDBModel:
        row = await self._repository.get(author_id)
        if row is None:
            raise NotFoundError(f"Author {author_id} not found")
        return row

    async def _row_key(self, author_id: int) -> str:
        return f"{ROWS}:{await self._cache.generation(ROWS)}:{author_id}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
