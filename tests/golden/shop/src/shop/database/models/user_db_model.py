"""The `users` table."""

from sqlalchemy import String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from shop.database.base import Base, TimestampMixin


class UserDBModel(TimestampMixin, Base):
    """A user who can sign in to the API and the MCP endpoint."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
