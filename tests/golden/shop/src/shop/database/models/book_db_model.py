"""The `books` table."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.database.base import Base, TimestampMixin, UTCDateTime
from shop.database.models.author_db_model import AuthorDBModel
from shop.database.search import search_key
from shop.models.book_model import BookFormat


class BookDBModel(TimestampMixin, Base):
    """A stored book."""

    __tablename__ = "books"
    # Sorting by a column, and a keyset page after a row, is an index range scan.
    __table_args__ = (
        Index("ix_books_title_keyset", "title", "id"),
        Index("ix_books_subtitle_keyset", "subtitle", "id"),
        Index("ix_books_contact_keyset", "contact", "id"),
        Index("ix_books_pages_keyset", "pages", "id"),
        Index("ix_books_rating_keyset", "rating", "id"),
        Index("ix_books_price_keyset", "price", "id"),
        Index("ix_books_in_stock_keyset", "in_stock", "id"),
        Index("ix_books_published_on_keyset", "published_on", "id"),
        Index("ix_books_released_at_keyset", "released_at", "id"),
        Index("ix_books_isbn_keyset", "isbn", "id"),
        Index("ix_books_format_keyset", "format", "id"),
        Index("ix_books_author_id_keyset", "author_id", "id"),
        Index("ix_books_editor_id_keyset", "editor_id", "id"),
        Index("ix_books_created_at_keyset", "created_at", "id"),
        Index("ix_books_updated_at_keyset", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255), unique=True)
    subtitle: Mapped[str | None] = mapped_column(String(255), default="untitled")
    summary: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(320), index=True)
    homepage: Mapped[str | None] = mapped_column(String(2048))
    pages: Mapped[int] = mapped_column(Integer, index=True, default=100)
    rating: Mapped[float | None] = mapped_column(Float, default=4.5)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("9.99"))
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    published_on: Mapped[date | None] = mapped_column(Date, default=date(2024, 1, 31))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    isbn: Mapped[UUID] = mapped_column(Uuid, unique=True)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    format: Mapped[BookFormat] = mapped_column(
        Enum(
            BookFormat,
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
        ),
        default=BookFormat.PAPERBACK,
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("authors.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("authors.id", ondelete="SET NULL"), index=True
    )

    author: Mapped[AuthorDBModel] = relationship(foreign_keys=[author_id], lazy="raise")
    editor: Mapped[AuthorDBModel | None] = relationship(
        foreign_keys=[editor_id], lazy="raise"
    )


# The prefix search `q` is a range of lower(column): one index per string field.
Index("ix_books_title_search", search_key(BookDBModel.title))
Index("ix_books_subtitle_search", search_key(BookDBModel.subtitle))
