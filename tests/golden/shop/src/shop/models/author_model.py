"""Author contracts shared by the REST routes and the MCP tools."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

AUTHOR_SORT_FIELDS = (
    "id",
    "name",
    "website",
    "age",
    "created_at",
    "updated_at",
)


class AuthorBase(BaseModel):
    """Fields a client may set on an author."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(
        min_length=1, max_length=255, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$"
    )
    website: str | None = Field(
        default=None, max_length=2048, pattern=r"^https?://[^\s\x00]+$"
    )
    age: int = Field(default=0, ge=-2147483648, le=2147483647)


class AuthorCreate(AuthorBase):
    """Payload to create an author, or to replace one with PUT."""


class AuthorUpdate(BaseModel):
    """Partial update: only the fields sent are changed."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: (
        Annotated[
            str,
            Field(min_length=1, max_length=255, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$"),
        ]
        | SkipJsonSchema[None]
    ) = None
    website: str | None = Field(
        default=None, max_length=2048, pattern=r"^https?://[^\s\x00]+$"
    )
    age: Annotated[int, Field(ge=-2147483648, le=2147483647)] | SkipJsonSchema[None] = (
        None
    )

    @field_validator("name", "age")
    @classmethod
    def reject_null(cls, value: object) -> object:
        """Refuse an explicit null for a field that cannot be empty."""
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


class AuthorRead(BaseModel):
    """An author as returned by the API."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    website: str | None
    age: int
    created_at: datetime
    updated_at: datetime


class AuthorPage(BaseModel):
    """One page of authors with the total number of matches."""

    items: list[AuthorRead]
    total: int
    limit: int
    offset: int


class AuthorQuery(BaseModel):
    """Pagination, sorting and filters for listing authors."""

    model_config = ConfigDict(extra="forbid")

    offset: int = Field(default=0, ge=0, le=2147483647)
    limit: int = Field(default=20, ge=1, le=100)
    sort: str = Field(
        default="-created_at",
        pattern=rf"^-?({'|'.join(AUTHOR_SORT_FIELDS)})$",
        description="Field to sort by; prefix with '-' for descending order.",
    )
    name: str | None = Field(
        default=None, description="Only authors with this name.", pattern=r"^[^\x00]*$"
    )
    age: int | None = Field(
        default=None,
        description="Only authors with this age.",
        ge=-2147483648,
        le=2147483647,
    )

    def filters(self) -> dict[str, Any]:
        """Return the equality filters that were given."""
        return self.model_dump(
            include={"name", "age"},
            exclude_none=True,
        )
