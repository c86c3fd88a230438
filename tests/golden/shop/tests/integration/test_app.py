"""Application wiring: docs switch, CORS, the shared error shape and clean logs."""

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI

from shop.app import create_app
from shop.services.user_service import UserService
from shop.utils.logging import configure_logging
from shop.utils.security import create_access_token
from tests.helpers import BASE_URL, PASSWORD, Headers, make_settings, running

# An SQLite file in a folder that does not exist: every connection fails.
UNREACHABLE_DATABASE_URL = "sqlite+aiosqlite:////nonexistent-folder/unreachable.db"


@asynccontextmanager
async def client_for(
    database_url: str, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """Start an app with these settings and yield a client for it."""
    app = create_app(make_settings(database_url, **overrides))
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield http


async def test_docs_are_served_by_default(database_url: str) -> None:
    async with client_for(database_url) as http:
        assert (await http.get("/docs")).status_code == 200
        assert (await http.get("/openapi.json")).status_code == 200


async def test_docs_are_off_in_production(database_url: str) -> None:
    production = {"environment": "production", "secret_key": secrets.token_urlsafe(48)}
    async with client_for(database_url, **production) as http:
        assert (await http.get("/docs")).status_code == 404
        assert (await http.get("/openapi.json")).status_code == 404


async def test_docs_can_be_disabled(database_url: str) -> None:
    async with client_for(database_url, enable_docs=False) as http:
        assert (await http.get("/docs")).status_code == 404
        assert (await http.get("/openapi.json")).status_code == 404


async def test_cors_allows_configured_origin(database_url: str) -> None:
    origin = "https://ui.example"
    async with client_for(database_url, cors_origins=[origin]) as http:
        response = await http.options(
            "/api/v1/users/me",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin


async def test_unknown_path_uses_error_shape(database_url: str) -> None:
    async with client_for(database_url) as http:
        response = await http.get("/no/such/path")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_other_methods_are_405_naming_those_served(database_url: str) -> None:
    async with client_for(database_url) as http:
        users = await http.put("/api/v1/users")
        mcp = await http.put("/mcp")

    # Two routes share /api/v1/users: `Allow` names both, not the first one's only.
    assert users.status_code == 405
    assert users.headers["Allow"] == "GET, POST"
    assert users.json()["error"]["code"] == "method_not_allowed"
    assert mcp.status_code == 405
    assert mcp.headers["Allow"] == "GET, POST, DELETE"


async def test_unexpected_error_is_500_in_error_shape(
    app: FastAPI, admin_headers: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(UserService, "list_users", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        response = await http.get(
            "/api/v1/users", headers={**admin_headers, "X-Request-ID": "trace-1"}
        )

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "Internal server error",
            "request_id": "trace-1",
        }
    }
    assert response.headers["X-Request-ID"] == "trace-1"


async def test_database_outage_is_503_with_retry_after(database_url: str) -> None:
    async with client_for(UNREACHABLE_DATABASE_URL) as http:
        response = await http.post(
            "/api/v1/auth/token",
            data={"username": "admin@example.com", "password": PASSWORD},
        )

    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.json()["error"]["code"] == "service_unavailable"


async def test_no_secret_reaches_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(UNREACHABLE_DATABASE_URL, log_level="INFO")
    token, _ = create_access_token("1", "stamp", settings)
    app = create_app(settings)
    async with running(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            login = await http.post(
                "/api/v1/auth/token",
                data={"username": "admin@example.com", "password": PASSWORD},
            )
            me = await http.get(
                "/api/v1/users/me",
                headers={"Authorization": f"Bearer {token}", "Cookie": f"s={token}"},
            )
            # The MCP endpoint checks the token against the database first.
            mcp = await http.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json, text/event-stream",
                },
            )
    structlog.get_logger("test").error(
        "login_failed", password=PASSWORD, headers={"authorization": token}
    )
    logging.getLogger("some.library").error(
        "cannot reach postgresql://app:%s@db/app (token=%s)", PASSWORD, token
    )

    log = capsys.readouterr().err
    assert {login.status_code, me.status_code, mcp.status_code} == {503}
    assert mcp.headers["Retry-After"].isdigit()
    assert "database_unavailable" in log
    assert "some.library" in log
    assert PASSWORD not in log
    assert token not in log
    assert settings.secret_key not in log


async def test_no_secret_in_the_log_of_an_unexpected_error(
    capsys: pytest.CaptureFixture[str],
    app: FastAPI,
    admin_headers: Headers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def explode(*_: object) -> None:
        password = PASSWORD
        raise RuntimeError(f"cannot log in to postgresql://app:{password}@db/app")

    # Log to the stderr this test captures, as the app fixture configured it.
    configure_logging("INFO")
    monkeypatch.setattr(UserService, "list_users", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        response = await http.get("/api/v1/users", headers=admin_headers)

    log = capsys.readouterr().err
    assert response.status_code == 500
    assert "unhandled_exception" in log
    assert "RuntimeError" in log
    assert PASSWORD not in log
    assert admin_headers["Authorization"].removeprefix("Bearer ") not in log
