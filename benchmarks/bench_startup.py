"""Start-up on the pre-commit path (point 3): `--help` and `validate --check-all` against Python itself.

Each command is a fresh process from the harness's environment, run once to warm
(.pyc files, page cache), then `reps` interleaved rounds; medians of wall time.
`validate --check-all` runs in an empty folder, so it checks the built-in
blueprints only (no project drift check); the same in a generated project is shown too.
After the warm-up its pass is remembered (the blueprints and templates did not change,
as between two pre-commit runs); `--no-cache` shows the full check, which renders and
compiles every blueprint with sample values.
`--help` is timed with output to a pipe (plain help, as in a hook or a log) and on a
pseudo-terminal through script(1) (rich panels, what a person sees).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from _common import Row, Sample, fmt_ratio, fmt_s, interleaved, log, run_timed, scratch, tool


def run(reps: int, env: dict[str, str]) -> tuple[list[Row], dict]:
    work = scratch("startup")
    exe = tool("blueprintgen")
    py = sys.executable
    empty = work / "empty"
    empty.mkdir()
    project = work / "project"
    exits: dict[str, int] = {}
    try:
        run_timed([exe, "new", "project", "bench", "--output", str(project), "--no-git", "--yes"], env=env)

        commands = {
            "pass": ([py, "-c", "pass"], empty),
            "typer": ([py, "-c", "import typer"], empty),
            "help": ([exe, "--help"], empty),
            "help-tty": (["script", "-qec", f"{exe} --help", "/dev/null"], empty),
            "validate": ([exe, "validate", "--check-all"], empty),
            "validate-full": ([exe, "validate", "--check-all", "--no-cache"], empty),
            "validate-project": ([exe, "validate", "--check-all"], project),
            "validate-project-full": ([exe, "validate", "--check-all", "--no-cache"], project),
        }

        def cmd(args: list[str], cwd: Path) -> Callable[[], Sample]:
            return lambda: run_timed(args, cwd=cwd, env=env, check=False)

        cases = {name: cmd(args, cwd) for name, (args, cwd) in commands.items()}
        for name, (args, cwd) in commands.items():  # warm-up, and the exit status of each
            done = subprocess.run(args, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True)
            exits[name] = done.returncode
            if done.returncode:
                tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
                log(f"startup: `{' '.join(args[1:])}` in {cwd.name} exits {done.returncode}: {tail[0][:120]}")
        log(f"startup: {reps} interleaved rounds")
        s = interleaved(cases, reps)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    typer = s["typer"].wall

    def note_exit(name: str) -> str:
        return "" if not exits.get(name) else f"exit {exits[name]} (problems found)"

    def row(name: str, label: str, note: str, goal: float | None = None) -> Row:
        """One command against `import typer`, with its goal (a multiple) when it has one."""
        wall = s[name].wall
        return Row(
            "3 start-up",
            label,
            fmt_s(wall),
            f"{fmt_ratio(wall / typer)} import typer",
            f"≤ {goal:g}× import typer" if goal else "",
            wall <= goal * typer if goal else None,
            note_exit(name) or note,
        )

    rows = [
        Row("3 start-up", "python -c pass", fmt_s(s["pass"].wall)),
        Row("3 start-up", "python -c 'import typer'", fmt_s(typer)),
        row("help", "blueprintgen --help", "", goal=1.3),
        row(
            "help-tty",
            "blueprintgen --help on a terminal (rich panels)",
            "through script(1); typer's rich help imports rich.markdown",
        ),
        row(
            "validate-full",
            "blueprintgen validate --check-all --no-cache (built-ins)",
            "renders and compiles all 35 blueprints with samples",
            goal=3,
        ),
        row(
            "validate",
            "blueprintgen validate --check-all (built-ins)",
            "unchanged since the last pass (the pre-commit case)",
            goal=3,
        ),
        row(
            "validate-project",
            "blueprintgen validate --check-all (in a new project)",
            "the drift check of 77 files, answered from the last pass",
        ),
        row(
            "validate-project-full",
            "blueprintgen validate --check-all --no-cache (in a new project)",
            "regenerates the project to compare (drift check)",
        ),
    ]
    raw = {name: [x.__dict__ for x in item.samples] for name, item in s.items()} | {"exits": exits}
    return rows, raw
