"""Book contracts shared by the REST routes and the MCP tools."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from shop.models.types import DecimalText, Email, IsoDate, IsoDatetime, QueryBool

BOOK_SORT_FIELDS = (
    "id",
    "title",
    "subtitle",
    "summary",
    "contact",
    "homepage",
    "pages",
    "rating",
    "price",
    "in_stock",
    "published_on",
    "released_at",
    "isbn",
    "format",
    "author_id",
    "editor_id",
    "created_at",
    "updated_at",
)


class BookFormat(StrEnum):
    """Allowed values of the format field."""

    HARDCOVER = "hardcover"
    PAPERBACK = "paperback"
    E_BOOK = "e-book"


class BookBase(BaseModel):
    """Fields a client may set on a book."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(
        min_length=1, max_length=255, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$"
    )
    subtitle: str | None = Field(
        default="untitled",
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00]*[^\s\x00][^\x00]*$",
    )
    summary: str | None = Field(default=None, max_length=65535, pattern=r"^[^\x00]*$")
    contact: Email
    homepage: str | None = Field(
        default=None, max_length=2048, pattern=r"^https?://[^\s\x00]+$"
    )
    pages: int = Field(default=100, ge=-2147483648, le=2147483647)
    rating: float | None = Field(default=4.5, allow_inf_nan=False)
    price: DecimalText = Field(default=Decimal("9.99"), max_digits=12, decimal_places=2)
    in_stock: StrictBool = True
    published_on: IsoDate | None = date(2024, 1, 31)
    released_at: IsoDatetime | None = None
    isbn: UUID
    extra: dict[str, Any] | None = None
    format: BookFormat = BookFormat.PAPERBACK
    author_id: int = Field(ge=1, le=2147483647)
    editor_id: int | None = Field(default=None, ge=1, le=2147483647)


class BookCreate(BookBase):
    """Payload to create a book, or to replace one with PUT."""


class BookUpdate(BaseModel):
    """Partial update: only the fields sent are changed."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: (
        Annotated[
            str,
            Field(min_length=1, max_length=255, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$"),
        ]
        | SkipJsonSchema[None]
    ) = None
    subtitle: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00]*[^\s\x00][^\x00]*$",
    )
    summary: str | None = Field(default=None, max_length=65535, pattern=r"^[^\x00]*$")
    contact: Email | SkipJsonSchema[None] = None
    homepage: str | None = Field(
        default=None, max_length=2048, pattern=r"^https?://[^\s\x00]+$"
    )
    pages: (
        Annotated[int, Field(ge=-2147483648, le=2147483647)] | SkipJsonSchema[None]
    ) = None
    rating: float | None = Field(default=None, allow_inf_nan=False)
    price: (
        Annotated[DecimalText, Field(max_digits=12, decimal_places=2)]
        | SkipJsonSchema[None]
    ) = None
    in_stock: StrictBool | SkipJsonSchema[None] = None
    published_on: IsoDate | None = None
    released_at: IsoDatetime | None = None
    isbn: UUID | SkipJsonSchema[None] = None
    extra: dict[str, Any] | None = None
    format: BookFormat | SkipJsonSchema[None] = None
    author_id: Annotated[int, Field(ge=1, le=2147483647)] | SkipJsonSchema[None] = None
    editor_id: int | None = Field(default=None, ge=1, le=2147483647)

    @field_validator(
        "title", "contact", "pages", "price", "in_stock", "isbn", "format", "author_id"
    )
    @classmethod
    def reject_null(cls, value: object) -> object:
        """Refuse an explicit null for a field that cannot be empty."""
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


class BookRead(BaseModel):
    """A book as returned by the API."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    subtitle: str | None
    summary: str | None
    contact: str
    homepage: str | None
    pages: int
    rating: float | None
    price: Decimal
    in_stock: bool
    published_on: date | None
    released_at: datetime | None
    isbn: UUID
    extra: dict[str, Any] | None
    format: BookFormat
    author_id: int
    editor_id: int | None
    created_at: datetime
    updated_at: datetime


class BookPage(BaseModel):
    """One page of books with the total number of matches."""

    items: list[BookRead]
    total: int
    limit: int
    offset: int


class BookQuery(BaseModel):
    """Pagination, sorting and filters for listing books."""

    model_config = ConfigDict(extra="forbid")

    offset: int = Field(default=0, ge=0, le=2147483647)
    limit: int = Field(default=20, ge=1, le=100)
    sort: str = Field(
        default="-created_at",
        pattern=rf"^-?({'|'.join(BOOK_SORT_FIELDS)})$",
        description="Field to sort by; prefix with '-' for descending order.",
    )
    title: str | None = Field(
        default=None, description="Only books with this title.", pattern=r"^[^\x00]*$"
    )
    subtitle: str | None = Field(
        default=None,
        description="Only books with this subtitle.",
        pattern=r"^[^\x00]*$",
    )
    contact: str | None = Field(
        default=None, description="Only books with this contact.", pattern=r"^[^\x00]*$"
    )
    pages: int | None = Field(
        default=None,
        description="Only books with this pages.",
        ge=-2147483648,
        le=2147483647,
    )
    in_stock: QueryBool | None = Field(
        default=None, description="Only books with this in stock."
    )
    published_on: IsoDate | None = Field(
        default=None, description="Only books with this published on."
    )
    isbn: UUID | None = Field(default=None, description="Only books with this isbn.")
    format: BookFormat | None = Field(
        default=None, description="Only books with this format."
    )
    author_id: int | None = Field(
        default=None, description="Only books with this author.", ge=1, le=2147483647
    )
    editor_id: int | None = Field(
        default=None, description="Only books with this editor.", ge=1, le=2147483647
    )

    def filters(self) -> dict[str, Any]:
        """Return the equality filters that were given."""
        return self.model_dump(
            include={
                "title",
                "subtitle",
                "contact",
                "pages",
                "in_stock",
                "published_on",
                "isbn",
                "format",
                "author_id",
                "editor_id",
            },
            exclude_none=True,
        )
