"""Authors over REST."""

import statistics
import time
from typing import Any

import httpx
import pytest

from shop.container import ServiceContainer
from shop.models.author_model import AuthorCreate
from tests.factories.author_factory import author_values, insert_author
from tests.helpers import Headers

AUTHORS = "/api/v1/authors"
RESPONSE_TIME_BUDGET_SECONDS = 0.2


@pytest.fixture
def payload() -> dict[str, Any]:
    """A valid author payload."""
    return author_values(1)


@pytest.fixture
def headers(user_headers: Headers) -> Headers:
    """Credentials of a regular user."""
    return user_headers


def stored(payload: dict[str, Any]) -> dict[str, Any]:
    """The fields a valid payload is stored with, as the API returns them."""
    return AuthorCreate.model_validate(payload).model_dump(mode="json")


def fields_of(body: dict[str, Any]) -> dict[str, Any]:
    """The client-set fields of an author returned by the API."""
    return {
        key: value for key, value in body.items() if key in AuthorCreate.model_fields
    }


async def test_create_author(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    response = await client.post(AUTHORS, json=payload, headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert fields_of(body) == stored(payload)
    assert isinstance(body["id"], int)
    assert body["created_at"].endswith("Z")


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
async def test_invalid_author_is_422(
    client: httpx.AsyncClient,
    headers: Headers,
    payload: dict[str, Any],
    field: str,
    value: object,
) -> None:
    response = await client.post(
        AUTHORS, json=payload | {field: value}, headers=headers
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [detail["loc"] for detail in error["details"]] == [["body", field]]


@pytest.mark.parametrize("field", ["name"])
async def test_missing_required_field_is_422(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any], field: str
) -> None:
    del payload[field]

    response = await client.post(AUTHORS, json=payload, headers=headers)

    assert response.status_code == 422


async def test_duplicate_author_is_409(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    first = await client.post(AUTHORS, json=payload, headers=headers)
    second = await client.post(AUTHORS, json=payload, headers=headers)

    assert first.status_code == 201, first.text
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"


async def test_read_author(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_author(container)

    response = await client.get(f"{AUTHORS}/{row.id}", headers=headers)

    assert response.status_code == 200
    assert response.json() == row.model_dump(mode="json")


async def test_missing_author_is_404(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    url = f"{AUTHORS}/999999"
    for response in [
        await client.get(url, headers=headers),
        await client.put(url, json=payload, headers=headers),
        await client.patch(url, json={}, headers=headers),
        await client.delete(url, headers=headers),
    ]:
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "Author 999999 not found"


@pytest.mark.parametrize("row_id", [0, 2147483648])
async def test_author_id_beyond_the_column_is_422(
    client: httpx.AsyncClient, headers: Headers, row_id: int
) -> None:
    url = f"{AUTHORS}/{row_id}"
    for response in [
        await client.get(url, headers=headers),
        await client.patch(url, json={}, headers=headers),
        await client.delete(url, headers=headers),
    ]:
        assert response.status_code == 422
        details = response.json()["error"]["details"]
        assert [detail["loc"] for detail in details] == [["path", "author_id"]]


async def test_list_is_paginated(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    ids = [(await insert_author(container)).id for _ in range(2)]

    response = await client.get(
        AUTHORS, params={"limit": 1, "offset": 1, "sort": "id"}, headers=headers
    )

    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [item["id"] for item in page["items"]] == ids[1:]


async def test_list_defaults_to_newest_first(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    ids = [(await insert_author(container)).id for _ in range(2)]

    response = await client.get(AUTHORS, headers=headers)

    assert [item["id"] for item in response.json()["items"]] == ids[::-1]


async def test_list_filters_by_name(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    wanted = "Name 2"
    other = "Name 1"
    match = await insert_author(container, name=wanted)
    await insert_author(container, name=other)

    response = await client.get(AUTHORS, params={"name": wanted}, headers=headers)

    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 1
    assert [item["id"] for item in page["items"]] == [match.id]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "unknown"},
        {"sort": "--id"},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"offset": 2147483648},
        {"unknown": "x"},
    ],
)
async def test_invalid_list_query_is_422(
    client: httpx.AsyncClient, headers: Headers, params: dict[str, Any]
) -> None:
    response = await client.get(AUTHORS, params=params, headers=headers)

    assert response.status_code == 422


async def test_put_replaces_every_field(
    client: httpx.AsyncClient,
    headers: Headers,
    container: ServiceContainer,
    payload: dict[str, Any],
) -> None:
    row = await insert_author(container)

    response = await client.put(f"{AUTHORS}/{row.id}", json=payload, headers=headers)

    assert response.status_code == 200, response.text
    assert fields_of(response.json()) == stored(payload)
    assert response.json()["id"] == row.id


async def test_patch_changes_only_sent_fields(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_author(container)
    change = {"name": "Name 2"}

    response = await client.patch(f"{AUTHORS}/{row.id}", json=change, headers=headers)

    assert response.status_code == 200, response.text
    expected = stored(fields_of(row.model_dump(mode="json")) | change)
    assert fields_of(response.json()) == expected


async def test_patch_rejects_null(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_author(container)

    response = await client.patch(
        f"{AUTHORS}/{row.id}", json={"name": None}, headers=headers
    )

    assert response.status_code == 422


async def test_patch_to_a_taken_value_is_409(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    taken = (await insert_author(container)).model_dump(mode="json")["website"]
    row = await insert_author(container)

    response = await client.patch(
        f"{AUTHORS}/{row.id}",
        json={"website": taken},
        headers=headers,
    )

    assert response.status_code == 409


async def test_delete_author(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_author(container)

    deleted = await client.delete(f"{AUTHORS}/{row.id}", headers=headers)

    assert deleted.status_code == 204
    assert deleted.content == b""
    missing = await client.get(f"{AUTHORS}/{row.id}", headers=headers)
    assert missing.status_code == 404


async def test_create_refreshes_cached_lists(
    client: httpx.AsyncClient, headers: Headers, payload: dict[str, Any]
) -> None:
    before = await client.get(AUTHORS, headers=headers)
    await client.post(AUTHORS, json=payload, headers=headers)

    after = await client.get(AUTHORS, headers=headers)

    assert (before.json()["total"], after.json()["total"]) == (0, 1)


async def test_update_refreshes_cached_reads(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    row = await insert_author(container)
    url = f"{AUTHORS}/{row.id}"
    await client.get(url, headers=headers)
    change = {"name": "Name 2"}
    await client.patch(url, json=change, headers=headers)

    response = await client.get(url, headers=headers)

    assert fields_of(response.json()) == stored(
        fields_of(row.model_dump(mode="json")) | change
    )


async def test_authors_require_authentication(client: httpx.AsyncClient) -> None:
    responses = [
        await client.post(AUTHORS, json={}),
        await client.get(AUTHORS),
        await client.get(f"{AUTHORS}/1"),
        await client.put(f"{AUTHORS}/1", json={}),
        await client.patch(f"{AUTHORS}/1", json={}),
        await client.delete(f"{AUTHORS}/1"),
    ]

    assert {response.status_code for response in responses} == {401}


@pytest.mark.perf
async def test_median_read_is_within_budget(
    client: httpx.AsyncClient, headers: Headers, container: ServiceContainer
) -> None:
    url = f"{AUTHORS}/{(await insert_author(container)).id}"
    durations = []
    for _ in range(20):
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        durations.append(time.perf_counter() - started)
        assert response.status_code == 200

    assert statistics.median(durations) < RESPONSE_TIME_BUDGET_SECONDS


async def test_a_read_only_token_cannot_delete(
    client: httpx.AsyncClient, read_only_headers: Headers
) -> None:
    response = await client.delete(f"{AUTHORS}/1", headers=read_only_headers)

    assert response.status_code == 403
    assert "'write' scope" in response.json()["error"]["message"]
