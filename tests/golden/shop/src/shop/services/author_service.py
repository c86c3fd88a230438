"""Author use cases, with read-through caching."""

import hashlib

from sqlalchemy.exc import IntegrityError

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
        await self._invalidate_lists()
        return AuthorRead.model_validate(row)

    async def list_authors(self, query: AuthorQuery) -> AuthorPage:
        """Return one page of authors for the query."""
        key = f"{CACHE_PREFIX}:list:{_digest(query.model_dump_json())}"
        if (cached := await self._cache.get(key)) is not None:
            return AuthorPage.model_validate_json(cached)
        filters = query.filters()
        rows = await self._repository.list(
            offset=query.offset, limit=query.limit, sort=query.sort, filters=filters
        )
        page = AuthorPage(
            items=[AuthorRead.model_validate(row) for row in rows],
            total=await self._repository.count(filters=filters),
            limit=query.limit,
            offset=query.offset,
        )
        await self._cache.set(key, page.model_dump_json())
        return page

    async def get_author(self, author_id: int) -> AuthorRead:
        """Return one author."""
        key = f"{CACHE_PREFIX}:{author_id}"
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
        # The delete may cascade to rows that reference this one, cached elsewhere.
        await self._cache.clear()

    async def _update(self, author_id: int, values: dict[str, object]) -> AuthorRead:
        row = await self._get_row(author_id)
        try:
            row = await self._repository.update(row, values)
        except IntegrityError as exc:
            raise ConflictError("An author with this website already exists") from exc
        await self._invalidate(author_id)
        return AuthorRead.model_validate(row)

    async def _get_row(self, author_id: int) -> AuthorDBModel:
        row = await self._repository.get(author_id)
        if row is None:
            raise NotFoundError(f"Author {author_id} not found")
        return row

    async def _invalidate(self, author_id: int) -> None:
        await self._cache.delete(f"{CACHE_PREFIX}:{author_id}")
        await self._invalidate_lists()

    async def _invalidate_lists(self) -> None:
        await self._cache.delete_prefix(f"{CACHE_PREFIX}:list:")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
