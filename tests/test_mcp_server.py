"""`blueprintgen mcp`: the official MCP client against the server, spawned as a user's
assistant spawns it (stdio), and over Streamable HTTP with its token."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest

from blueprintgen.errors import ExitCode
from tests.conftest import Workspace, simple_blueprint

pytest.importorskip("mcp.server.mcpserver", reason="the optional `mcp` extra is not installed")

import httpx2
import jsonschema
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

READING = {"list_blueprints", "show_blueprint", "graph", "describe_project", "validate"}
PLANNING = {"plan_new_project", "plan_add_resource", "plan_remove_resource", "plan_generate", "plan_upgrade"}
APPLYING = {"new_project", "add_resource", "remove_resource", "generate", "upgrade"}


def server_env() -> dict[str, str]:
    """What the spawned server needs of the test's environment (the SDK passes on only a few
    variables): the tests' own cache, and the same Python path."""
    keep = ("XDG_CACHE_HOME", "COLUMNS", "PYTHONPATH", "BLUEPRINTGEN_LOCK_TIMEOUT")
    return {name: os.environ[name] for name in keep if name in os.environ}


class Session:
    """A connected client that checks every structured result against the tool's output schema."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.schemas: dict[str, dict[str, Any]] = {}

    async def tools(self) -> dict[str, Any]:
        listed = {tool.name: tool for tool in (await self.client.list_tools()).tools}
        self.schemas = {name: tool.output_schema for name, tool in listed.items() if tool.output_schema}
        return listed

    async def call(self, tool: str, /, **arguments: Any) -> dict[str, Any]:
        """The tool's structured result (a tool error fails the test)."""
        result = await self.client.call_tool(tool, arguments)
        assert not result.is_error, result.content
        if not self.schemas:
            await self.tools()
        structured = result.structured_content
        assert structured is not None
        jsonschema.validate(
            structured, self.schemas[tool], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        return structured

    async def error(self, tool: str, /, **arguments: Any) -> str:
        """The text of the tool error the call must return."""
        result = await self.client.call_tool(tool, arguments)
        assert result.is_error, result.structured_content
        return "\n".join(block.text for block in result.content if block.type == "text")


@asynccontextmanager
async def stdio(root: Path) -> AsyncIterator[Session]:
    """`blueprintgen mcp --project ROOT`, spawned, and a client connected to it."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "blueprintgen", "mcp", "--project", str(root)],
        cwd=str(root),
        env=server_env(),
    )
    async with Client(params) as client:
        yield Session(client)


def run(body: Callable[[], Awaitable[None]]) -> None:
    """Run an async test body; a failure inside the client's task groups is raised as itself."""
    try:
        anyio.run(body)
    except BaseExceptionGroup as group:
        raise first_leaf(group) from None


def first_leaf(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def cli_error(ws: Workspace, *args: str) -> str:
    """The message the CLI prints for this command line (after its `error: `), unwrapped."""
    result = ws.run(*args)
    assert result.exit_code != ExitCode.DONE, result.output
    return result.stderr.removeprefix("error: ").strip()


@pytest.fixture
def greeting(ws: Workspace) -> Workspace:
    """A folder with a blueprint of its own (no project yet): quick to generate."""
    ws.blueprint("greeting", simple_blueprint())
    return ws


# --- stdio ------------------------------------------------------------------------------


def test_tools_are_typed_annotated_and_described(greeting: Workspace) -> None:
    async def body() -> None:
        async with stdio(greeting.root) as session:
            tools = await session.tools()
            assert set(tools) >= READING | PLANNING | APPLYING
            for name, tool in tools.items():
                assert tool.description, name
                assert tool.output_schema is not None, name
                hints = tool.annotations
                assert hints is not None
                if name in READING | PLANNING:
                    assert hints.read_only_hint is True and hints.destructive_hint is False, name
                else:
                    assert hints.read_only_hint is False and hints.destructive_hint is True, name
            fields = tools["plan_add_resource"].input_schema["properties"]["fields"]
            assert fields["type"] == "array" and "NAME:TYPE" in fields["description"]
            conflict = tools["generate"].input_schema["properties"]["conflict"]
            assert conflict["enum"] == ["stop", "markers"] and conflict["default"] == "stop"

    run(body)


def test_list_and_show_describe_the_blueprints(greeting: Workspace) -> None:
    async def body() -> None:
        async with stdio(greeting.root) as session:
            listed = (await session.call("list_blueprints"))["blueprints"]
            mine = next(b for b in listed if b["name"] == "greeting")
            assert mine["source"] == "project" and mine["category"] == "examples"
            assert any(b["name"] == "project" and b["source"] == "built-in" for b in listed)
            only = (await session.call("list_blueprints", category="examples"))["blueprints"]
            assert [b["name"] for b in only] == ["greeting"]

            shown = await session.call("show_blueprint", name="greeting")
            (who,) = shown["parameters"]
            assert who["name"] == "who" and who["type"] == "string" and who["required"] is True
            assert shown["generates"][0]["path"] == "src/greeting_{who}.py"
            assert shown["json_uri"] == "blueprintgen://blueprints/greeting"
            resource = await session.call("show_blueprint", name="project-app")
            templated = [g for g in resource["generates"] if g["template"]]
            assert templated and templated[0]["template_uri"].startswith("blueprintgen://templates/")

            tree = await session.call("graph", name="project")
            assert "project" in tree["roots"] and tree["edges"] and tree["tree"].startswith("project")

    run(body)


def test_plan_writes_nothing_and_apply_writes(greeting: Workspace) -> None:
    async def body() -> None:
        async with stdio(greeting.root) as session:
            before = greeting.snapshot()
            planned = await session.call("plan_generate", blueprint="greeting", sets=["who=world"])
            assert planned["applied"] is False and planned["written"] == []
            (created,) = planned["files"]
            assert created["path"] == "src/greeting_world.py" and created["action"] == "create"
            assert '+GREETING = "Hello, world"' in created["diff"]
            assert greeting.snapshot() == before

            applied = await session.call("generate", blueprint="greeting", sets=["who=world"])
            assert applied["applied"] is True and applied["written"] == ["src/greeting_world.py"]
            assert 'GREETING = "Hello, world"' in (greeting.root / "src/greeting_world.py").read_text()
            again = await session.call("generate", blueprint="greeting", sets=["who=world"])
            assert again["written"] == [] and again["unchanged"] == 1

    run(body)


def test_a_conflict_stops_with_its_hunks_and_writes_nothing(greeting: Workspace) -> None:
    assert greeting.run("generate", "greeting", "--set", "who=world").exit_code == ExitCode.DONE
    generated = greeting.root / "src/greeting_world.py"
    generated.write_text(generated.read_text().replace('"Hello, world"', '"Hi, world"'))
    changed = simple_blueprint()
    changed["template"]["embedded_code"] = changed["template"]["embedded_code"].replace(
        '"Hello, "', '"Howdy, "'
    )
    greeting.blueprint("greeting", changed)
    before = greeting.snapshot()

    async def body() -> None:
        async with stdio(greeting.root) as session:
            planned = await session.call("plan_generate", blueprint="greeting", sets=["who=world"])
            assert planned["conflicts"] is True
            (clash,) = planned["files"]
            assert clash["action"] == "conflict" and clash["conflicts"]
            said = await session.error("generate", blueprint="greeting", sets=["who=world"])
            assert "1 file would lose your changes; nothing was written" in said
            assert "src/greeting_world.py: 1 conflicting hunk" in said
            assert "Hi, world" in said and "Howdy, world" in said
            assert greeting.snapshot() == before

            said = await session.error(
                "generate", blueprint="greeting", sets=["who=world"], conflict="markers"
            )
            assert "conflict markers written into src/greeting_world.py" in said

    run(body)
    assert "<<<<<<< yours" in generated.read_text()


def test_bad_input_is_a_tool_error_with_the_cli_message(greeting: Workspace) -> None:
    unknown = cli_error(greeting, "show", "greting")
    bad_set = cli_error(greeting, "generate", "greeting", "--set", "who")

    async def body() -> None:
        async with stdio(greeting.root) as session:
            said = await session.error("show_blueprint", name="greting")
            assert unknown in said and "did you mean greeting?" in said
            said = await session.error("plan_generate", blueprint="greeting", sets=["who"])
            assert bad_set in said
            said = await session.error("generate", blueprint="greeting", conflict="sideways")
            assert "conflict" in said  # the input schema's check, before any operation runs
            assert not (greeting.root / "src").exists()

    run(body)


def test_paths_outside_the_served_folder_are_refused(greeting: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (greeting.root / "link").symlink_to(outside, target_is_directory=True)

    async def body() -> None:
        async with stdio(greeting.root) as session:
            for into in ("../outside", str(outside), "link", "link/deeper"):
                said = await session.error("generate", blueprint="greeting", sets=["who=world"], into=into)
                assert "is outside the folder this server works in" in said, into
            said = await session.error("validate", paths=["../outside"])
            assert "is outside the folder this server works in" in said
            said = await session.error("new_project", name="escape", folder_name="../escape")
            assert "is outside the folder this server works in" in said
            for uri in ("blueprintgen://templates/../../pyproject.toml", "blueprintgen://templates/%2E%2E/x"):
                with pytest.raises(Exception, match=r"Unknown resource|failed security validation"):
                    await session.client.read_resource(uri)

    run(body)
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "escape").exists()


def test_a_served_folder_inside_a_project_does_not_reach_the_project(ws: Workspace) -> None:
    assert ws.run("new", "project", "shop-api", "--no-git", "--quiet").exit_code == ExitCode.DONE
    inner = ws.root / "shop-api" / "docs-notes"
    inner.mkdir()

    async def body() -> None:
        async with stdio(inner) as session:
            said = await session.error("describe_project")
            assert "which is outside the folder this server works in" in said
            assert f"blueprintgen mcp --project {ws.root / 'shop-api'}" in said

    run(body)


def test_the_project_lock_holds_off_a_tool_as_it_does_a_command(
    greeting: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from blueprintgen.lock import locked

    monkeypatch.setenv("BLUEPRINTGEN_LOCK_TIMEOUT", "0.2")

    async def body() -> None:
        async with stdio(greeting.root) as session:
            with locked(greeting.root):
                said = await session.error("generate", blueprint="greeting", sets=["who=world"])
            assert "another blueprintgen run is writing this project" in said and str(os.getpid()) in said
            assert not (greeting.root / "src").exists()
            await session.call("generate", blueprint="greeting", sets=["who=world"])  # let go: it runs

    run(body)


def test_validate_reports_problems_as_data_with_the_cli_text(greeting: Workspace) -> None:
    broken = simple_blueprint("broken")
    broken["parameters"]["who"]["type"] = "strin"
    greeting.blueprint("broken", broken)
    printed = cli_error(greeting, "validate")

    async def body() -> None:
        async with stdio(greeting.root) as session:
            report = await session.call("validate")
            assert report["valid"] is False
            (found,) = report["problems"]
            assert found["file"].endswith("blueprints/broken.json")
            assert found["line"] is not None and found["pointer"].startswith("/parameters/who")
            assert found["text"] in printed and found["message"] in found["text"]
            (greeting.root / "blueprints/broken.json").unlink()
            fine = await session.call("validate")
            assert fine["valid"] is True and fine["problems"] == [] and "valid" in fine["summary"]
            assert any(b["name"] == "greeting" for b in fine["blueprints"])

    run(body)


def test_resources_and_prompts(greeting: Workspace) -> None:
    async def body() -> None:
        async with stdio(greeting.root) as session:
            client = session.client
            uris = {str(r.uri) for r in (await client.list_resources()).resources}
            assert {
                "blueprintgen://schemas/blueprint.schema.json",
                "blueprintgen://schemas/field.schema.json",
                "blueprintgen://field-grammar",
            } <= uris
            schema = await client.read_resource("blueprintgen://schemas/blueprint.schema.json")
            assert json.loads(schema.contents[0].text)["title"] == "blueprintgen blueprint"
            grammar = (await client.read_resource("blueprintgen://field-grammar")).contents[0].text
            assert "NAME:TYPE" in grammar and "customer:ref:customer" in grammar
            blueprint = await client.read_resource("blueprintgen://blueprints/greeting")
            assert json.loads(blueprint.contents[0].text)["metadata"]["name"] == "greeting"
            shown = await session.call("show_blueprint", name="project-app")
            uri = next(g["template_uri"] for g in shown["generates"] if g["template_uri"])
            template = await client.read_resource(uri)
            assert "{{" in template.contents[0].text or "{%" in template.contents[0].text

            prompts = {p.name for p in (await client.list_prompts()).prompts}
            assert {"resource_spec", "upgrade_project"} <= prompts
            prompt = await client.get_prompt("resource_spec", {"description": "customers with an email"})
            text = prompt.messages[0].content.text
            assert "customers with an email" in text and "plan_add_resource" in text

    run(body)


def test_a_project_created_grown_and_described(ws: Workspace) -> None:
    said: list[str] = []

    async def body() -> None:
        async with stdio(ws.root) as session:
            planned = await session.call("plan_new_project", name="shop-api", folder_name=".", git=False)
            assert planned["applied"] is False and len(planned["files"]) > 50
            assert {f["action"] for f in planned["files"]} == {"create"}
            assert list(ws.root.iterdir()) == []
            made = await session.call("new_project", name="shop-api", folder_name=".", git=False)
            assert "blueprintgen.yaml" in made["written"] and made["next_steps"]
            assert (ws.root / "blueprintgen.yaml").is_file()

            before = ws.snapshot()
            fields = ["name:str", "email:email:unique"]
            plan = await session.call("plan_add_resource", name="customer", fields=fields)
            assert plan["resources"] == ["customer"] and ws.snapshot() == before
            model = next(f for f in plan["files"] if f["path"].endswith("models/customer_model.py"))
            assert model["action"] == "create" and "+class Customer" in model["diff"]
            added = await session.call("add_resource", name="customer", fields=fields)
            assert any(path.endswith("models/customer_model.py") for path in added["written"])
            await session.call(
                "add_resource", name="order", fields=["customer:ref:customer", "total:decimal"]
            )

            described = await session.call("describe_project")
            assert described["name"] == "shop-api" and described["package"] == "shop_api"
            resources = {r["name"]: r for r in described["resources"]}
            (reference,) = resources["order"]["references"]
            assert reference == {
                "resource": "order",
                "field": "customer",
                "target": "customer",
                "on_delete": "CASCADE",
            }
            assert resources["customer"]["referenced_by"] == [reference]
            email = next(f for f in resources["customer"]["fields"] if f["name"] == "email")
            assert (
                email["type"] == "email" and email["unique"] is True and email["spec"] == "email:email:unique"
            )
            assert described["drift"]["in_sync"] is True and described["removed"] == []

            before = ws.snapshot()
            said.append(await session.error("add_resource", name="invoice", fields=["total:integer"]))
            changed = await session.error("add_resource", name="customer", fields=["name:str"])
            assert "customer already exists with other fields or options; nothing was written" in changed
            diff = changed.split("customer already exists")[0]  # the plan of the change, before the message
            assert "+++ b/blueprintgen.yaml" in diff and re.search(r"^-.*email", diff, re.MULTILINE)
            refused = await session.error("remove_resource", name="customer")
            assert cli_error(ws, "remove", "resource", "customer", "--yes") in refused  # still referenced
            assert ws.snapshot() == before

            planned = await session.call("plan_remove_resource", name="order")
            assert planned["dropped_by"] and ws.snapshot() == before
            assert any(
                f["action"] == "remove" and f["path"].endswith("order_model.py") for f in planned["files"]
            )
            removed = await session.call("remove_resource", name="order")
            assert removed["applied"] and not any(ws.root.rglob("order_model.py"))
            described = await session.call("describe_project", drift=False)
            assert [gone["name"] for gone in described["removed"]] == ["order"]
            assert described["drift"] is None

            upgraded = await session.call("plan_upgrade")
            assert upgraded["files"] == [] and upgraded["conflicts"] is False
            assert (await session.call("upgrade"))["written"] == []

    run(body)
    printed = cli_error(ws, "add", "resource", "invoice", "--field", "total:integer")
    assert "unknown type 'integer'" in printed and printed in said[0]


# --- Streamable HTTP --------------------------------------------------------------------


def _wait_until_listening(url: str, seconds: float = 30.0) -> None:
    """The server prints its URL just before it binds: wait for the port."""
    parsed = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((parsed.hostname, parsed.port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture
def http_server(greeting: Workspace) -> Iterator[tuple[str, str]]:
    """`blueprintgen mcp --http`, spawned: the URL and the token it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "blueprintgen", "mcp", "--http", "--project", str(greeting.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **server_env()},
    )
    try:
        assert process.stdout is not None
        printed = "".join(process.stdout.readline() for _ in range(3))
        url = re.search(r"url: (\S+)", printed)
        token = re.search(r"Authorization: Bearer (\S+)", printed)
        assert url and token, printed
        _wait_until_listening(url.group(1))
        yield url.group(1), token.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_http_needs_the_token(http_server: tuple[str, str]) -> None:
    url, token = http_server
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"Accept": "application/json, text/event-stream"}
    wrong = (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {token}x"},
        {"Authorization": token},
    )
    for given in wrong:
        answer = httpx2.post(url, json=ping, headers={**headers, **given})
        assert answer.status_code == 401, given
        assert answer.headers["www-authenticate"].startswith("Bearer")
    answer = httpx2.post(url, json=ping, headers={**headers, "Authorization": f"bearer {token}"})
    assert answer.status_code != 401  # past the guard (the scheme's case does not matter)

    async def body() -> None:
        async with (
            httpx2.AsyncClient() as anonymous,
            Client(streamable_http_client(url, http_client=anonymous)),
        ):
            pass

    with pytest.raises(BaseException):  # noqa: B017 (the SDK raises an ExceptionGroup of its own errors)
        run(body)


def test_http_with_the_token_serves_the_tools(http_server: tuple[str, str], greeting: Workspace) -> None:
    url, token = http_server

    async def body() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            session = Session(client)
            assert set(await session.tools()) >= PLANNING
            listed = await session.call("list_blueprints", category="examples")
            assert [b["name"] for b in listed["blueprints"]] == ["greeting"]
            planned = await session.call("plan_generate", blueprint="greeting", sets=["who=web"])
            assert planned["files"][0]["action"] == "create"
            said = await session.error("plan_generate", blueprint="greeting", sets=["who=web"], into="..")
            assert "is outside the folder this server works in" in said

    run(body)
    assert not (greeting.root / "src").exists()


# --- the command itself -------------------------------------------------------------------


def test_without_the_sdk_it_says_how_to_install_it(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mcp", None)
    result = ws.run("mcp")
    assert result.exit_code == ExitCode.USAGE
    assert "pip install 'blueprintgen[mcp]'" in result.stderr


def test_port_is_for_http_only(ws: Workspace) -> None:
    result = ws.run("mcp", "--port", "8765")
    assert result.exit_code == ExitCode.USAGE and "--port is for --http" in result.stderr


@pytest.mark.e2e
def test_the_inspector_cli_lists_the_tools(greeting: Workspace) -> None:
    """The MCP Inspector's CLI mode against the stdio server (needs npx and the npm registry)."""
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx is not installed")
    result = subprocess.run(
        [npx, "--yes", "@modelcontextprotocol/inspector", "--cli", sys.executable, "-m", "blueprintgen", "mcp",
         "--project", str(greeting.root), "--method", "tools/list"],
        capture_output=True, text=True, timeout=300, check=False, env={**os.environ, **server_env()},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    names = {tool["name"] for tool in json.loads(result.stdout)["tools"]}
    assert names >= PLANNING | APPLYING
    result = subprocess.run(
        [npx, "--yes", "@modelcontextprotocol/inspector", "--cli", sys.executable, "-m", "blueprintgen", "mcp",
         "--project", str(greeting.root), "--method", "tools/call", "--tool-name", "show_blueprint",
         "--tool-arg", "name=greting"],
        capture_output=True, text=True, timeout=300, check=False, env={**os.environ, **server_env()},
    )  # fmt: skip
    answer = json.loads(result.stdout)
    assert answer["isError"] is True and "no blueprint named 'greting'" in answer["content"][0]["text"]


def test_add_resource_takes_owned(ws: Workspace) -> None:
    """`owned` is an argument of the resource tools, as `--owned` is an option of the CLI."""
    assert ws.run("new", "project", "shop-api", "--output", ".", "--no-git", "--yes").exit_code == 0

    async def body() -> None:
        async with stdio(ws.root) as session:
            before = ws.snapshot()
            plan = await session.call("plan_add_resource", name="note", fields=["title:str"], owned=True)
            assert ws.snapshot() == before
            table = next(f for f in plan["files"] if f["path"].endswith("note_db_model.py"))
            assert "+    owner_id: Mapped[int]" in table["diff"]
            await session.call("add_resource", name="note", fields=["title:str"], owned=True)
            refused = await session.error("add_resource", name="user", owned=True)
            assert "--owned is not available for `user`" in refused
            described = await session.call("describe_project", drift=False)
            (note,) = [r for r in described["resources"] if r["name"] == "note"]
            assert note["owned"] is True

    run(body)
