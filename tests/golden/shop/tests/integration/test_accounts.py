"""Token revocation, per-account login back-off, and one token check per MCP call."""

from typing import Any

import httpx
import pytest

from shop.config.settings import Settings
from shop.container import ServiceContainer
from shop.database.repositories.user_repository import UserRepository
from shop.services.user_service import UserService
from shop.utils.security import hash_password
from tests.helpers import PASSWORD, CreateUser, make_settings

LOCKOUT_SECONDS = 30.0
TOKEN_URL = "/api/v1/auth/token"
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Lock an address out after two failures in a row, for 30 s, then 60 s..."""
    return make_settings(
        database_url,
        login_free_attempts=2,
        login_lockout_base_seconds=LOCKOUT_SECONDS,
    )


@pytest.fixture(autouse=True)
async def forget_failed_logins(container: ServiceContainer) -> None:
    """Start every test with no failures counted (Redis outlives a test)."""
    for email in ("user@example.com", "ghost@example.com", "admin@example.com"):
        await container.login_throttle.record_success(email)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    """POST the token endpoint."""
    return await client.post(TOKEN_URL, data={"username": email, "password": password})


async def call_mcp(
    client: httpx.AsyncClient, token: str, method: str, params: dict[str, Any]
) -> httpx.Response:
    """Send one JSON-RPC request to the MCP endpoint with a bearer token."""
    return await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
        headers={"Authorization": f"Bearer {token}", **MCP_HEADERS},
    )


async def change_account(
    container: ServiceContainer, user_id: int, **values: Any
) -> None:
    """Change a user's row directly, as any code path that saves it would."""
    async with container.session() as session:
        user = await UserRepository(session).get(user_id)
        assert user is not None
        for name, value in values.items():
            setattr(user, name, value)
        await session.commit()


@pytest.mark.parametrize(
    "change",
    [
        {"hashed_password": hash_password("a-brand-new-password")},
        {"is_active": False},
    ],
    ids=["password-changed", "deactivated"],
)
async def test_a_credential_change_revokes_tokens_for_rest_and_mcp(
    client: httpx.AsyncClient,
    container: ServiceContainer,
    create_user: CreateUser,
    change: dict[str, Any],
) -> None:
    user = await create_user("user@example.com")
    token = (await sign_in(client, "user@example.com")).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200
    assert (await call_mcp(client, token, "tools/list", {})).status_code == 200

    await change_account(container, user.id, **change)

    assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 401
    assert (await call_mcp(client, token, "tools/list", {})).status_code == 401


async def test_a_token_does_not_outlive_its_account(
    client: httpx.AsyncClient, container: ServiceContainer, create_user: CreateUser
) -> None:
    user = await create_user("user@example.com")
    token = (await sign_in(client, "user@example.com")).json()["access_token"]
    async with container.session() as session:
        repository = UserRepository(session)
        row = await repository.get(user.id)
        await session.delete(row)
        await session.commit()
    # A new account with the same address (on SQLite, maybe the same id too).
    await create_user("user@example.com")

    response = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401


async def test_failed_sign_ins_lock_an_address_out_whether_or_not_it_exists(
    client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user("user@example.com")
    answers = {}
    for email in ("user@example.com", "ghost@example.com"):
        wrong = [(await sign_in(client, email, "wrong-password")) for _ in range(2)]
        # Locked: even the right password is refused, before it is checked.
        locked = await sign_in(client, email)
        answers[email] = (
            [response.status_code for response in wrong],
            locked.status_code,
            locked.headers.get("Retry-After"),
            locked.json()["error"],
        )

    statuses, status, retry_after, error = answers["user@example.com"]
    assert statuses == [401, 401]
    assert status == 429
    assert retry_after is not None
    assert 0 < int(retry_after) <= LOCKOUT_SECONDS
    assert error["code"] == "too_many_requests"
    assert "Too many failed sign-ins" in error["message"]
    # An address no account has is answered exactly alike: no existence oracle.
    ghost = answers["ghost@example.com"]
    assert ghost[:3] == answers["user@example.com"][:3]
    assert ghost[3]["message"] == error["message"]


async def test_each_further_failure_doubles_the_lockout(
    container: ServiceContainer,
) -> None:
    throttle = container.login_throttle
    waits = []
    for _ in range(4):
        await throttle.record_failure("ghost@example.com")
        waits.append(await throttle.retry_after("ghost@example.com"))

    assert waits[0] is None
    assert waits[1:] == [
        pytest.approx(LOCKOUT_SECONDS, abs=1),
        pytest.approx(2 * LOCKOUT_SECONDS, abs=1),
        pytest.approx(4 * LOCKOUT_SECONDS, abs=1),
    ]


async def test_a_successful_sign_in_resets_the_count(
    client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user("user@example.com")

    first = await sign_in(client, "user@example.com", "wrong-password")
    success = await sign_in(client, "user@example.com")
    second = await sign_in(client, "user@example.com", "wrong-password")
    again = await sign_in(client, "user@example.com")

    assert [first.status_code, success.status_code] == [401, 200]
    assert [second.status_code, again.status_code] == [401, 200]


async def test_the_lockout_is_per_address(
    client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user("user@example.com")
    await create_user("admin@example.com", is_admin=True)
    for _ in range(2):
        await sign_in(client, "user@example.com", "wrong-password")

    assert (await sign_in(client, "user@example.com")).status_code == 429
    assert (await sign_in(client, "admin@example.com")).status_code == 200


@pytest.mark.parametrize("tool", ["whoami", "list_users"])
async def test_an_mcp_call_checks_its_token_once(
    client: httpx.AsyncClient,
    admin_token: str,
    monkeypatch: pytest.MonkeyPatch,
    tool: str,
) -> None:
    checks: list[str] = []
    check_token = UserService.user_from_token

    async def counted(self: UserService, token: str) -> Any:
        checks.append(token)
        return await check_token(self, token)

    monkeypatch.setattr(UserService, "user_from_token", counted)
    response = await call_mcp(
        client, admin_token, "tools/call", {"name": tool, "arguments": {}}
    )

    assert response.status_code == 200
    assert response.json()["result"]["isError"] is False
    assert checks == [admin_token]
