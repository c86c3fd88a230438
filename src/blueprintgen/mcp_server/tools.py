"""The tools: each a thin call of one operation, its result as a model of :mod:`.models`.

Tools run on worker threads (the SDK runs a synchronous tool on one), one at a time:
the core was written for one command per process, and the project lock already makes
writers wait for each other. A blueprintgen error becomes a tool error carrying the
message the command would print; nothing is written when a tool fails, exactly as
with the command (the same operations, the same lock, journal and merge).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, ParamSpec, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from blueprintgen.errors import BlueprintgenError
from blueprintgen.mcp_server import models
from blueprintgen.mcp_server.folder import ServedFolder

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from blueprintgen.catalog import Catalog
    from blueprintgen.operations import Inventory, Plan, WriteOptions

P = ParamSpec("P")
R = TypeVar("R")

READS = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
"""Reads the project and the blueprints; writes nothing."""
WRITES = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False
)
"""Writes project files (your edits are merged, and a clash stops it before anything is written)."""
RERUNS = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
)
"""Writes project files; running it again with the same arguments changes nothing more."""

_one_at_a_time = threading.Lock()

# --- the parameters tools share ----------------------------------------------------------

ProjectArg = Annotated[
    str,
    Field(description="The project folder, relative to the folder this server works in ('.': that folder)."),
]
FormatterArg = Annotated[
    Literal["ruff", "black", "none"] | None,
    Field(description="Formatter for generated Python (default: the one the project records, else ruff)."),
]
ForceArg = Annotated[bool, Field(description="Overwrite files you edited since blueprintgen wrote them.")]
RestoreArg = Annotated[bool, Field(description="Re-create generated files you deleted.")]
ConflictArg = Annotated[
    Literal["stop", "markers"],
    Field(
        description="When your edits and the new output clash: stop (write nothing, the hunks in the "
        "error) or markers (write conflict markers to resolve by hand)."
    ),
]
DiffsArg = Annotated[bool, Field(description="Include each file's unified diff.")]
SetsArg = Annotated[
    list[str],
    Field(description="Parameter values, each key=value, parsed to the parameter's type (as --set)."),
]

NameArg = Annotated[str, Field(description="Project name, e.g. my-service (package my_service).")]
FolderArg = Annotated[
    str | None,
    Field(
        description="Folder to create it in, relative to the served folder (default: NAME; '.': the served folder itself)."
    ),
]
DatabaseArg = Annotated[Literal["sqlite", "postgres"], Field(description="Default database.")]
DockerArg = Annotated[bool, Field(description="Include a Dockerfile and docker-compose.yml.")]
GitArg = Annotated[bool, Field(description="Initialise a git repository with a first commit.")]
NewForceArg = Annotated[
    bool, Field(description="Generate into a folder that has files in it (yours are kept).")
]
ResourceNameArg = Annotated[
    str | None,
    Field(description="Resource name, singular: customer, BlogPost, blog_post (or give spec_file)."),
]
FieldsArg = Annotated[
    list[str],
    Field(
        description="Field specs NAME:TYPE[?][:MODIFIER...][=DEFAULT], e.g. ['name:str', 'age:int?', "
        "'status:enum[open,paid]=open', 'customer:ref:customer'] (the grammar: resource "
        "blueprintgen://field-grammar). Without any, an existing resource keeps its fields."
    ),
]
SpecFileArg = Annotated[
    str | None,
    Field(description="A YAML or JSON file in the served folder with several resources (instead of name)."),
]
MethodsArg = Annotated[
    list[Literal["create", "list", "read", "update", "delete"]] | None,
    Field(description="Which endpoints and tools to generate (default: all five)."),
]
AuthArg = Annotated[bool, Field(description="Require authentication on its routes and tools.")]
PluralArg = Annotated[
    str | None, Field(description="Plural (table and route name), when the English rule is wrong.")
]
McpStyleArg = Annotated[
    Literal["tools", "manager"] | None,
    Field(description="tools: one MCP tool per action; manager: one {resource}_manager tool."),
]
McpArg = Annotated[
    bool | list[Literal["create", "list", "read", "update", "delete"]] | None,
    Field(
        description="Which methods are also MCP tools of the generated project: true (all), false "
        "(REST only), or a subset of methods. Default: as recorded, all for a new resource."
    ),
]
OwnedArg = Annotated[
    bool,
    Field(
        description="Each row belongs to the user who created it: other users cannot read, list, "
        "update or delete it (404); administrators see every row. Not for `user`; needs auth_required."
    ),
]
SoftDeleteArg = Annotated[
    bool,
    Field(
        description="Soft delete: a delete marks the row deleted (deleted_at); reads skip it, a restore "
        "route and tool bring it back, administrators list deleted rows. Needs the delete method."
    ),
]
ReplaceArg = Annotated[
    bool,
    Field(
        description="Give a resource that exists other fields or options (a new migration); your edits are merged."
    ),
]
RemovedNameArg = Annotated[str, Field(description="The resource to remove (see describe_project).")]
RemoveForceArg = Annotated[bool, Field(description="Remove its files you edited too.")]
BlueprintArg = Annotated[str, Field(description="Blueprint to render (see list_blueprints).")]
IntoArg = Annotated[
    str | None,
    Field(description="Folder to write into, relative to the served folder (default: the project)."),
]


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """One call at a time; a blueprintgen error becomes a tool error with the CLI's message."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from blueprintgen.operations.resources import ResourceChangeRefused

        with _one_at_a_time:
            try:
                return func(*args, **kwargs)
            except ResourceChangeRefused as refused:
                # The diff first, as the command prints it: the message's hint points "above".
                diffs = "".join(change.diff() for change in refused.changes if change.action.shows_diff)
                raise ToolError(f"{diffs}\n{refused.format()}".lstrip()) from None
            except BlueprintgenError as error:
                raise ToolError(error.format()) from None

    return wrapper


