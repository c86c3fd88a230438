"""Data access for users."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.database.models.user_db_model import UserDBModel


class UserRepository:
    """Create and look up rows of the `users` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        email: str,
        hashed_password: str,
        full_name: str | None,
        is_admin: bool,
    ) -> UserDBModel:
        """Insert a user and return it with its generated fields."""
        user = UserDBModel(
            email=email,
            hashed_password=hashed_password,
            full_name=full_name,
            is_admin=is_admin,
        )
        self._session.add(user)
        try:
            await self._session.commit()
        except IntegrityError:
            await self._session.rollback()
            raise
        return user

    async def get(self, user_id: int) -> UserDBModel | None:
        """Return the user with this id, if any."""
        return await self._session.get(UserDBModel, user_id)

    async def get_by_email(self, email: str) -> UserDBModel | None:
        """Return the user with this e-mail address, if any."""
        return await self._session.scalar(
            select(UserDBModel).where(UserDBModel.email == email)
        )

    async def list(
        self, *, offset: int, limit: int, after_id: int | None = None
    ) -> list[UserDBModel]:
        """Return one page of users, oldest first, from `offset` or after an id."""
        statement = (
            select(UserDBModel).order_by(UserDBModel.id).offset(offset).limit(limit)
        )
        if after_id is not None:
            statement = statement.where(UserDBModel.id > after_id)
        return list(await self._session.scalars(statement))

    async def count(self) -> int:
        """Return the number of users."""
        total = await self._session.scalar(
            select(func.count()).select_from(UserDBModel)
        )
        return total or 0
