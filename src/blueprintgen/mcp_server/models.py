"""What the tools return: pydantic models, whose JSON Schemas are the tools' output schemas.

Each model is built from the core's own values by a ``from_*`` function here, so the
tools stay a thin layer: paths are strings (relative to the served folder where they
are the project's), messages are the CLI's text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from blueprintgen.blueprint import Blueprint
    from blueprintgen.errors import BlueprintgenError
    from blueprintgen.plan import FileChange


class Problem(BaseModel):
    """One problem, where it is and what to do about it."""

    message: str = Field(description="What is wrong, without the location.")
    file: str | None = Field(description="The file it is in, when it is in one.")
    line: int | None = Field(description="Line in that file (from 1).")
    column: int | None = Field(description="Column in that line (from 1).")
    pointer: str | None = Field(description="JSON pointer into the document (e.g. /parameters/port).")
    blueprint: str | None = Field(description="The blueprint (or instance) concerned.")
    hint: str | None = Field(description="What to do about it.")
    text: str = Field(description="The whole message exactly as the blueprintgen command prints it.")


def problem(error: BlueprintgenError) -> Problem:
    """The structured form of one error of the core."""
    return Problem(
        message=error.message,
        file=error.path,
        line=error.line,
        column=error.column,
        pointer=error.pointer,
        blueprint=error.blueprint,
        hint=error.hint,
        text=error.format(),
    )


def problems(error: BlueprintgenError) -> list[Problem]:
    """Each problem an error carries (a collection carries several)."""
    from blueprintgen.errors import ProblemsFound

    found = error.problems if isinstance(error, ProblemsFound) else [error]
    return [problem(each) for each in found]


# --- blueprints ------------------------------------------------------------------------


class BlueprintSummary(BaseModel):
    """One blueprint, as `blueprintgen list` shows it."""

    name: str
    category: str
    version: str
    description: str
    source: str = Field(description="Where it comes from: built-in, project or path.")
    path: str = Field(description="The blueprint's JSON file.")
    overrides: str | None = Field(
        None, description="The source of the blueprint of the same name this one replaces, if any."
    )


class BlueprintList(BaseModel):
    """Every blueprint the served folder can use."""

    blueprints: list[BlueprintSummary]


class ParameterInfo(BaseModel):
    """One typed input of a blueprint."""

    name: str
    type: str = Field(description="string, integer, number, boolean, array or object.")
    required: bool
    has_default: bool
    default: Any = Field(None, description="The default value (meaningful when has_default).")
    description: str
    enum: list[Any] | None = Field(None, description="The allowed values, when restricted.")
    pattern: str | None = Field(None, description="A regular expression a string value must match.")
    examples: list[Any] = Field(default_factory=list)


class GeneratedPath(BaseModel):
    """One file a blueprint writes."""

    path: str = Field(description="Path pattern in the project ({placeholders} filled from parameters).")
    template: str | None = Field(description="Template file it renders; None: the embedded code.")
    template_uri: str | None = Field(description="MCP resource holding that template's text.")
    condition: str | None = Field(description="Written only when this expression holds.")


class BlueprintDetail(BlueprintSummary):
    """A blueprint in full, as `blueprintgen show` describes it."""

    parameters: list[ParameterInfo]
    depends_on: list[str] = Field(description="Blueprints it needs (generated with it).")
    generates: list[GeneratedPath]
    packages: list[str] = Field(description="Python packages the generated code needs.")
    imports: list[str]
    required_files: list[str]
    test_requirements: list[str]
    performance_targets: dict[str, str]
    condition: str | None = Field(description="Generated only when this expression holds.")
    embedded_code: str | None = Field(description="The blueprint's inline template, if it has one.")
    json_uri: str = Field(description="MCP resource holding the blueprint's JSON.")


def template_uri(template: str) -> str:
    """The MCP resource of a template file, by its path in the templates folders."""
    return f"blueprintgen://templates/{template}"


def blueprint_uri(name: str) -> str:
    """The MCP resource of a blueprint's JSON."""
    return f"blueprintgen://blueprints/{name}"


