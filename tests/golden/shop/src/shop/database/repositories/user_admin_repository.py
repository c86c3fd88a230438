"""Data access for administering users."""

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.database.models.user_db_model import UserDBModel
from shop.database.repositories.user_repository import UserRepository


class UserAdminRepository(UserRepository):
    """The user queries, plus changing and deleting rows of the `users` table."""

    async def update(
        self, user: UserDBModel, values: Mapping[str, object]
    ) -> UserDBModel:
        """Apply `values` to a user and save it."""
        for field, value in values.items():
            setattr(user, field, value)
        await self._commit()
        return user

    async def delete(self, user: UserDBModel) -> None:
        """Delete a user."""
        await self._session.delete(user)
        await self._commit()

    async def count_active_admins(self) -> int:
        """Count the active administrators, locking their rows until commit.

        On PostgreSQL the lock makes two concurrent demotions of the last two
        administrators wait for each other, so the second one sees the first.
        """
        rows = await self._session.scalars(
            select(UserDBModel.id)
            .where(UserDBModel.is_admin, UserDBModel.is_active)
            .with_for_update()
        )
        return len(list(rows))

    async def _commit(self) -> None:
        try:
            await self._session.commit()
        except IntegrityError:
            await self._session.rollback()
            raise
