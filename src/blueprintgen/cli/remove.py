"""`blueprintgen remove resource NAME`: take a resource back out of a generated project."""

from __future__ import annotations

from typing import Annotated

import typer

from blueprintgen.cli import output
from blueprintgen.cli.options import Diff, DryRun, Quiet, Verbose, Yes, finish, plan_listing, write_options

app = typer.Typer(
    help="Remove from an existing project.",
    no_args_is_help=True,
    rich_markup_mode=output.HELP_MARKUP,
    epilog=output.examples("blueprintgen remove resource item --dry-run"),
)

Force = Annotated[
    bool,
    typer.Option(
        "--force", help="Remove the resource's files you edited too (they are kept and listed otherwise)."
    ),
]


@app.command(
    "resource",
    help="Remove a resource: its generated files (those you edited are kept and listed), its entry in "
    "blueprintgen.yaml, and its table, by a new migration whose downgrade creates the table again. "
    "Its earlier migrations stay. Refused while another resource refers to it. "
    "`remove resource user` removes the accounts' admin routes, tools and tests, not the accounts "
    "(a migration drops the columns of its account fields).",
    epilog=output.examples(
        "blueprintgen remove resource item --dry-run",
        "blueprintgen remove resource item --diff",
        "blueprintgen remove resource item --yes",
        "blueprintgen remove resource item --yes --force",
        "blueprintgen remove resource user --yes",
    ),
)
@output.reports_errors
def resource(
    name: Annotated[
        str, typer.Argument(help="The resource to remove, as `blueprintgen resources` lists it.")
    ],
    dry_run: DryRun = False,
    diff: Diff = False,
    yes: Yes = False,
    force: Force = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Remove a resource from the project; its table is dropped by a new migration."""
    from pathlib import Path

    from blueprintgen import operations

    with output.working("Rendering and formatting…"):
        plan = operations.remove_resource(Path.cwd(), name, options=write_options(None, force=force))
    # finish closes the plan, releasing the project lock
    applied = finish(
        plan,
        dry_run=dry_run,
        diff=diff,
        yes=yes,
        listing=plan_listing(quiet=quiet, verbose=verbose),
        needs_yes=True,
    )
    if plan.kept:
        verb = "kept" if applied else "would keep"
        output.warn(
            f"{verb} {output.plural(len(plan.kept), 'file')} of {plan.resource!r} that you edited "
            f"(no longer generated; `--force` removes them): {', '.join(plan.kept)}"
        )
    if applied and plan.dropped and not quiet:
        output.console().print(
            f"migration {plan.dropped} drops the {plan.resource} table: apply it with `alembic upgrade head`"
        )
