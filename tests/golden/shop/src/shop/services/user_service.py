"""User accounts and authentication."""

import jwt
from sqlalchemy.exc import IntegrityError

from shop.config.settings import Settings
from shop.database.models.user_db_model import UserDBModel
from shop.database.repositories.user_repository import UserRepository
from shop.models.user_model import (
    Token,
    UserCreate,
    UserPage,
    UserQuery,
    UserRead,
)
from shop.services.async_service import AsyncProcessingService
from shop.utils.errors import ConflictError
from shop.utils.security import (
    create_access_token,
    credential_stamp,
    decode_access_token,
    hash_password,
    stamp_matches,
    verify_password,
    verify_unknown_user_password,
)


class UserService:
    """Create users, check passwords and issue or resolve access tokens."""

    def __init__(
        self,
        repository: UserRepository,
        processing: AsyncProcessingService,
        settings: Settings,
    ) -> None:
        self._repository = repository
        self._processing = processing
        self._settings = settings

    async def create_user(self, data: UserCreate) -> UserRead:
        """Create a user; a taken e-mail address raises `ConflictError`."""
        # Argon2 is deliberately slow, so hashing runs in the processing pool.
        hashed_password = await self._processing.run(hash_password, data.password)
        try:
            user = await self._repository.create(
                email=data.email,
                hashed_password=hashed_password,
                full_name=data.full_name,
                is_admin=data.is_admin,
            )
        except IntegrityError as exc:
            raise ConflictError(f"A user with e-mail {data.email} exists") from exc
        return UserRead.model_validate(user)

    async def list_users(self, query: UserQuery) -> UserPage:
        """Return one page of users, oldest first."""
        # One row more than the page tells whether another page follows.
        rows = await self._repository.list(
            offset=query.offset, limit=query.limit + 1, after_id=query.after_id
        )
        items = [UserRead.model_validate(row) for row in rows[: query.limit]]
        more = len(rows) > query.limit
        return UserPage(
            items=items,
            limit=query.limit,
            offset=query.offset,
            next_cursor=query.cursor_after(items[-1]) if more else None,
            total=await self._repository.count() if query.include_total else None,
        )

    async def authenticate(self, email: str, password: str) -> UserRead | None:
        """Return the active user with these credentials, or None."""
        user = await self._repository.get_by_email(email.lower())
        if user is None:
            await self._processing.run(verify_unknown_user_password, password)
            return None
        valid = await self._processing.run(
            verify_password, password, user.hashed_password
        )
        if not valid or not user.is_active:
            return None
        return UserRead.model_validate(user)

    async def issue_token(self, user: UserRead) -> Token:
        """Create an access token for a user, stamped with their current credentials."""
        # The row `authenticate` just read is in the session: no second query.
        row = await self._repository.get(user.id)
        if row is None:
            msg = f"User {user.id} vanished while signing in"
            raise LookupError(msg)
        token, expires_in = create_access_token(
            str(row.id), self._stamp(row), self._settings
        )
        return Token(access_token=token, expires_in=expires_in)

    async def active_user(self, user_id: int) -> UserRead | None:
        """Return the active user with this id, or None."""
        user = await self._repository.get(user_id)
        if user is None or not user.is_active:
            return None
        return UserRead.model_validate(user)

    async def user_from_token(self, token: str) -> UserRead | None:
        """Return the active user a valid, unrevoked token was issued to, or None.

        The one check of a bearer token, for REST and MCP alike: signature, expiry,
        an active account, and the credential stamp (a password changed, or the
        account deleted, since the token was issued revokes it).
        """
        try:
            claims = decode_access_token(token, self._settings)
            user_id = int(str(claims["sub"]))
        except (jwt.InvalidTokenError, ValueError):
            return None
        user = await self._repository.get(user_id)
        if user is None or not user.is_active:
            return None
        if not stamp_matches(claims["cst"], self._stamp(user)):
            return None
        return UserRead.model_validate(user)

    def _stamp(self, user: UserDBModel) -> str:
        return credential_stamp(user.id, user.hashed_password, self._settings)
