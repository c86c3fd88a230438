"""Data access for administering users."""

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shop.database.models.oauth_db_model import OAuthTokenDBModel
from shop.database.models.user_db_model import UserDBModel
from shop.database.repositories.user_repository import UserRepository


class UserAdminRepository(UserRepository):
    """The user queries, plus changing and deleting rows of the `users` table."""

    async def update(
        self, user: UserDBModel, values: Mapping[str, object]
    ) -> UserDBModel:
        """Apply `values` to a user and save it; a new password also ends every OAuth
        grant of the account, in the same transaction (as it ends its password-grant
        tokens, whose credential stamp no longer matches)."""
        for field, value in values.items():
            setattr(user, field, value)
        if "hashed_password" in values:
            await self._session.execute(
                update(OAuthTokenDBModel)
                .where(
                    OAuthTokenDBModel.user_id == user.id,
                    OAuthTokenDBModel.revoked_at.is_(None),
                )
                .values(revoked_at=datetime.now(UTC))
            )
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
