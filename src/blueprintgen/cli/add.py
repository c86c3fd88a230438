"""`blueprintgen add resource NAME`: a resource through every layer of a generated project."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from blueprintgen.cli import output
from blueprintgen.cli.options import (
    Conflict,
    ConflictMode,
    Diff,
    DryRun,
    Force,
    Formatter,
    Restore,
    Yes,
    finish,
)
from blueprintgen.fieldgrammar import FIELD_SPEC_HELP, FIELD_SPEC_HELP_PLAIN

app = typer.Typer(
    help="Add to an existing project.", no_args_is_help=True, rich_markup_mode=output.HELP_MARKUP
)


class McpStyle(StrEnum):
    """How a resource's MCP tools are shaped."""

    tools = "tools"
    manager = "manager"


def _entries(
    name: str | None,
    fields: list[str],
    spec: Path | None,
    methods: str | None,
    no_auth: bool,
    plural: str | None,
    mcp_style: McpStyle | None,
    known: dict[str, str],
    recorded: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """The resources to add, each checked: name, plural, fields and options.

    Without --field, a resource that exists keeps the fields ``recorded`` for it in the
    project file; a new one gets the default fields.
    """
    from blueprintgen import fieldspec, naming
    from blueprintgen.errors import UsageError

    if spec is not None:
        if name or fields:
            raise UsageError("give either NAME with --field options or --spec FILE, not both")
        resources = fieldspec.load_spec_file(spec, resources=known)
    else:
        if not name:
            raise UsageError(
                "missing NAME (or --spec FILE)", hint="blueprintgen add resource item --field name:str"
            )
        try:
            resource, table = naming.check_resource_name(name, plural)
        except ValueError as error:
            raise UsageError(str(error)) from None
        specs = fields or (recorded or {}).get(resource) or list(fieldspec.DEFAULT_FIELD_SPECS)
        parsed = fieldspec.parse_fields(
            specs, resource=resource, plural=table, resources={**known, resource: table}
        )
        resources = [{"resource": resource, "plural": table, "fields": parsed}]
    chosen_methods = None
    if methods is not None:
        chosen_methods = [m.strip().lower() for m in methods.split(",") if m.strip()]
        unknown = sorted(set(chosen_methods) - set(fieldspec.METHODS))
        if unknown or not chosen_methods:
            raise UsageError(
                f"--methods takes a comma-separated subset of {', '.join(fieldspec.METHODS)}; got {methods!r}"
            )
    for entry in resources:
        if chosen_methods is not None:
            entry["methods"] = chosen_methods
        if no_auth:
            entry["auth_required"] = False
        if mcp_style is not None:
            entry["mcp_style"] = mcp_style.value
    return resources


def _record(entry: dict[str, Any]) -> dict[str, Any]:
    """How a resource is written into blueprintgen.yaml."""
    from blueprintgen import fieldspec

    record: dict[str, Any] = {
        "plural": entry["plural"],
        "fields": [fieldspec.to_spec_string(field) for field in entry["fields"]],
        "methods": list(entry.get("methods") or fieldspec.METHODS),
        "auth_required": bool(entry.get("auth_required", True)),
        "mcp_style": entry.get("mcp_style", "tools"),
    }
    return record


ACCOUNT_RESOURCE = "user"


def _check_account_resource(entry: dict[str, Any], *, explicit_fields: bool) -> None:
    """`user` is the project's account table: it gets its REST and MCP slice, not new columns."""
    from blueprintgen import fieldspec
    from blueprintgen.errors import UsageError

    given = [fieldspec.to_spec_string(f) for f in entry["fields"]]
    if explicit_fields and given != list(fieldspec.DEFAULT_FIELD_SPECS):
        raise UsageError(
            "`user` is the project's existing account table (email, full name, password, admin flag): "
            "`add resource user` gives it admin-only REST routes and MCP tools, but cannot add columns to it",
            hint="drop the --field options, and keep extra data in a resource of its own, e.g. "
            "`blueprintgen add resource profile --field user:ref:user --field age:int?`",
        )
    if entry.get("auth_required") is False:
        raise UsageError("`user` accounts are admin-only; --no-auth is not available for them")
    entry["fields"] = []


def _refuse_unfillable_columns(name: str, before: list[str], entry: dict[str, Any]) -> None:
    """A required field added to an existing table needs a default for the rows it has."""
    from blueprintgen.errors import UsageError

    known = {spec.split(":", 1)[0] for spec in before}
    for field in entry["fields"]:
        if field["name"] not in known and not field.get("optional") and "default" not in field:
            raise UsageError(
                f"adding the required field {field['name']!r} to the existing resource {name!r} needs a "
                "value for the rows already in its table",
                hint=f"give it a default ({field['name']}:{field['type']}=...) or make it optional "
                f"({field['name']}:{field['type']}?)",
            )


@app.command(
    "resource",
    help=f"Add a resource through every layer: model, table, repository, service, REST routes, MCP tools, migration, tests.\n\n{FIELD_SPEC_HELP if output.HELP_MARKUP else FIELD_SPEC_HELP_PLAIN}",
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
) -> None:
    """Add a resource through every layer of the project, or change one (--replace)."""
    from blueprintgen import catalog, pipeline
    from blueprintgen.errors import ProjectError
    from blueprintgen.project import (
        PROJECT_FILE,
        ProjectFile,
        check_options,
        find_root,
        next_revision,
        resource_requests,
        schema_history,
        sync_schema,
    )

    root = find_root(Path.cwd())
    if root is None:
        raise ProjectError(
            f"no {PROJECT_FILE} here or above; `add resource` works inside a generated project",
            path=Path.cwd(),
            hint="cd into the project, or create one with `blueprintgen new project NAME`",
        )
    project = ProjectFile.read(root)
    known = {key: str(value.get("plural") or key) for key, value in project.resources.items()}
    recorded = {
        key: [str(spec) for spec in value.get("fields") or []] for key, value in project.resources.items()
    }
    entries = _entries(name, field or [], spec, methods, no_auth, plural, mcp_style, known, recorded)
    changed: list[str] = []
    for entry in entries:
        key = entry["resource"]
        if key == ACCOUNT_RESOURCE:
            _check_account_resource(entry, explicit_fields=bool(field) or spec is not None)
        existing = project.resources.get(key)
        record = _record(entry)
        if existing is None:
            # The table as its migrations leave it; editing `fields` later adds a migration.
            record["schema"] = [{"revision": next_revision(project), "fields": list(record["fields"])}]
            project.resources[key] = record
            continue
        if any(existing.get(option) != value for option, value in record.items()):
            changed.append(key)
            _refuse_unfillable_columns(key, list(existing.get("fields") or []), entry)
        project.resources[key] = {**existing, **record, "schema": schema_history(existing)}
    sync_schema(project)
    with output.working("Rendering and formatting…"):
        found = catalog.load(root)
        check_options(root, project, found)
        requests = [request for entry in entries for request in resource_requests(project, entry["resource"])]
        run = pipeline.prepare(
            root,
            found,
            requests,
            pipeline.Options(
                formatter=formatter.lower(), force=force, restore=restore, conflict=conflict.value
            ),
            extra_files={PROJECT_FILE: project.to_yaml()},
        )
    if changed and not (replace or force):
        from blueprintgen.errors import ConflictError

        output.show_plan(run.changes, diff=True)
        raise ConflictError(
            f"{', '.join(changed)} already exists with other fields or options; nothing was written",
            path=root / PROJECT_FILE,
            hint="the diff above shows what would change; add --replace to apply it "
            "(your edits to generated files are merged; --force would overwrite them)",
        )
    finish(run, dry_run=dry_run, diff=diff, yes=yes)
