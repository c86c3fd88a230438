"""Book contracts shared by the REST routes and the MCP tools."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from shop.models.types import (
    DecimalText,
    Email,
    IsoDate,
    IsoDatetime,
    QueryBool,
    json_number,
)
from shop.utils.pagination import (
    MAX_CURSOR_LENGTH,
    CursorError,
    decode_cursor,
    encode_cursor,
)

BOOK_SORT_FIELDS = (
    "id",
    "title",
    "subtitle",
    "contact",
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

    @field_validator("pages", "rating", "author_id", "editor_id", mode="before")
    @classmethod
    def numbers_only(cls, value: object) -> object:
        """Refuse `true` or `"5"` where a number is due."""
        return json_number(value)

    @field_validator("title", "subtitle", "summary")
    @classmethod
    def strip_text(cls, value: str | None) -> str | None:
        """Trim surrounding whitespace, after the length and pattern checks."""
        return value.strip() if isinstance(value, str) else value


class BookCreate(BookBase):
    """Payload to create a book, or to replace one with PUT."""


class BookUpdate(BaseModel):
    """Partial update: only the fields sent are changed."""

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

    @field_validator("pages", "rating", "author_id", "editor_id", mode="before")
    @classmethod
    def numbers_only(cls, value: object) -> object:
        """Refuse `true` or `"5"` where a number is due."""
        return json_number(value)

    @field_validator("title", "subtitle", "summary")
    @classmethod
    def strip_text(cls, value: str | None) -> str | None:
        """Trim surrounding whitespace, after the length and pattern checks."""
        return value.strip() if isinstance(value, str) else value

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
    """One page of books, and the cursor of the next one."""

    items: list[BookRead]
    limit: int
    offset: int
    next_cursor: str | None = Field(
        description="Send as `cursor` for the next page; null on the last page."
    )
    total: int | None = Field(
        default=None, description="The number of matches, with include_total=true only."
    )


class BookQuery(BaseModel):
    """Pagination, sorting and filters for listing books."""

    model_config = ConfigDict(extra="forbid")

    offset: int = Field(
        default=0,
        ge=0,
        le=10000,
        description="Rows to skip; deeper pages are reached by cursor.",
    )
    limit: int = Field(default=20, ge=1, le=100)
    sort: str = Field(
        default="-created_at",
        pattern=rf"^-?({'|'.join(BOOK_SORT_FIELDS)})$",
        description="Field to sort by; prefix with '-' for descending order.",
    )
    cursor: str | None = Field(
        default=None,
        max_length=MAX_CURSOR_LENGTH,
        description="next_cursor of the previous page (same sort and filters).",
    )
    include_total: bool = Field(
        default=False,
        description="Also count every match (a count of the whole table: costs rows).",
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
    _after: tuple[Any, int] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def read_cursor(self) -> Self:
        """Check the cursor against this query and keep the position it holds."""
        if self.cursor is None:
            return self
        if self.offset:
            raise ValueError("send either cursor or offset, not both")
        try:
            value, row_id = decode_cursor(
                self.cursor, sort=self.sort, filters=self.filters()
            )
            adapter = _sort_value(self.sort.removeprefix("-"))
            self._after = (adapter.validate_python(value), row_id)
        except (CursorError, ValidationError) as exc:
            message = str(exc) if isinstance(exc, CursorError) else "cursor is damaged"
            raise ValueError(message) from exc
        return self

    @property
    def after(self) -> tuple[Any, int] | None:
        """The (sort value, id) the page starts after, when a cursor was sent."""
        return self._after

    def cursor_after(self, last: BookRead) -> str:
        """Return the cursor of the page that follows the row `last`."""
        value = last.model_dump(mode="json")[self.sort.removeprefix("-")]
        return encode_cursor(
            sort=self.sort, filters=self.filters(), value=value, row_id=last.id
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


@cache
def _sort_value(column: str) -> TypeAdapter[Any]:
    """The validator of a sort column's value, read back from a cursor."""
    annotation: Any = BookRead.model_fields[column].annotation
    return TypeAdapter(annotation)
