"""A project's resources: add them, or give existing ones other fields or options.

Every resource operation is an edit of the project file's ``resources:`` followed by one
plan: the edit keeps each table's schema history in step (a changed field list is a new
migration), then ``_plan_resources`` renders the resources the edit touched together
with the new project file. Removing a resource is one more such edit, in
:mod:`blueprintgen.operations.remove`; its plan is the whole project's with pruning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprintgen.errors import ConflictError
from blueprintgen.operations.plans import Plan, WriteOptions, holding, prepare

if TYPE_CHECKING:
    from blueprintgen.pipeline import Run as PipelineRun
    from blueprintgen.plan import FileChange
    from blueprintgen.project import ProjectFile


class ResourceChangeRefused(ConflictError):
    """Resources that exist would get other fields or options, and that was not asked for.

    Carries the plan of the change (``changes``) so that it can be reviewed first.
    """

    def __init__(self, names: Sequence[str], changes: list[FileChange], *, path: Path) -> None:
        self.names = tuple(names)
        self.changes = changes
        super().__init__(
            f"{', '.join(names)} already exists with other fields or options; nothing was written",
            path=path,
            hint="the diff above shows what would change; add --replace to apply it "
            "(your edits to generated files are merged; --force would overwrite them)",
        )


@dataclass(frozen=True, kw_only=True)
class ResourcePlan(Plan):
    """A planned resource edit."""

    resources: tuple[str, ...]
    """The resources the plan generates, in the order asked for."""
    changed: tuple[str, ...] = ()
    """Those that existed with other fields or options (a new migration each, when their fields changed)."""


def add_resources(
    start: Path,
    name: str | None = None,
    *,
    fields: Sequence[str] = (),
    spec: Path | None = None,
    methods: str | None = None,
    auth_required: bool = True,
    plural: str | None = None,
    mcp_style: str | None = None,
    mcp: bool | Sequence[str] | None = None,
    owned: bool = False,
    soft_delete: bool = False,
    replace: bool = False,
    options: WriteOptions | None = None,
) -> ResourcePlan:
    """Plan adding resource NAME (or every resource of the ``spec`` file) to the project at or above ``start``.

    ``fields`` are field specs (``price:decimal``); without them a resource that exists
    keeps its recorded fields and a new one gets the default fields. ``methods`` is a
    comma-separated subset of create,list,read,update,delete; ``mcp`` which of them are also
    MCP tools (None: all; False: none; a list); ``owned`` gives each row to the user who
    created it (other users cannot reach it); ``soft_delete`` makes a delete mark the row
    deleted (restorable, listed to administrators). A resource that exists with
    other fields or options is changed only with ``replace`` (or ``options.force``);
    otherwise ResourceChangeRefused carries the plan of the change.
    """
    from blueprintgen.project import PROJECT_FILE, ProjectFile

    options = options or WriteOptions()
    root = _project_root(start)
    # Under the lock from the first read: a concurrent run cannot number the same migration
    # or write a project file that lacks this run's resources.
    with holding(root, options) as lock:
        project = ProjectFile.read(root)
        entries = _entries(
            project,
            name,
            list(fields),
            spec,
            methods,
            auth_required,
            plural,
            mcp_style,
            mcp,
            owned,
            soft_delete,
        )
        soft_before = {key: bool(entry.get("soft_delete")) for key, entry in project.resources.items()}
        changed = _record(project, entries)
        names = [entry["resource"] for entry in entries]
        flipped = [
            key
            for key in names
            if soft_before.get(key, False) != bool(project.resources[key].get("soft_delete"))
        ]
        run = _plan_resources(root, project, names, options, also=_referring(project, flipped))
        if changed and not (replace or options.force):
            raise ResourceChangeRefused(changed, run.changes, path=root / PROJECT_FILE)
        return ResourcePlan(run, resources=tuple(names), changed=tuple(changed), lock=lock)


def _project_root(start: Path) -> Path:
    from blueprintgen.errors import ProjectError
    from blueprintgen.project import PROJECT_FILE, find_root

    root = find_root(start)
    if root is None:
        raise ProjectError(
            f"no {PROJECT_FILE} here or above; `add resource` works inside a generated project",
            path=start,
            hint="cd into the project, or create one with `blueprintgen new project NAME`",
        )
    return root


def _entries(
    project: ProjectFile,
    name: str | None,
    fields: list[str],
    spec: Path | None,
    methods: str | None,
    auth_required: bool,
    plural: str | None,
    mcp_style: str | None,
    mcp: bool | Sequence[str] | None = None,
    owned: bool = False,
    soft_delete: bool = False,
) -> list[dict[str, Any]]:
    """The resources asked for, each checked: name, plural, parsed fields and options."""
    from blueprintgen import fieldspec, naming
    from blueprintgen.errors import UsageError
    from blueprintgen.project import ACCOUNT_RESOURCE, SOFT_DELETE, mcp_problem, soft_delete_problem

    known = {key: str(value.get("plural") or key) for key, value in project.resources.items()}
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
        recorded = [str(spec) for spec in project.resources.get(resource, {}).get("fields") or []]
        accounts = resource == ACCOUNT_RESOURCE  # built-in columns: no default fields
        specs = fields or recorded or ([] if accounts else list(fieldspec.DEFAULT_FIELD_SPECS))
        parsed = (
            fieldspec.parse_fields(
                specs, resource=resource, plural=table, resources={**known, resource: table}
            )
            if specs
            else []
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
        if not auth_required:
            entry["auth_required"] = False
        if mcp_style is not None:
            entry["mcp_style"] = mcp_style
        if mcp is not None:
            entry["mcp"] = mcp if isinstance(mcp, bool) else list(mcp)
        problem = mcp_problem(entry)
        if problem:
            raise UsageError(
                f"resource {entry['resource']!r}: {problem}", hint="--mcp-methods takes a subset of --methods"
            )
        if owned:
            entry["owned"] = True
        _check_owned(entry)
        if soft_delete:
            entry[SOFT_DELETE] = True
        problem = soft_delete_problem(entry["resource"], entry)
        if problem:
            raise UsageError(
                f"resource {entry['resource']!r}: {problem}; nothing was written",
                hint="--soft-delete needs the delete method among --methods and auth, "
                "is not available for `user`, and is not combined with --owned yet",
            )
    return resources


def _check_owned(entry: dict[str, Any]) -> None:
    """An owned resource is not the accounts, and requires authentication."""
    from blueprintgen.errors import UsageError
    from blueprintgen.project import ACCOUNT_RESOURCE

    if not entry.get("owned"):
        return
    if entry["resource"] == ACCOUNT_RESOURCE:
        raise UsageError(
            "--owned is not available for `user`: it is the accounts table itself, whose rows belong "
            "to no other account; nothing was written",
            hint="make the resources your users create owned, e.g. `blueprintgen add resource note --owned`",
        )
    if entry.get("auth_required") is False:
        raise UsageError(
            f"resource {entry['resource']!r}: --owned needs authentication (each row is its caller's), "
            "so it cannot be combined with --no-auth (auth: false); nothing was written",
            hint="drop --no-auth, or --owned",
        )


def _record(project: ProjectFile, entries: list[dict[str, Any]]) -> list[str]:
    """Write the entries into the project file; the resources that existed with other fields or options.

    A new resource gets the migration that creates its table; a change of fields gets its
    migration from ``sync_fields`` (so do account fields, the accounts' table being there).
    """
    from blueprintgen.errors import UsageError
    from blueprintgen.project import ACCOUNT_RESOURCE, SOFT_DELETE, first_step, next_revision, schema_history

    changed: list[str] = []
    for entry in entries:
        key = entry["resource"]
        if key == ACCOUNT_RESOURCE:
            _check_account_resource(project, entry)
        if key == ACCOUNT_RESOURCE and key in project.removed:
            # The admin slice comes back with the migrations it had: no table was dropped.
            project.resources[key] = {**_project_record(entry), "schema": project.removed.pop(key)["schema"]}
            continue
        if key in project.removed:
            raise UsageError(
                f"{key!r} was removed from this project, and its migrations keep the name: "
                "a new resource needs another one",
                hint=f"choose another name; the plural may still be {project.removed[key].get('plural') or key!r}",
            )
        existing = project.resources.get(key)
        record = _project_record(entry)
        if existing is None:
            # The table as its migrations leave it; editing `fields` later adds a migration.
            # The accounts' table exists already: their slice's first migration adds no column.
            first = [] if key == ACCOUNT_RESOURCE else list(record["fields"])
            soft = bool(record.get(SOFT_DELETE))
            record["schema"] = [first_step(key, next_revision(project), first, soft_delete=soft)]
            project.resources[key] = record
            continue
        if _options_differ(existing, record):
            changed.append(key)
            _refuse_unfillable_columns(key, list(existing.get("fields") or []), entry)
        merged = {**existing, **record, "schema": schema_history(existing)}
        if "mcp" not in record:
            merged.pop("mcp", None)  # every method a tool again: the default, not written
        if "owned" not in record:
            merged.pop("owned", None)  # not owned: the default, not written
        if SOFT_DELETE not in record:
            merged.pop(SOFT_DELETE, None)  # deletes delete again (its migration drops deleted_at)
        project.resources[key] = merged
    return changed


def _options_differ(existing: dict[str, Any], record: dict[str, Any]) -> bool:
    from blueprintgen.project import SOFT_DELETE, mcp_methods

    if mcp_methods(existing) != mcp_methods(record):
        return True
    if (existing.get("owned") is True) != (record.get("owned") is True):
        return True
    if bool(existing.get(SOFT_DELETE)) != bool(record.get(SOFT_DELETE)):
        return True
    return any(
        existing.get(option) != value
        for option, value in record.items()
        if option not in ("mcp", "owned", SOFT_DELETE)
    )


def _project_record(entry: dict[str, Any]) -> dict[str, Any]:
    """How a resource is written into blueprintgen.yaml."""
    from blueprintgen import fieldspec

    return {
        "plural": entry["plural"],
        "fields": [fieldspec.to_spec_string(field) for field in entry["fields"]],
        "methods": list(entry.get("methods") or fieldspec.METHODS),
        "auth_required": bool(entry.get("auth_required", True)),
        "mcp_style": entry.get("mcp_style", "tools"),
        **_mcp_record(entry),
        **({"owned": True} if entry.get("owned") else {}),
        **({"soft_delete": True} if entry.get("soft_delete") else {}),
    }


def _mcp_record(entry: dict[str, Any]) -> dict[str, Any]:
    """The ``mcp`` option as blueprintgen.yaml keeps it: absent when every method is a tool."""
    from blueprintgen.project import mcp_methods

    exposed = mcp_methods(entry)
    if exposed == mcp_methods({"methods": entry.get("methods")}):
        return {}
    return {"mcp": exposed or False}


ACCOUNT_COLUMNS = {
    "id": "the accounts' integer primary key",
    "email": "the address users sign in with",
    "password": "what users sign in with (its hash is `hashed_password`)",
    "hashed_password": "the password's Argon2 hash",
    "full_name": "the accounts' built-in name field",
    "is_active": "the flag that lets a user sign in",
    "is_admin": "the flag that makes a user an administrator",
    "created_at": "the accounts' creation timestamp",
    "updated_at": "the accounts' last-change timestamp",
}
"""The accounts' built-in columns (and their password): no account field may take their names."""


def _check_account_resource(project: ProjectFile, entry: dict[str, Any]) -> None:
    """`user` is the project's account table: its fields are account fields, added to the
    table's built-in columns (which rows it has already: a required one needs a default)."""
    from blueprintgen.errors import UsageError
    from blueprintgen.project import ACCOUNT_RESOURCE, ACCOUNT_TABLE

    for field in entry["fields"]:
        name = str(field["name"])
        if name in ACCOUNT_COLUMNS:
            raise UsageError(
                f"account field {name!r} clashes with a built-in column of the users table "
                f"({ACCOUNT_COLUMNS[name]}); nothing was written",
                hint=f"give the field another name; the built-in columns are {', '.join(ACCOUNT_COLUMNS)}",
            )
    if entry.get("auth_required") is False:
        raise UsageError("`user` accounts are admin-only; --no-auth is not available for them")
    if entry["plural"] != ACCOUNT_TABLE:
        raise UsageError(f"`user` is the accounts table {ACCOUNT_TABLE!r}; --plural is not available for it")
    if ACCOUNT_RESOURCE not in project.resources:
        _refuse_unfillable_columns(ACCOUNT_RESOURCE, [], entry)


def _refuse_unfillable_columns(name: str, before: list[str], entry: dict[str, Any]) -> None:
    """A required field added to an existing table needs a default for the rows it has."""
    from blueprintgen.errors import UsageError
    from blueprintgen.project import ACCOUNT_RESOURCE

    known = {spec.split(":", 1)[0] for spec in before}
    table = (
        "the accounts (the users table)" if name == ACCOUNT_RESOURCE else f"the existing resource {name!r}"
    )
    for field in entry["fields"]:
        if field["name"] not in known and not field.get("optional") and "default" not in field:
            raise UsageError(
                f"adding the required field {field['name']!r} to {table} needs a "
                "value for the rows already in its table",
                hint=f"give it a default ({field['name']}:{field['type']}=...) or make it optional "
                f"({field['name']}:{field['type']}?)",
            )


def _referring(project: ProjectFile, targets: list[str]) -> list[str]:
    """The resources that refer to ``targets`` (none without targets)."""
    from blueprintgen.project import referring_to

    return referring_to(project, targets) if targets else []


def _plan_resources(
    root: Path, project: ProjectFile, names: list[str], options: WriteOptions, *, also: Sequence[str] = ()
) -> PipelineRun:
    """Plan the files of the resources ``names`` after an edit of the project file, and the file
    itself; ``also`` are more resources to render (those referring to a resource whose soft
    delete turned on or off: their reference checks follow it)."""
    from blueprintgen import catalog
    from blueprintgen.manifest import Manifest
    from blueprintgen.project import (
        ACCOUNT_RESOURCE,
        PROJECT_FILE,
        account_request,
        check_options,
        check_project,
        resource_requests,
        sync_fields,
    )

    # Fields only: a resource deleted from the file by hand is removed by a run over the
    # whole project (upgrade, remove resource), and check_project refuses it here.
    sync_fields(project)
    found = catalog.load(root)
    check_options(root, project, found)
    manifest = Manifest.read(root)
    check_project(project, manifest)
    rendered = [*names, *(name for name in also if name not in names)]
    requests = [request for name in rendered for request in resource_requests(project, name)]
    if ACCOUNT_RESOURCE in names:
        requests.append(account_request(project))  # its account fields are in the project's files
    extra = {PROJECT_FILE: project.to_yaml()}
    return prepare(root, found, requests, options, extra_files=extra, manifest=manifest)
