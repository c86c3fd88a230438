"""User and token contracts."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from shop.models.types import Email

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
    """One page of users and the total number of users."""

    items: list[UserRead]
    total: int
    limit: int
    offset: int


class UserQuery(BaseModel):
    """Paging of the user list."""

    offset: int = Field(default=0, ge=0, le=2147483647)
    limit: int = Field(default=20, ge=1, le=100)


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
