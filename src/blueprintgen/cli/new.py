"""`blueprintgen new project NAME`: a complete, runnable FastAPI + MCP project."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from blueprintgen.cli import output
from blueprintgen.cli.options import (
    Diff,
    DryRun,
    Force,
    Formatter,
    Quiet,
    Verbose,
    Yes,
    finish,
    plan_listing,
    write_options,
)

app = typer.Typer(
    help="Create a new project.",
    no_args_is_help=True,
    rich_markup_mode=output.HELP_MARKUP,
    epilog=output.examples("blueprintgen new project my-service"),
)


class Database(StrEnum):
    """The database a project defaults to."""

    sqlite = "sqlite"
    postgres = "postgres"


@app.command(
    "project",
    epilog=output.examples(
        "blueprintgen new project my-service",
        "blueprintgen new project billing --db postgres --no-docker --output services/billing",
        "blueprintgen new project my-service --dry-run --verbose",
    ),
)
@output.reports_errors
def project(
    name: Annotated[str, typer.Argument(help="Project name, e.g. my-service (package my_service).")],
    into: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder to create (default: ./NAME).")
    ] = None,
    db: Annotated[
        Database, typer.Option("--db", help="Default database: sqlite (zero set-up) or postgres.")
    ] = Database.sqlite,
    no_docker: Annotated[
        bool, typer.Option("--no-docker", help="No Dockerfile or docker-compose.yml.")
    ] = False,
    no_git: Annotated[bool, typer.Option("--no-git", help="Do not initialise a git repository.")] = False,
    formatter: Formatter = "ruff",
    dry_run: DryRun = False,
    diff: Diff = False,
    yes: Yes = False,
    force: Force = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Generate a runnable FastAPI + MCP project: REST API, MCP server, auth, database, tests.

    Prints how many files it writes and what to run next; --verbose lists every file.
    """
    from blueprintgen import operations

    with output.working("Resolving blueprints, rendering and formatting…"):
        plan = operations.create_project(
            name,
            cwd=Path.cwd(),
            into=into,
            database=db.value,
            docker=not no_docker,
            git=not no_git,
            options=write_options(formatter, force=force),
        )
    # A new project's files are all `create`: listed one by one they bury the next steps.
    shown = plan_listing(quiet=quiet, verbose=verbose, default=output.Listing.SURPRISES)
    if finish(plan, dry_run=dry_run, diff=diff, yes=yes, listing=shown) and not quiet:
        show_next_steps(plan.next_steps)


def show_next_steps(steps: list[str]) -> None:
    """What to run next, in a panel."""
    from rich.panel import Panel
    from rich.text import Text

    output.console().print(
        Panel(Text("\n".join(steps), overflow="fold"), title="next steps", title_align="left", expand=False),
        soft_wrap=False,
    )
