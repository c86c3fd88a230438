"""Stored books for the tests."""

from itertools import count
from typing import Any

from shop.container import ServiceContainer
from shop.database.models.book_db_model import BookDBModel
from shop.models.book_model import BookCreate, BookRead
from tests.factories.author_factory import insert_author

# Rows stored by the factory are numbered from 100, so they never clash with
# the payloads tests build from small numbers.
_numbers = count(100)


def book_values(number: int) -> dict[str, Any]:
    """Valid fields of book `number`, as JSON, without references."""
    return {
        "title": f"Title {number}",
        "subtitle": f"Subtitle {number}",
        "summary": f"Some summary {number}",
        "contact": f"contact{number}@example.com",
        "homepage": f"https://example.com/homepage/{number}",
        "pages": number,
        "rating": number + 0.5,
        "price": f"{number}.99",
        "in_stock": True,
        "published_on": "2024-01-01",
        "released_at": "2024-01-01T12:00:00Z",
        "isbn": f"00000000-0000-4000-8000-{number:012d}",
        "extra": {"key": f"value {number}"},
        "format": "hardcover",
    }


async def insert_book(container: ServiceContainer, **values: Any) -> BookRead:
    """Store a book with valid fields, overridden by `values`."""
    payload = book_values(next(_numbers)) | values
    if "author_id" not in payload:
        payload["author_id"] = (await insert_author(container)).id
    async with container.session() as session:
        row = BookDBModel(**BookCreate.model_validate(payload).model_dump())
        session.add(row)
        await session.commit()
        return BookRead.model_validate(row)
