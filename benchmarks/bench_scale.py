"""Cost as the data grows (section 7): the generated app against the hand-written one under wrk.

For each database (SQLite file, PostgreSQL on 127.0.0.1:5432) the table `items` grows
through SIZES rows (1,000 and 100,000; 1,000,000 in the full run, 10,000 in the quick
one). At each size, with both apps serving the same table:

- get by id        GET /api/v1/items/{random id}
- first page       GET /api/v1/items?limit=20
- deep page        GET /api/v1/items?limit=20&cursor=C, C a cursor from the middle of the
                   table (each app's own cursor for the same rows; one of 64, at random)
- create           POST /api/v1/items, a new unique name each request
- update           PATCH /api/v1/items/{random id} with a new price

Then, on PostgreSQL at the largest size, two instances of the generated app with Redis
as their cache: one on an empty Redis database, one on a database holding 1,000,000
unrelated keys (100,000 quick); create and update on each.

Measuring, not the client: uvicorn (one process, as the generated Dockerfile runs it) is
pinned to CPU 0 with taskset, wrk to CPU 1 (one thread, 50 connections). A trivial
endpoint (`GET /healthz` of the hand-written app: no auth, no database) shows the ceiling
of that arrangement: every real row is far below it. The database servers are not pinned.
Each scenario runs in ROUNDS slices per app, alternating which app goes first, so other
work on the machine falls on both; the rates are pooled over the slices.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import textwrap
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import HERE, Row, log
from bench_load import EMAIL, PASSWORD, Database, Setup, _run, free_port, http, peak_rss_mib, server

APPS = ("generated", "baseline")
ROUNDS = 3
REDIS_ROUNDS = 6
CONNECTIONS = 50
SCENARIOS = ("by_id", "first_page", "deep_page", "create", "update")
TITLES = {
    "by_id": "get by id",
    "first_page": "first page (20)",
    "deep_page": "deep page by cursor",
    "create": "create",
    "update": "update",
}
REDIS_DBS = {"empty": 13, "filled": 14}
SERVER_CPU, CLIENT_CPU = "0", "1"


@dataclass
class Rate:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, other: Rate) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.errors += other.errors
        # latency percentiles of the pooled slices: the slowest slice's (conservative)
        self.p50_ms = other.p50_ms if self.p50_ms != self.p50_ms else max(self.p50_ms, other.p50_ms)
        self.p99_ms = other.p99_ms if self.p99_ms != self.p99_ms else max(self.p99_ms, other.p99_ms)


def wrk_available() -> str | None:
    return shutil.which("wrk")


def lua(scenario: str, *, token: str, max_id: int, cursors: list[str], tag: str) -> str:
    """A wrk script: one request kind, random targets, a JSON summary line at the end."""
    quoted = ", ".join(json.dumps(c) for c in cursors) or '""'
    return textwrap.dedent(
        f"""
        local token = "Bearer {token}"
        local kind = "{scenario}"
        local max_id = {max_id}
        local cursors = {{{quoted}}}
        local tag = "{tag}"
        local counter = 0
        math.randomseed({random.randrange(1, 2**31)})
        local headers = {{["Authorization"] = token, ["Content-Type"] = "application/json"}}
        request = function()
          counter = counter + 1
          if kind == "by_id" then
            return wrk.format("GET", "/api/v1/items/" .. math.random(1, max_id), headers)
          elseif kind == "first_page" then
            return wrk.format("GET", "/api/v1/items?limit=20", headers)
          elseif kind == "deep_page" then
            return wrk.format("GET", "/api/v1/items?limit=20&cursor=" .. cursors[math.random(1, #cursors)], headers)
          elseif kind == "create" then
            local body = '{{"name": "b-' .. tag .. '-' .. counter .. '", "price": "1.50", "quantity": 1}}'
            return wrk.format("POST", "/api/v1/items", headers, body)
          elseif kind == "update" then
            local body = '{{"price": "' .. (counter % 1000) .. '.25"}}'
            return wrk.format("PATCH", "/api/v1/items/" .. math.random(1, max_id), headers, body)
          else
            return wrk.format("GET", "/healthz")
          end
        end
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format(
            'WRKJSON {{"requests": %d, "us": %d, "errors": %d, "p50": %d, "p99": %d}}\\n',
            summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
            latency:percentile(50), latency:percentile(99)))
        end
        """
    )


def wrk(port: int, script: Path, seconds: float) -> Rate:
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    args += ["-s", str(script), f"http://127.0.0.1:{port}"]
    if shutil.which("taskset"):
        args = ["taskset", "-c", CLIENT_CPU, *args]
    out = _run(args, timeout=seconds + 60)
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON ") :])
    return Rate(
        requests=int(data["requests"]),
        seconds=int(data["us"]) / 1e6,
        errors=int(data["errors"]),
        p50_ms=int(data["p50"]) / 1000,
        p99_ms=int(data["p99"]) / 1000,
    )


def pinned(args: list[str]) -> list[str]:
    return ["taskset", "-c", SERVER_CPU, *args] if shutil.which("taskset") else args


class Scale:
    def __init__(self, setup: Setup, quick: bool) -> None:
        self.setup = setup
        self.quick = quick
        self.seconds = 1.0 if quick else 3.0
        self.scripts = setup.work / "wrk"
        self.scripts.mkdir(parents=True, exist_ok=True)
        self.serial = 0

    def appctl(self, *args: str, env: dict[str, str] | None = None, timeout: float = 1800) -> str:
        return _run([str(self.setup.python), str(HERE / "appctl.py"), *args], env=env, timeout=timeout)

    def measure(
        self,
        ports: dict[str, int],
        scenario: str,
        token: str,
        max_id: int,
        cursors: dict[str, list[str]],
        rounds: int = ROUNDS,
    ) -> dict[str, Rate]:
        pooled = {app: Rate() for app in ports}
        order = list(ports)
        for round_number in range(rounds):
            for app in order if round_number % 2 == 0 else list(reversed(order)):
                self.serial += 1
                script = self.scripts / f"{scenario}-{app}.lua"
                script.write_text(
                    lua(
                        scenario,
                        token=token,
                        max_id=max_id,
                        cursors=cursors.get(app, []),
                        tag=f"{os.getpid()}-{self.serial}",
                    ),
                    encoding="utf-8",
                )
                pooled[app].add(wrk(ports[app], script, self.seconds))
        return pooled


class RssSampler:
    """The peak resident set of some processes, read from /proc every 50 ms in a thread."""

    def __init__(self, pids: dict[str, int], interval: float = 0.05) -> None:
        self.pids = pids
        self.interval = interval
        self.peak_kib = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            for app, pid in self.pids.items():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmRSS:"):
                        self.peak_kib[app] = max(self.peak_kib[app], int(line.split()[1]))

    def peak_mib(self) -> dict[str, float]:
        return {app: kib / 1024 if kib else float("nan") for app, kib in self.peak_kib.items()}


def _ratio(g: Rate, b: Rate) -> float:
    return g.rps / b.rps if b.rps else float("nan")


def run(quick: bool, env: dict[str, str]) -> tuple[list[Row], dict[str, Any]]:
    import bench_gen

    if not wrk_available():
        return [
            Row("7 scale", "cost as the data grows", "skipped", note="wrk is not installed (apt install wrk)")
        ], {}
    available, why = bench_gen.resources_available()
    if not available:
        return [Row("7 scale", "cost as the data grows", "skipped", note=why)], {}
    sizes = [1_000, 10_000] if quick else [1_000, 100_000, 1_000_000]
    setup = Setup(env, quick)
    setup.build()
    scale = Scale(setup, quick)
    rows: list[Row] = []
    raw: dict[str, Any] = {"sizes": sizes, "connections": CONNECTIONS, "rounds": ROUNDS}
    flags = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
    for kind in ("sqlite", "postgres"):
        db = Database(setup, kind)
        try:
            db.prepare(0)
            ports = {app: free_port() for app in APPS}
            commands = {
                "generated": ([setup.bin("uvicorn"), "loadapp.main:app"], setup.project),
                "baseline": ([setup.bin("uvicorn"), "baseline_app:app", "--app-dir", str(HERE)], HERE),
            }
            results: dict[int, dict[str, dict[str, Rate]]] = {}
            with ExitStack() as stack:
                procs = {
                    app: stack.enter_context(
                        server(pinned([*args, *flags, "--port", str(ports[app])]), cwd, db.env, ports[app])
                    )
                    for app, (args, cwd) in commands.items()
                }
                token = http(
                    ports["generated"],
                    "POST",
                    "/api/v1/auth/token",
                    data={"username": EMAIL, "password": PASSWORD},
                )["access_token"]
                # Sampled from here on: the one sign-in above hashes a password with argon2
                # (64 MiB of memory for a moment), which the hand-written app never does.
                sampler = stack.enter_context(RssSampler({app: proc.pid for app, proc in procs.items()}))
                ceiling = scale.measure({"baseline": ports["baseline"]}, "ceiling", token, 1, {})["baseline"]
                raw[f"{kind}_ceiling_rps"] = ceiling.rps
                for size in sizes:
                    have = int(scale.appctl("count", db.url, "items").strip())
                    if have < size:
                        log(f"scale[{kind}]: seeding items up to {size:,} rows")
                        scale.appctl("seed", db.url, "items", str(size - have), str(have))
                    max_id = int(scale.appctl("max-id", db.url, "items").strip())
                    cursors = json.loads(scale.appctl("cursors", db.url, "items", "64", "loadapp"))
                    log(f"scale[{kind}] {size:,} rows: {', '.join(SCENARIOS)}")
                    results[size] = {
                        scenario: scale.measure(ports, scenario, token, max_id, cursors)
                        for scenario in SCENARIOS
                    }
                rss = sampler.peak_mib()
                raw[f"{kind}_hwm_mib"] = {app: peak_rss_mib(proc.pid) for app, proc in procs.items()}
            rows += _rows(kind, results, ceiling, rss)
            raw[kind] = {
                str(size): {s: {app: r.__dict__ for app, r in per.items()} for s, per in by.items()}
                for size, by in results.items()
            }
            raw[f"{kind}_rss_mib"] = rss
            if kind == "postgres":
                rows += _redis(scale, db, flags, token, 100_000 if quick else 1_000_000)
        except (RuntimeError, subprocess.TimeoutExpired, OSError, StopIteration, ValueError) as error:
            rows.append(Row("7 scale", kind, "failed", note=str(error)[:300]))
        finally:
            db.drop()
    return rows, raw


def _rows(
    kind: str, results: dict[int, dict[str, dict[str, Rate]]], ceiling: Rate, rss: dict[str, float]
) -> list[Row]:
    rows: list[Row] = []
    for size, by in results.items():
        for scenario, per in by.items():
            g, b = per["generated"], per["baseline"]
            ratio = _ratio(g, b)
            errors = f"; errors {g.errors} / {b.errors}" if g.errors or b.errors else ""
            rows.append(
                Row(
                    "7 scale",
                    f"{kind} {size:,} rows: {TITLES[scenario]}",
                    f"{g.rps:,.0f} req/s",
                    f"hand-written {b.rps:,.0f} req/s → {ratio * 100:.0f} %",
                    "≥ 90 % of hand-written",
                    ratio >= 0.9 and not g.errors,
                    f"p99 {g.p99_ms:.0f} vs {b.p99_ms:.0f} ms{errors}",
                )
            )
    rows.append(
        Row(
            "7 scale",
            f"{kind} harness ceiling: trivial endpoint",
            f"{ceiling.rps:,.0f} req/s",
            note="wrk on CPU 1 against GET /healthz (no auth, no database) on CPU 0",
        )
    )
    ratio = rss["generated"] / rss["baseline"] if rss.get("baseline") else float("nan")
    rows.append(
        Row(
            "7 scale",
            f"{kind} peak RSS under load",
            f"{rss['generated']:.0f} MiB",
            f"hand-written {rss['baseline']:.0f} MiB → {ratio:.2f}×",
            "≤ 1.3× hand-written",
            ratio <= 1.3,
            "peak VmRSS of each uvicorn process, sampled every 50 ms during the load runs",
        )
    )
    return rows


def _redis(scale: Scale, db: Database, flags: list[str], token: str, keys: int) -> list[Row]:
    """Writes with Redis as the cache: an empty Redis database against one with `keys` keys."""
    setup = scale.setup
    ports = {name: free_port() for name in REDIS_DBS}
    for name, number in REDIS_DBS.items():
        scale.appctl("redis-fill", f"redis://127.0.0.1:6379/{number}", str(keys if name == "filled" else 0))
    try:
        with ExitStack() as stack:
            for name, number in REDIS_DBS.items():
                env = {**db.env, "REDIS_URL": f"redis://127.0.0.1:6379/{number}"}
                args = pinned([setup.bin("uvicorn"), "loadapp.main:app", *flags, "--port", str(ports[name])])
                stack.enter_context(server(args, setup.project, env, ports[name]))
            max_id = int(scale.appctl("max-id", db.url, "items").strip())
            log(f"scale[redis]: create and update, empty Redis against {keys:,} keys")
            rows = []
            for scenario in ("create", "update"):
                # Two instances of the same app: more rounds, as the expected ratio is 1.
                per = scale.measure(ports, scenario, token, max_id, {}, rounds=REDIS_ROUNDS)
                e, f = per["empty"], per["filled"]
                ratio = f.rps / e.rps if e.rps else float("nan")
                rows.append(
                    Row(
                        "7 scale",
                        f"postgres + Redis {scenario} with {keys:,} unrelated keys",
                        f"{f.rps:,.0f} req/s",
                        f"empty Redis {e.rps:,.0f} req/s → {ratio * 100:.0f} %",
                        "≥ 90 % of empty Redis",
                        ratio >= 0.9 and not f.errors,
                        f"p99 {f.p99_ms:.0f} vs {e.p99_ms:.0f} ms",
                    )
                )
            return rows
    finally:
        for number in REDIS_DBS.values():
            scale.appctl("redis-fill", f"redis://127.0.0.1:6379/{number}", "0")