def summary(blueprint: Blueprint, overridden: Blueprint | None) -> BlueprintSummary:
    return BlueprintSummary(
        name=blueprint.name,
        category=blueprint.category,
        version=blueprint.version,
        description=blueprint.description,
        source=blueprint.source.value,
        path=str(blueprint.path),
        overrides=overridden.source.value if overridden is not None else None,
    )


def detail(blueprint: Blueprint, overridden: Blueprint | None) -> BlueprintDetail:
    return BlueprintDetail(
        **summary(blueprint, overridden).model_dump(),
        parameters=[
            ParameterInfo(
                name=p.name,
                type=p.type,
                required=p.required,
                has_default=p.has_default,
                default=p.default,
                description=p.description,
                enum=list(p.enum) if p.enum is not None else None,
                pattern=p.pattern,
                examples=list(p.examples),
            )
            for p in blueprint.parameters.values()
        ],
        depends_on=list(blueprint.depends_on),
        generates=[
            GeneratedPath(
                path=item.path,
                template=item.template,
                template_uri=template_uri(item.template) if item.template else None,
                condition=item.condition,
            )
            for item in blueprint.outputs
        ],
        packages=list(blueprint.dependencies),
        imports=list(blueprint.imports),
        required_files=list(blueprint.required_files),
        test_requirements=list(blueprint.test_requirements),
        performance_targets=dict(blueprint.performance_targets),
        condition=blueprint.condition,
        embedded_code=blueprint.embedded_code,
        json_uri=blueprint_uri(blueprint.name),
    )


class Edge(BaseModel):
    """One relationship: ``dependent`` depends on ``dependency``."""

    dependent: str
    dependency: str


class BlueprintGraph(BaseModel):
    """A dependency graph of blueprints (or, resolved, of blueprint instances)."""

    nodes: list[str]
    edges: list[Edge]
    roots: list[str] = Field(description="What nothing else depends on.")
    tree: str = Field(description="The graph as `blueprintgen graph` prints it.")
    mermaid: str = Field(description="The graph as a Mermaid flowchart.")


# --- projects --------------------------------------------------------------------------


class FieldInfo(BaseModel):
    """One field of a resource."""

    spec: str = Field(description="The field spec as blueprintgen.yaml records it (e.g. price:decimal=0).")
    name: str
    type: str
    column: str = Field(description="The table column (a ref's is NAME_id).")
    optional: bool
    unique: bool
    index: bool
    default: Any = Field(None, description="The default value, when has_default.")
    has_default: bool
    choices: list[str] | None = Field(None, description="An enum's members.")
    references: str | None = Field(None, description="The resource a ref points to.")
    on_delete: str | None = Field(
        None, description="What deleting the referenced row does (CASCADE, SET NULL)."
    )


class Reference(BaseModel):
    """A reference field: ``field`` of ``resource`` points to a row of ``target``."""

    resource: str
    field: str
    target: str
    on_delete: str = Field(description="What deleting the referenced row does (CASCADE, SET NULL).")


class ResourceInfo(BaseModel):
    """One resource of the project, as `blueprintgen resources` lists it."""

    name: str
    plural: str = Field(description="Table and route name.")
    path: str = Field(description="Its REST path.")
    accounts: bool = Field(
        description="The accounts' admin slice (user): its table and built-in columns belong to the "
        "project; its fields are the account fields added to them."
    )
    fields: list[FieldInfo]
    methods: list[str]
    auth_required: bool
    mcp_style: str
    mcp_methods: list[str] = Field(
        default_factory=list, description="The methods also served as MCP tools (none: REST only)."
    )
    owned: bool = Field(
        default=False, description="Each row belongs to the user who created it (administrators see all)."
    )
    soft_delete: bool = Field(
        default=False, description="Deletes mark rows deleted: restorable, listed to administrators."
    )
    migrations: list[str] = Field(
        description="Its table's migration revisions: the create, then each change."
    )
    references: list[Reference] = Field(description="Its fields that point to other resources.")
    referenced_by: list[Reference] = Field(
        description="Fields of other resources that point to it (while any do, it cannot be removed)."
    )


class RemovedResource(BaseModel):
    """A resource removed from the project: the migrations it keeps, and the one dropping its table."""

    name: str
    plural: str
    migrations: list[str]
    dropped: str | None


