"""`blueprintgen validate`: schema, graph and templates of every blueprint; project drift."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from blueprintgen.cli import output


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
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Render and compile every blueprint again, even if these exact blueprints, "
            "templates and blueprintgen passed before.",
        ),
    ] = False,
) -> None:
    """Check blueprints (schema, graph, templates) and, in a project, that generated files are in sync."""
    from blueprintgen import operations
    from blueprintgen.errors import ProblemsFound

    report = operations.check(Path.cwd(), paths or [], check_all=check_all, remember=not no_cache)
    if not quiet:
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
        if report.in_project:
            drifted, edited = report.out_of_sync, report.edited
            state = (
                "[green]in sync[/]"
                if not drifted
                else f"[red]{output.plural(len(drifted), 'file')} out of sync[/]"
            )
            mine = f" ({output.plural(len(edited), 'file')} edited by you, kept on upgrade)" if edited else ""
            output.console().print(f"project files: {state}{mine}")
    if report.problems:
        raise ProblemsFound(list(report.problems))
    if not quiet:
        output.success(f"{output.plural(len(report.blueprints), 'blueprint')} valid")


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command()(validate)
