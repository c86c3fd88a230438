"""Books over REST."""

import os
import statistics
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from shop.app import create_app
from shop.config.settings import Settings
from shop.container import ServiceContainer
from shop.database.models import CASCADES_FROM
from shop.database.models.author_db_model import AuthorDBModel
from shop.database.models.book_db_model import BookDBModel
from shop.models.book_model import BookCreate
from tests.factories.author_factory import insert_author
from tests.factories.book_factory import book_values, insert_book
from tests.helpers import BASE_URL, Headers, running

BOOKS = "/api/v1/books"
RESPONSE_TIME_BUDGET_SECONDS = 0.2


@pytest.fixture
async def payload(container: ServiceContainer) -> dict[str, Any]:
    """A valid book payload; the rows it refers to exist."""
    values = book_values(1)
    values["author_id"] = (await insert_author(container)).id
    return values


@pytest.fixture
def headers(user_headers: Headers) -> Headers:
    """Credentials of a regular user."""
    return user_headers


def stored(payload: dict[str, Any]) -> dict[str, Any]:
    """The fields a valid payload is stored with, as the API returns them."""
    return BookCreate.model_validate(payload).model_dump(mode="json")


def fields_of(body: dict[str, Any]) -> dict[str, Any]:
    """The client-set fields of a book returned by the API."""
    return {key: value for key, value in body.items() if key in BookCreate.model_fields}


