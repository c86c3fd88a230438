"""Stored authors for the tests."""

from itertools import count
from typing import Any

from shop.container import ServiceContainer
from shop.database.models.author_db_model import AuthorDBModel
from shop.models.author_model import AuthorCreate, AuthorRead

# Rows stored by the factory are numbered from 100, so they never clash with
# the payloads tests build from small numbers.
_numbers = count(100)


def author_values(number: int) -> dict[str, Any]:
    """Valid fields of author `number`, as JSON, without references."""
    return {
        "name": f"Name {number}",
        "website": f"https://example.com/website/{number}",
        "age": number,
    }


async def insert_author(container: ServiceContainer, **values: Any) -> AuthorRead:
    """Store an author with valid fields, overridden by `values`."""
    payload = author_values(next(_numbers)) | values
    async with container.session() as session:
        row = AuthorDBModel(**AuthorCreate.model_validate(payload).model_dump())
        session.add(row)
        await session.commit()
        return AuthorRead.model_validate(row)
