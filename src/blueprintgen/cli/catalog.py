"""Commands that read the blueprint catalog: list, show, graph, schema."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from blueprintgen.cli import output
from blueprintgen.cli.options import Sets

if TYPE_CHECKING:
    from blueprintgen.catalog import Catalog


class GraphFormat(StrEnum):
    """How `graph` prints."""

    text = "text"
    dot = "dot"
    mermaid = "mermaid"
    graphml = "graphml"
    json = "json"


def _catalog() -> Catalog:
    from blueprintgen import catalog
    from blueprintgen.project import project_dir

    return catalog.load(project_dir(Path.cwd()))


def complete_blueprint_names(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion of a blueprint name: those the project here can use, with their
    descriptions. The catalog is loaded only when the shell asks (never to start a command)."""
    try:
        found = _catalog()
    except Exception:  # a broken blueprint must not break the user's shell; `validate` says why
        return []
    return [
        (name, _first_sentence(blueprint.description))
        for name, blueprint in sorted(found.blueprints.items())
        if name.startswith(incomplete)
    ]


def _first_sentence(text: str) -> str:
    """A description short enough for a shell's completion menu: its first sentence, on one line."""
    sentence = " ".join(text.split()).split(". ", 1)[0].rstrip(".")
    return sentence if len(sentence) <= 72 else sentence[:71] + "…"


BlueprintName = Annotated[
    str,
    typer.Argument(
        help="Blueprint name (see `blueprintgen list`).",
        autocompletion=complete_blueprint_names,
        show_default=False,
    ),
]


@output.reports_errors
def list_blueprints(
    category: Annotated[str | None, typer.Option("--category", "-c", help="Only this category.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List every blueprint: name, category, version, description and where it comes from."""
    import json  # only where JSON is printed: keeps the CLI's start-up lean

    from rich.markup import escape
    from rich.table import Table

    found = _catalog()
    rows = sorted(found.blueprints.values(), key=lambda b: (b.category, b.name))
    if category:
        rows = [b for b in rows if b.category == category]
    if as_json:
        data = [
            {
                "name": b.name,
                "category": b.category,
                "version": b.version,
                "description": b.description,
                "source": b.source.value,
                "path": str(b.path),
            }
            for b in rows
        ]
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table(title=f"{output.plural(len(rows), 'blueprint')}", title_justify="left")
    for column in ("name", "category", "version", "description", "source"):
        table.add_column(column, overflow="fold")
    for blueprint in rows:
        source = blueprint.source.value
        if blueprint.name in found.overridden:
            source += f" (overrides {found.overridden[blueprint.name].source.value})"
        table.add_row(
            escape(blueprint.name),
            blueprint.category,
            blueprint.version,
            escape(blueprint.description),
            source,
        )
    output.console().print(table)


@output.reports_errors
def show(name: BlueprintName) -> None:
    """Show a blueprint: parameters, relationships, validation and template."""
    import json  # only where JSON is printed: keeps the CLI's start-up lean

    from rich.markup import escape
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.table import Table

    from blueprintgen.operations.blueprints import named

    blueprint = named(_catalog(), name)
    console = output.console()
    console.print(
        Panel(
            f"[bold]{escape(blueprint.name)}[/] {blueprint.version}  [dim]{blueprint.category}[/]\n"
            f"{escape(blueprint.description)}\n[dim]{blueprint.source.value}: {blueprint.path}[/]",
            expand=False,
        )
    )
    if blueprint.parameters:
        table = Table(title="parameters", title_justify="left")
        for column in ("name", "type", "required", "default", "description"):
            table.add_column(column, overflow="fold")
        for parameter in blueprint.parameters.values():
            default = json.dumps(parameter.default) if parameter.has_default else ""
            table.add_row(
                parameter.name,
                parameter.type,
                "yes" if parameter.required else "",
                escape(default),
                escape(parameter.description),
            )
        console.print(table)
    console.print("[bold]depends on:[/] " + (escape(", ".join(blueprint.depends_on)) or "nothing"))
    console.print("[bold]generates:[/]")
    for item in blueprint.outputs:
        extra = f"  ← {item.template}" if item.template else "  ← embedded_code"
        when = f"  [dim]if {escape(item.condition)}[/]" if item.condition else ""
        console.print(f"  {escape(item.path)}[dim]{escape(extra)}[/]{when}")
    if blueprint.required_files or blueprint.test_requirements or blueprint.performance_targets:
        console.print(
            "[bold]validation:[/] required files: "
            + (escape(", ".join(blueprint.required_files)) or "none")
            + "; tests: "
            + (", ".join(blueprint.test_requirements) or "none")
            + "; targets: "
            + (escape(json.dumps(blueprint.performance_targets)) if blueprint.performance_targets else "none")
        )
    if blueprint.dependencies:
        console.print("[bold]packages:[/] " + escape(", ".join(blueprint.dependencies)))
    if blueprint.embedded_code is not None:
        console.print(Syntax(blueprint.embedded_code, "jinja", line_numbers=True))


@output.reports_errors
def graph(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Blueprint to resolve (default: every blueprint).",
            autocompletion=complete_blueprint_names,
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        GraphFormat,
        typer.Option("--format", help="text, dot, mermaid, graphml or json (networkx node-link)."),
    ] = GraphFormat.text,
    sets: Sets = None,
) -> None:
    """Show the dependency graph: of one blueprint (resolved with its parameters) or of all."""
    from blueprintgen import graph as graphs
    from blueprintgen import operations

    dag, roots = operations.blueprint_graph(Path.cwd(), name, sets or [])
    label = str
    if fmt in (GraphFormat.graphml, GraphFormat.json):
        typer.echo(graphs.export(dag, fmt.value, label))
    elif fmt is GraphFormat.dot:
        typer.echo(graphs.to_dot(dag, label), nl=False)
    elif fmt is GraphFormat.mermaid:
        typer.echo(graphs.to_mermaid(dag, label), nl=False)
    else:
        typer.echo("\n".join(graphs.tree_lines(dag, roots, label)))


@output.reports_errors
def schema() -> None:
    """Print the blueprint JSON Schema (draft 2020-12), for editors and tools."""
    from blueprintgen import resources

    typer.echo(resources.schema_path().read_text(encoding="utf-8"), nl=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command(
        "list",
        epilog=output.examples(
            "blueprintgen list", "blueprintgen list --category resource", "blueprintgen list --json"
        ),
    )(list_blueprints)
    app.command(epilog=output.examples("blueprintgen show project-docker"))(show)
    app.command(
        epilog=output.examples(
            "blueprintgen graph",
            "blueprintgen graph project --format mermaid",
            "blueprintgen graph resource --set resource=item --format dot | dot -Tsvg > graph.svg",
        )
    )(graph)
    app.command(epilog=output.examples("blueprintgen schema > blueprint.schema.json"))(schema)
