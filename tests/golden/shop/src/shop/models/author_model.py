"""Author contracts shared by the REST routes and the MCP tools."""

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from shop.models.types import IsoDatetime, json_number
from shop.utils.pagination import (
    MAX_CURSOR_LENGTH,
    CursorError,
    decode_cursor,
    encode_cursor,
)

AUTHOR_SORT_FIELDS = (
    "id",
    "name",
    "age",
    "created_at",
    "updated_at",
)
_SORT_KEY = rf"-?({'|'.join(AUTHOR_SORT_FIELDS)})"
_RANGES = (
    ("age_min", "age_max"),
    ("created_at_min", "created_at_max"),
    ("updated_at_min", "updated_at_max"),
)
"""The (lower, upper) bounds of each range filter."""


class AuthorBase(BaseModel):
    """Fields a client may set on an author."""

    name: str = Field(
        min_length=1, max_length=255, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$"
    )
    website: str | None = Field(
        default=None, max_length=2048, pattern=r"^https?://[^\s\x00]+$"
    )
    age: int = Field(default=0, ge=-2147483648, le=2147483647)

    @field_validator("age", mode="before")
    @classmethod
    def numbers_only(cls, value: object) -> object:
        """Refuse `true` or `"5"` where a number is due."""
        return json_number(value)

    @field_validator("name")
    @classmethod
    def strip_text(cls, value: str | None) -> str | None:
        """Trim surrounding whitespace, after the length and pattern checks."""
        return value.strip() if isinstance(value, str) else value


class AuthorCreate(AuthorBase):
    """Payload to create an author, or to replace one with PUT."""


class AuthorUpdate(BaseModel):
    """Partial update: only the fields sent are changed."""

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

    @field_validator("age", mode="before")
    @classmethod
    def numbers_only(cls, value: object) -> object:
        """Refuse `true` or `"5"` where a number is due."""
        return json_number(value)

    @field_validator("name")
    @classmethod
    def strip_text(cls, value: str | None) -> str | None:
        """Trim surrounding whitespace, after the length and pattern checks."""
        return value.strip() if isinstance(value, str) else value

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
    """One page of authors, and the cursor of the next one."""

    items: list[AuthorRead]
    limit: int
    offset: int
    next_cursor: str | None = Field(
        description="Send as `cursor` for the next page; null on the last page."
    )
    total: int | None = Field(
        default=None, description="The number of matches, with include_total=true only."
    )


class AuthorQuery(BaseModel):
    """Pagination, sorting and filters for listing authors.

    Filters combine with AND: `<field>` equality, `<field>_min`/`<field>_max` inclusive
    ranges and `q` a case-insensitive prefix of name. `sort` takes up to 3 fields
    (`-created_at,id`).
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
    name: str | None = Field(
        default=None, description="Only authors with this name.", pattern=r"^[^\x00]*$"
    )
    age: int | None = Field(
        default=None,
        description="Only authors with this age.",
        ge=-2147483648,
        le=2147483647,
    )
    age_min: int | None = Field(
        default=None,
        description="Only authors whose age is at least this.",
        ge=-2147483648,
        le=2147483647,
    )
    age_max: int | None = Field(
        default=None,
        description="Only authors whose age is at most this.",
        ge=-2147483648,
        le=2147483647,
    )
    created_at_min: IsoDatetime | None = Field(
        default=None,
        description=("Only authors created at or after this moment (with its offset)."),
    )
    created_at_max: IsoDatetime | None = Field(
        default=None,
        description=(
            "Only authors created at or before this moment (with its offset)."
        ),
    )
    updated_at_min: IsoDatetime | None = Field(
        default=None,
        description=("Only authors updated at or after this moment (with its offset)."),
    )
    updated_at_max: IsoDatetime | None = Field(
        default=None,
        description=(
            "Only authors updated at or before this moment (with its offset)."
        ),
    )
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00]*$",
        description=(
            "Only authors whose name starts with this text, in any "
            "letter case (a prefix: % and _ are plain characters)."
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

    def cursor_after(self, last: AuthorRead) -> str:
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
                "name",
                "age",
                "age_min",
                "age_max",
                "created_at_min",
                "created_at_max",
                "updated_at_min",
                "updated_at_max",
                "q",
            },
            exclude_none=True,
        )


@cache
def _sort_value(column: str) -> TypeAdapter[Any]:
    """The validator of a sort column's value, read back from a cursor."""
    annotation: Any = AuthorRead.model_fields[column].annotation
    return TypeAdapter(annotation)
