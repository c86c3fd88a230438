"""The generated app under load (point 5) and its memory (point 6).

1. `blueprintgen new project loadapp` + `add resource item` (name:str:unique, price:decimal,
   active:bool=true, quantity:int), installed with uv into one venv reused between runs
   (<bench cache>/app-venv).
2. Per database (SQLite file, PostgreSQL on 127.0.0.1:5432): `alembic upgrade head`,
   `loadapp-admin create-admin`, seed rows, start both servers with uvicorn on random
   127.0.0.1 ports (one process each, RATE_LIMIT_ENABLED=false, LOG_LEVEL=WARNING, no
   REDIS_URL so the generated read cache is the in-process one): the generated app and
   the hand-written baseline_app.py, same database, same venv, same bearer token.
3. Closed-loop load (loadclient.py, 50 connections, bounded in time and requests):
   get-by-id and list (limit 20), each request a different row/offset so the generated
   app's read cache never hits and both apps run the same queries. Each scenario runs in
   ROUNDS slices per app, alternating which app goes first, and each app's slices are
   pooled: a slower or busier stretch of the machine falls on both.
   One more get-by-id scenario repeats one id ("hot": the generated app answers from its cache).
4. MCP: the official `mcp` client over Streamable HTTP calls get_item one call at a time;
   the REST GET of the same rows, one at a time, is the comparison.
5. Peak RSS (VmHWM) of each server process after its runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import HERE, Row, cache_root, fmt_ratio, log, tool
from loadclient import LoadResult, run_load

FIELDS = ["name:str:unique", "price:decimal", "active:bool=true", "quantity:int"]
EMAIL, PASSWORD = "bench@example.com", "bench-password-123"
SECRET = "bench-secret-key-0123456789abcdef0123456789abcdef"
PG_DB = "blueprintgen_bench_load"
CONCURRENCY = 50
APPS = ("generated", "baseline")
ROUNDS = 3  # per scenario, alternating which app goes first


def ms(seconds: float) -> str:
    return "n/a" if seconds != seconds else f"{seconds * 1000:.1f} ms"


def _run(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600
) -> str:
    done = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args[:3])}… exit {done.returncode}: {(done.stderr or done.stdout).strip()[-600:]}"
        )
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(
    port: int, method: str, path: str, *, data: dict[str, str] | None = None, token: str | None = None
) -> Any:
    body = urllib.parse.urlencode(data).encode() if data else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


@contextmanager
def server(args: list[str], cwd: Path, env: dict[str, str], port: int):
    proc = subprocess.Popen(
        args, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"server exited {proc.returncode}: {proc.stderr.read()[-800:] if proc.stderr else ''}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start within 60 s") from None
                time.sleep(0.1)
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Setup:
    """The generated project and the venv it runs in."""

    def __init__(self, env: dict[str, str], quick: bool) -> None:
        self.env = env
        self.quick = quick
        self.work = cache_root() / "load"
        self.project = self.work / "loadapp"
        self.venv = cache_root() / "app-venv"
        self.python = self.venv / "bin" / "python"

    def build(self) -> None:
        import bench_gen

        if self.project.exists():
            shutil.rmtree(self.project)
        self.work.mkdir(parents=True, exist_ok=True)
        exe = tool("blueprintgen")
        log("load: generating loadapp with one resource (item)")
        _run(
            [exe, "new", "project", "loadapp", "--output", str(self.project), "--no-git", "--yes"],
            env=self.env,
        )
        _run(
            [
                exe,
                "add",
                "resource",
                "item",
                *[f"--field={f}" for f in FIELDS],
                "--yes",
                *bench_gen.add_flags(),
            ],
            cwd=self.project,
            env=self.env,
        )
        uv = tool("uv")
        if not self.python.exists():
            log(f"load: creating the app venv {self.venv} (kept for later runs)")
            _run([uv, "venv", "--quiet", "--python", sys.executable, str(self.venv)])
        log("load: installing loadapp into the app venv (uv)")
        _run(
            [uv, "pip", "install", "--quiet", "--python", str(self.python), "-e", str(self.project)],
            timeout=900,
        )

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


class Database:
    def __init__(self, setup: Setup, kind: str) -> None:
        self.setup = setup
        self.kind = kind
        if kind == "sqlite":
            path = setup.work / "bench.db"
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.url = f"sqlite+aiosqlite:///{path}"
        else:
            self.url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DB}"
        self.env = {
            **setup.env,
            "DATABASE_URL": self.url,
            "SECRET_KEY": SECRET,
            "APP_NAME": "loadapp",
            "RATE_LIMIT_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
            "ENVIRONMENT": "development",
        }
        self.env.pop("REDIS_URL", None)

    def prepare(self, rows: int) -> None:
        s = self.setup
        appctl = str(HERE / "appctl.py")
        if self.kind == "postgres":
            _run([str(s.python), appctl, "createdb", PG_DB])
        _run([s.bin("alembic"), "upgrade", "head"], cwd=s.project, env=self.env)
        _run(
            [s.bin("loadapp-admin"), "create-admin", "--email", EMAIL, "--password", PASSWORD],
            cwd=s.project,
            env=self.env,
        )
        _run([str(s.python), appctl, "seed", self.url, "items", str(rows)], env=self.env)

    def drop(self) -> None:
        if self.kind == "postgres":
            try:
                _run([str(self.setup.python), str(HERE / "appctl.py"), "dropdb", PG_DB])
            except RuntimeError as error:
                log(f"load: could not drop {PG_DB}: {error}")


def load(
    port: int, token: str, path_for, seconds: float, max_requests: int, concurrency: int = CONCURRENCY
) -> LoadResult:
    return asyncio.run(
        run_load(
            port,
            path_for,
            headers={"Authorization": f"Bearer {token}"},
            concurrency=concurrency,
            seconds=seconds,
            max_requests=max_requests,
        )
    )


def merged(parts: list[LoadResult]) -> LoadResult:
    """One result from the rounds of one app: all latencies, summed time and counts."""
    whole = LoadResult()
    for part in parts:
        whole.latencies.extend(part.latencies)
        whole.errors += part.errors
        whole.elapsed += part.elapsed
        for status, count in part.statuses.items():
            whole.statuses[status] = whole.statuses.get(status, 0) + count
    return whole


def alternating(
    ports: dict[str, int], token: str, path_for: Any, seconds: float, max_requests: int
) -> dict[str, LoadResult]:
    """The same scenario for both apps in ROUNDS slices, alternating which goes first.

    Both servers run throughout; a slice of one app never follows itself, so drift in
    the machine (other work, the database's own housekeeping) falls on both. Each
    app's request numbers continue across its slices, so a row or offset is never
    asked for twice (the generated app's read cache does not hit by accident).
    """
    parts: dict[str, list[LoadResult]] = {app: [] for app in APPS}
    sent = dict.fromkeys(APPS, 0)
    for round_number in range(ROUNDS):
        for app in APPS if round_number % 2 == 0 else tuple(reversed(APPS)):
            result = load(
                ports[app],
                token,
                lambda i, first=sent[app]: path_for(first + i),
                seconds / ROUNDS,
                max(1, (max_requests - sent[app]) // (ROUNDS - round_number)),
            )
            sent[app] += len(result.latencies) + result.errors
            parts[app].append(result)
    return {app: merged(results) for app, results in parts.items()}


def mcp_latencies(setup: Setup, port: int, token: str, first: int, count: int) -> tuple[list[float], int]:
    """Run the MCP client in the app venv (it has `mcp`; the harness env need not)."""
    out = _run(
        [str(setup.python), str(HERE / "appctl.py"), "mcp-latency", str(port), str(first), str(count)],
        env={"BENCH_TOKEN": token},
        timeout=300,
    )
    data = json.loads(out.strip().splitlines()[-1])
    return [float(x) for x in data["latencies"]], int(data["errors"])


def run(quick: bool, env: dict[str, str]) -> tuple[list[Row], dict[str, Any]]:
    import bench_gen

    available, why = bench_gen.resources_available()
    if not available:
        return [
            Row("5 load", "generated app under load", "skipped", note=f"add resource unavailable: {why}")
        ], {}
    seconds = 1.0 if quick else 5.0
    rows_in_db = 12_000 if quick else 25_000
    max_requests = 10_000
    sequential = 40 if quick else 200
    setup = Setup(env, quick)
    rows: list[Row] = []
    raw: dict[str, Any] = {"seconds": seconds, "concurrency": CONCURRENCY, "rows": rows_in_db}
    try:
        setup.build()
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return [Row("5 load", "generated app", "failed", note=str(error)[:200])], raw

    for kind in ("sqlite", "postgres"):
        db = Database(setup, kind)
        try:
            log(f"load[{kind}]: migrating, creating the admin, seeding {rows_in_db} rows")
            db.prepare(rows_in_db)
            ports = {app: free_port() for app in APPS}
            args = {
                "generated": [setup.bin("uvicorn"), "loadapp.main:app"],
                "baseline": [setup.bin("uvicorn"), "baseline_app:app", "--app-dir", str(HERE)],
            }
            cwds = {"generated": setup.project, "baseline": HERE}
            flags = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
            with (
                server(
                    [*args["generated"], *flags, "--port", str(ports["generated"])],
                    cwds["generated"],
                    db.env,
                    ports["generated"],
                ) as gen_proc,
                server(
                    [*args["baseline"], *flags, "--port", str(ports["baseline"])],
                    cwds["baseline"],
                    db.env,
                    ports["baseline"],
                ) as base_proc,
            ):
                token = http(
                    ports["generated"],
                    "POST",
                    "/api/v1/auth/token",
                    data={"username": EMAIL, "password": PASSWORD},
                )["access_token"]
                log(
                    f"load[{kind}]: both apps up (ports {ports['generated']}, {ports['baseline']}); warm-up, "
                    f"then {seconds:.1f} s per scenario and app in {ROUNDS} alternating rounds"
                )
                warm_base = rows_in_db - 2000
                warm = 0.5 if quick else 1.0
                for app in APPS:
                    load(
                        ports[app],
                        token,
                        lambda i, base=warm_base: f"/api/v1/items/{base + i % 2000 + 1}",
                        warm,
                        2000,
                        10,
                    )
                    load(
                        ports[app],
                        token,
                        lambda i: f"/api/v1/items?limit=20&offset={10_000 + i % 1000}",
                        warm / 2,
                        500,
                        10,
                    )
                scenarios = {
                    "by_id": lambda i: f"/api/v1/items/{i % 10_000 + 1}",
                    "list": lambda i: f"/api/v1/items?limit=20&offset={i % 5000}",
                }
                if not quick:
                    scenarios["hot"] = lambda i: "/api/v1/items/7"
                results: dict[str, dict[str, Any]] = {app: {"token": token} for app in APPS}
                for name, path_for in scenarios.items():
                    for app, result in alternating(ports, token, path_for, seconds, max_requests).items():
                        results[app][name] = result
                try:
                    results["generated"]["mcp"] = mcp_latencies(
                        setup, ports["generated"], token, 10_001, sequential
                    )
                except (RuntimeError, subprocess.TimeoutExpired, ValueError, KeyError) as error:
                    results["generated"]["mcp_error"] = f"{type(error).__name__}: {str(error)[-300:]}"
                rest_ids = iter(range(10_001 + sequential, 10_001 + 2 * sequential))
                results["generated"]["rest_seq"] = load(
                    ports["generated"],
                    token,
                    lambda i, ids=rest_ids: f"/api/v1/items/{next(ids)}",
                    30,
                    sequential,
                    1,
                )
                results["generated"]["rss"] = peak_rss_mib(gen_proc.pid)
                results["baseline"]["rss"] = peak_rss_mib(base_proc.pid)
            rows += _rows(kind, results)
            raw[kind] = {
                app: {
                    key: (
                        {
                            "rps": v.rps,
                            "p50": v.p50,
                            "p99": v.p99,
                            "errors": v.errors,
                            "n": len(v.latencies),
                            "statuses": v.statuses,
                        }
                        if isinstance(v, LoadResult)
                        else v
                    )
                    for key, v in entry.items()
                    if key not in {"token", "mcp"}
                }
                for app, entry in results.items()
            }
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as error:
            rows.append(Row("5 load", f"{kind}", "failed", note=str(error)[:240]))
        finally:
            db.drop()
    return rows, raw


def _rows(kind: str, results: dict[str, dict[str, Any]]) -> list[Row]:
    gen, base = results["generated"], results["baseline"]
    rows: list[Row] = []
    for key, title in (("by_id", "get by id"), ("list", "list, limit 20")):
        g: LoadResult = gen[key]
        b: LoadResult = base[key]
        ratio = g.rps / b.rps if b.rps else float("nan")
        errors = (
            f"; errors: generated {g.errors}, baseline {b.errors} {g.statuses}"
            if g.errors or b.errors
            else ""
        )
        rows.append(
            Row(
                "5 load",
                f"{kind} {title}: req/s at {CONCURRENCY} clients",
                f"{g.rps:,.0f} req/s",
                f"hand-written {b.rps:,.0f} req/s → {ratio * 100:.0f} %",
                "≥ 90 % of hand-written",
                ratio >= 0.9,
                f"p50 {ms(g.p50)} vs {ms(b.p50)}{errors}",
            )
        )
        rows.append(
            Row(
                "5 load",
                f"{kind} {title}: p99 latency",
                ms(g.p99),
                f"hand-written {ms(b.p99)}",
                "< 200 ms",
                g.p99 < 0.2,
            )
        )
    if "hot" in gen:
        g, b = gen["hot"], base["hot"]
        rows.append(
            Row(
                "5 load",
                f"{kind} get by id, one hot row",
                f"{g.rps:,.0f} req/s",
                f"hand-written {b.rps:,.0f} req/s → {g.rps / b.rps * 100 if b.rps else float('nan'):.0f} %",
                note=f"generated answers from its read cache; p99 {ms(g.p99)} vs {ms(b.p99)}",
            )
        )
    if "mcp" in gen:
        latencies, errors = gen["mcp"]
        mcp = LoadResult(latencies=latencies, elapsed=sum(latencies))
        rest: LoadResult = gen["rest_seq"]
        rows.append(
            Row(
                "5 load",
                f"{kind} MCP get_item (Streamable HTTP), one at a time",
                f"p50 {ms(mcp.p50)}",
                f"REST GET by id p50 {ms(rest.p50)} → {fmt_ratio(mcp.p50 / rest.p50)}",
                note=f"p99 {ms(mcp.p99)} vs {ms(rest.p99)}; {len(latencies)} calls"
                + (f"; {errors} errors" if errors else ""),
            )
        )
    elif "mcp_error" in gen:
        rows.append(Row("5 load", f"{kind} MCP get_item", "failed", note=gen["mcp_error"][:200]))
    rows.append(
        Row(
            "6 memory",
            f"app under load ({kind}): peak RSS",
            f"{gen['rss']:.0f} MiB",
            f"hand-written {base['rss']:.0f} MiB",
            note="VmHWM of the uvicorn process",
        )
    )
    return rows
