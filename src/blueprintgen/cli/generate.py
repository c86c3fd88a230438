"""`blueprintgen generate NAME`: render one blueprint and what it depends on."""

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
    Formatter,
    Output,
    Restore,
    Sets,
    Yes,
    finish,
    write_options,
)


@output.reports_errors
def generate(
    name: Annotated[str, typer.Argument(help="Blueprint to render (see `blueprintgen list`).")],
    sets: Sets = None,
    into: Output = None,
    formatter: Formatter = "ruff",
    dry_run: DryRun = False,
    diff: Diff = False,
    yes: Yes = False,
    force: Force = False,
    conflict: Conflict = ConflictMode.stop,
    restore: Restore = False,
) -> None:
    """Render NAME and the blueprints it depends on into the project, in dependency order."""
    from blueprintgen import operations

    plan = operations.generate_blueprint(
        Path.cwd(),
        name,
        sets or [],
        into=into,
        options=write_options(formatter, force=force, restore=restore, conflict=conflict),
    )
    finish(plan, dry_run=dry_run, diff=diff, yes=yes)


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command()(generate)
