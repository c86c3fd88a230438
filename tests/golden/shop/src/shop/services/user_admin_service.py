"""User accounts as administrators manage them."""

from sqlalchemy.exc import IntegrityError

from shop.config.settings import Settings
from shop.database.models import CASCADES_FROM
from shop.database.models.user_db_model import UserDBModel
from shop.database.repositories.user_admin_repository import UserAdminRepository
from shop.middleware.cache import CacheManager
from shop.models.user_admin_model import UserProfileUpdate, UserUpdate
from shop.models.user_model import UserRead
from shop.services.async_service import AsyncProcessingService
from shop.services.user_service import UserService
from shop.utils.errors import ConflictError, NotFoundError
from shop.utils.security import hash_password


class UserAdminService(UserService):
    """What `UserService` does, plus what administrators do to single accounts."""

    def __init__(
        self,
        repository: UserAdminRepository,
        processing: AsyncProcessingService,
        settings: Settings,
        cache: CacheManager,
    ) -> None:
        super().__init__(repository, processing, settings)
        self._accounts = repository
        self._cache = cache

    async def get_user(self, user_id: int) -> UserRead:
        """Return one user."""
        return UserRead.model_validate(await self._get_row(user_id))

    async def update_user(self, user_id: int, data: UserUpdate) -> UserRead:
        """Change only the fields that were sent; a new password is hashed."""
        row = await self._get_row(user_id)
        values: dict[str, object] = data.model_dump(
            exclude_unset=True, exclude={"password"}
        )
        stays_active_admin = bool(values.get("is_admin", row.is_admin)) and bool(
            values.get("is_active", row.is_active)
        )
        if not stays_active_admin:
            await self._keep_an_active_admin(row, "demoted or deactivated")
        if data.password is not None:
            # Argon2 is deliberately slow, so hashing runs in the processing pool.
            values["hashed_password"] = await self._processing.run(
                hash_password, data.password
            )
        try:
            row = await self._accounts.update(row, values)
        except IntegrityError as exc:
            raise ConflictError(f"A user with e-mail {data.email} exists") from exc
        return UserRead.model_validate(row)

    async def update_profile(self, user_id: int, data: UserProfileUpdate) -> UserRead:
        """Change only the fields of their own account a user sent."""
        row = await self._get_row(user_id)
        row = await self._accounts.update(row, data.model_dump(exclude_unset=True))
        return UserRead.model_validate(row)

    async def delete_user(self, user_id: int) -> None:
        """Delete a user; the last active administrator cannot be deleted."""
        row = await self._get_row(user_id)
        await self._keep_an_active_admin(row, "deleted")
        await self._accounts.delete(row)
        # Rows that reference the user were deleted or cleared with it, cached elsewhere.
        changed = CASCADES_FROM.get("users", frozenset())
        await self._cache.bump(
            [f"{table}:{scope}" for table in changed for scope in ("rows", "lists")]
        )

    async def _keep_an_active_admin(self, row: UserDBModel, change: str) -> None:
        """Refuse a change that would leave no active administrator."""
        if not (row.is_admin and row.is_active):
            return
        if await self._accounts.count_active_admins() <= 1:
            raise ConflictError(
                f"User {row.id} is the last active administrator and cannot be "
                f"{change}; make another user an active administrator first"
            )

    async def _get_row(self, user_id: int) -> UserDBModel:
        row = await self._accounts.get(user_id)
        if row is None:
            raise NotFoundError(f"User {user_id} not found")
        return row