def write_options(
    warnings: list[str],
    formatter: str | None = None,
    *,
    force: bool = False,
    restore: bool = False,
    conflict: str = "stop",
) -> WriteOptions:
    """The core's options, as the CLI's write_options makes them; recovery notices go to ``warnings``."""
    from blueprintgen.operations import WriteOptions

    return WriteOptions(
        formatter=formatter,
        force=force,
        restore=restore,
        markers=conflict == "markers",
        on_recovery=warnings.append,
    )


def carry_out(
    folder: ServedFolder,
    plan: Plan,
    warnings: list[str],
    *,
    apply: bool,
    diffs: bool,
    extra: dict[str, Any] | None = None,
) -> models.PlanResult:
    """Describe ``plan`` and, with ``apply``, write it as the CLI's ``finish`` does (a clash
    stops it first); the plan is closed, releasing the project lock, on every way out."""
    from blueprintgen.cli.output import plan_summary
    from blueprintgen.plan import Action

    with plan:
        warnings.extend(plan.warnings)
        shown = [change for change in plan.changes if change.action is not Action.UNCHANGED]
        written: list[str] = []
        if apply:
            plan.refuse_conflicts()
            applied = plan.apply()
            written = [change.path for change in applied.written]
            warnings.extend(applied.warnings)
        return models.PlanResult(
            project=folder.relative(plan.project),
            applied=apply,
            summary=plan_summary(plan.changes),
            files=[models.planned_file(change, diffs=diffs) for change in shown],
            unchanged=len(plan.changes) - len(shown),
            warnings=warnings,
            written=written,
            conflicts=any(change.action.is_conflict for change in plan.changes),
            **(extra or {}),
        )


def register(server: MCPServer, folder: ServedFolder) -> None:
    """Add every tool to ``server``, working in ``folder``."""
    _register_reading(server, folder)
    _register_planning(server, folder)


# --- reading ---------------------------------------------------------------------------


