"""Changes an administrator may make to a user account."""

from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, field_validator

from shop.models.user_model import Password


class UserUpdate(BaseModel):
    """Partial update of a user: only the fields sent are changed."""

    email: EmailStr | None = None
    full_name: Annotated[str, Field(max_length=255)] | None = None
    password: Password | None = None
    is_active: bool | None = None
    is_admin: bool | None = None

    @field_validator("email", "password", "is_active", "is_admin")
    @classmethod
    def reject_null(cls, value: object) -> object:
        """Refuse an explicit null for a field that cannot be empty."""
        if value is None:
            raise ValueError("may be omitted but not null")
        return value

    @field_validator("email")
    @classmethod
    def normalise_email(cls, value: str) -> str:
        """Store e-mail addresses lower-case, as new accounts are."""
        return value.lower()
