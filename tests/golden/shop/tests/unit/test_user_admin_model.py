"""Validation rules of the user update models: an administrator's, and a user's own."""

import pytest
from pydantic import ValidationError

from shop.models.user_admin_model import UserProfileUpdate, UserUpdate


def test_update_keeps_only_the_fields_sent() -> None:
    update = UserUpdate.model_validate({"full_name": "Ada Lovelace"})

    assert update.model_dump(exclude_unset=True) == {"full_name": "Ada Lovelace"}


def test_email_is_stored_lower_case() -> None:
    assert UserUpdate.model_validate({"email": "Ada@Example.COM"}).email == (
        "ada@example.com"
    )


@pytest.mark.parametrize("field", ["email", "password", "is_active", "is_admin"])
def test_null_is_refused_for_required_fields(field: str) -> None:
    with pytest.raises(ValidationError, match="may be omitted but not null"):
        UserUpdate.model_validate({field: None})


def test_full_name_may_be_cleared() -> None:
    update = UserUpdate.model_validate({"full_name": None})

    assert update.model_dump(exclude_unset=True) == {"full_name": None}


@pytest.mark.parametrize(
    "payload",
    [{"email": "not-an-email"}, {"password": "short"}, {"full_name": "x" * 256}],
)
def test_invalid_values_are_rejected(payload: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        UserUpdate.model_validate(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "other@example.com"},
        {"password": "a-brand-new-password"},
        {"is_active": False},
        {"is_admin": True},
    ],
)
def test_users_cannot_change_what_administrators_decide(
    payload: dict[str, object],
) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        UserProfileUpdate.model_validate(payload)


def test_users_change_their_own_name() -> None:
    update = UserProfileUpdate.model_validate({"full_name": "Ada Lovelace"})

    assert update.model_dump(exclude_unset=True) == {"full_name": "Ada Lovelace"}
