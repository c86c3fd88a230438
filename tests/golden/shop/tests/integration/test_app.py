"""Application wiring: docs switch, CORS and the shared error shape."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shop.app import create_app
from shop.services.user_service import UserService
from tests.helpers import BASE_URL, Headers, make_settings, running


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
