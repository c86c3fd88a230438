"""Administering users over REST: admin-only, next to the built-in user routes."""

import statistics
import time

import httpx
import pytest

from shop.container import ServiceContainer
from shop.models.user_admin_model import UserProfileUpdate
from tests.factories.user_factory import insert_user
from tests.helpers import PASSWORD, Headers, login

USERS = "/api/v1/users"
RESPONSE_TIME_BUDGET_SECONDS = 0.2


async def test_users_change_their_own_profile(
    client: httpx.AsyncClient, user_headers: Headers
) -> None:
    change = {"full_name": "Ada Lovelace"}

    response = await client.patch(f"{USERS}/me", json=change, headers=user_headers)

    assert response.status_code == 200, response.text
    expected = UserProfileUpdate.model_validate(change).model_dump(mode="json")
    assert {name: response.json()[name] for name in expected} == expected
    me = (await client.get(f"{USERS}/me", headers=user_headers)).json()
    assert {name: me[name] for name in expected} == expected


async def test_users_cannot_change_what_administrators_decide(
    client: httpx.AsyncClient, user_headers: Headers
) -> None:
    for change in [
        {"email": "other@example.com"},
        {"password": "a-brand-new-password"},
        {"is_active": False},
        {"is_admin": True},
    ]:
        response = await client.patch(f"{USERS}/me", json=change, headers=user_headers)
        assert response.status_code == 422, change

    me = (await client.get(f"{USERS}/me", headers=user_headers)).json()
    assert (me["email"], me["is_active"], me["is_admin"]) == (
        "user@example.com",
        True,
        False,
    )


async def test_a_profile_change_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.patch(f"{USERS}/me", json={"full_name": "Ada"})

    assert response.status_code == 401


async def test_admin_reads_a_user(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    user = await insert_user(container)

    response = await client.get(f"{USERS}/{user.id}", headers=admin_headers)

    assert response.status_code == 200
    assert response.json() == user.model_dump(mode="json")


async def test_me_still_answers_with_the_callers_profile(
    client: httpx.AsyncClient, user_headers: Headers
) -> None:
    response = await client.get(f"{USERS}/me", headers=user_headers)

    assert response.status_code == 200
    assert response.json()["email"] == "user@example.com"


async def test_admin_changes_a_user(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    user = await insert_user(container)

    response = await client.patch(
        f"{USERS}/{user.id}",
        json={"full_name": "Ada Lovelace", "is_admin": True},
        headers=admin_headers,
    )

    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["full_name"], changed["is_admin"]) == ("Ada Lovelace", True)
    assert (changed["email"], changed["is_active"]) == (user.email, True)


async def test_a_new_password_signs_in(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    user = await insert_user(container)
    password = "a-brand-new-password"

    response = await client.patch(
        f"{USERS}/{user.id}", json={"password": password}, headers=admin_headers
    )

    assert response.status_code == 200
    assert await login(client, user.email, password)
    refused = await client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
    )
    assert refused.status_code == 401


async def test_a_deactivated_user_cannot_sign_in(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    user = await insert_user(container)

    await client.patch(
        f"{USERS}/{user.id}", json={"is_active": False}, headers=admin_headers
    )

    refused = await client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
    )
    assert refused.status_code == 401


async def test_a_taken_email_is_409(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    first = await insert_user(container)
    second = await insert_user(container)

    response = await client.patch(
        f"{USERS}/{second.id}", json={"email": first.email}, headers=admin_headers
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


async def test_null_email_is_422(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    user = await insert_user(container)

    response = await client.patch(
        f"{USERS}/{user.id}", json={"email": None}, headers=admin_headers
    )

    assert response.status_code == 422


async def test_admin_deletes_a_user(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    user = await insert_user(container)

    deleted = await client.delete(f"{USERS}/{user.id}", headers=admin_headers)

    assert deleted.status_code == 204
    missing = await client.get(f"{USERS}/{user.id}", headers=admin_headers)
    assert missing.status_code == 404


async def test_missing_user_is_404(
    client: httpx.AsyncClient, admin_headers: Headers
) -> None:
    url = f"{USERS}/999999"
    for response in [
        await client.get(url, headers=admin_headers),
        await client.patch(url, json={}, headers=admin_headers),
        await client.delete(url, headers=admin_headers),
    ]:
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "User 999999 not found"


async def test_regular_users_are_refused(
    client: httpx.AsyncClient, user_headers: Headers, container: ServiceContainer
) -> None:
    url = f"{USERS}/{(await insert_user(container)).id}"
    responses = [
        await client.get(url, headers=user_headers),
        await client.patch(url, json={"is_admin": True}, headers=user_headers),
        await client.delete(url, headers=user_headers),
    ]

    assert {response.status_code for response in responses} == {403}


async def test_requests_without_a_token_are_refused(client: httpx.AsyncClient) -> None:
    responses = [
        await client.get(f"{USERS}/1"),
        await client.patch(f"{USERS}/1", json={}),
        await client.delete(f"{USERS}/1"),
    ]

    assert {response.status_code for response in responses} == {401}


@pytest.mark.perf
async def test_median_read_is_within_budget(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    url = f"{USERS}/{(await insert_user(container)).id}"
    durations = []
    for _ in range(20):
        started = time.perf_counter()
        response = await client.get(url, headers=admin_headers)
        durations.append(time.perf_counter() - started)
        assert response.status_code == 200

    assert statistics.median(durations) < RESPONSE_TIME_BUDGET_SECONDS
