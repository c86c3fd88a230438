"""blueprintgen benchmarks: one run, one table of medians and ratios.

    nox -s bench                         # everything (~10 min on 2 cores)
    nox -s bench -- --quick              # fewer rounds, N = 0 and 10, short load runs (< 2 min)
    nox -s bench -- --only gen,startup   # sections: gen, startup, validate, load, scale
    nox -s bench -- --write-readme       # also put the table into README.md (bench markers)

Prints the table, writes benchmarks/results/latest.json (raw samples) and
benchmarks/results/latest.md. No goal is asserted: a missed goal shows as "NO".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import HERE, ROOT, Row, cache_root, log, machine, versions

SECTIONS = ("gen", "startup", "validate", "load", "scale")
PACKAGES = (
    "blueprintgen",
    "jinja2",
    "copier",
    "typer",
    "jsonschema",
    "fastjsonschema",
    "jsonschema-rs",
    "networkx",
    "ruff",
)
APP_PACKAGES = ("fastapi", "uvicorn", "sqlalchemy", "mcp")  # in the generated app's venv
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# Section 7 (cost as the data grows, ~15 min) has its own block, so `--only scale --write-readme`
# refreshes it without touching the table of the other sections, and the reverse.
SCALE_START, SCALE_END = "<!-- bench-scale:start -->", "<!-- bench-scale:end -->"


def child_env() -> dict[str, str]:
    """Children write and reuse .pyc files, as an installed tool does.

    This machine's shells export PYTHONDONTWRITEBYTECODE=1, which makes every start
    compile every module from source; the harness measures with bytecode caches, kept
    under the bench cache folder so no installed environment is touched.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    return {"PYTHONPYCACHEPREFIX": str(cache_root() / "pycache"), "NO_COLOR": "1", "TERM": "dumb"}


def app_versions() -> dict[str, str]:
    """Versions in the generated app's venv (the load runs), when it exists."""
    import subprocess

    python = cache_root() / "app-venv" / "bin" / "python"
    if not python.exists():
        return {}
    code = (
        "import json, importlib.metadata as m\n"
        f"print(json.dumps({{n: m.version(n) for n in {list(APP_PACKAGES)!r}}}))"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    try:
        found: dict[str, str] = json.loads(done.stdout)
    except ValueError:
        return {}
    return {f"{name} (app)": version for name, version in found.items()}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller N (under 2 minutes)")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}"
    )
    parser.add_argument("--reps", type=int, help="rounds per generation measurement (default 5, quick 3)")
    parser.add_argument(
        "--ns", help="comma-separated resource counts to generate (default 0,10,50; quick 0,10)"
    )
    parser.add_argument("--write-readme", action="store_true", help="update the bench section of README.md")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="folder for latest.json/.md")
    parser.add_argument(
        "--from-results", action="store_true", help="measure nothing: re-print the table of latest.json"
    )
    args = parser.parse_args()
    if args.from_results:
        saved = json.loads((args.results / "latest.json").read_text(encoding="utf-8"))
        rows = sorted((Row(**row) for row in saved["rows"]), key=lambda row: row.section.split()[0])
        print_table(rows, saved["machine"])
        markdown = to_markdown(rows, saved["machine"], saved.get("versions", {}), bool(saved.get("quick")))
        (args.results / "latest.md").write_text(markdown, encoding="utf-8")
        if args.write_readme:
            write_readmes(
                ROOT / "README.md",
                rows,
                saved["machine"],
                saved.get("versions", {}),
                bool(saved.get("quick")),
            )
        return 0
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")

    quick = args.quick
    env = child_env()
    started = time.perf_counter()
    info = machine()
    rows: list[Row] = []
    raw: dict[str, object] = {"machine": info, "quick": quick}
    laps: dict[str, float] = {}
    raw["section_seconds"] = laps

    def lap(name: str) -> None:
        laps[name] = round(time.perf_counter() - started - sum(laps.values()), 1)
        log(f"{name}: {laps[name]:.0f} s")

    log(f"{'quick' if quick else 'full'} run of {', '.join(chosen)} on {info['cpus']} × {info['cpu']}")

    if "gen" in chosen:
        import bench_gen

        ns = [int(x) for x in args.ns.split(",")] if args.ns else ([0, 10] if quick else [0, 10, 50])
        reps = args.reps or (3 if quick else 5)
        generation_rows, raw["generation"] = bench_gen.run(
            ns, reps, env, add_reps=3 if quick else 5, add_base=20 if quick else 50, warm_all=not quick
        )
        rows += generation_rows
        lap("gen")
    if "startup" in chosen:
        import bench_startup

        startup_rows, raw["startup"] = bench_startup.run(5 if quick else 15, env)
        rows += startup_rows
        lap("startup")
    if "validate" in chosen:
        import bench_validate

        validate_rows, raw["validation"] = bench_validate.run(0.5 if quick else 2.0)
        rows += validate_rows
        lap("validate")
    if "load" in chosen:
        import bench_load

        load_rows, raw["load"] = bench_load.run(quick, env)
        rows += load_rows
        lap("load")
    if "scale" in chosen:
        import bench_scale

        scale_rows, raw["scale"] = bench_scale.run(quick, env)
        rows += scale_rows
        lap("scale")

    elapsed = time.perf_counter() - started
    info["harness time"] = f"{elapsed:.0f} s ({'quick' if quick else 'full'})"
    raw["rows"] = [row.as_dict() for row in rows]
    raw["versions"] = versions(PACKAGES) | app_versions()
    rows.sort(key=lambda row: row.section.split()[0])
    print_table(rows, info)
    markdown = to_markdown(rows, info, raw["versions"], quick)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "latest.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    (args.results / "latest.md").write_text(markdown, encoding="utf-8")
    log(f"raw samples in {args.results / 'latest.json'}; table in {args.results / 'latest.md'}")
    if args.write_readme:
        write_readmes(ROOT / "README.md", rows, info, raw["versions"], quick)
        log("README.md bench section updated")
    return 0


