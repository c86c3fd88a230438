"""Options every writing command shares, with one meaning everywhere."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from blueprintgen.cli import output
from blueprintgen.cli.output import Listing

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
    bool,
    typer.Option(
        "--force",
        help="Overwrite files you edited since blueprintgen wrote them; remove those it no longer generates.",
    ),
]
Restore = Annotated[bool, typer.Option("--restore", help="Re-create generated files you deleted.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print one summary line, not the plan's files.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="List every file, unchanged ones too.")]


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


def finish(
    plan: Plan,
    *,
    dry_run: bool,
    diff: bool,
    yes: bool,
    listing: Listing = Listing.CHANGES,
    needs_yes: bool = False,
) -> bool:
    """Show the plan; apply it unless this is a dry run. True if applied.

    NotApplied (exit 3) when the user declines at the prompt, or, with ``needs_yes``, when
    no one is at a terminal to confirm and ``--yes`` was not given. The plan holds the
    project lock until it is applied; it is closed here on every way out (a dry run, a
    declined prompt, a conflict, an error, Ctrl-C).
    """
    with plan:
        return _finish(plan, dry_run=dry_run, diff=diff, yes=yes, listing=listing, needs_yes=needs_yes)


def _finish(plan: Plan, *, dry_run: bool, diff: bool, yes: bool, listing: Listing, needs_yes: bool) -> bool:
    from blueprintgen.errors import NotApplied

    output.show_plan(plan.changes, diff=diff, listing=listing)
    quiet = listing is Listing.NONE
    summary = f" ({output.plan_summary(plan.changes)})" if quiet else ""
    for warning in plan.warnings:
        output.warn(warning)
    plan.refuse_conflicts()
    if dry_run:
        output.console().print(f"[dim]dry run: nothing was written{summary}[/]")
        return False
    if needs_yes and plan.writes and not yes and not output.at_terminal():
        raise NotApplied(
            "nothing was written: with no terminal to confirm at, this command applies only with --yes",
            hint="run it again with --yes to apply this plan",
        )
    overwrites = plan.overwrites
    if overwrites and not output.confirm(
        f"Update {output.plural(len(overwrites), 'existing file')}?", yes=yes
    ):
        raise NotApplied("nothing was written: declined")
    applied = plan.apply()
    if applied.written:
        output.success(f"{output.plural(len(applied.written), 'file')} written to {plan.project}{summary}")
    else:
        output.success("nothing to do: every generated file is up to date")
    for warning in applied.warnings:
        output.warn(warning)
    return True


def plan_listing(*, quiet: bool, verbose: bool, default: Listing = Listing.CHANGES) -> Listing:
    """Which files a plan lists, from ``--quiet`` and ``--verbose`` (the last word is quiet's)."""
    if quiet:
        return Listing.NONE
    return Listing.EVERY_FILE if verbose else default
