"""`blueprintgen generate NAME`: render one blueprint and what it depends on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from blueprintgen.cli import output
from blueprintgen.cli.catalog import complete_blueprint_names
from blueprintgen.cli.options import (
    Conflict,
    ConflictMode,
    Diff,
    DryRun,
    Force,
    Formatter,
    Output,
    Quiet,
    Restore,
    Sets,
    Verbose,
    Yes,
    finish,
    plan_listing,
    write_options,
)


@output.reports_errors
def generate(
    name: Annotated[
        str,
        typer.Argument(
            help="Blueprint to render (see `blueprintgen list`).",
            autocompletion=complete_blueprint_names,
            show_default=False,
        ),
    ],
    sets: Sets = None,
    into: Output = None,
    formatter: Formatter = "ruff",
    dry_run: DryRun = False,
    diff: Diff = False,
    yes: Yes = False,
    force: Force = False,
    conflict: Conflict = ConflictMode.stop,
    restore: Restore = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Render NAME and the blueprints it depends on into the project, in dependency order.

    In a generated project, the parameters you do not --set are taken from blueprintgen.yaml
    (project_name, package and the project's options).
    """
    from blueprintgen import operations

    plan = operations.generate_blueprint(
        Path.cwd(),
        name,
        sets or [],
        into=into,
        options=write_options(formatter, force=force, restore=restore, conflict=conflict),
    )
    finish(plan, dry_run=dry_run, diff=diff, yes=yes, listing=plan_listing(quiet=quiet, verbose=verbose))


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command(
        epilog=output.examples(
            "blueprintgen generate project-docker",
            "blueprintgen generate project-ci --dry-run --diff",
            "blueprintgen generate health-probe-payments --set url=https://payments.example.com/health",
        )
    )(generate)
