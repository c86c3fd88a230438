"""The `authors` table."""

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.database.base import Base, TimestampMixin
from shop.database.search import search_key


class AuthorDBModel(TimestampMixin, Base):
    """A stored author."""

    __tablename__ = "authors"
    # Sorting by a column, and a keyset page after a row, is an index range scan.
    __table_args__ = (
        Index("ix_authors_name_keyset", "name", "id"),
        Index("ix_authors_age_keyset", "age", "id"),
        Index("ix_authors_created_at_keyset", "created_at", "id"),
        Index("ix_authors_updated_at_keyset", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    website: Mapped[str | None] = mapped_column(String(2048), unique=True)
    age: Mapped[int] = mapped_column(Integer, default=0)


# The prefix search `q` is a range of lower(column): one index per string field.
Index("ix_authors_name_search", search_key(AuthorDBModel.name))
