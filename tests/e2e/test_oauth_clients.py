"""Real OAuth clients against the generated app on uvicorn: an assistant's sign-in, and the MCP Inspector.

Everything goes over HTTP on 127.0.0.1 as a remote MCP client does it: discovery from the 401
(RFC 9728, then RFC 8414), dynamic registration (RFC 7591), the authorization-code flow with
PKCE through the server-rendered sign-in form, refresh, revocation, audience binding (RFC 8707).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import os
import re
import secrets
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2
import jsonschema
import pytest

from tests.e2e.conftest import PROJECT, Generated, free_port, mcp, server

pytestmark = pytest.mark.e2e

ADMIN = {"email": "oauth-admin@example.com", "password": "correct-horse-battery-staple"}
ALL_SCOPES = "read write admin"
# The newest Inspector, pinned so a new release cannot change what CI runs. It declares
# `engines.node >=22.19` but its CLI runs on Node 20 (checked with 20.20): npm only warns.
INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"


# --- the assistant's side: discovery, registration, sign-in -------------------------------------


class _Callback(BaseHTTPRequestHandler):
    """The loopback redirect URI a native client listens on: keeps the query it was sent."""

    def do_GET(self) -> None:
        self.server.received.append(parse_qs(urlsplit(self.path).query))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"Signed in: you can close this window.")

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@contextlib.contextmanager
def loopback_listener() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    """A redirect URI on 127.0.0.1 and the queries it receives."""
    listener = HTTPServer(("127.0.0.1", 0), _Callback)
    listener.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.server_port}/callback", listener.received  # type: ignore[attr-defined]
    finally:
        listener.shutdown()
        listener.server_close()


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def well_known_metadata_url(issuer: str) -> str:
    """RFC 8414 section 3: the well-known segment goes between the host and the issuer's path."""
    parts = urlsplit(issuer)
    return f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{parts.path.rstrip('/')}"


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of the sign-in form, as a browser would submit them."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return {name: html.unescape(value) for name, value in found}