def _register_reading(server: MCPServer, folder: ServedFolder) -> None:
    def load_catalog(project: str = ".") -> Catalog:
        from blueprintgen import catalog
        from blueprintgen.project import project_dir

        return catalog.load(project_dir(folder.start(project)))

    @server.tool(annotations=READS)
    @reports_errors
    def list_blueprints(
        category: Annotated[str | None, Field(description="Only this category (e.g. resource).")] = None,
        project: ProjectArg = ".",
    ) -> models.BlueprintList:
        """Every blueprint the project can use (built-in, the project's own blueprints/), by category and name."""
        found = load_catalog(project)
        rows = sorted(found.blueprints.values(), key=lambda b: (b.category, b.name))
        return models.BlueprintList(
            blueprints=[
                models.summary(b, found.overridden.get(b.name))
                for b in rows
                if category is None or b.category == category
            ]
        )

    @server.tool(annotations=READS)
    @reports_errors
    def show_blueprint(
        name: Annotated[str, Field(description="Blueprint name (see list_blueprints).")],
        project: ProjectArg = ".",
    ) -> models.BlueprintDetail:
        """One blueprint in full: parameters (types, defaults, descriptions), what it depends on, the
        files it generates with their templates, packages, validation, and where it comes from."""
        from blueprintgen.operations.blueprints import named

        found = load_catalog(project)
        blueprint = named(found, name)
        return models.detail(blueprint, found.overridden.get(blueprint.name))

    @server.tool(annotations=READS)
    @reports_errors
    def graph(
        name: Annotated[
            str | None,
            Field(description="Blueprint to resolve with its parameters (default: every blueprint)."),
        ] = None,
        sets: SetsArg = [],  # noqa: B006 (pydantic copies a default; it is never mutated)
        project: ProjectArg = ".",
    ) -> models.BlueprintGraph:
        """The dependency graph: of one blueprint resolved with its parameters (samples for the
        rest), or of every blueprint."""
        from blueprintgen import graph as graphs
        from blueprintgen import operations

        dag, roots = operations.blueprint_graph(folder.start(project), name, sets)
        return models.BlueprintGraph(
            nodes=sorted(str(node) for node in dag.nodes),
            edges=sorted(
                (models.Edge(dependent=str(b), dependency=str(a)) for a, b in dag.edges),
                key=lambda edge: (edge.dependent, edge.dependency),
            ),
            roots=[str(root) for root in roots],
            tree="\n".join(graphs.tree_lines(dag, roots, str)),
            mermaid=graphs.to_mermaid(dag, str),
        )

    @server.tool(annotations=READS)
    @reports_errors
    def describe_project(
        project: ProjectArg = ".",
        drift: Annotated[
            bool,
            Field(
                description="Also compare every generated file with a fresh generation (takes a few seconds)."
            ),
        ] = True,
    ) -> models.ProjectDescription:
        """A generated project: its options, its resources with their fields and references, and
        (with drift) how its generated files stand: in sync, edited by you, out of date, missing."""
        from blueprintgen import operations
        from blueprintgen.operations.upgrade import project_root
        from blueprintgen.project import ProjectFile

        root = project_root(folder.start(project))
        inventory = operations.list_resources(root)
        states = operations.project_drift(root) if drift else None
        recorded = ProjectFile.read(root)
        return models.ProjectDescription(
            project=folder.relative(root),
            name=inventory.project,
            package=inventory.package,
            options=recorded.options,
            blueprintgen_version=recorded.blueprintgen,
            resources=_resources(inventory),
            removed=[
                models.RemovedResource(
                    name=gone.name, plural=gone.plural, migrations=list(gone.migrations), dropped=gone.dropped
                )
                for gone in inventory.removed
            ],
            drift=_drift(states) if states is not None else None,
        )

    @server.tool(annotations=READS)
    @reports_errors
    def validate(
        paths: Annotated[
            list[str],
            Field(
                description="Blueprint files or folders to check (with the built-ins they use); default: all."
            ),
        ] = [],  # noqa: B006 (pydantic copies a default; it is never mutated)
        check_all: Annotated[
            bool, Field(description="Check every blueprint and the project's files, with paths given too.")
        ] = False,
        project: ProjectArg = ".",
    ) -> models.ValidationReport:
        """What `blueprintgen validate` checks: blueprints (schema, graph, templates rendered with
        sample values) and, in a project, that its generated files are in sync. Problems come back
        as data (file, line, JSON pointer, message, hint), each with the command's own text."""
        from rich.text import Text

        from blueprintgen import operations
        from blueprintgen.cli.validate import summary

        start = folder.start(project)
        chosen = [folder.path(path) for path in paths]
        try:
            report = operations.check(start, chosen, check_all=check_all)
        except BlueprintgenError as error:  # blueprints that do not even load: their problems
            found = models.problems(error)
            return models.ValidationReport(
                valid=False,
                summary=f"{len(found)} problem{'s' if len(found) != 1 else ''} found",  # as the command ends
                blueprints=[],
                problems=found,
                in_project=False,
                edited=[],
            )
        return models.ValidationReport(
            valid=not report.problems,
            summary=Text.from_markup(summary(report)).plain,
            blueprints=[
                models.CheckedBlueprint(name=r.name, source=r.source, problems=r.problems)
                for r in report.blueprints
            ],
            problems=[models.problem(each) for each in report.problems],
            in_project=report.in_project,
            edited=list(report.edited),
        )


