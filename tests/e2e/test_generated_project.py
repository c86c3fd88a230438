"""A generated project, installed and run for real: its tests, linters, migrations, server, MCP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import PACKAGE, PROJECT, Generated, blueprintgen, free_port, http, mcp, server

pytestmark = pytest.mark.e2e

ADMIN = {"email": "admin@example.com", "password": "correct-horse-battery-staple"}


def report(run: subprocess.CompletedProcess[str]) -> str:
    return f"{' '.join(run.args)} ({run.returncode}):\n{run.stdout[-6000:]}\n{run.stderr[-6000:]}"


@pytest.fixture(scope="module")
def suite_runs(
    project: Generated, postgres_url: str, redis_url: str, workdir: Path
) -> dict[str, subprocess.CompletedProcess[str]]:
    """The generated suite on SQLite and on PostgreSQL + Redis, run at the same time.

    Each run is one Python process on one core, and they share nothing: their own
    database, their own cache, their own pytest temporary folder (`--basetemp`, so that
    neither cleans up the other's). The machine has two cores, so running them side by side
    halves the wait.
    """
    pytest_args = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
    plans = {
        "sqlite": ([*pytest_args, "-W", "error::DeprecationWarning"], project.env()),
        "postgres": (pytest_args, project.env(DATABASE_URL=postgres_url, REDIS_URL=redis_url)),
    }
    started: dict[str, subprocess.Popen[str]] = {}
    try:
        for name, (args, env) in plans.items():
            started[name] = subprocess.Popen(
                [project.python, *args, f"--basetemp={workdir / f'suite-{name}'}"],
                cwd=project.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        runs = {}
        for name, process in started.items():
            stdout, stderr = process.communicate(timeout=1500)
            runs[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        return runs
    finally:
        for process in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def test_generated_test_suite_passes_on_sqlite(
    suite_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    run = suite_runs["sqlite"]
    assert run.returncode == 0, report(run)
    assert " passed" in run.stdout and " failed" not in run.stdout


def test_generated_test_suite_passes_on_postgres_and_redis(
    suite_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    run = suite_runs["postgres"]
    assert run.returncode == 0, report(run)
    assert " passed" in run.stdout and " failed" not in run.stdout
    # The PostgreSQL- and Redis-only tests ran rather than skipped.
    assert "skipped" not in run.stdout, report(run)


def test_timing_checks_are_deselected_by_default_and_run_with_the_perf_marker(project: Generated) -> None:
    collected = project.run(project.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--co")
    assert "within_budget" not in collected.stdout and "meets_target" not in collected.stdout
    assert "deselected" in collected.stdout
    timed = project.run(project.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "perf")
    assert " passed" in timed.stdout and " failed" not in timed.stdout


def test_generated_code_is_lint_format_and_type_clean(project: Generated) -> None:
    project.run(project.bin("ruff"), "check", ".")
    project.run(project.bin("ruff"), "format", "--check", ".")
    project.run(project.bin("mypy"))


def test_validate_check_all_passes_in_the_project(project: Generated) -> None:
    result = blueprintgen("validate", "--check-all", cwd=project.root)
    assert "in sync" in result.stdout


def test_adding_the_same_resources_again_changes_nothing(project: Generated) -> None:
    from tests.conftest import REPO

    result = blueprintgen("add", "resource", "--spec", str(REPO / "examples/blog.yaml"), cwd=project.root)
    assert "nothing to do" in result.stdout


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_migrations_upgrade_and_downgrade(
    project: Generated, database: str, request: pytest.FixtureRequest, tmp_path: object
) -> None:
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{project.root / 'migrations-check.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    env = project.env(DATABASE_URL=url)
    project.run(project.bin("alembic"), "upgrade", "head", env=env)
    heads = project.run(project.bin("alembic"), "current", env=env).stdout
    assert "(head)" in heads
    project.run(project.bin("alembic"), "downgrade", "base", env=env)
    project.run(project.bin("alembic"), "upgrade", "head", env=env)
    project.run(project.bin("alembic"), "downgrade", "base", env=env)


def _prepare_database(project: Generated, env: dict[str, str]) -> None:
    project.run(project.bin("alembic"), "upgrade", "head", env=env)
    created = project.run(
        project.bin(f"{PROJECT}-admin"),
        "create-admin",
        "--email",
        ADMIN["email"],
        "--password",
        ADMIN["password"],
        env=env,
        check=False,
    )
    assert created.returncode == 0 or "already" in created.stderr, created.stderr


def _token(base: str) -> str:
    status, body = http(
        "POST", f"{base}/api/v1/auth/token", form={"username": ADMIN["email"], "password": ADMIN["password"]}
    )
    assert status == 200, body
    return str(body["access_token"])


def test_server_rest_and_mcp_end_to_end(project: Generated, tmp_path: object) -> None:
    env = project.env(DATABASE_URL=f"sqlite+aiosqlite:///{project.root / 'e2e-server.db'}")
    _prepare_database(project, env)
    with server(project, env) as base:
        assert http("GET", f"{base}/health")[0] == 200
        status, ready = http("GET", f"{base}/health/ready")
        assert status == 200, ready
        assert (
            http("POST", f"{base}/api/v1/auth/token", form={"username": ADMIN["email"], "password": "wrong"})[
                0
            ]
            == 401
        )
        assert http("GET", f"{base}/api/v1/authors")[0] == 401
        assert http("GET", f"{base}/api/v1/authors", token="not-a-token")[0] == 401
        token = _token(base)

        # REST: create an author and a post that references it
        status, author = http(
            "POST", f"{base}/api/v1/authors", token=token, body={"name": "Ada", "email": "ada@example.com"}
        )
        assert status == 201, author
        assert (
            http(
                "POST",
                f"{base}/api/v1/authors",
                token=token,
                body={"name": "Ada", "email": "ada@example.com"},
            )[0]
            == 409
        )
        assert (
            http(
                "POST", f"{base}/api/v1/authors", token=token, body={"name": "Ada", "email": "not-an-email"}
            )[0]
            == 422
        )
        status, post = http(
            "POST",
            f"{base}/api/v1/posts",
            token=token,
            body={"title": "Hello", "body": "First", "author_id": author["id"]},
        )
        assert status == 201, post
        status, page = http(
            "GET", f"{base}/api/v1/posts?author_id={author['id']}&include_total=true", token=token
        )
        assert status == 200 and page["total"] == 1 and page["next_cursor"] is None, page
        assert http("GET", f"{base}/api/v1/posts/999999", token=token)[0] == 404

        # MCP over Streamable HTTP with the official client
        url = f"{base}/mcp"
        denied = mcp(project, "http", url, "", [["__list__", {}]])
        assert "error" in denied[0], denied
        lines = mcp(
            project,
            "http",
            url,
            token,
            [
                ["__list__", {}],
                ["create_author", {"data": {"name": "Grace", "email": "grace@example.com"}}],
                ["get_author", {"author_id": author["id"]}],
                ["get_author", {"author_id": 424242}],
            ],
        )
        tools = set(lines[0]["tools"])
        assert {
            "create_author",
            "list_authors",
            "get_author",
            "update_author",
            "delete_author",
            "create_post",
            "list_tags",
            "restore_article",
        } <= tools
        assert not any("audit_entr" in name for name in tools), "audit_entry is REST only (--no-mcp)"
        created = lines[1]["structured"]
        assert not lines[1]["is_error"] and created["email"] == "grace@example.com"
        assert lines[2]["structured"]["name"] == "Ada", "REST-created entity read through MCP"
        assert lines[3]["is_error"], "not found is a tool error"
        status, via_rest = http("GET", f"{base}/api/v1/authors/{created['id']}", token=token)
        assert status == 200 and via_rest["name"] == "Grace", "MCP-created entity read through REST"
        status, me = http("GET", f"{base}/api/v1/users/me", token=token)
        assert status == 200 and me["email"] == ADMIN["email"]
        status, account = http("GET", f"{base}/api/v1/users/{me['id']}", token=token)
        assert status == 200 and account["email"] == ADMIN["email"], "add resource user: admin REST slice"
        assert account["plan"] == "free", "an account field, its default given to the existing admin"
        status, me = http("PATCH", f"{base}/api/v1/users/me", token=token, body={"display_name": "Ada"})
        assert status == 200 and me["display_name"] == "Ada", "a user sets their own account field"

    # MCP over stdio, as a desktop client launches it
    stdio = mcp(
        project,
        "stdio",
        project.python,
        f"{PACKAGE}.server",
        [["__list__", {}], ["list_authors", {"query": {"include_total": True}}]],
        env=env,
    )
    assert "create_author" in stdio[0]["tools"]
    assert stdio[1]["structured"]["total"] == 2


def test_two_replicas_share_postgres_redis_and_rate_limits(
    project: Generated, postgres_url: str, redis_url: str
) -> None:
    env = project.env(
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        RATE_LIMIT="8/minute",
        APP_NAME=f"replicas-{free_port()}",
    )
    _prepare_database(project, env)
    with server(project, env) as first, server(project, env) as second:
        assert http("GET", f"{first}/health/ready")[0] == 200
        token = _token(first)  # 1 request counted
        status, author = http(
            "POST", f"{first}/api/v1/authors", token=token, body={"name": "Lin", "email": "lin@example.com"}
        )
        assert status == 201, author
        status, seen = http("GET", f"{second}/api/v1/authors/{author['id']}", token=token)
        assert status == 200 and seen["email"] == "lin@example.com", "both replicas share PostgreSQL"
        statuses = [http("GET", f"{base}/api/v1/authors", token=token)[0] for base in (first, second) * 4]
        assert 429 in statuses, f"a limit of 8/minute must be shared across replicas: {statuses}"
        assert statuses.index(429) <= 6
