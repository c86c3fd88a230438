"""`blueprintgen validate`: schema, graph and templates of every blueprint; project drift."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from blueprintgen.cli import output

if TYPE_CHECKING:
    from blueprintgen.operations import CheckReport


@output.reports_errors
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Blueprint files or folders to check (with the built-ins they use)."),
    ] = None,
    check_all: Annotated[
        bool,
        typer.Option(
            "--check-all", help="Check every built-in and project blueprint, and the project's files."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List each blueprint checked and how it went.")
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Render and compile every blueprint again, even if these exact blueprints, "
            "templates and blueprintgen passed before.",
        ),
    ] = False,
) -> None:
    """Check blueprints (schema, graph, templates) and, in a project, that generated files are in sync.

    Prints the problems (on stderr) and one summary line; --verbose lists every blueprint.
    """
    from blueprintgen import operations
    from blueprintgen.errors import ProblemsFound

    report = operations.check(Path.cwd(), paths or [], check_all=check_all, remember=not no_cache)
    if verbose and not quiet:
        show_each(report)
    if not quiet:
        output.console().print(summary(report))
    if report.problems:
        raise ProblemsFound(list(report.problems))


def show_each(report: CheckReport) -> None:
    """One line per blueprint checked: its problems, name and source."""
    from rich.text import Text

    width = max((len(result.name) for result in report.blueprints), default=0)
    listing = Text()
    for result in report.blueprints:
        if result.problems == 0:
            listing.append("✓ ", style="green")
        else:
            listing.append(f"✗ {output.plural(result.problems, 'problem')} ", style="red")
        listing.append(f"{result.name:<{width}}  ")
        listing.append(result.source + "\n", style="dim")
    output.console().print(listing, end="")


def summary(report: CheckReport) -> str:
    """The one line a check ends with (rich markup): the blueprints and the project's files."""
    checked = len(report.blueprints)
    failed = sum(1 for result in report.blueprints if result.problems)
    if failed:
        line = f"[red]✗[/] {failed} of {output.plural(checked, 'blueprint')} with problems"
    else:
        line = f"[green]✓[/] {output.plural(checked, 'blueprint')} valid"
    if report.in_project:
        drifted, edited = report.out_of_sync, report.edited
        line += (
            "; project files in sync"
            if not drifted
            else f"; [red]{output.plural(len(drifted), 'project file')} out of sync[/]"
        )
        if edited:
            line += f" ({output.plural(len(edited), 'file')} edited by you, kept on upgrade)"
    return line


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command(
        epilog=output.examples(
            "blueprintgen validate --check-all",
            "blueprintgen validate blueprints/health-probe.json",
            "blueprintgen validate --verbose --no-cache",
        )
    )(validate)
