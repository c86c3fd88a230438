"""Validation rules of the author models."""

from typing import Any

import pytest
from pydantic import ValidationError

from shop.models.author_model import AuthorCreate, AuthorQuery, AuthorUpdate

MINIMAL: dict[str, Any] = {
    "name": "Name 1",
}


def test_defaults() -> None:
    created = AuthorCreate.model_validate(MINIMAL).model_dump(mode="json")

    assert created["age"] == 0
    assert created["website"] is None


@pytest.mark.parametrize("field", ["name"])
def test_required_fields(field: str) -> None:
    with pytest.raises(ValidationError):
        AuthorCreate.model_validate(
            {key: value for key, value in MINIMAL.items() if key != field}
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("website", "not-a-url"),
        ("age", "not-a-number"),
        ("age", 2147483648),
        ("age", -2147483649),
    ],
)
def test_invalid_values_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        AuthorCreate.model_validate(MINIMAL | {field: value})
    with pytest.raises(ValidationError):
        AuthorUpdate.model_validate({field: value})


def test_text_is_stripped() -> None:
    created = AuthorCreate.model_validate(MINIMAL | {"name": "  padded  "})

    assert created.name == "padded"


def test_padding_counts_towards_the_length_limit() -> None:
    # The schema's maxLength holds for what the client sent, not for the trimmed text.
    padded = "x" * 255 + " "
    with pytest.raises(ValidationError):
        AuthorCreate.model_validate(MINIMAL | {"name": padded})
    with pytest.raises(ValidationError):
        AuthorUpdate.model_validate({"name": padded})


def test_blank_text_is_rejected() -> None:
    with pytest.raises(ValidationError):
        AuthorCreate.model_validate(MINIMAL | {"name": "   "})


def test_update_keeps_only_the_fields_sent() -> None:
    update = AuthorUpdate.model_validate({"name": "Name 2"})

    assert set(update.model_dump(exclude_unset=True)) == {"name"}


@pytest.mark.parametrize("field", ["name", "age"])
def test_update_rejects_null_for_required_fields(field: str) -> None:
    with pytest.raises(ValidationError, match="may be omitted but not null"):
        AuthorUpdate.model_validate({field: None})


def test_update_may_clear_an_optional_field() -> None:
    update = AuthorUpdate.model_validate({"website": None})

    assert update.model_dump(exclude_unset=True) == {"website": None}


@pytest.mark.parametrize(
    "sort",
    [
        "id",
        "-id",
        "name",
        "-name",
        "age",
        "-age",
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
    ],
)
def test_query_accepts_sortable_fields(sort: str) -> None:
    assert AuthorQuery(sort=sort).sort == sort


@pytest.mark.parametrize("sort", ["unknown", "--id", "id;drop", ""])
def test_query_rejects_other_sort_fields(sort: str) -> None:
    with pytest.raises(ValidationError):
        AuthorQuery(sort=sort)


def test_query_rejects_unknown_parameters() -> None:
    with pytest.raises(ValidationError):
        AuthorQuery.model_validate({"unknown": "x"})


def test_query_filters_contain_only_given_values() -> None:
    query = AuthorQuery.model_validate({"limit": 5, "name": "Name 1"})

    assert list(query.filters()) == ["name"]
    assert AuthorQuery().filters() == {}