@dataclass
class Assistant:
    """A remote MCP client that knows only the MCP endpoint's URL, and learns the rest."""

    mcp_url: str
    http: httpx2.Client
    redirect_uri: str
    callbacks: list[dict[str, list[str]]]
    resource: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    client_id: str = ""

    def discover(self) -> None:
        """401 → protected-resource metadata (RFC 9728) → authorization-server metadata (RFC 8414)."""
        refused = self.http.post(
            self.mcp_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Accept": "application/json, text/event-stream"},
        )
        assert refused.status_code == 401, refused.text
        challenge = refused.headers["WWW-Authenticate"]
        assert challenge.startswith("Bearer "), challenge
        found = re.search(r'resource_metadata="([^"]+)"', challenge)
        assert found, challenge
        self.resource = self.http.get(found.group(1)).raise_for_status().json()
        assert self.resource["resource"] == self.mcp_url
        issuer = self.resource["authorization_servers"][0]
        self.server = self.http.get(well_known_metadata_url(issuer)).raise_for_status().json()
        assert self.server["issuer"] == issuer, "RFC 8414 3.3: the issuer must match the URL it came from"
        assert self.server["code_challenge_methods_supported"] == ["S256"]
        assert "code" in self.server["response_types_supported"]
        assert {"authorization_code", "refresh_token"} <= set(self.server["grant_types_supported"])
        assert set(ALL_SCOPES.split()) <= set(self.server["scopes_supported"])

    def register(self) -> None:
        """Dynamic client registration (RFC 7591) as a public native client."""
        response = self.http.post(
            self.server["registration_endpoint"],
            json={
                "client_name": "E2E assistant",
                "redirect_uris": [self.redirect_uri],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "scope": ALL_SCOPES,
            },
        )
        assert response.status_code == 201, response.text
        registered = response.json()
        assert registered["redirect_uris"] == [self.redirect_uri]
        assert not registered.get("client_secret"), "a public client gets no secret"
        self.client_id = registered["client_id"]

    def authorize_params(self, challenge: str, state: str, **extra: str) -> dict[str, str]:
        return {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
            "scope": ALL_SCOPES,
            "resource": self.resource["resource"],
        } | extra

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        """The authorization-code flow with PKCE, through the sign-in form; returns the token response."""
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        endpoint = self.server["authorization_endpoint"]
        authorized = self.http.get(endpoint, params=self.authorize_params(challenge, state))
        assert authorized.status_code == 302, authorized.text
        page_url = urljoin(endpoint, authorized.headers["location"])
        page = self.http.get(page_url)
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "E2E assistant" in page.text, "the consent page names the client"
        action = re.search(r'<form method="post" action="([^"]+)">', page.text)
        assert action, page.text
        fields = hidden_fields(page.text)
        assert {"request", "csrf_token"} <= set(fields), page.text
        submitted = self.http.post(
            urljoin(page_url, html.unescape(action.group(1))),
            data=fields | {"email": email, "password": password, "decision": "allow"},
        )
        assert submitted.status_code == 303, submitted.text
        location = submitted.headers["location"]
        assert location.startswith(f"{self.redirect_uri}?"), location
        # Follow the redirect, as the browser does, to the listener of the native client.
        assert self.http.get(location).status_code == 200
        callback = self.callbacks.pop()
        assert callback["state"] == [state], callback
        exchanged = self.http.post(
            self.server["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": callback["code"][0],
                "redirect_uri": self.redirect_uri,
                "client_id": self.client_id,
                "code_verifier": verifier,
                "resource": self.resource["resource"],
            },
        )
        assert exchanged.status_code == 200, exchanged.text
        tokens: dict[str, Any] = exchanged.json()
        assert tokens["token_type"].lower() == "bearer"
        assert tokens["access_token"] and tokens["refresh_token"]
        return tokens

    def refresh(self, refresh_token: str) -> httpx2.Response:
        return self.http.post(
            self.server["token_endpoint"],
            data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id},
        )

    def revoke(self, token: str) -> httpx2.Response:
        return self.http.post(
            self.server["revocation_endpoint"], data={"token": token, "client_id": self.client_id}
        )


@contextlib.contextmanager
def assistant(base: str) -> Iterator[Assistant]:
    """A discovered and registered client of the server at `base`."""
    with loopback_listener() as (redirect_uri, callbacks), httpx2.Client(timeout=30) as http:
        client = Assistant(f"{base}/mcp", http, redirect_uri, callbacks)
        client.discover()
        client.register()
        yield client


# --- the servers: two apps on one database, each its own audience --------------------------------


@dataclass
class Servers:
    first: str
    second: str


@pytest.fixture(scope="module")
def servers(project: Generated) -> Iterator[Servers]:
    """Two deployments with different public URLs sharing one database: a token stored for one
    is known to the other, so only audience binding can tell them apart."""
    database = f"sqlite+aiosqlite:///{project.root / 'e2e-oauth.db'}"
    ports = free_port(), free_port()
    # The Inspector sends several requests per tool call (initialize, tools/list, the call).
    envs = [
        project.env(
            DATABASE_URL=database,
            PUBLIC_URL=f"http://127.0.0.1:{port}",
            APP_NAME=f"oauth-{port}",
            RATE_LIMIT="1000/minute",
        )
        for port in ports
    ]
    project.run(project.bin("alembic"), "upgrade", "head", env=envs[0])
    created = project.run(
        project.bin(f"{PROJECT}-admin"),
        "create-admin",
        "--email",
        ADMIN["email"],
        "--password",
        ADMIN["password"],
        env=envs[0],
        check=False,
    )
    assert created.returncode == 0 or "already" in created.stderr, created.stderr
    with server(project, envs[0], ports[0]) as first, server(project, envs[1], ports[1]) as second:
        yield Servers(first, second)


