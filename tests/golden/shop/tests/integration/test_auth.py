"""Token issue, bearer authentication and the admin-only user routes."""

from datetime import UTC, datetime, timedelta

import httpx
import jwt

from shop.config.settings import Settings
from tests.helpers import PASSWORD, CreateUser, Headers, clean_database

NEW_USER = {"email": "new@example.com", "password": "another-password"}


async def test_login_returns_bearer_token(
    client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user("User@Example.com")

    response = await client.post(
        "/api/v1/auth/token",
        data={"username": "user@example.com", "password": PASSWORD},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"]


async def test_wrong_password_is_401(
    client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user("user@example.com")

    response = await client.post(
        "/api/v1/auth/token",
        data={"username": "user@example.com", "password": "wrong-password"},
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


async def test_unknown_user_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/token",
        data={"username": "nobody@example.com", "password": PASSWORD},
    )

    assert response.status_code == 401


async def test_me_returns_the_token_owner(
    client: httpx.AsyncClient, user_headers: Headers
) -> None:
    response = await client.get("/api/v1/users/me", headers=user_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "user@example.com"
    assert body["is_admin"] is False
    assert "hashed_password" not in body


async def test_missing_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_malformed_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/users/me", headers={"Authorization": "Bearer not-a-jwt"}
    )

    assert response.status_code == 401


async def test_expired_token_is_401(
    client: httpx.AsyncClient, create_user: CreateUser, settings: Settings
) -> None:
    user = await create_user("user@example.com")
    past = datetime.now(UTC) - timedelta(hours=2)
    token = jwt.encode(
        {
            "sub": str(user.id),
            "iss": settings.app_name,
            "iat": past,
            "exp": past + timedelta(hours=1),
        },
        settings.secret_key,
        algorithm="HS256",
    )

    response = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401


async def test_token_of_deleted_user_is_401(
    client: httpx.AsyncClient, user_headers: Headers, database_url: str
) -> None:
    await clean_database(database_url)

    response = await client.get("/api/v1/users/me", headers=user_headers)

    assert response.status_code == 401


async def test_admin_creates_user(
    client: httpx.AsyncClient, admin_headers: Headers
) -> None:
    response = await client.post("/api/v1/users", json=NEW_USER, headers=admin_headers)

    assert response.status_code == 201
    assert response.json()["email"] == "new@example.com"


async def test_non_admin_on_admin_route_is_403(
    client: httpx.AsyncClient, user_headers: Headers
) -> None:
    response = await client.post("/api/v1/users", json=NEW_USER, headers=user_headers)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


async def test_duplicate_email_is_409(
    client: httpx.AsyncClient, admin_headers: Headers
) -> None:
    first = await client.post("/api/v1/users", json=NEW_USER, headers=admin_headers)
    duplicate = {**NEW_USER, "email": "NEW@example.com"}
    second = await client.post("/api/v1/users", json=duplicate, headers=admin_headers)

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"


async def test_invalid_user_payload_is_422_without_echoing_input(
    client: httpx.AsyncClient, admin_headers: Headers
) -> None:
    response = await client.post(
        "/api/v1/users",
        json={"email": "not-an-email", "password": "hunter2"},
        headers=admin_headers,
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert {tuple(d["loc"]) for d in error["details"]} == {
        ("body", "email"),
        ("body", "password"),
    }
    assert "hunter2" not in response.text


async def test_admin_lists_users(
    client: httpx.AsyncClient, admin_headers: Headers, create_user: CreateUser
) -> None:
    await create_user("user@example.com")

    response = await client.get(
        "/api/v1/users",
        params={"limit": 1, "include_total": True},
        headers=admin_headers,
    )

    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 0)
    assert [user["email"] for user in page["items"]] == ["admin@example.com"]
    following = await client.get(
        "/api/v1/users",
        params={"limit": 1, "cursor": page["next_cursor"]},
        headers=admin_headers,
    )
    last = following.json()
    assert [user["email"] for user in last["items"]] == ["user@example.com"]
    assert (last["next_cursor"], last["total"]) == (None, None)


async def test_a_damaged_user_cursor_is_422(
    client: httpx.AsyncClient, admin_headers: Headers
) -> None:
    response = await client.get(
        "/api/v1/users", params={"cursor": "damaged"}, headers=admin_headers
    )

    assert response.status_code == 422
    assert "cursor is not one this API issued" in response.text


async def test_non_admin_cannot_list_users(
    client: httpx.AsyncClient, user_headers: Headers
) -> None:
    response = await client.get("/api/v1/users", headers=user_headers)

    assert response.status_code == 403


async def test_user_list_paging_is_validated(
    client: httpx.AsyncClient, admin_headers: Headers
) -> None:
    response = await client.get(
        "/api/v1/users", params={"limit": 101}, headers=admin_headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["query", "limit"]
