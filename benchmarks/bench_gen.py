"""Generation against copier and the plain-Jinja2 floor (point 1), growth with N (point 2).

What runs, per N (every one a fresh child process, output into an empty folder):

* blueprintgen: `new project bench --no-git --yes`, then for N > 0 `add resource --spec
  spec.yaml --yes` in it — validation, graph, rendering, ruff, plan, manifest, writes.
  "warm" reuses blueprintgen's caches (XDG_CACHE_HOME kept between runs: compiled
  templates, formatted output); "cold" gets empty ones each run.
* copier: the same .j2 files as a copier template (copier_template.py), one `run_copy`
  for the project and one per resource; two processes (project, resources) like the CLI.
* floor: floor.py renders the same templates with the same contexts using plain
  Jinja2 and writes them; two processes likewise.

The peers render exactly the files blueprintgen rendered (captured by capture.py);
they do not format, validate, plan or keep a manifest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier_template
from _common import (
    HERE,
    Row,
    Sample,
    Series,
    fmt_ratio,
    fmt_s,
    interleaved,
    log,
    problem_of,
    run_timed,
    scratch,
    tool,
)

FIELDS = [
    "name:str",
    "sku:str:unique",
    "price:decimal",
    "quantity:int",
    "active:bool=true",
    "description:text?",
    "released_on:date?",
    "status:enum[draft,live,retired]=draft",
]


def resource_names(count: int, prefix: str = "item") -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [f"{prefix}_{letters[i // 26]}{letters[i % 26]}" for i in range(count)]


def write_spec(path: Path, count: int) -> Path:
    """A spec of `count` resources with eight fields each (str, decimal, bool, enum, …)."""
    import yaml

    spec = {"resources": {name: {"fields": list(FIELDS)} for name in resource_names(count)}}
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


_PROBE: tuple[bool, str, list[str]] | None = None


def resources_available() -> tuple[bool, str]:
    """Whether `add resource` works: the `resource` blueprint exists and a real add succeeds."""
    return _probe()[:2]


def add_flags() -> list[str]:
    """Extra flags `add resource` needs in this checkout ([] normally; see _probe)."""
    return _probe()[2]


def _probe() -> tuple[bool, str, list[str]]:
    """Try `new project` + `add resource` once, without and (if that fails) with --force.

    While `add resource` refuses to run in a fresh project (it takes the untracked
    blueprintgen.yaml for a user edit), the harness adds --force and every row that
    depends on it says so.
    """
    global _PROBE
    if _PROBE is not None:
        return _PROBE
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from blueprintgen import catalog; print('resource' in catalog.load().blueprints)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        _PROBE = (False, (probe.stderr.strip().splitlines() or ["catalog does not load"])[-1], [])
        return _PROBE
    if probe.stdout.strip() != "True":
        _PROBE = (False, "no `resource` blueprint yet", [])
        return _PROBE
    work = scratch("probe")
    exe = tool("blueprintgen")
    try:
        project = work / "p"
        run_timed([exe, "new", "project", "probe", "--output", str(project), "--no-git", "--yes"])
        add = [exe, "add", "resource", "item", "--field", "name:str", "--yes"]
        first = subprocess.run(add, cwd=project, capture_output=True, text=True, check=False)
        if first.returncode == 0:
            _PROBE = (True, "", [])
        else:
            second = subprocess.run(
                [*add, "--force"], cwd=project, capture_output=True, text=True, check=False
            )
            reason = problem_of(first.stdout + first.stderr).split(" hint:")[0][:140]
            if second.returncode == 0:
                log(f"add resource fails without --force ({reason}); using --force")
                _PROBE = (True, f"needed --force: {reason}", ["--force"])
            else:
                _PROBE = (False, f"add resource fails: {reason}", [])
    except RuntimeError as error:
        _PROBE = (False, str(error).splitlines()[0][:200], [])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _PROBE


class Generation:
    """One N: the plan, the copier templates, and the commands of each contender."""

    def __init__(self, n: int, work: Path, env: dict[str, str]) -> None:
        self.n = n
        self.work = work
        self.env = env
        self.spec = write_spec(work / "spec.yaml", n) if n else None
        self.plan = work / "plan.json"
        self.warm_cache = work / "jinja-warm"
        self.files = 0

    def prepare(self) -> dict[str, Any]:
        args = [sys.executable, str(HERE / "capture.py"), str(self.plan), str(self.work / "capture")]
        if self.spec:
            args += ["--spec", str(self.spec), *[f"--add-flag={flag}" for flag in add_flags()]]
        run_timed(args, env=self.env, timeout=600)
        plan = json.loads(self.plan.read_text(encoding="utf-8"))
        self.phases = [phase["name"] for phase in plan["phases"]]
        self.files = sum(len(phase["files"]) for phase in plan["phases"])
        self.jobs, facts = copier_template.build(self.plan, self.work / "copier")
        return facts

    def _out(self, name: str) -> Path:
        out = self.work / f"out-{name}"
        if out.exists():
            shutil.rmtree(out)
        return out

    def blueprintgen(self, cache: Path) -> Sample:
        out = self._out("blueprintgen")
        env = {**self.env, "XDG_CACHE_HOME": str(cache)}
        exe = tool("blueprintgen")
        samples = [
            run_timed([exe, "new", "project", "bench", "--output", str(out), "--no-git", "--yes"], env=env)
        ]
        if self.spec:
            samples.append(
                run_timed(
                    [exe, "add", "resource", "--spec", str(self.spec), "--yes", *add_flags()],
                    cwd=out,
                    env=env,
                )
            )
        return _sum(samples)

    def cold(self) -> Sample:
        cache = self.work / "jinja-cold"
        if cache.exists():
            shutil.rmtree(cache)
        cache.mkdir()
        return self.blueprintgen(cache)

    def warm(self) -> Sample:
        return self.blueprintgen(self.warm_cache)

    def copier(self) -> Sample:
        out = self._out("copier")
        script = str(HERE / "copier_run.py")
        return _sum(
            [
                run_timed([sys.executable, script, str(self.jobs), phase, str(out)], env=self.env)
                for phase in self.phases
            ]
        )

    def floor(self) -> Sample:
        out = self._out("floor")
        script = str(HERE / "floor.py")
        return _sum(
            [
                run_timed([sys.executable, script, str(self.plan), phase, str(out)], env=self.env)
                for phase in self.phases
            ]
        )

    def check_same_files(self) -> str:
        """The peers must have written the same paths blueprintgen generated."""
        generated = _paths(self.work / "out-blueprintgen")
        generated -= {p for p in generated if p.startswith(".blueprintgen/") or p == "blueprintgen.yaml"}
        for name in ("copier", "floor"):
            other = _paths(self.work / f"out-{name}")
            if other != generated:
                return f"{name} wrote {len(other)} files, blueprintgen {len(generated)}: {sorted(other ^ generated)[:3]}"
        return ""


def _paths(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def _sum(samples: list[Sample]) -> Sample:
    return Sample(sum(s.wall for s in samples), sum(s.cpu for s in samples), max(s.rss_mib for s in samples))


def run(
    ns: list[int], reps: int, env: dict[str, str], add_reps: int, add_base: int, warm_all: bool = True
) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    available, why = resources_available()
    if not available:
        log(f"generation: resources unavailable ({why}); N > 0 skipped")
    walls: dict[int, dict[str, Series]] = {}
    for n in ns:
        if n and not available:
            rows.append(Row("1 generation", f"N={n}", "skipped", note=f"add resource unavailable: {why}"))
            continue
        work = scratch(f"gen{n}")
        try:
            gen = Generation(n, work, env)
            log(f"generation N={n}: capturing the plan and building the copier template")
            try:
                facts = gen.prepare()
                cases = {"warm": gen.warm, "cold": gen.cold, "copier": gen.copier, "floor": gen.floor}
                log(f"generation N={n}: {gen.files} files rendered; warm-up, then interleaved rounds")
                # Warm-up: .pyc files and page cache (every contender, first N only unless
                # warm_all), and the compiled-template cache of the "warm" runs (always).
                for name, case in cases.items():
                    if name == "warm" or (warm_all and n == ns[0]):
                        case()
                rounds = reps if n <= 10 else max(3, reps - 2)  # N=50 copier runs take ~20 s each
                series = interleaved(cases, rounds)
                mismatch = gen.check_same_files()
            except RuntimeError as error:
                log(f"generation N={n} failed: {error}")
                rows.append(Row("1 generation", f"N={n}", "failed", note=str(error)[:300]))
                continue
            walls[n] = series
            raw[f"N={n}"] = {name: [s.__dict__ for s in item.samples] for name, item in series.items()} | {
                "files": gen.files,
                "copier": facts,
            }
            rows += _rows(n, gen.files, series, mismatch)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    rows += _growth_rows(walls)
    if available and add_flags():
        rows.append(
            Row("1 generation", "caveat: add resource", f"ran with {' '.join(add_flags())}", note=why)
        )
    if available:
        rows += add_resource_rows(env, add_reps, add_base, raw)
    return rows, raw


def _rows(n: int, files: int, s: dict[str, Series], mismatch: str) -> list[Row]:
    warm, cold, copier, floor = s["warm"], s["cold"], s["copier"], s["floor"]
    section = "1 generation"
    label = f"N={n} ({files} files)"
    speedup = copier.wall / warm.wall
    rows = [
        Row(
            section,
            f"{label}: blueprintgen, warm cache",
            fmt_s(warm.wall),
            f"copier {fmt_s(copier.wall)} → {fmt_ratio(speedup)} faster",
            "≥ 3× faster than copier",
            speedup >= 3,
            f"cpu: blueprintgen {fmt_s(warm.cpu)}, copier {fmt_s(copier.cpu)}"
            + (f"; FILES DIFFER: {mismatch}" if mismatch else ""),
        ),
        Row(
            section,
            f"{label}: blueprintgen, cold cache",
            fmt_s(cold.wall),
            f"floor {fmt_s(floor.wall)} → {fmt_ratio(cold.wall / floor.wall)} the floor",
            "≤ 1.5× floor",
            cold.wall <= 1.5 * floor.wall,
            f"cpu: {fmt_s(cold.cpu)} vs floor {fmt_s(floor.cpu)}",
        ),
        Row(
            section,
            f"{label}: blueprintgen, warm cache",
            fmt_s(warm.wall),
            f"floor {fmt_s(floor.wall)} → {fmt_ratio(warm.wall / floor.wall)} the floor",
            "< 1× floor (faster)",
            warm.wall < floor.wall,
            f"cpu: {fmt_s(warm.cpu)} vs floor {fmt_s(floor.cpu)}",
        ),
        Row(
            "6 memory",
            f"generation N={n}: peak RSS",
            f"{warm.rss:.0f} MiB",
            f"copier {copier.rss:.0f} MiB, floor {floor.rss:.0f} MiB",
            note="largest single process (ruff included)",
        ),
    ]
    return rows


def _growth_rows(walls: dict[int, dict[str, Series]]) -> list[Row]:
    rows: list[Row] = []
    ns = sorted(walls)
    if len(ns) < 2 or 0 not in walls:
        return rows
    for name, title in (("warm", "blueprintgen (warm)"), ("copier", "copier"), ("floor", "floor")):
        base = walls[0][name].wall
        points = ", ".join(f"N={n}: {fmt_s(walls[n][name].wall)}" for n in ns)
        top = ns[-1]
        per = (walls[top][name].wall - base) / top
        rows.append(
            Row(
                "2 growth",
                f"{title}: time by N",
                f"{per * 1000:.0f} ms/resource",
                points,
                note=f"N={top} is {walls[top][name].wall / base:.1f}× N=0",
            )
        )
    return rows


def add_resource_rows(env: dict[str, str], reps: int, base_n: int, raw: dict[str, Any]) -> list[Row]:
    """`add resource` of one resource in an empty project vs one with `base_n` resources."""
    work = scratch("add")
    exe = tool("blueprintgen")
    try:
        cache = work / "jinja"
        full_env = {**env, "XDG_CACHE_HOME": str(cache)}
        log(f"growth: building projects with 0 and {base_n} resources")
        templates = {}
        for n in (0, base_n):
            project = work / f"base{n}"
            run_timed(
                [exe, "new", "project", "bench", "--output", str(project), "--no-git", "--yes"], env=full_env
            )
            if n:
                spec = write_spec(work / "spec.yaml", n)
                run_timed(
                    [exe, "add", "resource", "--spec", str(spec), "--yes", *add_flags()],
                    cwd=project,
                    env=full_env,
                    timeout=600,
                )
            templates[n] = project
        add = [exe, "add", "resource", "extra", *[f"--field={f}" for f in FIELDS], "--yes", *add_flags()]

        def case(n: int):
            def one() -> Sample:
                target = work / f"run{n}"
                if target.exists():
                    shutil.rmtree(target)
                shutil.copytree(templates[n], target, symlinks=True)
                return run_timed(add, cwd=target, env=full_env)

            return one

        cases = {"empty": case(0), "full": case(base_n)}
        for item in cases.values():
            item()
        series = interleaved(cases, reps)
        raw["add resource"] = {name: [s.__dict__ for s in item.samples] for name, item in series.items()}
        ratio = series["full"].wall / series["empty"].wall
        return [
            Row(
                "2 growth",
                f"add resource: project with {base_n} resources",
                fmt_s(series["full"].wall),
                f"empty project {fmt_s(series['empty'].wall)} → {fmt_ratio(ratio)}",
                "≈ same (≤ 1.25×)",
                ratio <= 1.25,
                f"cpu {fmt_s(series['full'].cpu)} vs {fmt_s(series['empty'].cpu)}",
            )
        ]
    except RuntimeError as error:
        return [Row("2 growth", "add resource into a full project", "failed", note=str(error)[:300])]
    finally:
        shutil.rmtree(work, ignore_errors=True)
