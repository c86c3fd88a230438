"""`blueprintgen add resource NAME`: a resource through every layer of a generated project."""

from __future__ import annotations

from enum import StrEnum
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
    Quiet,
    Restore,
    Verbose,
    Yes,
    finish,
    plan_listing,
    write_options,
)
from blueprintgen.fieldgrammar import FIELD_SPEC_HELP, FIELD_SPEC_HELP_PLAIN

app = typer.Typer(
    help="Add to an existing project.",
    no_args_is_help=True,
    rich_markup_mode=output.HELP_MARKUP,
    epilog=output.examples("blueprintgen add resource item --field name:str --field price:decimal"),
)


class McpStyle(StrEnum):
    """How a resource's MCP tools are shaped."""

    tools = "tools"
    manager = "manager"


@app.command(
    "resource",
    help=f"Add a resource through every layer: model, table, repository, service, REST routes, MCP tools, migration, tests.\n\n{FIELD_SPEC_HELP if output.HELP_MARKUP else FIELD_SPEC_HELP_PLAIN}",
    epilog=output.examples(
        "blueprintgen add resource customer --field name:str --field email:email --field 'age:int?'",
        "blueprintgen add resource order --field customer:ref:customer --field 'status:enum[open,paid]=open'",
        "blueprintgen add resource --spec resources.yaml",
        "blueprintgen add resource user --field 'display_name:str?'",
        "blueprintgen add resource person --plural people --methods list,read",
        "blueprintgen add resource audit_entry --field action:str --no-mcp",
        "blueprintgen add resource invoice --field total:decimal --mcp-methods list,read",
        "blueprintgen add resource note --field title:str --owned",
        "blueprintgen add resource article --field 'slug:str!' --soft-delete",
        "blueprintgen add resource customer --field name:str --field 'phone:str?' --replace",
    ),
)
@output.reports_errors
def resource(
    name: Annotated[
        str | None,
        typer.Argument(help="Resource name: user, BlogPost, blog_post or blog-post.", show_default=False),
    ] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", "-f", help="A field spec (repeatable), see above.")
    ] = None,
    spec: Annotated[
        Path | None,
        typer.Option("--spec", help="YAML or JSON file with several resources.", exists=True, dir_okay=False),
    ] = None,
    methods: Annotated[
        str | None,
        typer.Option("--methods", help="Comma-separated subset of create,list,read,update,delete."),
    ] = None,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="Serve the routes without authentication.")
    ] = False,
    plural: Annotated[
        str | None,
        typer.Option("--plural", help="Plural (table and route name), when the English rule is wrong."),
    ] = None,
    mcp_style: Annotated[
        McpStyle | None,
        typer.Option(
            "--mcp-style",
            help="tools: one MCP tool per action; manager: one {resource}_manager tool with an action argument.",
        ),
    ] = None,
    no_mcp: Annotated[
        bool,
        typer.Option("--no-mcp", help="Serve the resource over REST only: no MCP tools (mcp: false)."),
    ] = False,
    mcp_methods: Annotated[
        str | None,
        typer.Option(
            "--mcp-methods",
            help="Comma-separated subset of the methods to serve as MCP tools too (default: all of them).",
        ),
    ] = None,
    owned: Annotated[
        bool,
        typer.Option(
            "--owned",
            help="Each row belongs to the user who created it: other users can neither read, list, "
            "update nor delete it (404); administrators see every row (owned: true).",
        ),
    ] = False,
    soft_delete: Annotated[
        bool,
        typer.Option(
            "--soft-delete",
            help="Deletes mark rows deleted (deleted_at): reads skip them, POST {id}/restore and the "
            "restore tool bring them back, administrators list them (deleted=only). Needs the delete method.",
        ),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Give a resource that exists other fields or options (a new migration); "
            "your edits to its files are merged, as by every run.",
        ),
    ] = False,
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
    """Add a resource through every layer of the project, or change one (--replace)."""
    from blueprintgen import operations
    from blueprintgen.errors import as_usage_error
    from blueprintgen.fieldspec import FieldSpecError
    from blueprintgen.project import PROJECT_FILE

    try:
        with output.working("Rendering and formatting…"):
            plan = operations.add_resources(
                Path.cwd(),
                name,
                fields=field or [],
                spec=spec,
                methods=methods,
                auth_required=not no_auth,
                plural=plural,
                mcp_style=mcp_style.value if mcp_style is not None else None,
                mcp=_mcp_choice(no_mcp, mcp_methods),
                owned=owned,
                soft_delete=soft_delete,
                replace=replace,
                options=write_options(formatter, force=force, restore=restore, conflict=conflict),
            )
    except operations.ResourceChangeRefused as refused:
        output.show_plan(refused.changes, diff=True)
        raise
    except FieldSpecError as error:
        if error.path is not None and Path(error.path).name == PROJECT_FILE:
            raise  # a spec the project file records: a problem found, not a usage error
        raise as_usage_error(error) from None  # one of --field or the --spec file
    # finish closes the plan, releasing the project lock
    finish(plan, dry_run=dry_run, diff=diff, yes=yes, listing=plan_listing(quiet=quiet, verbose=verbose))


def _mcp_choice(no_mcp: bool, methods: str | None) -> bool | list[str] | None:
    """--no-mcp and --mcp-methods as the `mcp` option (None: leave it as it is)."""
    from blueprintgen.errors import UsageError
    from blueprintgen.fieldspec import METHODS

    if no_mcp and methods is not None:
        raise UsageError("give --no-mcp or --mcp-methods, not both")
    if no_mcp:
        return False
    if methods is None:
        return None
    chosen = [m.strip().lower() for m in methods.split(",") if m.strip()]
    unknown = sorted(set(chosen) - set(METHODS))
    if unknown or not chosen:
        raise UsageError(
            f"--mcp-methods takes a comma-separated subset of {', '.join(METHODS)}; got {methods!r}"
        )
    return chosen