def _resources(inventory: Inventory) -> list[models.ResourceInfo]:
    """The project's resources, from the inventory `blueprintgen resources` lists."""
    from blueprintgen import fieldspec

    def reference(ref: Any) -> models.Reference:
        return models.Reference(
            resource=ref.resource, field=ref.field, target=ref.target, on_delete=ref.on_delete
        )

    return [
        models.ResourceInfo(
            name=item.name,
            plural=item.plural,
            path=item.path,
            accounts=item.accounts,
            fields=[
                models.FieldInfo(
                    spec=str(field["spec"]),
                    name=field["name"],
                    type=field["type"],
                    column=fieldspec.column_name(field),
                    optional=bool(field.get("optional")),
                    unique=bool(field.get("unique")),
                    index=bool(field.get("index")),
                    default=field.get("default"),
                    has_default="default" in field,
                    choices=field.get("choices"),
                    references=(field.get("ref") or {}).get("resource"),
                    on_delete=field.get("on_delete"),
                )
                for field in item.fields
            ],
            methods=list(item.methods),
            auth_required=item.auth_required,
            mcp_style=item.mcp_style,
            mcp_methods=list(item.mcp_methods),
            owned=item.owned,
            soft_delete=item.soft_delete,
            migrations=list(item.migrations),
            references=[reference(ref) for ref in item.references],
            referenced_by=[reference(ref) for ref in item.referenced_by],
        )
        for item in inventory.resources
    ]


def _drift(states: list[Any]) -> models.Drift:
    counts: dict[str, int] = {}
    files: list[models.FileDrift] = []
    for state in states:
        counts[state.state.value] = counts.get(state.state.value, 0) + 1
        if state.state.value != "in sync":
            files.append(
                models.FileDrift(
                    path=state.path,
                    state=state.state.value,
                    out_of_sync=state.state.out_of_sync,
                    hint=state.state.hint,
                    instance=state.instance,
                )
            )
    return models.Drift(in_sync=not any(f.out_of_sync for f in files), counts=counts, files=files)


# --- planning and applying -------------------------------------------------------------


