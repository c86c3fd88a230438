"""The command line: one module per command group, each a thin layer over the core."""

from __future__ import annotations

import typer

from blueprintgen import __version__
from blueprintgen.cli import add, catalog, generate, mcp, new, output, remove, resources, upgrade, validate

app = typer.Typer(
    name="blueprintgen",
    help="A blueprint compiler for FastAPI + MCP backends: JSON blueprints in, a runnable project out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=output.HELP_MARKUP,
    epilog=output.examples(
        "blueprintgen new project my-service",
        "cd my-service && blueprintgen add resource item --field name:str --field price:decimal",
        "blueprintgen validate --check-all",
        "blueprintgen --install-completion",
    ),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"blueprintgen {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", "-V", help="Show the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """Generate, grow and check FastAPI + MCP projects from blueprints."""


catalog.register(app)
generate.register(app)
validate.register(app)
upgrade.register(app)
mcp.register(app)
app.add_typer(new.app, name="new")
app.add_typer(add.app, name="add")
app.add_typer(remove.app, name="remove")
resources.register(app)


def main() -> None:
    """Console-script entry point."""
    _printable_streams()
    app()


def _printable_streams() -> None:
    """On a terminal or pipe that cannot show every character (LANG=C, an ASCII code page),
    print what it cannot as escapes (``\\u2713``) instead of failing after the work is done."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            reconfigure(errors="backslashreplace")
