"""User and token contracts."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    field_validator,
    model_validator,
)

from shop.models.types import Email
from shop.utils.pagination import (
    MAX_CURSOR_LENGTH,
    CursorError,
    decode_cursor,
    encode_cursor,
)

Password = Annotated[str, Field(min_length=8, max_length=128)]


class UserBase(BaseModel):
    """Profile fields of a user."""

    email: Email
    full_name: Annotated[str, Field(max_length=255, pattern=r"^[^\x00]*$")] | None = (
        None
    )

    @field_validator("email")
    @classmethod
    def normalise_email(cls, value: str) -> str:
        """Compare e-mail addresses case-insensitively by storing them lower-case."""
        return value.lower()


class UserCreate(UserBase):
    """Payload to create a user."""

    password: Password
    is_admin: StrictBool = False


# Read from the database, where every address was checked and lower-cased when it
# was written: a read model does not parse it again (the bearer-token check reads
# the caller's user on every request).
StoredEmail = Annotated[str, Field(json_schema_extra={"format": "email"})]


class UserRead(BaseModel):
    """A user as returned by the API (never includes the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: StoredEmail
    full_name: str | None = None
    is_active: bool
    is_admin: bool
    created_at: datetime
    updated_at: datetime


class UserPage(BaseModel):
    """One page of users, oldest first, and the cursor of the next one."""

    items: list[UserRead]
    limit: int
    offset: int
    next_cursor: str | None = Field(
        description="Send as `cursor` for the next page; null on the last page."
    )
    total: int | None = Field(
        default=None, description="The number of users, with include_total=true only."
    )


class UserQuery(BaseModel):
    """Paging of the user list: by offset, or after a cursor."""

    offset: int = Field(
        default=0,
        ge=0,
        le=10000,
        description="Rows to skip; deeper pages are reached by cursor.",
    )
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(
        default=None,
        max_length=MAX_CURSOR_LENGTH,
        description="The next_cursor of the previous page.",
    )
    include_total: bool = Field(
        default=False,
        description="Also count every user (a count of the whole table: costs rows).",
    )
    _after_id: int | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def read_cursor(self) -> Self:
        """Check the cursor and keep the id the page starts after."""
        if self.cursor is None:
            return self
        if self.offset:
            raise ValueError("send either cursor or offset, not both")
        try:
            _, self._after_id = decode_cursor(self.cursor, sort="id", filters={})
        except CursorError as exc:
            raise ValueError(str(exc)) from exc
        return self

    @property
    def after_id(self) -> int | None:
        """The id the page starts after, when a cursor was sent."""
        return self._after_id

    def cursor_after(self, last: UserRead) -> str:
        """Return the cursor of the page that follows the user `last`."""
        return encode_cursor(sort="id", filters={}, value=last.id, row_id=last.id)


class Caller(BaseModel):
    """The identity an MCP tool call runs under."""

    authenticated: bool = Field(
        description="True when the call carried a bearer token (Streamable HTTP)."
    )
    user: UserRead | None = Field(
        default=None, description="The token's user; none in a local stdio session."
    )
    message: str


class Token(BaseModel):
    """OAuth2 bearer token response."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
