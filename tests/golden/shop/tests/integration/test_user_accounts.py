"""Account changes an administrator makes: they revoke tokens, and keep an admin."""

from typing import Any

import httpx
import pytest

from shop.container import ServiceContainer
from tests.factories.user_factory import insert_user
from tests.helpers import Headers, login, oauth_token

USERS = "/api/v1/users"
LAST_ADMIN = "is the last active administrator"
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


async def mcp_post(
    client: httpx.AsyncClient, token: str, method: str, params: dict[str, Any]
) -> httpx.Response:
    """Send one JSON-RPC request to the MCP endpoint with a bearer token."""
    return await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
        headers={"Authorization": f"Bearer {token}", **MCP_HEADERS},
    )


async def call_tool(
    client: httpx.AsyncClient, token: str, action: str, **arguments: Any
) -> dict[str, Any]:
    """Call the user tool for `action`; return the JSON-RPC result."""
    params = {"name": f"{action}_user", "arguments": arguments}
    response = await mcp_post(client, token, "tools/call", params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


async def token_works(client: httpx.AsyncClient, token: str) -> tuple[int, int]:
    """Status of the token's user on REST (`/me`) and on MCP (`tools/list`)."""
    rest = await client.get(f"{USERS}/me", headers={"Authorization": f"Bearer {token}"})
    mcp = await mcp_post(client, token, "tools/list", {})
    return rest.status_code, mcp.status_code


async def my_id(client: httpx.AsyncClient, headers: Headers) -> int:
    """The id of the headers' user."""
    user_id: int = (await client.get(f"{USERS}/me", headers=headers)).json()["id"]
    return user_id


@pytest.mark.parametrize(
    "change",
    [{"password": "a-brand-new-password"}, {"is_active": False}],
    ids=["password", "deactivation"],
)
async def test_a_change_of_credentials_revokes_the_users_tokens(
    client: httpx.AsyncClient,
    admin_headers: Headers,
    container: ServiceContainer,
    change: dict[str, Any],
) -> None:
    user = await insert_user(container)
    token = await login(client, user.email)
    granted = await oauth_token(
        container, user.id, ["read", "write"]
    )  # an OAuth client's
    assert await token_works(client, token) == (200, 200)
    assert await token_works(client, granted) == (200, 200)

    response = await client.patch(
        f"{USERS}/{user.id}", json=change, headers=admin_headers
    )

    assert response.status_code == 200, response.text
    assert await token_works(client, token) == (401, 401)
    assert await token_works(client, granted) == (401, 401)


async def test_a_password_set_over_mcp_revokes_the_users_tokens(
    client: httpx.AsyncClient, admin_token: str, container: ServiceContainer
) -> None:
    user = await insert_user(container)
    token = await login(client, user.email)

    result = await call_tool(
        client,
        admin_token,
        "update",
        user_id=user.id,
        data={"password": "a-brand-new-password"},
    )

    assert result["isError"] is False, result
    assert await token_works(client, token) == (401, 401)
    assert await login(client, user.email, "a-brand-new-password")


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    client: httpx.AsyncClient, admin_headers: Headers, admin_token: str
) -> None:
    admin_id = await my_id(client, admin_headers)

    for change in [{"is_admin": False}, {"is_active": False}]:
        response = await client.patch(
            f"{USERS}/{admin_id}", json=change, headers=admin_headers
        )
        assert response.status_code == 409, change
        assert response.json()["error"]["code"] == "conflict"
        assert LAST_ADMIN in response.json()["error"]["message"]
        result = await call_tool(
            client, admin_token, "update", user_id=admin_id, data=change
        )
        assert result["isError"] is True
        assert LAST_ADMIN in result["content"][0]["text"]
    assert await token_works(client, admin_token) == (200, 200)


async def test_an_inactive_admin_does_not_count(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    admin_id = await my_id(client, admin_headers)
    other = await insert_user(container, is_admin=True)
    deactivated = await client.patch(
        f"{USERS}/{other.id}", json={"is_active": False}, headers=admin_headers
    )

    demoted = await client.patch(
        f"{USERS}/{admin_id}", json={"is_admin": False}, headers=admin_headers
    )

    assert deactivated.status_code == 200
    assert demoted.status_code == 409


async def test_an_admin_may_step_down_while_another_remains(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    admin_id = await my_id(client, admin_headers)
    await insert_user(container, is_admin=True)

    response = await client.patch(
        f"{USERS}/{admin_id}", json={"is_admin": False}, headers=admin_headers
    )

    assert response.status_code == 200
    # The role is read afresh on every request: the step down applies at once.
    assert (await client.get(USERS, headers=admin_headers)).status_code == 403


async def test_deleting_a_user_revokes_their_tokens(
    client: httpx.AsyncClient, admin_headers: Headers, container: ServiceContainer
) -> None:
    user = await insert_user(container)
    token = await login(client, user.email)

    response = await client.delete(f"{USERS}/{user.id}", headers=admin_headers)

    assert response.status_code == 204
    assert await token_works(client, token) == (401, 401)


async def test_the_last_active_admin_cannot_be_deleted(
    client: httpx.AsyncClient,
    admin_headers: Headers,
    admin_token: str,
    container: ServiceContainer,
) -> None:
    admin_id = await my_id(client, admin_headers)

    refused = await client.delete(f"{USERS}/{admin_id}", headers=admin_headers)
    result = await call_tool(client, admin_token, "delete", user_id=admin_id)

    assert refused.status_code == 409
    assert LAST_ADMIN in refused.json()["error"]["message"]
    assert result["isError"] is True
    assert LAST_ADMIN in result["content"][0]["text"]
    await insert_user(container, is_admin=True)
    deleted = await client.delete(f"{USERS}/{admin_id}", headers=admin_headers)
    assert deleted.status_code == 204
    assert await token_works(client, admin_token) == (401, 401)
