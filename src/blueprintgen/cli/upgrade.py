"""`blueprintgen upgrade` and `blueprintgen diff`: bring a project up to its blueprints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from blueprintgen.cli import output
from blueprintgen.cli.options import (
    Conflict,
    ConflictMode,
    Diff,
    DryRun,
    Force,
    Quiet,
    Restore,
    Verbose,
    Yes,
    finish,
    plan_listing,
    write_options,
)


@output.reports_errors
def upgrade(
    formatter: Annotated[
        str | None, typer.Option("--formatter", help="ruff, black or none (default: as recorded).")
    ] = None,
    dry_run: DryRun = False,
    diff: Diff = False,
    yes: Yes = False,
    force: Force = False,
    conflict: Conflict = ConflictMode.stop,
    restore: Restore = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Re-render the whole project from blueprintgen.yaml with the installed blueprints.

    Shows the plan per file (create, update, merge, conflict, remove, …) and the blueprint
    versions that changed. Your edits are merged; conflicts stop the run. Applies only with
    --yes, or when you confirm at a terminal: off one (CI), a plan that writes exits 3.
    """
    from blueprintgen import operations

    with operations.upgrade_project(
        Path.cwd(), write_options(formatter, force=force, restore=restore, conflict=conflict)
    ) as plan:
        if plan.version_changes and not quiet:
            from rich.table import Table

            table = Table(
                "blueprint", "was", "now", title="blueprint versions", title_justify="left", box=None
            )
            for label, old, new in plan.version_changes:
                table.add_row(label, old, new)
            output.console().print(table)
        finish(
            plan,
            dry_run=dry_run,
            diff=diff,
            yes=yes,
            listing=plan_listing(quiet=quiet, verbose=verbose),
            needs_yes=True,
        )


@output.reports_errors
def diff_command(
    paths: Annotated[list[str] | None, typer.Argument(help="Only these files.")] = None,
) -> None:
    """Show, as a coloured diff, how each file differs from what would be generated now."""
    from rich.markup import escape

    from blueprintgen import operations

    shown = 0
    for state in operations.project_drift(Path.cwd()):
        if (paths and state.path not in paths) or not state.shows_diff:
            continue
        shown += 1
        output.console().print(f"[bold]{escape(state.path)}[/]: {state.state.value}")
        output.print_diff(state.diff())
    if not shown:
        output.success("every generated file matches what blueprintgen would generate now")


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command(
        epilog=output.examples(
            "blueprintgen upgrade --dry-run",
            "blueprintgen upgrade --yes",
            "blueprintgen upgrade --yes --conflict markers",
            "blueprintgen upgrade --yes --restore --quiet",
        )
    )(upgrade)
    app.command(
        "diff", epilog=output.examples("blueprintgen diff", "blueprintgen diff src/my_service/main.py")
    )(diff_command)
