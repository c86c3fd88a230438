"""Changes to a user account: an administrator's, and each user's to their own."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from shop.models.types import Email
from shop.models.user_model import Password


class UserUpdate(BaseModel):
    """Partial update of a user: only the fields sent are changed."""

    email: Email | SkipJsonSchema[None] = None
    full_name: Annotated[str, Field(max_length=255, pattern=r"^[^\x00]*$")] | None = (
        None
    )
    password: Password | SkipJsonSchema[None] = None
    is_active: StrictBool | SkipJsonSchema[None] = None
    is_admin: StrictBool | SkipJsonSchema[None] = None

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


class UserProfileUpdate(BaseModel):
    """What users may change of their own account (e-mail, password and flags are admin-only)."""

    model_config = ConfigDict(extra="forbid")

    full_name: Annotated[str, Field(max_length=255, pattern=r"^[^\x00]*$")] | None = (
        None
    )
