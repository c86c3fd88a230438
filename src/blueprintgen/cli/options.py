"""Options every writing command shares, with one meaning everywhere."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from blueprintgen.cli import output

if TYPE_CHECKING:
    from blueprintgen.operations import Plan, WriteOptions

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")]
Diff = Annotated[
    bool, typer.Option("--diff", help="Show a coloured unified diff of every file that would change.")
]
Yes = Annotated[
    bool, typer.Option("--yes", "-y", help="Apply without asking (never asks when input is not a terminal).")
]
Force = Annotated[
    bool, typer.Option("--force", help="Overwrite files you edited since blueprintgen wrote them.")
]
Restore = Annotated[bool, typer.Option("--restore", help="Re-create generated files you deleted.")]


class ConflictMode(StrEnum):
    """What to do when a user's edits and the new output clash."""

    stop = "stop"
    markers = "markers"


Conflict = Annotated[
    ConflictMode,
    typer.Option(
        "--conflict",
        help="When your edits and the new output clash: stop (write nothing) or markers (write conflict markers).",
    ),
]
Formatter = Annotated[
    str,
    typer.Option(
        "--formatter", help="Formatter for generated Python: ruff, black or none.", case_sensitive=False
    ),
]
Sets = Annotated[
    list[str] | None,
    typer.Option(
        "--set", "-s", help="A parameter value, key=value (repeatable); parsed to the parameter's type."
    ),
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Project folder to write into (default: the current project)."),
]


def write_options(
    formatter: str | None,
    *,
    force: bool = False,
    restore: bool = False,
    conflict: ConflictMode = ConflictMode.stop,
) -> WriteOptions:
    """The core's options from the shared command-line ones."""
    from blueprintgen.operations import WriteOptions

    return WriteOptions(
        formatter=formatter,
        force=force,
        restore=restore,
        markers=conflict is ConflictMode.markers,
        on_recovery=output.warn,
    )


def finish(plan: Plan, *, dry_run: bool, diff: bool, yes: bool, verbose: bool = False) -> bool:
    """Show the plan; apply it unless this is a dry run or the user declines. True if applied.

    The plan holds the project lock until it is applied; it is closed here on every way
    out (a dry run, a declined prompt, a conflict, an error, Ctrl-C).
    """
    with plan:
        return _finish(plan, dry_run=dry_run, diff=diff, yes=yes, verbose=verbose)


def _finish(plan: Plan, *, dry_run: bool, diff: bool, yes: bool, verbose: bool) -> bool:
    output.show_plan(plan.changes, diff=diff, verbose=verbose)
    for warning in plan.warnings:
        output.warn(warning)
    plan.refuse_conflicts()
    if dry_run:
        output.console().print("[dim]dry run: nothing was written[/]")
        return False
    overwrites = plan.overwrites
    if overwrites and not output.confirm(
        f"Update {output.plural(len(overwrites), 'existing file')}?", yes=yes
    ):
        output.console().print("nothing was written")
        return False
    applied = plan.apply()
    if applied.written:
        output.success(f"{output.plural(len(applied.written), 'file')} written to {plan.project}")
    else:
        output.success("nothing to do: every generated file is up to date")
    for warning in applied.warnings:
        output.warn(warning)
    return True