async def test_create_book(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    response = await client.post(BOOKS, json=payload, headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert fields_of(body) == stored(payload)
    assert isinstance(body["id"], int)
    assert body["created_at"].endswith("Z")


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
async def test_invalid_book_is_422(
    client: httpx.AsyncClient,
    headers: Headers,
    payload: dict[str, Any],
    field: str,
    value: object,
) -> None:
    response = await client.post(BOOKS, json=payload | {field: value}, headers=headers)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [detail["loc"] for detail in error["details"]] == [["body", field]]


@pytest.mark.parametrize("field", ["title", "contact", "isbn", "author_id"])
async def test_missing_required_field_is_422(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any], field: str
) -> None:
    del payload[field]

    response = await client.post(BOOKS, json=payload, headers=headers)

    assert response.status_code == 422


async def test_duplicate_book_is_409(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    first = await client.post(BOOKS, json=payload, headers=headers)
    second = await client.post(BOOKS, json=payload, headers=headers)

    assert first.status_code == 201, first.text
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"


async def test_unknown_author_is_404(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    response = await client.post(
        BOOKS, json=payload | {"author_id": 999999}, headers=headers
    )

    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "Author 999999 not found (author_id)"
    )


async def test_unknown_editor_is_404(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    response = await client.post(
        BOOKS, json=payload | {"editor_id": 999999}, headers=headers
    )

    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "Author 999999 not found (editor_id)"
    )


async def test_read_book(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_book(container)

    response = await client.get(f"{BOOKS}/{row.id}", headers=headers)

    assert response.status_code == 200
    assert response.json() == row.model_dump(mode="json")


async def test_missing_book_is_404(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    url = f"{BOOKS}/999999"
    for response in [
        await client.get(url, headers=headers),
        await client.put(url, json=payload, headers=headers),
        await client.patch(url, json={}, headers=headers),
        await client.delete(url, headers=headers),
    ]:
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "Book 999999 not found"


@pytest.mark.parametrize("row_id", [0, 2147483648])
async def test_book_id_beyond_the_column_is_422(
    client: httpx.AsyncClient, headers: Headers, row_id: int
) -> None:
    url = f"{BOOKS}/{row_id}"
    for response in [
        await client.get(url, headers=headers),
        await client.patch(url, json={}, headers=headers),
        await client.delete(url, headers=headers),
    ]:
        assert response.status_code == 422
        details = response.json()["error"]["details"]
        assert [detail["loc"] for detail in details] == [["path", "book_id"]]


async def test_list_is_paginated(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    ids = [(await insert_book(container)).id for _ in range(2)]

    response = await client.get(
        BOOKS,
        params={"limit": 1, "offset": 1, "sort": "id", "include_total": True},
        headers=headers,
    )

    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [item["id"] for item in page["items"]] == ids[1:]
    assert page["next_cursor"] is None


async def test_list_counts_only_when_asked(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    await insert_book(container)

    page = (await client.get(BOOKS, headers=headers)).json()

    assert page["total"] is None
    assert len(page["items"]) == 1


async def walk(
    client: httpx.AsyncClient, headers: Headers, params: dict[str, Any]
) -> list[int]:
    """Every id of a list, page after page by cursor."""
    ids: list[int] = []
    cursor = None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        response = await client.get(BOOKS, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "id", "-id", "title"])
async def test_cursor_pages_cover_the_list_once(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer, sort: str
) -> None:
    stored_ids = {(await insert_book(container)).id for _ in range(5)}

    ids = await walk(client, headers, {"limit": 2, "sort": sort})

    assert sorted(ids) == sorted(stored_ids)
    assert len(ids) == len(stored_ids)


async def test_cursor_is_stable_under_inserts_and_deletes(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    rows = [await insert_book(container) for _ in range(4)]
    params: dict[str, str | int] = {"limit": 2, "sort": "id"}
    first = (await client.get(BOOKS, params=params, headers=headers)).json()
    assert [item["id"] for item in first["items"]] == [rows[0].id, rows[1].id]

    async with container.session() as session:
        await session.execute(
            delete(BookDBModel).where(BookDBModel.id.in_([rows[0].id, rows[2].id]))
        )
        await session.commit()
    added = await insert_book(container)
    params["cursor"] = first["next_cursor"]
    second = (await client.get(BOOKS, params=params, headers=headers)).json()

    # Nothing is skipped or repeated: the page starts after the last row seen.
    assert [item["id"] for item in second["items"]] == [rows[3].id, added.id]


async def test_a_tampered_or_reused_cursor_is_422(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    for _ in range(2):
        await insert_book(container)
    page = (await client.get(BOOKS, params={"limit": 1}, headers=headers)).json()
    cursor = page["next_cursor"]
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")

    responses = {
        "tampered": await client.get(
            BOOKS, params={"cursor": tampered}, headers=headers
        ),
        "garbage": await client.get(
            BOOKS, params={"cursor": "not a cursor"}, headers=headers
        ),
        "other sort": await client.get(
            BOOKS, params={"cursor": cursor, "sort": "id"}, headers=headers
        ),
        "with offset": await client.get(
            BOOKS, params={"cursor": cursor, "offset": 1}, headers=headers
        ),
    }

    for case, response in responses.items():
        assert response.status_code == 422, case
        assert "cursor" in response.text, case
    assert "another sort" in responses["other sort"].text


async def test_list_defaults_to_newest_first(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    ids = [(await insert_book(container)).id for _ in range(2)]

    response = await client.get(BOOKS, headers=headers)

    assert [item["id"] for item in response.json()["items"]] == ids[::-1]


async def test_list_filters_by_title(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    wanted = "Title 2"
    other = "Title 1"
    match = await insert_book(container, title=wanted)
    await insert_book(container, title=other)

    response = await client.get(BOOKS, params={"title": wanted}, headers=headers)

    assert response.status_code == 200
    page = response.json()
    assert [item["id"] for item in page["items"]] == [match.id]


async def test_list_range_is_inclusive_and_checked(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    rows = [await insert_book(container, pages=value) for value in (1, 2, 3)]
    bounds = {"pages_min": 2, "pages_max": 3}

    page = (
        await client.get(
            BOOKS,
            params={**bounds, "sort": "id", "include_total": True},
            headers=headers,
        )
    ).json()
    reversed_bounds = {"pages_min": 3, "pages_max": 2}
    refused = await client.get(BOOKS, params=reversed_bounds, headers=headers)

    assert [item["id"] for item in page["items"]] == [row.id for row in rows[1:]]
    assert page["total"] == 2
    assert refused.status_code == 422
    assert "pages_min is greater than pages_max" in refused.text


async def test_list_in_takes_several_values(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    values = ["hardcover", "paperback", "e-book"]
    rows = [await insert_book(container, format=value) for value in values]

    # A repeated query parameter: ?format_in=a&format_in=b
    params: dict[str, Any] = {"format_in": values[:2], "sort": "id"}
    response = await client.get(BOOKS, params=params, headers=headers)
    too_many = {"format_in": values[:1] * 51}

    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [
        row.id for row in rows[:2]
    ]
    assert (
        await client.get(BOOKS, params=too_many, headers=headers)
    ).status_code == 422


async def test_list_search_is_a_case_insensitive_prefix(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    names = ["Apple pie", "apple tart", "Pineapple", "50%_off", "50x_off"]
    rows = {name: await insert_book(container, title=name) for name in names}

    async def found(text: str) -> list[int]:
        params = {"q": text, "sort": "id"}
        response = await client.get(BOOKS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await found("APPLE") == [rows["Apple pie"].id, rows["apple tart"].id]
    # % and _ are matched as themselves, not as LIKE wildcards.
    assert await found("50%") == [rows["50%_off"].id]
    assert await found("50_") == []
    assert await found("pie") == []


async def test_list_sorts_by_several_fields_and_pages_by_cursor(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    values = ["Title 1", "Title 2", "Title 3", "Title 4"]
    rows = [await insert_book(container, title=value) for value in values]
    by_id = sorted(rows, key=lambda row: row.id)
    # Descending by title, ascending by id among equal ones.
    expected = sorted(by_id, key=lambda row: row.title, reverse=True)

    ids = await walk(client, headers, {"limit": 1, "sort": "-title,id"})
    repeated = await client.get(BOOKS, params={"sort": "id,-id"}, headers=headers)

    assert ids == [row.id for row in expected]
    assert repeated.status_code == 422


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "unknown"},
        {"sort": "--id"},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"offset": 10001},
        {"unknown": "x"},
    ],
)
async def test_invalid_list_query_is_422(
    client: httpx.AsyncClient, headers: Headers, params: dict[str, Any]
) -> None:
    response = await client.get(BOOKS, params=params, headers=headers)

    assert response.status_code == 422


async def test_put_replaces_every_field(
    client: httpx.AsyncClient,
    headers: Headers,
    container: ServiceContainer,
    payload: dict[str, Any],
) -> None:
    row = await insert_book(container)

    response = await client.put(f"{BOOKS}/{row.id}", json=payload, headers=headers)

    assert response.status_code == 200, response.text
    assert fields_of(response.json()) == stored(payload)
    assert response.json()["id"] == row.id


async def test_patch_changes_only_sent_fields(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_book(container)
    change = {"title": "Title 2"}

    response = await client.patch(f"{BOOKS}/{row.id}", json=change, headers=headers)

    assert response.status_code == 200, response.text
    expected = stored(fields_of(row.model_dump(mode="json")) | change)
    assert fields_of(response.json()) == expected


async def test_patch_rejects_null(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_book(container)

    response = await client.patch(
        f"{BOOKS}/{row.id}", json={"title": None}, headers=headers
    )

    assert response.status_code == 422


async def test_patch_to_a_taken_value_is_409(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    taken = (await insert_book(container)).model_dump(mode="json")["title"]
    row = await insert_book(container)

    response = await client.patch(
        f"{BOOKS}/{row.id}",
        json={"title": taken},
        headers=headers,
    )

    assert response.status_code == 409


async def test_patch_to_unknown_author_is_404(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_book(container)

    response = await client.patch(
        f"{BOOKS}/{row.id}", json={"author_id": 999999}, headers=headers
    )

    assert response.status_code == 404


async def test_patch_to_unknown_editor_is_404(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_book(container)

    response = await client.patch(
        f"{BOOKS}/{row.id}", json={"editor_id": 999999}, headers=headers
    )

    assert response.status_code == 404


async def test_delete_book(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_book(container)

    deleted = await client.delete(f"{BOOKS}/{row.id}", headers=headers)

    assert deleted.status_code == 204
    assert deleted.content == b""
    missing = await client.get(f"{BOOKS}/{row.id}", headers=headers)
    assert missing.status_code == 404


async def test_create_refreshes_cached_lists(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    before = await client.get(BOOKS, headers=headers)
    await client.post(BOOKS, json=payload, headers=headers)

    after = await client.get(BOOKS, headers=headers)

    assert (len(before.json()["items"]), len(after.json()["items"])) == (0, 1)


async def test_update_refreshes_cached_reads(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_book(container)
    url = f"{BOOKS}/{row.id}"
    await client.get(url, headers=headers)
    change = {"title": "Title 2"}
    await client.patch(url, json=change, headers=headers)

    response = await client.get(url, headers=headers)

    assert fields_of(response.json()) == stored(
        fields_of(row.model_dump(mode="json")) | change
    )


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="replicas share their cache through Redis"
)
async def test_replicas_read_each_others_writes(
    client: httpx.AsyncClient,
    headers: Headers,
    container: ServiceContainer,
    settings: Settings,
) -> None:
    row = await insert_book(container)
    url = f"{BOOKS}/{row.id}"
    assert (await client.get(url, headers=headers)).status_code == 200

    async with running(create_app(settings)) as other:
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as replica:
            change = {"title": "Title 2"}
            assert (
                await replica.patch(url, json=change, headers=headers)
            ).status_code == 200
            changed = await client.get(url, headers=headers)
            assert fields_of(changed.json()) == stored(
                fields_of(row.model_dump(mode="json")) | change
            )
            assert (await replica.delete(url, headers=headers)).status_code == 204
            assert (await client.get(url, headers=headers)).status_code == 404


async def test_books_require_authentication(client: httpx.AsyncClient) -> None:
    responses = [
        await client.post(BOOKS, json={}),
        await client.get(BOOKS),
        await client.get(f"{BOOKS}/1"),
        await client.put(f"{BOOKS}/1", json={}),
        await client.patch(f"{BOOKS}/1", json={}),
        await client.delete(f"{BOOKS}/1"),
    ]

    assert {response.status_code for response in responses} == {401}


@pytest.mark.perf
async def test_median_read_is_within_budget(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    url = f"{BOOKS}/{(await insert_book(container)).id}"
    durations = []
    for _ in range(20):
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        durations.append(time.perf_counter() - started)
        assert response.status_code == 200

    assert statistics.median(durations) < RESPONSE_TIME_BUDGET_SECONDS


async def test_deleting_its_author_deletes_the_book(
    container: ServiceContainer,
) -> None:
    # The database applies ON DELETE CASCADE itself, SQLite included.
    target = await insert_author(container)
    row = await insert_book(container, author_id=target.id)

    async with container.session() as session:
        await session.execute(
            delete(AuthorDBModel).where(AuthorDBModel.id == target.id)
        )
        await session.commit()
        stored = await session.get(BookDBModel, row.id)

    assert stored is None
    # Deleting authors therefore invalidates the cached books.
    assert "books" in CASCADES_FROM["authors"]


async def test_deleting_its_editor_clears_the_book(
    container: ServiceContainer,
) -> None:
    # The database applies ON DELETE SET NULL itself, SQLite included.
    target = await insert_author(container)
    row = await insert_book(container, editor_id=target.id)

    async with container.session() as session:
        await session.execute(
            delete(AuthorDBModel).where(AuthorDBModel.id == target.id)
        )
        await session.commit()
        stored = await session.get(BookDBModel, row.id)

    assert stored is not None
    assert stored.editor_id is None
    # Deleting authors therefore invalidates the cached books.
    assert "books" in CASCADES_FROM["authors"]


async def test_a_read_only_token_cannot_delete(
    client: httpx.AsyncClient, read_only_headers: Headers
) -> None:
    response = await client.delete(f"{BOOKS}/1", headers=read_only_headers)

    assert response.status_code == 403
    assert "'write' scope" in response.json()["error"]["message"]
