"""Stored users for the tests."""

from itertools import count
from typing import Any

from shop.container import ServiceContainer
from shop.database.repositories.user_repository import UserRepository
from shop.models.user_model import UserCreate, UserRead
from shop.services.user_service import UserService
from tests.helpers import PASSWORD

# Numbered from 100 so the addresses never clash with the fixtures' users.
_numbers = count(100)


async def insert_user(container: ServiceContainer, **values: Any) -> UserRead:
    """Store a user with a unique e-mail address and the shared test password."""
    payload = {"email": f"user{next(_numbers)}@example.com", "password": PASSWORD}
    async with container.session() as session:
        users = UserService(
            UserRepository(session), container.processing, container.settings
        )
        return await users.create_user(UserCreate.model_validate(payload | values))
