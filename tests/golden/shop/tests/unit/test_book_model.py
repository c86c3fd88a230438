"""Validation rules of the book models."""

from typing import Any

import pytest
from pydantic import ValidationError

from shop.models.book_model import BookCreate, BookQuery, BookUpdate

MINIMAL: dict[str, Any] = {
    "title": "Title 1",
    "contact": "contact1@example.com",
    "isbn": "00000000-0000-4000-8000-000000000001",
    "author_id": 1,
}


def test_defaults() -> None:
    created = BookCreate.model_validate(MINIMAL).model_dump(mode="json")

    assert created["subtitle"] == "untitled"
    assert created["pages"] == 100
    assert created["rating"] == 4.5
    assert created["price"] == "9.99"
    assert created["in_stock"] is True
    assert created["published_on"] == "2024-01-31"
    assert created["format"] == "paperback"
    assert created["summary"] is None
    assert created["homepage"] is None
    assert created["released_at"] is None
    assert created["extra"] is None
    assert created["editor_id"] is None


@pytest.mark.parametrize("field", ["title", "contact", "isbn", "author_id"])
def test_required_fields(field: str) -> None:
    with pytest.raises(ValidationError):
        BookCreate.model_validate(
            {key: value for key, value in MINIMAL.items() if key != field}
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("subtitle", ""),
        ("summary", 12345),
        ("summary", "x" * 65536),
        ("contact", "not-an-email"),
        ("homepage", "not-a-url"),
        ("pages", "not-a-number"),
        ("pages", 2147483648),
        ("pages", -2147483649),
        ("rating", "not-a-number"),
        ("price", "not-a-number"),
        ("in_stock", "not-a-bool"),
        ("published_on", "not-a-date"),
        ("released_at", "not-a-datetime"),
        ("released_at", "2024-01-01T12:00:00"),
        ("isbn", "not-a-uuid"),
        ("extra", "not-an-object"),
        ("format", "not-a-choice"),
        ("author_id", "not-an-id"),
        ("author_id", 0),
        ("author_id", 2147483648),
        ("editor_id", "not-an-id"),
        ("editor_id", 0),
        ("editor_id", 2147483648),
    ],
)
def test_invalid_values_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        BookCreate.model_validate(MINIMAL | {field: value})
    with pytest.raises(ValidationError):
        BookUpdate.model_validate({field: value})


def test_text_is_stripped() -> None:
    created = BookCreate.model_validate(MINIMAL | {"title": "  padded  "})

    assert created.title == "padded"


def test_padding_counts_towards_the_length_limit() -> None:
    # The schema's maxLength holds for what the client sent, not for the trimmed text.
    padded = "x" * 255 + " "
    with pytest.raises(ValidationError):
        BookCreate.model_validate(MINIMAL | {"title": padded})
    with pytest.raises(ValidationError):
        BookUpdate.model_validate({"title": padded})


def test_blank_text_is_rejected() -> None:
    with pytest.raises(ValidationError):
        BookCreate.model_validate(MINIMAL | {"title": "   "})


def test_update_keeps_only_the_fields_sent() -> None:
    update = BookUpdate.model_validate({"title": "Title 2"})

    assert set(update.model_dump(exclude_unset=True)) == {"title"}


@pytest.mark.parametrize(
    "field",
    ["title", "contact", "pages", "price", "in_stock", "isbn", "format", "author_id"],
)
def test_update_rejects_null_for_required_fields(field: str) -> None:
    with pytest.raises(ValidationError, match="may be omitted but not null"):
        BookUpdate.model_validate({field: None})


def test_update_may_clear_an_optional_field() -> None:
    update = BookUpdate.model_validate({"subtitle": None})

    assert update.model_dump(exclude_unset=True) == {"subtitle": None}


@pytest.mark.parametrize(
    "sort",
    [
        "id",
        "-id",
        "title",
        "-title",
        "subtitle",
        "-subtitle",
        "contact",
        "-contact",
        "pages",
        "-pages",
        "rating",
        "-rating",
        "price",
        "-price",
        "in_stock",
        "-in_stock",
        "published_on",
        "-published_on",
        "released_at",
        "-released_at",
        "isbn",
        "-isbn",
        "format",
        "-format",
        "author_id",
        "-author_id",
        "editor_id",
        "-editor_id",
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
    ],
)
def test_query_accepts_sortable_fields(sort: str) -> None:
    assert BookQuery(sort=sort).sort == sort


@pytest.mark.parametrize("sort", ["unknown", "--id", "id;drop", ""])
def test_query_rejects_other_sort_fields(sort: str) -> None:
    with pytest.raises(ValidationError):
        BookQuery(sort=sort)


def test_query_rejects_unknown_parameters() -> None:
    with pytest.raises(ValidationError):
        BookQuery.model_validate({"unknown": "x"})


def test_query_filters_contain_only_given_values() -> None:
    query = BookQuery.model_validate({"limit": 5, "title": "Title 1"})

    assert list(query.filters()) == ["title"]
    assert BookQuery().filters() == {}