class FileDrift(BaseModel):
    """A generated file that is not as blueprintgen would generate it now."""

    path: str
    state: str = Field(description="edited by you, newer blueprint output, missing, ...")
    out_of_sync: bool = Field(description="Whether `upgrade` has work to do (or you must act).")
    hint: str | None
    instance: str = Field(description="The blueprint instance that generates it.")


class Drift(BaseModel):
    """How the project's generated files stand against a regeneration."""

    in_sync: bool = Field(description="No file is out of sync (edits of yours that upgrades keep are fine).")
    counts: dict[str, int] = Field(description="How many files are in each state.")
    files: list[FileDrift] = Field(description="Every file not in sync, in path order.")


class ProjectDescription(BaseModel):
    """A generated project: what blueprintgen.yaml records, and how its files stand."""

    project: str = Field(description="The project folder, relative to the served folder.")
    name: str
    package: str
    options: dict[str, Any] = Field(description="The project's options (db, docker, ...).")
    blueprintgen_version: str = Field(description="The blueprintgen version that last wrote it.")
    resources: list[ResourceInfo]
    removed: list[RemovedResource]
    drift: Drift | None = Field(description="The files' state (None when not asked for).")


# --- plans -----------------------------------------------------------------------------


class PlannedFile(BaseModel):
    """One file's planned change."""

    path: str = Field(description="Path in the project.")
    action: str = Field(
        description="create, update, merge, unchanged, kept edit, conflict, conflict markers, overwrite, "
        "kept deleted, remove, kept orphan or forget."
    )
    state: str = Field(description="How the file stands against the new output.")
    reason: str = Field(description="Why, in a few words (empty when the action says it all).")
    diff: str | None = Field(
        description="Unified diff of what is written (or what clashes); None when not asked."
    )
    conflicts: list[str] = Field(description="The hunks where your edits and the new output clash.")


class VersionChange(BaseModel):
    """A blueprint whose version differs from the one that wrote the project."""

    instance: str
    was: str
    now: str


class PlanResult(BaseModel):
    """A plan (nothing written), or what applying it wrote."""

    project: str = Field(description="The project folder, relative to the served folder.")
    applied: bool = Field(description="Whether the plan was applied (written lists what that wrote).")
    summary: str = Field(description="How many files each action touches, as the CLI's plan line says.")
    files: list[PlannedFile] = Field(description="Every file that is not unchanged, in path order.")
    unchanged: int = Field(description="How many generated files stay as they are.")
    warnings: list[str]
    written: list[str] = Field(description="The files written or removed (empty for a plan).")
    conflicts: bool = Field(description="Whether applying stops: your edits and the new output clash.")
    next_steps: list[str] = Field(
        default_factory=list, description="A new project: the commands to run next."
    )
    version_changes: list[VersionChange] = Field(default_factory=list)
    resources: list[str] = Field(
        default_factory=list, description="The resources the plan generates (or removes)."
    )
    changed_resources: list[str] = Field(
        default_factory=list, description="Those that existed with other fields or options."
    )
    dropped_by: str | None = Field(
        None, description="A removal: the revision of the migration that drops the resource's table."
    )
    kept: list[str] = Field(
        default_factory=list,
        description="A removal: the resource's files kept because you edited them (force removes them).",
    )


def planned_file(change: FileChange, *, diffs: bool) -> PlannedFile:
    return PlannedFile(
        path=change.path,
        action=change.action.value,
        state=change.state.value,
        reason=change.reason,
        diff=change.diff() if diffs and change.action.shows_diff else None,
        conflicts=[hunk.rstrip() for hunk in change.conflicts],
    )


# --- checks ----------------------------------------------------------------------------


class CheckedBlueprint(BaseModel):
    name: str
    source: str
    problems: int


class ValidationReport(BaseModel):
    """What `blueprintgen validate` finds, as data."""

    valid: bool = Field(description="No problem found (the command would exit 0).")
    summary: str = Field(description="The command's summary line.")
    blueprints: list[CheckedBlueprint]
    problems: list[Problem] = Field(description="Every problem: the blueprints', then each file out of sync.")
    in_project: bool
    edited: list[str] = Field(description="Project files edited by you, which an upgrade keeps.")
