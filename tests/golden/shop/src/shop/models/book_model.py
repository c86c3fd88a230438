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
_SORT_KEY = rf"-?({'|'.join(BOOK_SORT_FIELDS)})"
_RANGES = (
    ("pages_min", "pages_max"),
    ("rating_min", "rating_max"),
    ("price_min", "price_max"),
    ("published_on_min", "published_on_max"),
    ("released_at_min", "released_at_max"),
    ("created_at_min", "created_at_max"),
    ("updated_at_min", "updated_at_max"),
)
"""The (lower, upper) bounds of each range filter."""


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
    """Pagination, sorting and filters for listing books.

    Filters combine with AND: `<field>` equality, `<field>_min`/`<field>_max` inclusive
    ranges, `<field>_in` any of several values and `q` a case-insensitive prefix of
    title or subtitle. `sort` takes up to 3 fields (`-created_at,id`).
    """

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
        pattern=rf"^{_SORT_KEY}(,{_SORT_KEY}){{0,2}}$",
        description=(
            "Up to 3 fields to sort by, comma-separated"
            " (`-price,name`), each once; prefix one with '-' for"
            " descending order. Ties are broken by id."
        ),
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
    pages_min: int | None = Field(
        default=None,
        description="Only books whose pages is at least this.",
        ge=-2147483648,
        le=2147483647,
    )
    pages_max: int | None = Field(
        default=None,
        description="Only books whose pages is at most this.",
        ge=-2147483648,
        le=2147483647,
    )
    rating_min: float | None = Field(
        default=None,
        description="Only books whose rating is at least this.",
        allow_inf_nan=False,
    )
    rating_max: float | None = Field(
        default=None,
        description="Only books whose rating is at most this.",
        allow_inf_nan=False,
    )
    price_min: DecimalText | None = Field(
        default=None,
        description="Only books whose price is at least this.",
        max_digits=12,
        decimal_places=2,
    )
    price_max: DecimalText | None = Field(
        default=None,
        description="Only books whose price is at most this.",
        max_digits=12,
        decimal_places=2,
    )
    published_on_min: IsoDate | None = Field(
        default=None, description="Only books whose published on is at least this."
    )
    published_on_max: IsoDate | None = Field(
        default=None, description="Only books whose published on is at most this."
    )
    released_at_min: IsoDatetime | None = Field(
        default=None, description="Only books whose released at is at least this."
    )
    released_at_max: IsoDatetime | None = Field(
        default=None, description="Only books whose released at is at most this."
    )
    created_at_min: IsoDatetime | None = Field(
        default=None,
        description=("Only books created at or after this moment (with its offset)."),
    )
    created_at_max: IsoDatetime | None = Field(
        default=None,
        description=("Only books created at or before this moment (with its offset)."),
    )
    updated_at_min: IsoDatetime | None = Field(
        default=None,
        description=("Only books updated at or after this moment (with its offset)."),
    )
    updated_at_max: IsoDatetime | None = Field(
        default=None,
        description=("Only books updated at or before this moment (with its offset)."),
    )
    format_in: list[BookFormat] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description=(
            "Only books whose format is one of these (repeat the "
            "parameter: up to 50 values)."
        ),
    )
    author_id_in: list[Annotated[int, Field(ge=1, le=2147483647)]] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description=(
            "Only books whose author is one of these (repeat the "
            "parameter: up to 50 values)."
        ),
    )
    editor_id_in: list[Annotated[int, Field(ge=1, le=2147483647)]] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description=(
            "Only books whose editor is one of these (repeat the "
            "parameter: up to 50 values)."
        ),
    )
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00]*$",
        description=(
            "Only books whose title or subtitle starts with this "
            "text, in any letter case (a prefix: % and _ are plain "
            "characters)."
        ),
    )
    _after: tuple[tuple[Any, ...], int] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def check_sort_and_ranges(self) -> Self:
        """Refuse a field sorted by twice and a range whose bounds are crossed."""
        columns = self.sort_columns()
        if len(set(columns)) < len(columns):
            raise ValueError("sort names a field more than once")
        for low, high in _RANGES:
            lowest, highest = getattr(self, low), getattr(self, high)
            if lowest is not None and highest is not None and lowest > highest:
                raise ValueError(f"{low} is greater than {high}")
        return self

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
            columns = self.sort_columns()
            # One sort field: the cursor holds its value; several: the list of them.
            values = [value] if len(columns) == 1 else value
            if not isinstance(values, list) or len(values) != len(columns):
                raise CursorError("cursor is damaged")
            self._after = (
                tuple(
                    _sort_value(column).validate_python(item)
                    for column, item in zip(columns, values, strict=True)
                ),
                row_id,
            )
        except (CursorError, ValidationError) as exc:
            message = str(exc) if isinstance(exc, CursorError) else "cursor is damaged"
            raise ValueError(message) from exc
        return self

    @property
    def after(self) -> tuple[tuple[Any, ...], int] | None:
        """The (sort values, id) the page starts after, when a cursor was sent."""
        return self._after

    def sort_columns(self) -> list[str]:
        """The fields sorted by, in order, without their '-'."""
        return [key.removeprefix("-") for key in self.sort.split(",")]

    def cursor_after(self, last: BookRead) -> str:
        """Return the cursor of the page that follows the row `last`."""
        row = last.model_dump(mode="json")
        values = [row[column] for column in self.sort_columns()]
        return encode_cursor(
            sort=self.sort,
            filters=self.filters(),
            value=values[0] if len(values) == 1 else values,
            row_id=last.id,
        )

    def filters(self) -> dict[str, Any]:
        """Return the filters that were given (equality, ranges, lists, search)."""
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
                "pages_min",
                "pages_max",
                "rating_min",
                "rating_max",
                "price_min",
                "price_max",
                "published_on_min",
                "published_on_max",
                "released_at_min",
                "released_at_max",
                "created_at_min",
                "created_at_max",
                "updated_at_min",
                "updated_at_max",
                "format_in",
                "author_id_in",
                "editor_id_in",
                "q",
            },
            exclude_none=True,
        )


@cache
def _sort_value(column: str) -> TypeAdapter[Any]:
    """The validator of a sort column's value, read back from a cursor."""
    annotation: Any = BookRead.model_fields[column].annotation
    return TypeAdapter(annotation)