def verdict(row: Row) -> str:
    if row.met is None:
        return ""
    return "yes" if row.met else "NO"


def print_table(rows: list[Row], info: dict[str, str]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover - rich comes with blueprintgen
        for row in rows:
            print(
                " | ".join([row.section, row.what, row.value, row.compare, row.goal, verdict(row), row.note])
            )
        return
    table = Table(title="blueprintgen benchmarks (medians)", show_lines=False, expand=False)
    for column in ("", "measure", "median", "compared with", "goal", "met", "notes"):
        table.add_column(column, overflow="fold")
    last = None
    for row in rows:
        section = row.section if row.section != last else ""
        last = row.section
        met = verdict(row)
        style = "red" if met == "NO" else ("green" if met == "yes" else None)
        table.add_row(section, row.what, row.value, row.compare, row.goal, met, row.note, style=style)
    console = Console(width=max(200, Console().width))
    console.print(table)
    console.print(", ".join(f"{k}: {v}" for k, v in info.items()))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


INTRO = (
    "Reproduce: `nox -s bench -- --write-readme` (the whole run, 5–10 min on 2 cores; "
    "`-- --quick` for a shorter, noisier one; needs PostgreSQL on 127.0.0.1:5432). The harness is in "
    "`benchmarks/` (`benchmarks/README.md` says what each row compares); raw samples go to "
    "`benchmarks/results/latest.json`. Times are medians of interleaved rounds of fresh processes, "
    "wall clock, with .pyc caches; a machine shared with other work gives noisy numbers, so read "
    "ratios, not absolutes. Load runs: one uvicorn process per app, both apps up at once and each "
    "scenario alternating between them in three rounds, rate limiting off "
    "(`RATE_LIMIT_ENABLED=false`), no Redis (in-process read cache), 50 keep-alive clients; the "
    "hand-written app has no cache, middleware or MCP mount, no closed-connection check at pool checkout and no gc.freeze()."
)
SCALE_INTRO = (
    "Reproduce: `nox -s bench -- --only scale --write-readme` (about 15 min on 2 cores; `--quick`: 1,000 and "
    "10,000 rows, 1 s slices). The generated app (resource `item`: `name:str:unique`, `price:decimal`, "
    "`active:bool=true`, `quantity:int`) against `benchmarks/baseline_app.py`, a hand-written FastAPI + "
    "SQLAlchemy 2 async app doing the same work (same JWT check and user lookup, keyset pagination, same "
    "database and table, same venv). uvicorn, one process per app, pinned to CPU 0; `wrk` (one thread, "
    "50 connections) pinned to CPU 1; the database servers unpinned. Each row: three slices per app, "
    "alternating which app goes first, rates pooled; each request a random id (or one of 64 cursors from "
    "the middle of the table). The generated app keeps its read cache (in-process; Redis in the Redis "
    "rows), so at 1,000 rows many of its reads are cache hits. `benchmarks/README.md` section 7 says more."
)


def to_markdown(
    rows: list[Row],
    info: dict[str, str],
    packages: dict[str, str],
    quick: bool,
    *,
    title: str = "## Benchmarks",
    intro: str | None = None,
) -> str:
    lines = [
        title,
        "",
        intro or INTRO,
        "",
        f"Measured {info['date']} on {info['cpus']} × {info['cpu']}, {info['memory']}, {info['os']}, "
        f"Python {info['python']}; load average at start {info['load average at start']}; "
        f"{info['harness time']}.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in packages.items()) + ".",
        "",
        "| section | measure | median | compared with | goal | met | notes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (row.section, row.what, row.value, row.compare, row.goal, verdict(row), row.note)
            )
            + " |"
        )
    missed = [row for row in rows if row.met is False]
    lines.append("")
    if missed:
        lines.append(f"Goals not met in this run: {len(missed)} (rows marked NO).")
    else:
        lines.append("Every goal measured in this run was met.")
    if quick:
        lines.append("This was a `--quick` run: fewer rounds, N ≤ 10, short load runs.")
    return "\n".join(lines) + "\n"


def write_readmes(
    path: Path, rows: list[Row], info: dict[str, str], packages: dict[str, str], quick: bool
) -> None:
    """Write the measured sections' blocks of README.md; a block whose section did not run stays."""
    scale = [row for row in rows if row.section.startswith("7 ")]
    others = [row for row in rows if not row.section.startswith("7 ")]
    if others:
        write_readme(path, to_markdown(others, info, packages, quick))
    if scale:
        markdown = to_markdown(
            scale, info, packages, quick, title="## Benchmarks: cost as the data grows", intro=SCALE_INTRO
        )
        write_readme(path, markdown, start=SCALE_START, end=SCALE_END)


def write_readme(path: Path, markdown: str, *, start: str = START, end: str = END) -> None:
    text = path.read_text(encoding="utf-8")
    block = f"{start}\n{markdown}{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