def rest_me(base: str, token: str) -> httpx2.Response:
    return httpx2.get(f"{base}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)


# --- the tests ------------------------------------------------------------------------------------


def test_an_assistant_signs_in_with_oauth_uses_the_tools_refreshes_and_revokes(
    project: Generated, servers: Servers
) -> None:
    base = servers.first
    with assistant(base) as client:
        _, challenge = pkce_pair()
        plain = client.http.get(
            client.server["authorization_endpoint"],
            params=client.authorize_params(challenge, "s", code_challenge_method="plain"),
        )
        assert plain.status_code == 400 or "error=" in plain.headers.get("location", ""), (
            "PKCE is S256 only: a plain challenge never reaches the sign-in form"
        )

        first = client.sign_in(ADMIN["email"], ADMIN["password"])
        assert set(first["scope"].split()) == set(ALL_SCOPES.split()), "an administrator gets what was asked"
        assert rest_me(base, first["access_token"]).json()["email"] == ADMIN["email"]
        lines = mcp(
            project,
            "http",
            client.mcp_url,
            first["access_token"],
            [["__list__", {}], ["whoami", {}], ["list_authors", {}]],
        )
        assert "whoami" in lines[0]["tools"], lines
        assert lines[1]["structured"]["user"]["email"] == ADMIN["email"], lines
        assert not lines[2]["is_error"], lines

        rotated = client.refresh(first["refresh_token"])
        assert rotated.status_code == 200, rotated.text
        second = rotated.json()
        assert second["refresh_token"] != first["refresh_token"], "refresh tokens rotate"
        assert rest_me(base, second["access_token"]).status_code == 200
        assert mcp(project, "http", client.mcp_url, second["access_token"], [["whoami", {}]])[0]["structured"]

        # A public client revokes with its id alone (RFC 7009 2.1: no secret to send).
        revoked = client.revoke(second["access_token"])
        assert revoked.status_code == 200, revoked.text
        assert rest_me(base, second["access_token"]).status_code == 401
        refused = mcp(project, "http", client.mcp_url, second["access_token"], [["whoami", {}]])
        assert "error" in refused[0], f"a revoked token must not reach a tool: {refused}"
        assert client.refresh(second["refresh_token"]).json()["error"] == "invalid_grant", (
            "revoking the access token ends its refresh token too"
        )


def test_a_token_for_another_audience_is_refused(project: Generated, servers: Servers) -> None:
    with assistant(servers.first) as to_first, assistant(servers.second) as to_second:
        for_first = to_first.sign_in(ADMIN["email"], ADMIN["password"])["access_token"]
        for_second = to_second.sign_in(ADMIN["email"], ADMIN["password"])["access_token"]
        # Asking one server for a token bound to the other is refused before the sign-in form.
        _, challenge = pkce_pair()
        elsewhere = to_first.http.get(
            to_first.server["authorization_endpoint"],
            params=to_first.authorize_params(challenge, "s", resource=to_second.resource["resource"]),
        )

    assert "error=invalid_target" in elsewhere.headers.get("location", ""), elsewhere.headers
    assert rest_me(servers.first, for_first).status_code == 200
    assert rest_me(servers.second, for_second).status_code == 200
    assert rest_me(servers.second, for_first).status_code == 401, "the first server's token, at the second"
    assert rest_me(servers.first, for_second).status_code == 401, "the second server's token, at the first"
    for base, token in ((servers.second, for_first), (servers.first, for_second)):
        refused = mcp(project, "http", f"{base}/mcp", token, [["whoami", {}]])
        assert "error" in refused[0], f"a token for another audience reached a tool at {base}: {refused}"


# --- the MCP Inspector CLI --------------------------------------------------------------------------


def _inspector_unavailable(reason: str) -> NoReturn:
    # The reason shows in the short summary (`-ra`), in CI too: a skip there is never silent.
    pytest.skip(f"MCP Inspector CLI not run: {reason}")


@pytest.fixture(scope="session")
def inspector() -> Path:
    """A folder with the Inspector installed, cached across runs (npm install once)."""
    missing = [tool for tool in ("node", "npm", "npx") if shutil.which(tool) is None]
    if missing:
        _inspector_unavailable(f"{', '.join(missing)} not on PATH")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "blueprintgen-e2e"
    folder = cache / INSPECTOR.replace("/", "+")
    if not (folder / "node_modules" / ".bin" / "mcp-inspector").exists():
        try:
            ping = subprocess.run(["npm", "ping"], capture_output=True, text=True, timeout=30, check=False)
        except subprocess.TimeoutExpired:
            _inspector_unavailable("the npm registry did not answer `npm ping` in 30 s")
        if ping.returncode != 0:
            _inspector_unavailable(f"the npm registry is unreachable: {ping.stderr.strip()[-500:]}")
        folder.mkdir(parents=True, exist_ok=True)
        installed = subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--engine-strict=false",
                INSPECTOR,
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if installed.returncode != 0:
            shutil.rmtree(folder)
            pytest.fail(f"npm install {INSPECTOR} failed:\n{installed.stderr[-3000:]}")
    return folder


@dataclass
class Inspector:
    """`npx @modelcontextprotocol/inspector --cli` against one URL with one bearer token."""

    folder: Path
    home: Path
    url: str
    token: str

    def __call__(self, *arguments: str) -> dict[str, Any]:
        result = subprocess.run(
            [
                "npx",
                "--no-install",
                "@modelcontextprotocol/inspector",
                "--cli",
                self.url,
                "--transport",
                "http",
                "--header",
                f"Authorization: Bearer {self.token}",
                "--format",
                "json",
                # Never start an interactive sign-in: a refused token is a failure.
                "--stored-auth-only",
                *arguments,
            ],
            cwd=self.folder,
            # A home of its own: the Inspector keeps a catalog and OAuth state under ~/.mcp-inspector.
            env=os.environ
            | {"HOME": str(self.home), "NO_UPDATE_NOTIFIER": "1", "npm_config_update_notifier": "false"},
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert result.returncode == 0, (
            f"inspector {' '.join(arguments)}: {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        answer: dict[str, dict[str, Any]] = json.loads(result.stdout)
        return answer["result"]


class Unbuildable(LookupError):
    """An argument needs an id nothing created yet."""


def example(schema: dict[str, Any], defs: dict[str, Any], ids: dict[str, int], name: str = "") -> Any:
    """The simplest value valid for `schema`: required properties only, ids of rows created before."""
    if "$ref" in schema:
        return example(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, ids, name)
    if "anyOf" in schema:
        options = [option for option in schema["anyOf"] if option.get("type") != "null"]
        return example(options[0], defs, ids, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {key: example(schema["properties"][key], defs, ids, key) for key in schema.get("required", [])}
    if kind == "integer":
        if name.endswith("_id"):
            if name.removesuffix("_id") not in ids:
                raise Unbuildable(name)
            return ids[name.removesuffix("_id")]
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "string":
        if schema.get("format") == "email":
            return f"inspector-{secrets.token_hex(4)}@example.com"
        if schema.get("format") == "date":
            return datetime.now(UTC).date().isoformat()
        if schema.get("format") == "date-time":
            return datetime.now(UTC).isoformat()
        text = f"inspector-{secrets.token_hex(4)}"
        return text.ljust(int(schema.get("minLength", 1)), "x")[: int(schema.get("maxLength", len(text)))]
    raise Unbuildable(f"{name}: {schema}")


def format_checker() -> jsonschema.FormatChecker:
    """jsonschema's checker, with `date-time` checked too (it needs an optional package otherwise)."""
    checker = jsonschema.FormatChecker()
    checker.checks("date-time", raises=ValueError)(
        lambda value: not isinstance(value, str) or bool(datetime.fromisoformat(value))
    )
    return checker


def formats_in(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["format"]} if isinstance(schema.get("format"), str) else set()
        return found.union(*(formats_in(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(formats_in(value) for value in schema))
    return set()


def call_in_order(tools: list[dict[str, Any]], call: Callable[[dict[str, Any]], bool]) -> list[str]:
    """Creates first (referenced rows before the rows that reference them), then reads and
    updates, deletes last and newest row first; returns the tools `call` could not build."""
    creates = [tool for tool in tools if tool["name"].startswith("create_")]
    deletes = [tool for tool in tools if tool["name"].startswith("delete_")]
    others = [tool for tool in tools if tool not in creates and tool not in deletes]
    created: list[str] = []
    while progress := [tool for tool in creates if call(tool)]:
        created += [tool["name"].removeprefix("create_") for tool in progress]
        creates = [tool for tool in creates if tool not in progress]
    others = [tool for tool in others if not call(tool)]

    def age(tool: dict[str, Any]) -> int:
        resource = tool["name"].removeprefix("delete_")
        return created.index(resource) if resource in created else -1

    newest_first = sorted(deletes, key=age, reverse=True)
    deletes = [tool for tool in newest_first if not call(tool)]
    return [tool["name"] for tool in creates + others + deletes]


def test_the_mcp_inspector_cli_connects_with_an_oauth_token_and_every_result_matches_its_schema(
    inspector: Path, servers: Servers, tmp_path: Path
) -> None:
    with assistant(servers.first) as client:
        token = client.sign_in(ADMIN["email"], ADMIN["password"])["access_token"]
    run = Inspector(inspector, tmp_path / "home", client.mcp_url, token)

    tools = run("--method", "tools/list")["tools"]
    modern = run("--method", "tools/list", "--protocol-era", "modern")["tools"]
    names = [tool["name"] for tool in tools]
    assert names == [tool["name"] for tool in modern], "both protocol revisions list the same tools in order"
    assert {"whoami", "check_health", "list_authors", "get_author", "create_author"} <= set(names), names
    checker = format_checker()
    assert not checker.conforms("yesterday", "date-time") and not checker.conforms("nobody", "email")
    for tool in tools:
        assert "outputSchema" in tool, f"{tool['name']} has no output schema"
        jsonschema.Draft202012Validator.check_schema(tool["outputSchema"])
        unchecked = formats_in(tool["outputSchema"]) - set(checker.checkers)
        assert not unchecked, f"{tool['name']}: formats the checker cannot check: {unchecked}"

    ids: dict[str, int] = {}
    called: list[str] = []

    def call(tool: dict[str, Any]) -> bool:
        schema = tool["inputSchema"]
        try:
            arguments = example(schema, schema.get("$defs", {}), ids)
        except Unbuildable:
            return False
        if tool["name"].endswith("_manager"):
            # One tool with an action each (`mcp_style: manager`): the simplest arguments
            # would ask it to create without data; its list action needs neither row nor data.
            arguments = {"action": "list"}
        arguments_json = json.dumps(arguments)
        result = run(
            "--method", "tools/call", "--tool-name", tool["name"], "--tool-args-json", arguments_json
        )
        assert result["isError"] is False, f"{tool['name']}({arguments}): {result}"
        structured = result["structuredContent"]
        jsonschema.Draft202012Validator(tool["outputSchema"], format_checker=checker).validate(structured)
        if tool["name"].startswith("create_"):
            ids[tool["name"].removeprefix("create_")] = structured["id"]
        called.append(tool["name"])
        return True

    not_called = call_in_order(tools, call)
    print(f"Inspector called {len(called)} tools; could not build arguments for: {not_called or 'none'}")
    assert not [
        name
        for name in not_called
        if name.startswith(("list_", "get_")) or name in {"whoami", "check_health"}
    ]
    assert len(called) == len(names), f"arguments could not be built for {not_called}"
