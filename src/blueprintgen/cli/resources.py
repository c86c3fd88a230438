"""`blueprintgen resources`: the project's resources, as a table or as JSON for scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from blueprintgen.cli import output

if TYPE_CHECKING:
    from blueprintgen.operations import Inventory


@output.reports_errors
def resources(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts (the shape README.md documents).")
    ] = False,
) -> None:
    """List the project's resources: fields, references, methods and options, and the removed ones."""
    import json
    from pathlib import Path

    from blueprintgen import operations

    inventory = operations.list_resources(Path.cwd())
    if as_json:
        typer.echo(json.dumps(inventory.as_json(), indent=2, ensure_ascii=False))
        return
    _show(inventory)


def _show(inventory: Inventory) -> None:
    from rich.markup import escape
    from rich.table import Column, Table

    from blueprintgen.fieldspec import METHODS

    if not inventory.resources and not inventory.removed:
        output.console().print("no resources yet: add one with `blueprintgen add resource NAME`")
        return
    table = Table(
        Column("resource", no_wrap=True), "fields", "references", "methods", "options", "migrations",
        title=f"resources of {inventory.project}", title_justify="left", show_lines=True,
    )  # fmt: skip
    for item in inventory.resources:
        fields = "\n".join(escape(str(field["spec"])) for field in item.fields)
        if item.accounts:
            fields = "\n".join(["[dim](the accounts)[/]", *([fields] if fields else [])])
        references = [f"{ref.field} → {ref.target}" for ref in item.references]
        references += [f"[dim]← {ref.resource}.{ref.field}[/]" for ref in item.referenced_by]
        if not item.mcp_methods:
            exposure = "REST only (no MCP)"
        elif item.mcp_methods == item.methods:
            exposure = f"mcp {item.mcp_style}"
        else:
            exposure = f"mcp {item.mcp_style}: {', '.join(item.mcp_methods)}"
        options = [
            "auth" if item.auth_required else "no auth",
            *(["owned rows"] if item.owned else []),
            exposure,
        ]
        if item.soft_delete:
            options.append("soft delete")
        table.add_row(
            f"[bold]{escape(item.name)}[/]\n{escape(item.plural)}\n[dim]{escape(item.path)}[/]",
            fields,
            "\n".join(references),
            "all" if item.methods == tuple(METHODS) else ", ".join(item.methods),
            "\n".join(options),
            " ".join(item.migrations),
        )
    output.console().print(table)
    for gone in inventory.removed:
        dropped = f", dropped by {gone.dropped}" if gone.dropped else ""
        output.console().print(
            f"[dim]removed: {escape(gone.name)} ({escape(gone.plural)}; migrations "
            f"{' '.join(gone.migrations)}{dropped})[/]"
        )


def register(app: typer.Typer) -> None:
    """Add this module's command."""
    app.command(
        "resources",
        epilog=output.examples(
            "blueprintgen resources",
            "blueprintgen resources --json | jq '.resources[].name'",
        ),
    )(resources)