def _register_planning(server: MCPServer, folder: ServedFolder) -> None:
    from blueprintgen import operations

    def new_project_plan(
        apply: bool,
        name: str,
        folder_name: str | None,
        database: str,
        docker: bool,
        git: bool,
        force: bool,
        formatter: str | None,
        diffs: bool,
    ) -> models.PlanResult:
        warnings: list[str] = []
        into = folder.path(folder_name) if folder_name is not None else folder.path(name)
        plan = operations.create_project(
            name,
            cwd=folder.root,
            into=into,
            database=database,
            docker=docker,
            git=git,
            options=write_options(warnings, formatter, force=force),
        )
        steps = [
            step.replace(f"cd {plan.where}", f"cd {folder.relative(plan.project)}")
            for step in plan.next_steps
        ]
        return carry_out(folder, plan, warnings, apply=apply, diffs=diffs, extra={"next_steps": steps})

    @server.tool(annotations=READS)
    @reports_errors
    def plan_new_project(
        name: NameArg,
        folder_name: FolderArg = None,
        database: DatabaseArg = "sqlite",
        docker: DockerArg = True,
        git: GitArg = True,
        force: NewForceArg = False,
        formatter: FormatterArg = None,
        diffs: DiffsArg = False,
    ) -> models.PlanResult:
        """Plan a new runnable FastAPI + MCP project (REST API, MCP server, auth, database, tests):
        every file it would write. Writes nothing."""
        return new_project_plan(False, name, folder_name, database, docker, git, force, formatter, diffs)

    @server.tool(annotations=WRITES)
    @reports_errors
    def new_project(
        name: NameArg,
        folder_name: FolderArg = None,
        database: DatabaseArg = "sqlite",
        docker: DockerArg = True,
        git: GitArg = True,
        force: NewForceArg = False,
        formatter: FormatterArg = None,
        diffs: DiffsArg = False,
    ) -> models.PlanResult:
        """Create a new project, as `blueprintgen new project NAME`: refuses a folder with files in
        it unless force; returns the files written and what to run next."""
        return new_project_plan(True, name, folder_name, database, docker, git, force, formatter, diffs)

    def resource_plan(
        apply: bool,
        name: str | None,
        fields: list[str],
        spec_file: str | None,
        methods: Sequence[str] | None,
        auth_required: bool,
        plural: str | None,
        mcp_style: str | None,
        mcp: bool | Sequence[str] | None,
        owned: bool,
        replace: bool,
        project: str,
        options: tuple[str | None, bool, bool, str],
        diffs: bool,
        soft_delete: bool = False,
    ) -> models.PlanResult:
        from blueprintgen.errors import as_usage_error
        from blueprintgen.fieldspec import FieldSpecError
        from blueprintgen.project import PROJECT_FILE

        warnings: list[str] = []
        formatter, force, restore, conflict = options
        try:
            plan = operations.add_resources(
                folder.start(project),
                name,
                fields=fields,
                spec=folder.path(spec_file) if spec_file is not None else None,
                methods=",".join(methods) if methods is not None else None,
                auth_required=auth_required,
                plural=plural,
                mcp_style=mcp_style,
                mcp=mcp,
                owned=owned,
                soft_delete=soft_delete,
                replace=replace,
                options=write_options(warnings, formatter, force=force, restore=restore, conflict=conflict),
            )
        except FieldSpecError as error:
            if error.path is not None and Path(error.path).name == PROJECT_FILE:
                raise
            raise as_usage_error(error) from None
        extra = {"resources": list(plan.resources), "changed_resources": list(plan.changed)}
        return carry_out(folder, plan, warnings, apply=apply, diffs=diffs, extra=extra)

    @server.tool(annotations=READS)
    @reports_errors
    def plan_add_resource(
        name: ResourceNameArg = None,
        fields: FieldsArg = [],  # noqa: B006 (pydantic copies a default; it is never mutated)
        spec_file: SpecFileArg = None,
        methods: MethodsArg = None,
        auth_required: AuthArg = True,
        plural: PluralArg = None,
        mcp_style: McpStyleArg = None,
        mcp: McpArg = None,
        owned: OwnedArg = False,
        soft_delete: SoftDeleteArg = False,
        replace: ReplaceArg = False,
        project: ProjectArg = ".",
        formatter: FormatterArg = None,
        force: ForceArg = False,
        restore: RestoreArg = False,
        conflict: ConflictArg = "stop",
        diffs: DiffsArg = True,
    ) -> models.PlanResult:
        """Plan adding a resource through every layer (model, table, repository, service, REST
        routes, MCP tools, migration, tests), or changing one (replace): each file with its diff.
        Writes nothing."""
        return resource_plan(
            False, name, fields, spec_file, methods, auth_required, plural, mcp_style, mcp, owned, replace, project,
            (formatter, force, restore, conflict), diffs, soft_delete,
        )  # fmt: skip

    @server.tool(annotations=WRITES)
    @reports_errors
    def add_resource(
        name: ResourceNameArg = None,
        fields: FieldsArg = [],  # noqa: B006 (pydantic copies a default; it is never mutated)
        spec_file: SpecFileArg = None,
        methods: MethodsArg = None,
        auth_required: AuthArg = True,
        plural: PluralArg = None,
        mcp_style: McpStyleArg = None,
        mcp: McpArg = None,
        owned: OwnedArg = False,
        soft_delete: SoftDeleteArg = False,
        replace: ReplaceArg = False,
        project: ProjectArg = ".",
        formatter: FormatterArg = None,
        force: ForceArg = False,
        restore: RestoreArg = False,
        conflict: ConflictArg = "stop",
        diffs: DiffsArg = False,
    ) -> models.PlanResult:
        """Add a resource through every layer, or change one (replace), as `blueprintgen add
        resource`: your edits are merged; a clash stops it with the hunks, nothing written."""
        return resource_plan(
            True, name, fields, spec_file, methods, auth_required, plural, mcp_style, mcp, owned, replace, project,
            (formatter, force, restore, conflict), diffs, soft_delete,
        )  # fmt: skip

    def removal_plan(
        apply: bool, name: str, project: str, formatter: str | None, force: bool, diffs: bool
    ) -> models.PlanResult:
        warnings: list[str] = []
        plan = operations.remove_resource(
            folder.start(project), name, options=write_options(warnings, formatter, force=force)
        )
        extra = {"resources": [plan.resource], "dropped_by": plan.dropped, "kept": list(plan.kept)}
        return carry_out(folder, plan, warnings, apply=apply, diffs=diffs, extra=extra)

    @server.tool(annotations=READS)
    @reports_errors
    def plan_remove_resource(
        name: RemovedNameArg,
        project: ProjectArg = ".",
        formatter: FormatterArg = None,
        force: RemoveForceArg = False,
        diffs: DiffsArg = True,
    ) -> models.PlanResult:
        """Plan removing a resource: the files only it generates go (those you edited stay, listed
        in kept), its migrations stay and a new one drops its table; refused while another resource
        refers to it. Writes nothing."""
        return removal_plan(False, name, project, formatter, force, diffs)

    @server.tool(annotations=WRITES)
    @reports_errors
    def remove_resource(
        name: RemovedNameArg,
        project: ProjectArg = ".",
        formatter: FormatterArg = None,
        force: RemoveForceArg = False,
        diffs: DiffsArg = False,
    ) -> models.PlanResult:
        """Remove a resource, as `blueprintgen remove resource NAME --yes`; dropped_by names the
        migration that drops its table (apply it with `alembic upgrade head`)."""
        return removal_plan(True, name, project, formatter, force, diffs)

    def generate_plan(
        apply: bool,
        blueprint: str,
        sets: list[str],
        into: str | None,
        project: str,
        options: tuple[str | None, bool, bool, str],
        diffs: bool,
    ) -> models.PlanResult:
        warnings: list[str] = []
        formatter, force, restore, conflict = options
        plan = operations.generate_blueprint(
            folder.start(project),
            blueprint,
            sets,
            into=folder.start(into) if into is not None else None,
            options=write_options(warnings, formatter, force=force, restore=restore, conflict=conflict),
        )
        return carry_out(folder, plan, warnings, apply=apply, diffs=diffs)

    @server.tool(annotations=READS)
    @reports_errors
    def plan_generate(
        blueprint: BlueprintArg,
        sets: SetsArg = [],  # noqa: B006 (pydantic copies a default; it is never mutated)
        into: IntoArg = None,
        project: ProjectArg = ".",
        formatter: FormatterArg = None,
        force: ForceArg = False,
        restore: RestoreArg = False,
        conflict: ConflictArg = "stop",
        diffs: DiffsArg = True,
    ) -> models.PlanResult:
        """Plan rendering one blueprint and what it depends on (in a project, parameters not set
        come from blueprintgen.yaml): each file with its diff. Writes nothing."""
        return generate_plan(
            False, blueprint, sets, into, project, (formatter, force, restore, conflict), diffs
        )

    @server.tool(annotations=RERUNS)
    @reports_errors
    def generate(
        blueprint: BlueprintArg,
        sets: SetsArg = [],  # noqa: B006 (pydantic copies a default; it is never mutated)
        into: IntoArg = None,
        project: ProjectArg = ".",
        formatter: FormatterArg = None,
        force: ForceArg = False,
        restore: RestoreArg = False,
        conflict: ConflictArg = "stop",
        diffs: DiffsArg = False,
    ) -> models.PlanResult:
        """Render one blueprint and what it depends on, as `blueprintgen generate`: your edits are
        merged; a clash stops it with the hunks, nothing written."""
        return generate_plan(
            True, blueprint, sets, into, project, (formatter, force, restore, conflict), diffs
        )

    def upgrade_plan(
        apply: bool, project: str, options: tuple[str | None, bool, bool, str], diffs: bool
    ) -> models.PlanResult:
        warnings: list[str] = []
        formatter, force, restore, conflict = options
        plan = operations.upgrade_project(
            folder.start(project),
            write_options(warnings, formatter, force=force, restore=restore, conflict=conflict),
        )
        changes = [models.VersionChange(instance=i, was=old, now=new) for i, old, new in plan.version_changes]
        return carry_out(folder, plan, warnings, apply=apply, diffs=diffs, extra={"version_changes": changes})

    @server.tool(annotations=READS)
    @reports_errors
    def plan_upgrade(
        project: ProjectArg = ".",
        formatter: FormatterArg = None,
        force: ForceArg = False,
        restore: RestoreArg = False,
        conflict: ConflictArg = "stop",
        diffs: DiffsArg = True,
    ) -> models.PlanResult:
        """Plan re-rendering the whole project from blueprintgen.yaml with the installed blueprints
        (create, update, merge, conflict, remove, ...) and the blueprint versions that changed.
        Writes nothing."""
        return upgrade_plan(False, project, (formatter, force, restore, conflict), diffs)

    @server.tool(annotations=RERUNS)
    @reports_errors
    def upgrade(
        project: ProjectArg = ".",
        formatter: FormatterArg = None,
        force: ForceArg = False,
        restore: RestoreArg = False,
        conflict: ConflictArg = "stop",
        diffs: DiffsArg = False,
    ) -> models.PlanResult:
        """Re-render the whole project, as `blueprintgen upgrade --yes`: your edits are merged; a
        clash stops it with the hunks, nothing written."""
        return upgrade_plan(True, project, (formatter, force, restore, conflict), diffs)
