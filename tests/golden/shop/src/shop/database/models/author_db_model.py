"""The `authors` table."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.database.base import Base, TimestampMixin


class AuthorDBModel(TimestampMixin, Base):
    """A stored author."""

    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    website: Mapped[str | None] = mapped_column(String(2048), unique=True)
    age: Mapped[int] = mapped_column(Integer, default=0)
