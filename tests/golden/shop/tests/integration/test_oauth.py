"""The OAuth 2.1 authorization server, end to end, as an assistant uses it."""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import httpx2
import pytest
from fastapi import FastAPI

from shop.app import create_app
from shop.config.settings import Settings
from shop.container import ServiceContainer
from shop.oauth.store import Grant, OAuthStore
from shop.server.auth import JWTTokenVerifier
from tests.helpers import BASE_URL, PASSWORD, CreateUser
from tests.mcp_helpers import error_text, mcp_http_session, structured, uvicorn_server

REDIRECT_URI = "http://127.0.0.1:33418/callback"
MCP_RESOURCE = f"{BASE_URL}/mcp"
ELSEWHERE = "https://elsewhere.example/mcp"


@dataclass
class Tokens:
    """A token response of the token endpoint."""

    access_token: str
    refresh_token: str
    scope: str


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge, as a client makes them."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def form_field(page: str, name: str) -> str:
    """The value of a hidden field of the sign-in form."""
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def local(url: str) -> str:
    """A URL's path and query, to follow it on the server under test."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def register(http: httpx.AsyncClient, **metadata: Any) -> str:
    """Register a public client (RFC 7591) and return its client id."""
    response = await http.post(
        "/register",
        json={
            "client_name": "Test assistant",
            "redirect_uris": [REDIRECT_URI],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "read write admin",
        }
        | metadata,
    )
    assert response.status_code == 201, response.text
    client_id: str = response.json()["client_id"]
    return client_id


async def sign_in(
    http: httpx.AsyncClient,
    client_id: str,
    email: str,
    *,
    scope: str = "read write",
    password: str = PASSWORD,
) -> Tokens:
    """Run the authorization-code flow with PKCE, sign-in form included."""
    verifier, challenge = pkce_pair()
    authorized = await http.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT_URI,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "state-123",
            "scope": scope,
            "resource": MCP_RESOURCE,
        },
    )
    assert authorized.status_code == 302, authorized.text
    page = await http.get(local(authorized.headers["location"]))
    assert page.status_code == 200
    assert "Test assistant" in page.text
    submitted = await http.post(
        "/oauth/sign-in",
        data={
            "request": form_field(page.text, "request"),
            "csrf_token": form_field(page.text, "csrf_token"),
            "email": email,
            "password": password,
            "decision": "allow",
        },
    )
    assert submitted.status_code == 303, submitted.text
    callback = parse_qs(urlsplit(submitted.headers["location"]).query)
    assert callback["state"] == ["state-123"]
    exchanged = await http.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": callback["code"][0],
            "redirect_uri": REDIRECT_URI,
            "client_id": client_id,
            "code_verifier": verifier,
            "resource": MCP_RESOURCE,
        },
    )
    assert exchanged.status_code == 200, exchanged.text
    body = exchanged.json()
    return Tokens(body["access_token"], body["refresh_token"], body["scope"])


async def refresh(
    http: httpx.AsyncClient, client_id: str, refresh_token: str
) -> httpx.Response:
    """Exchange a refresh token at the token endpoint."""
    return await http.post(
        "/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
        },
    )


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


async def test_metadata_names_this_app_as_authorization_server(
    client: httpx.AsyncClient,
) -> None:
    server = (await client.get("/.well-known/oauth-authorization-server")).json()
    mcp = (await client.get("/.well-known/oauth-protected-resource/mcp")).json()
    api = (await client.get("/.well-known/oauth-protected-resource")).json()
    refused = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Accept": "application/json, text/event-stream"},
    )

    assert server["issuer"] == BASE_URL
    assert server["code_challenge_methods_supported"] == ["S256"]
    assert server["scopes_supported"] == ["read", "write", "admin"]
    assert server["registration_endpoint"] == f"{BASE_URL}/register"
    assert server["revocation_endpoint"] == f"{BASE_URL}/revoke"
    assert mcp["resource"] == MCP_RESOURCE
    assert mcp["authorization_servers"] == [BASE_URL]
    assert api["resource"] == BASE_URL
    assert api["authorization_servers"] == [BASE_URL]
    assert refused.status_code == 401
    assert (
        "/.well-known/oauth-protected-resource/mcp"
        in (refused.headers["WWW-Authenticate"])
    )


@pytest.mark.parametrize(
    "redirect_uris",
    [
        ["http://example.com/callback"],
        ["https://example.com/callback#fragment"],
        [f"https://example.com/{index}" for index in range(6)],
    ],
)
async def test_registration_refuses_unsafe_redirect_uris(
    client: httpx.AsyncClient, redirect_uris: list[str]
) -> None:
    response = await client.post(
        "/register",
        json={"redirect_uris": redirect_uris, "token_endpoint_auth_method": "none"},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_redirect_uri"


async def test_registration_accepts_https_and_loopback(
    client: httpx.AsyncClient,
) -> None:
    uris = ["https://assistant.example/callback", "http://localhost:5173/cb"]

    assert await register(client, redirect_uris=uris)
    assert await register(client, redirect_uris=["http://[::1]:8765/cb"])


async def test_code_flow_refresh_reuse_and_revocation_over_http(
    app: FastAPI, settings: Settings, create_user: CreateUser
) -> None:
    await create_user("user@example.com")
    async with (
        uvicorn_server(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        client_id = await register(http)
        first = await sign_in(http, client_id, "user@example.com")
        me = await http.get("/api/v1/users/me", headers=bearer(first.access_token))
        async with mcp_http_session(f"{url}/mcp", first.access_token) as mcp:
            caller = structured(await mcp.call_tool("whoami", {}))

        rotated = await refresh(http, client_id, first.refresh_token)
        second = rotated.json()
        still_valid = await http.get(
            "/api/v1/users/me", headers=bearer(second["access_token"])
        )
        reused = await refresh(http, client_id, first.refresh_token)
        family_gone = await refresh(http, client_id, second["refresh_token"])
        after_reuse = await http.get(
            "/api/v1/users/me", headers=bearer(second["access_token"])
        )

        third = await sign_in(http, client_id, "user@example.com")
        # A public client revokes with its client id alone (RFC 7009, 2.1).
        revoked = await http.post(
            "/revoke",
            data={"token": third.access_token, "client_id": client_id},
        )
        after_revoke = await http.get(
            "/api/v1/users/me", headers=bearer(third.access_token)
        )
        refresh_after_revoke = await refresh(http, client_id, third.refresh_token)
        with pytest.raises(ExceptionGroup):
            async with mcp_http_session(f"{url}/mcp", third.access_token) as mcp:
                await mcp.call_tool("whoami", {})

    assert first.scope == "read write"
    assert me.status_code == 200
    assert me.json()["email"] == "user@example.com"
    assert caller["user"]["email"] == "user@example.com"
    assert rotated.status_code == 200
    assert second["refresh_token"] != first.refresh_token
    assert still_valid.status_code == 200
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert family_gone.status_code == 400
    assert after_reuse.status_code == 401
    assert revoked.status_code == 200
    assert after_revoke.status_code == 401
    assert refresh_after_revoke.status_code == 400


async def test_a_confidential_client_still_revokes_only_with_its_secret(
    client: httpx.AsyncClient,
) -> None:
    registered = await client.post(
        "/register",
        json={
            "redirect_uris": [REDIRECT_URI],
            "token_endpoint_auth_method": "client_secret_post",
        },
    )
    credentials = registered.json()
    form = {"token": "not-a-token", "client_id": credentials["client_id"]}

    without_secret = await client.post("/revoke", data=form)
    with_secret = await client.post(
        "/revoke", data=form | {"client_secret": credentials["client_secret"]}
    )

    assert registered.status_code == 201, registered.text
    assert without_secret.status_code == 401
    assert with_secret.status_code == 200


async def test_wrong_password_and_missing_csrf_issue_no_code(
    client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user("user@example.com")
    client_id = await register(client)
    _, challenge = pkce_pair()
    authorized = await client.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT_URI,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "s",
        },
    )
    page = await client.get(local(authorized.headers["location"]))
    fields = {
        "request": form_field(page.text, "request"),
        "email": "user@example.com",
        "decision": "allow",
    }
    wrong_password = await client.post(
        "/oauth/sign-in",
        data=fields
        | {"csrf_token": form_field(page.text, "csrf_token"), "password": "nope"},
    )
    client.cookies.clear()
    forged = await client.post(
        "/oauth/sign-in",
        data=fields | {"csrf_token": "guessed", "password": PASSWORD},
    )

    assert wrong_password.status_code == 401
    assert "Incorrect e-mail or password" in wrong_password.text
    assert "location" not in wrong_password.headers
    assert forged.status_code == 403
    assert "location" not in forged.headers


async def test_sign_in_is_rate_limited(
    settings: Settings, create_user: CreateUser, app: FastAPI
) -> None:
    # An app name of its own: counters shared in Redis start at zero.
    limited_settings = settings.model_copy(
        update={
            "app_name": f"limited-{secrets.token_hex(4)}",
            "oauth_sign_in_rate_limit": "2/minute",
        }
    )
    limited = create_app(limited_settings)
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        statuses = [
            (
                await http.post(
                    "/oauth/sign-in",
                    data={"request": "x", "csrf_token": "y", "decision": "allow"},
                )
            ).status_code
            for _ in range(3)
        ]

    assert statuses == [403, 403, 429]


async def test_a_token_for_another_audience_is_refused(
    client: httpx.AsyncClient,
    container: ServiceContainer,
    create_user: CreateUser,
) -> None:
    user = await create_user("user@example.com")
    client_id = await register(client)
    _, challenge = pkce_pair()
    asked_elsewhere = await client.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT_URI,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "s",
            "resource": ELSEWHERE,
        },
    )
    async with container.session() as session:
        pair = await OAuthStore(session).issue_pair(
            Grant(client_id, user.id, ["read", "write"], ELSEWHERE, "family"),
            timedelta(minutes=5),
            timedelta(days=1),
        )
    rest = await client.get("/api/v1/users/me", headers=bearer(pair.access_token))
    mcp = await JWTTokenVerifier(container).verify_token(pair.access_token)

    assert "error=invalid_target" in asked_elsewhere.headers["location"]
    assert rest.status_code == 401
    assert mcp is None


async def test_a_token_without_a_scope_gets_403_and_a_tool_error(
    app: FastAPI, client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user("admin@example.com", is_admin=True)
    client_id = await register(client)
    tokens = await sign_in(client, client_id, "admin@example.com", scope="read write")
    rest = await client.get("/api/v1/users", headers=bearer(tokens.access_token))
    async with mcp_http_session(
        MCP_RESOURCE, tokens.access_token, httpx2.ASGITransport(app=app)
    ) as mcp:
        tool = await mcp.call_tool("list_users", {})

    assert rest.status_code == 403
    assert "'admin' scope" in rest.json()["error"]["message"]
    assert "'admin' scope" in error_text(tool)


async def test_a_user_is_granted_only_what_the_role_allows(
    client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user("user@example.com")
    client_id = await register(client)

    tokens = await sign_in(client, client_id, "user@example.com", scope="read admin")

    assert tokens.scope == "read"
