"""The project file (blueprintgen.yaml): a generated project's options and resources."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprintgen.errors import BlueprintgenError, LoadError, ProjectError, line_of, position_of

if TYPE_CHECKING:
    from blueprintgen.catalog import Catalog
    from blueprintgen.manifest import Manifest

PROJECT_FILE = "blueprintgen.yaml"
STATE_DIR = ".blueprintgen"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a blueprintgen project."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file() or (folder / STATE_DIR).is_dir():
            return folder
    return None


def project_dir(start: Path) -> Path:
    """The project root when inside one, else ``start`` itself."""
    return find_root(start) or start.resolve()


@dataclass
class ProjectFile:
    """What blueprintgen.yaml records, and the text it was read from (rewritten in place)."""

    name: str
    package: str
    options: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    blueprintgen: str = ""
    removed: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Resources removed from the project, each with the history of its table: their
    migrations stay in the chain (see :func:`record_removal`)."""
    source: str | None = field(default=None, repr=False, compare=False)
    """The file's text as read; None for a new project."""
    path: Path = field(default=Path(PROJECT_FILE), repr=False, compare=False)
    """Where the file is (for messages)."""
    _read: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def data(self) -> dict[str, Any]:
        """The values blueprintgen owns, as the file holds them."""
        return {
            "blueprintgen": self.blueprintgen,
            "project": {"name": self.name, "package": self.package, **self.options},
            "resources": self.resources,
            **({"removed": self.removed} if self.removed else {}),
        }

    def to_yaml(self) -> str:
        """The file's text: the text read, with what changed put in place (comments, key
        order and the user's own top-level keys kept); for a new project, a fresh file."""
        data = self.data()
        if self.source is None:
            return _fresh_yaml(data)
        if data == self._read:
            return self.source
        if self.source == _fresh_yaml(self._read):
            # Nothing of the user's in it (no comment, key or layout of their own): written
            # afresh, in milliseconds, where a round trip would cost ~10 ms per resource.
            return _fresh_yaml(data)
        from blueprintgen import project_yaml

        return project_yaml.rewrite(self.source, data)

    @classmethod
    def read(cls, root: Path) -> ProjectFile:
        """Parse the project's blueprintgen.yaml, checked against schemas/project.schema.json."""
        import copy

        import yaml

        from blueprintgen import project_yaml

        path = root / PROJECT_FILE
        if not path.is_file():
            raise missing_project_file(root)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise LoadError(f"the file is not UTF-8 text ({error.reason})", path=path) from None
        except OSError as error:
            raise LoadError(f"the file cannot be read ({error.strerror or error})", path=path) from None
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            data = yaml.load(text, Loader=loader)
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or error
            raise LoadError(f"invalid YAML: {problem}", path=path, **position_of(error, text)) from None
        project_yaml.check(data, text, path)
        project = data["project"]
        options = {key: value for key, value in project.items() if key not in {"name", "package"}}
        resources = data.get("resources") or {}
        removed = data.get("removed") or {}
        read = cls(
            name=str(project["name"]),
            package=str(project["package"]),
            options=options,
            resources={str(key): dict(value or {}) for key, value in resources.items()},
            blueprintgen=str(data.get("blueprintgen") or ""),
            removed={str(key): dict(value or {}) for key, value in removed.items()},
            source=text,
            path=path,
        )
        read._read = copy.deepcopy(read.data())
        return read


def missing_project_file(root: Path) -> ProjectError:
    """The error for a project without its blueprintgen.yaml, worded for where ``root`` stands."""
    if (root / STATE_DIR).is_dir():
        return ProjectError(
            f"{PROJECT_FILE} is missing: this folder is a blueprintgen project ({STATE_DIR}/ is here), "
            "but the file it is generated from is gone",
            path=root / PROJECT_FILE,
            hint=f"restore it, e.g. `git checkout -- {PROJECT_FILE}`; every command needs it",
        )
    return ProjectError(
        f"no {PROJECT_FILE} here or in any parent folder; this is not a blueprintgen project",
        path=root,
        hint="run `blueprintgen new project NAME` first, or cd into the project",
    )


_HEADER = (
    "# blueprintgen project file: the options and resources this project was generated from.\n"
    "# Edit it and run `blueprintgen upgrade`, or use `blueprintgen add resource`.\n"
)


def _fresh_yaml(data: Any) -> str:
    """The project file as blueprintgen writes it anew: its header, then ``data``."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: same text, faster
    return _HEADER + str(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100))


PROJECT_BLUEPRINT = "project"
RESOURCE_BLUEPRINT = "resource"
SCHEMA_CHANGE_BLUEPRINT = "resource-schema"
MIGRATION_BLUEPRINT = "resource-migration"
DROP_BLUEPRINT = "resource-drop"
FIRST_REVISION = "0001"
ACCOUNT_RESOURCE = "user"
"""The resource that is the project's account table. The project blueprint creates the
table with its built-in columns; the resource's ``fields`` are account fields the project
blueprint adds to it (``account_fields``), each change a migration of the table."""
ACCOUNT_TABLE = "users"
ACCOUNT_BLUEPRINT = "project-users"
"""The project blueprint that generates the accounts' table model, contracts and service."""
OAUTH_REVISION = "oauth_revision"
"""The project option naming the migration that creates the OAuth tables (clients, codes,
tokens). A new project gets the revision after ``0001``; a project generated before the
tables existed gets the next free one when it is upgraded, so no applied migration moves."""


SEARCH_INDEXES = "search_indexes"
"""The key of the schema-history step whose migration created the table's search
indexes (lower(column) of each string field, for the list's prefix search ``q``)."""

SORT_INDEXES = "sort_indexes"
"""The key of the schema-history step whose migration created the table's (column, id)
sort indexes."""

SOFT_DELETE = "soft_delete"
"""The resource option (and the key of the schema-history step whose migration turned it on,
or off with false) of a soft-deleted table: ``deleted_at``, partial unique indexes."""

RESOURCE_OPTIONS = ("plural", "methods", "auth_required", "mcp_style", SOFT_DELETE)
"""Options of a resource in the project file that go, as they are, to the resource blueprint."""


def mcp_methods(entry: Mapping[str, Any]) -> list[str]:
    """The methods a resource also serves as MCP tools: its ``mcp`` option (absent or true:
    every method of ``methods``; false: none; a list: those of ``methods`` it names)."""
    from blueprintgen.fieldspec import METHODS

    methods = [m for m in METHODS if m in (entry.get("methods") or METHODS)]
    exposed = entry.get("mcp")
    if exposed is None or exposed is True:
        return methods
    if exposed is False:
        return []
    return [m for m in methods if m in exposed]


def mcp_problem(entry: Mapping[str, Any]) -> str | None:
    """What is wrong with a resource's ``mcp`` option, or None."""
    from blueprintgen.fieldspec import METHODS

    exposed = entry.get("mcp")
    if exposed is None or isinstance(exposed, bool):
        return None
    if not isinstance(exposed, list) or not all(isinstance(m, str) for m in exposed):
        return "mcp takes true, false or a list of methods, e.g. [list, read]"
    unknown = [m for m in exposed if m not in METHODS]
    if unknown:
        return f"mcp names {unknown[0]!r}, which is not a method ({', '.join(METHODS)})"
    methods = list(entry.get("methods") or METHODS)
    missing = [m for m in exposed if m not in methods]
    if missing:
        return (
            f"mcp names {missing[0]!r}, which is not among the resource's methods ({', '.join(methods)}): "
            "MCP serves a subset of what the resource offers"
        )
    if len(set(exposed)) != len(exposed):
        return "mcp lists a method twice"
    return None


def owned(entry: Mapping[str, Any]) -> bool:
    """Whether a resource's rows belong to the users who created them (its ``owned`` option)."""
    return entry.get("owned") is True


def owned_problem(project: ProjectFile, name: str) -> tuple[str, str] | None:
    """What is wrong with resource ``name``'s ``owned`` option, or with its references to
    owned resources, and the key it is at; None when nothing is."""
    entry = project.resources[name]
    if owned(entry) and name == ACCOUNT_RESOURCE:
        return (
            "`user` is the accounts table itself: its rows belong to no other account, so it cannot be owned",
            "owned",
        )
    if owned(entry) and entry.get("auth_required") is False:
        return (
            f"resource {name!r} is owned, so it needs authentication (its rows are the caller's): "
            "owned and auth_required: false exclude each other",
            "owned",
        )
    if entry.get("auth_required") is False:
        targets = _ref_targets(entry)
        for target in sorted(targets):
            if target in project.resources and owned(project.resources[target]):
                return (
                    f"resource {name!r} serves anyone (auth_required: false) but refers to the owned "
                    f"resource {target!r}, whose rows only their owners may see",
                    "fields",
                )
    return None


def _ref_targets(entry: Mapping[str, Any]) -> set[str]:
    """The resources the field specs of ``entry`` refer to (``NAME:ref:TARGET...``)."""
    found = set()
    for spec in entry.get("fields") or []:
        parts = str(spec).split(":")
        if len(parts) >= 3 and parts[1] == "ref":
            found.add(parts[2].split("=")[0].rstrip("?"))
    return found


def owned_targets(project: ProjectFile, name: str) -> list[str]:
    """The owned resources that resource ``name``'s references point to, sorted."""
    return sorted(
        target
        for target in _ref_targets(project.resources[name])
        if target in project.resources and owned(project.resources[target])
    )


def soft_delete_problem(name: str, entry: Mapping[str, Any]) -> str | None:
    """What is wrong with a resource's ``soft_delete`` option, or None."""
    from blueprintgen.fieldspec import METHODS

    if not entry.get(SOFT_DELETE):
        return None
    if name == ACCOUNT_RESOURCE:
        return (
            "soft_delete is not available for `user`: the accounts are deactivated "
            "(is_active), and their admin slice deletes them for good"
        )
    if "delete" not in (entry.get("methods") or METHODS):
        return "soft_delete needs the delete method (a soft delete is what the delete does)"
    if entry.get("auth_required") is False:
        return "soft_delete needs auth: only administrators list deleted rows"
    if owned(entry):
        # Restoring and listing deleted rows are not scoped to their owner yet: refused
        # rather than generated with a way to reach another user's rows.
        return "soft_delete and owned cannot be combined yet: choose one of them for this resource"
    return None


def soft_deleted(steps: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a table is soft-deleted (has ``deleted_at``) after ``steps`` of its history:
    the last step that says so decides."""
    for step in reversed(steps):
        if SOFT_DELETE in step:
            return bool(step[SOFT_DELETE])
    return False


def soft_deleted_targets(project: ProjectFile, name: str, fields: Sequence[Mapping[str, Any]]) -> list[str]:
    """The soft-deleted resources that ``fields`` of resource ``name`` refer to, each once."""
    found: list[str] = []
    for spec in fields:
        target = (spec.get("ref") or {}).get("resource")
        entry = project.resources.get(str(target)) if target else None
        if entry is not None and entry.get(SOFT_DELETE) and target not in found:
            found.append(str(target))
    return found


def referring_to(project: ProjectFile, targets: Sequence[str]) -> list[str]:
    """The other resources whose fields refer to one of ``targets`` (their repositories check
    references against a soft-deleted target's live rows, so they follow its soft_delete)."""
    found: list[str] = []
    for name, entry in project.resources.items():
        if name in targets or name == ACCOUNT_RESOURCE:
            continue
        fields = _fields(project, name, list(entry.get("fields") or []), ("resources", name, "fields"))
        if any((field.get("ref") or {}).get("resource") in targets for field in fields):
            found.append(name)
    return found


def check_options(root: Path, project: ProjectFile, catalog: Catalog) -> None:
    """Check every value of the project file that feeds a blueprint parameter (the project's
    name, package and options; each resource's name, options and migration revisions)
    against that parameter, so that a bad value is reported in blueprintgen.yaml, where it
    was written, and not in the blueprint it would reach."""
    from blueprintgen.params import problem
    from blueprintgen.project_yaml import shorten

    def parameters(name: str) -> dict[str, Any]:
        found = catalog.find(name)
        return dict(found[0].parameters) if found else {}

    # (where in the file, whether it is the key there, parameter, value, label)
    checks: list[tuple[tuple[str | int, ...], bool, str, Any, str]] = []
    project_parameters = parameters(PROJECT_BLUEPRINT)
    checks.append((("project", "name"), False, "project_name", project.name, "project name"))
    checks.append((("project", "package"), False, "package", project.package, "project package"))
    for key, value in project.options.items():
        checks.append((("project", key), False, key, value, f"project option {key!r}"))
    resource_parameters = parameters(RESOURCE_BLUEPRINT)
    for name, entry in project.resources.items():
        checks.append((("resources", name), True, "resource", name, f"resource name {name!r}"))
        for key in RESOURCE_OPTIONS:
            if key in entry and entry[key] is not None:
                checks.append((("resources", name, key), False, key, entry[key], f"resource {name!r}, {key}"))
        exposure = mcp_problem(entry)
        if exposure:
            raise project_error(project, f"resource {name!r}: {exposure}", ("resources", name, "mcp"))
        if "owned" in entry and not isinstance(entry["owned"], bool):
            raise project_error(
                project, f"resource {name!r}: owned is true or false", ("resources", name, "owned")
            )
        ownership = owned_problem(project, name)
        if ownership:
            raise project_error(project, ownership[0], ("resources", name, ownership[1]))
        soft = soft_delete_problem(name, entry) if isinstance(entry.get(SOFT_DELETE), bool) else None
        if soft:
            raise project_error(project, f"resource {name!r}: {soft}", ("resources", name, SOFT_DELETE))
        for index, step in enumerate(entry.get("schema") or []):
            revision = step.get("revision")
            label = f"resource {name!r}, migration revision"
            checks.append(
                (
                    ("resources", name, "schema", index, "revision"),
                    False,
                    "migration_revision",
                    revision,
                    label,
                )
            )
    for keys, is_key, parameter, value, label in checks:
        declared = (project_parameters if keys[0] == "project" else resource_parameters).get(parameter)
        reason = problem(declared, value) if declared is not None else None
        if reason:
            raise project_error(project, f"{label}: {shorten(reason, 300)}", keys, key=is_key)


def project_error(
    project: ProjectFile,
    message: str,
    keys: Sequence[str | int],
    *,
    key: bool = False,
    hint: str | None = None,
) -> ProjectError:
    """An error about the value at ``keys`` of the project file (its key, with ``key``), at its line."""
    from blueprintgen import project_yaml

    where = project_yaml.position(project.source, keys, key=key) if project.source else None
    line, column = where if where else (None, None)
    dotted = ".".join(str(part) for part in keys)
    return ProjectError(
        message,
        path=project.path,
        line=line,
        column=column,
        source_line=line_of(project.source, line),
        hint=hint or f"correct {dotted} in {PROJECT_FILE}",
    )


def check_project(project: ProjectFile, manifest: Manifest | None) -> None:
    """Refuse a project file whose project would not work (see :mod:`blueprintgen.integrity`),
    before anything is written; ``manifest`` records what was generated (None: nothing yet)."""
    from blueprintgen import integrity

    references: dict[str, set[str]] = {}
    for name, entry in project.resources.items():
        fields = _fields(project, name, list(entry.get("fields") or []), ("resources", name, "fields"))
        references[name] = {str(field["ref"]["resource"]) for field in fields if field.get("ref")}
    integrity.check(project, manifest, references=references)


def project_values(project: ProjectFile) -> dict[str, Any]:
    """Parameters of the project blueprint: its options, and the account fields the
    ``user`` resource gives the accounts table."""
    values = {"project_name": project.name, "package": project.package, **project.options}
    if project.options.get(OAUTH_REVISION):
        values["oauth_down_revision"] = down_revision(project, str(project.options[OAUTH_REVISION]))
    entry = project.resources.get(ACCOUNT_RESOURCE)
    specs = list(entry.get("fields") or []) if entry else []
    if specs:
        values["account_fields"] = _fields(
            project, ACCOUNT_RESOURCE, specs, ("resources", ACCOUNT_RESOURCE, "fields")
        )
    return values


def account_request(project: ProjectFile) -> Any:
    """The request that regenerates the project's account files (table model, contracts,
    service) from the account fields the project file records."""
    from blueprintgen.instances import Request

    return Request(ACCOUNT_BLUEPRINT, project_values(project))


def schema_history(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A resource's table history: the create migration, then each change, with its fields."""
    history = entry.get("schema")
    if isinstance(history, list) and history:
        return [dict(step) for step in history]
    return [{"revision": str(entry.get("revision") or ""), "fields": list(entry.get("fields") or [])}]


def revisions(project: ProjectFile) -> list[str]:
    """Every migration revision the project's resources own, removed ones' included, in order."""
    found = {FIRST_REVISION}
    if project.options.get(OAUTH_REVISION):
        found.add(str(project.options[OAUTH_REVISION]))
    for entry in [*project.resources.values(), *project.removed.values()]:
        found.update(str(step["revision"]) for step in schema_history(entry) if step.get("revision"))
    found.update(str(entry["dropped"]) for entry in project.removed.values() if entry.get("dropped"))
    return sorted(found)


def next_revision(project: ProjectFile) -> str:
    """The revision the next migration gets."""
    return f"{int(revisions(project)[-1]) + 1:04d}"


def down_revision(project: ProjectFile, revision: str) -> str:
    """The revision a migration follows: the one before it in the project's single chain."""
    earlier = [r for r in revisions(project) if r < revision]
    return earlier[-1] if earlier else FIRST_REVISION


def sync_schema(project: ProjectFile, manifest: Manifest) -> list[str]:
    """Bring the schema history up to the project file as edited: give every resource
    whose fields changed since its last migration a new one, and record every resource
    deleted from the file whose migrations ``manifest`` says were generated as removed (a
    migration drops its table, see :func:`record_removals`).

    A project that predates the OAuth tables gets their migration first, at the end of its
    chain (see :data:`OAUTH_REVISION`).

    Returns what got a migration (resources, and ``oauth``); existing migrations are never
    rewritten.
    """
    return sync_project_migrations(project) + sync_fields(project) + record_removals(project, manifest)


def sync_project_migrations(project: ProjectFile) -> list[str]:
    """Give the project's own OAuth migration a revision if it has none yet: ``["oauth"]`` then."""
    if project.options.get(OAUTH_REVISION):
        return []
    project.options[OAUTH_REVISION] = next_revision(project)
    return ["oauth"]


def sync_fields(project: ProjectFile) -> list[str]:
    """Give every resource whose fields changed since its last migration a new one.

    Returns the resources that got a migration (or, when added to the file by hand, their
    first one); existing migrations are never rewritten.
    """
    changed: list[str] = []
    for name, entry in project.resources.items():
        history = schema_history(entry)
        current = list(entry.get("fields") or [])
        planned = False
        if not history[0]["revision"]:
            # The accounts table exists already: its slice's first migration adds no column.
            first = [] if name == ACCOUNT_RESOURCE else current
            history = [
                first_step(name, next_revision(project), first, soft_delete=bool(entry.get(SOFT_DELETE)))
            ]
            entry["schema"] = history
            changed.append(name)
            planned = True
        if current != list(history[-1]["fields"]):
            history.append({"revision": next_revision(project), "fields": current})
            entry["schema"] = history
            planned = True
            if name not in changed:
                changed.append(name)
        if name != ACCOUNT_RESOURCE and not sort_indexed(history):
            # A table created before its sort indexes existed gets them in a migration of
            # its own (or in the one just planned): an applied migration is never rewritten.
            if not planned:
                history.append({"revision": next_revision(project), "fields": current})
                planned = True
            history[-1][SORT_INDEXES] = True
            entry["schema"] = history
            planned = True
            if name not in changed:
                changed.append(name)
        wanted = bool(entry.get(SOFT_DELETE)) and name != ACCOUNT_RESOURCE
        if wanted != soft_deleted(history):
            # Soft delete turned on (or off) for a table that has its migrations: the
            # migration that adds (or drops) deleted_at and swaps its unique constraints.
            if not planned:
                history.append({"revision": next_revision(project), "fields": current})
                planned = True
            history[-1][SOFT_DELETE] = wanted
            entry["schema"] = history
            if name not in changed:
                changed.append(name)
        if name != ACCOUNT_RESOURCE and not search_indexed(history):
            # The same for the search indexes of the string fields (a table without any
            # gets none: its latest migration already leaves it with all of them).
            from blueprintgen.resource_model import KINDS

            fields = _fields(project, name, current, ("resources", name, "fields"))
            searched = any(KINDS[str(f["type"])].searched for f in fields)
            if searched and not planned:
                history.append({"revision": next_revision(project), "fields": current})
                if name not in changed:
                    changed.append(name)
            history[-1][SEARCH_INDEXES] = True
            entry["schema"] = history
    return changed


def first_step(name: str, revision: str, fields: list[Any], *, soft_delete: bool = False) -> dict[str, Any]:
    """The schema-history step of the migration that creates a resource's table (with its
    sort indexes, and soft-deleted with ``soft_delete``; the accounts' table is the project's)."""
    step: dict[str, Any] = {"revision": revision, "fields": fields}
    if name != ACCOUNT_RESOURCE:
        step[SORT_INDEXES] = True
        step[SEARCH_INDEXES] = True
        if soft_delete:
            step[SOFT_DELETE] = True
    return step


def search_indexed(steps: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a table has its search indexes after ``steps`` of its history."""
    return any(step.get(SEARCH_INDEXES) for step in steps)


def sort_indexed(steps: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a table has its (column, id) sort indexes after ``steps`` of its history."""
    return any(step.get(SORT_INDEXES) for step in steps)


def _fields(
    project: ProjectFile, name: str, specs: list[Any], keys: tuple[str | int, ...]
) -> list[dict[str, Any]]:
    """The resource's field specs at ``keys`` of the project file, parsed; a bad one is
    reported at its line there."""
    from blueprintgen import fieldspec

    plurals = _plurals(project)
    if not specs and name == ACCOUNT_RESOURCE:
        return []  # the accounts table's built-in columns only
    try:
        return fieldspec.parse_fields(
            specs or fieldspec.DEFAULT_FIELD_SPECS,
            resource=name,
            plural=plurals[name],
            resources=plurals,
            path=project.path,
        )
    except fieldspec.FieldSpecError as error:
        for problem in error.problems or [error]:
            if problem.spec in specs and project.source:
                _locate(problem, project.source, (*keys, specs.index(problem.spec)))
        raise


def _plurals(project: ProjectFile) -> dict[str, str]:
    """Every resource's table, removed ones' included (their migrations' references name them)."""
    return {
        key: str(value.get("plural") or key)
        for key, value in [*project.removed.items(), *project.resources.items()]
    }


def _locate(error: BlueprintgenError, text: str, keys: Sequence[str | int]) -> None:
    """Point ``error`` at the value at ``keys`` of the project file's ``text``, where it is there."""
    from blueprintgen import project_yaml

    where = project_yaml.position(text, keys)
    if where is not None:
        error.line, error.column = where
        error.source_line = line_of(text, where[0])


def _first_fields(entry: dict[str, Any], name: str) -> tuple[str | int, ...]:
    """Where the fields of a resource's create migration are written in the project file."""
    if isinstance(entry.get("schema"), list) and entry["schema"]:
        return ("resources", name, "schema", 0, "fields")
    return ("resources", name, "fields")


def resource_values(project: ProjectFile, name: str) -> dict[str, Any]:
    """Parameters of the resource blueprint for one recorded resource."""
    from blueprintgen import fieldspec

    entry = project.resources[name]
    history = schema_history(entry)
    revision = str(history[0]["revision"] or next_revision(project))
    fields = _fields(project, name, list(entry.get("fields") or []), ("resources", name, "fields"))
    targets = soft_deleted_targets(project, name, fields)
    return {
        **project_values(project),
        "resource": name,
        "plural": str(entry.get("plural") or name),
        "fields": fields,
        "migration_fields": _fields(project, name, list(history[0]["fields"]), _first_fields(entry, name)),
        "methods": list(entry.get("methods") or fieldspec.METHODS),
        "auth_required": bool(entry.get("auth_required", True)),
        "mcp_style": str(entry.get("mcp_style") or "tools"),
        "mcp_methods": mcp_methods(entry),
        **_ownership(project, name),
        **({SOFT_DELETE: True} if entry.get(SOFT_DELETE) else {}),
        **({"soft_deleted_targets": targets} if targets else {}),
        SORT_INDEXES: sort_indexed(history[:1]),
        **({"migration_soft_delete": True} if soft_deleted(history[:1]) else {}),
        SEARCH_INDEXES: search_indexed(history[:1]),
        "migration_revision": revision,
        "migration_down_revision": down_revision(project, revision),
    }


def _ownership(project: ProjectFile, name: str) -> dict[str, Any]:
    """The ownership parameters of resource ``name`` (none for a resource with neither)."""
    values: dict[str, Any] = {"owned": True} if owned(project.resources[name]) else {}
    targets = owned_targets(project, name)
    if targets:
        values["owned_targets"] = targets
    return values


def schema_change_values(project: ProjectFile, name: str, section: str = "resources") -> list[dict[str, Any]]:
    """Parameters of each later migration of a resource's table (of a removed one, with
    ``section="removed"``)."""
    entry = (project.removed if section == "removed" else project.resources)[name]
    history = schema_history(entry)
    return [
        {
            "resource": name,
            "plural": str(entry.get("plural") or name),
            "old_fields": _fields(
                project, name, list(before["fields"]), (section, name, "schema", index, "fields")
            ),
            "new_fields": _fields(
                project, name, list(after["fields"]), (section, name, "schema", index + 1, "fields")
            ),
            "old_sort_indexes": sort_indexed(history[: index + 1]),
            "new_sort_indexes": sort_indexed(history[: index + 2]),
            **({"owned": True} if owned(entry) else {}),
            **_soft_delete_change(history[: index + 1], history[: index + 2]),
            "old_search_indexes": search_indexed(history[: index + 1]),
            "new_search_indexes": search_indexed(history[: index + 2]),
            "migration_revision": str(after["revision"]),
            "migration_down_revision": down_revision(project, str(after["revision"])),
        }
        for index, (before, after) in enumerate(itertools.pairwise(history))
    ]


def _soft_delete_change(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """``old_soft_delete`` and ``new_soft_delete`` of a schema change (absent when neither is)."""
    old, new = soft_deleted(before), soft_deleted(after)
    return {"old_soft_delete": old, "new_soft_delete": new} if old or new else {}


def resource_requests(project: ProjectFile, name: str) -> list[Any]:
    """The requests that generate one resource: its slice and its later migrations."""
    from blueprintgen.instances import Request

    requests = [Request(RESOURCE_BLUEPRINT, resource_values(project, name))]
    requests += [
        Request(f"{SCHEMA_CHANGE_BLUEPRINT}-{values['resource']}-{values['migration_revision']}", values)
        for values in schema_change_values(project, name)
    ]
    return requests


def project_requests(project: ProjectFile) -> list[Any]:
    """The requests that generate a whole project from its project file."""
    from blueprintgen.instances import Request

    requests: list[Any] = [Request(PROJECT_BLUEPRINT, project_values(project))]
    for name in project.resources:
        requests += resource_requests(project, name)
    for name in project.removed:
        requests += removed_requests(project, name)
    return requests


# --- removed resources -----------------------------------------------------------
#
# A removed resource leaves `resources:` for `removed:`, where it keeps its table's
# schema history and the revision of the migration that dropped the table:
#
#     removed:
#       item:
#         plural: items
#         schema:
#         - {revision: '0002', fields: [name:str]}
#         - {revision: '0003', fields: [name:str, 'price:decimal?']}
#         dropped: '0004'
#
# Its migrations may have been applied to a database, so they go on being generated,
# unchanged, with the one that drops the table; the rest of its files are no longer
# generated (the run's pruning removes them, keeping the ones the user edited). The
# accounts' admin slice (`user`) drops no table: the accounts belong to the project.
# Deleting an entry from `resources:` by hand is the same removal: every run that
# regenerates the project records it (`record_removals`), from the manifest's record of
# the resource's migrations.


def record_removal(
    project: ProjectFile,
    name: str,
    plural: str,
    history: list[dict[str, Any]],
    dropped: str | None = None,
    *,
    was_owned: bool = False,
) -> dict[str, Any]:
    """Record resource ``name`` with table ``plural`` and schema ``history`` under ``removed:``,
    with the migration that drops its table: ``dropped``, else the next revision (none for
    the accounts' admin slice, whose table is the project's); ``was_owned``: the table has
    an owner column."""
    record: dict[str, Any] = {"plural": plural, "schema": [dict(step) for step in history]}
    if was_owned:
        record["owned"] = True
    project.removed[name] = record  # its revisions count before the next one is numbered
    if name != ACCOUNT_RESOURCE:
        record["dropped"] = dropped or next_revision(project)
    elif record["schema"] and record["schema"][-1].get("fields"):
        # The accounts stay; the columns their slice added go, in a migration of their own.
        record["schema"].append({"revision": next_revision(project), "fields": []})
    return record


def remove_resource(project: ProjectFile, name: str, manifest: Manifest) -> dict[str, Any] | None:
    """Move resource ``name`` from ``resources:`` to ``removed:``; its removal record.

    Only the migrations ``manifest`` records as generated are kept (and the table dropped
    as they left it): a change of ``fields`` not migrated yet is not part of the table's
    history, and a resource none of whose migrations was generated leaves no record.
    """
    entry = project.resources.pop(name)
    generated = generated_histories(manifest).get(name)
    if generated is None:
        return None
    revisions = {str(step["revision"]) for step in generated["schema"]}
    history = [step for step in schema_history(entry) if str(step.get("revision")) in revisions]
    return record_removal(
        project,
        name,
        str(entry.get("plural") or name),
        history or generated["schema"],
        was_owned=owned(entry),
    )


def record_removals(project: ProjectFile, manifest: Manifest) -> list[str]:
    """Record as removed every resource whose migrations ``manifest`` says were generated
    but which the project file no longer lists (its entry deleted by hand).

    Each gets the table history the manifest records and, but ``user``, a migration that
    drops its table; a resource that refers to another is dropped first.
    """
    histories = generated_histories(manifest)
    gone = {
        name: history
        for name, history in histories.items()
        if name not in project.resources and name not in project.removed
    }
    recorded: list[str] = []
    while gone:
        referred = {
            target for name, history in gone.items() for target in _targets(history) if target != name
        }
        name = min(name for name in gone if name not in referred) if set(gone) - referred else min(gone)
        history = gone.pop(name)
        # A drop migration generated already (its record deleted too) keeps its revision.
        record_removal(
            project,
            name,
            history["plural"],
            history["schema"],
            history["dropped"],
            was_owned=history["owned"],
        )
        recorded.append(name)
    return recorded


def _targets(history: dict[str, Any]) -> set[str]:
    """The resources the last fields of a table ``history`` refer to."""
    return {str(field["ref"]["resource"]) for field in history["last"] if field.get("ref")}


def generated_histories(manifest: Manifest) -> dict[str, dict[str, Any]]:
    """Each resource's table history as the migrations ``manifest`` records as generated:
    ``plural``, ``schema`` (revision and field specs after each migration, oldest first),
    ``last`` (the field dicts of the last one), ``dropped`` (the drop migration's revision)
    and ``owned`` (the create migration made an owner column)."""
    from blueprintgen import fieldspec

    histories: dict[str, dict[str, Any]] = {}
    steps: dict[str, list[tuple[str, list[dict[str, Any]], dict[str, bool]]]] = {}

    def history(name: str, plural: str) -> dict[str, Any]:
        return histories.setdefault(
            name, {"plural": plural, "schema": [], "last": [], "dropped": None, "owned": False}
        )

    for record in manifest.instances.values():
        params = record.params
        revision = str(params.get("migration_revision") or "")
        if not revision:
            continue
        if record.blueprint == f"{MIGRATION_BLUEPRINT}-{ACCOUNT_RESOURCE}":
            history(ACCOUNT_RESOURCE, ACCOUNT_TABLE)
            steps.setdefault(ACCOUNT_RESOURCE, []).append((revision, [], {}))
        elif record.blueprint == f"{MIGRATION_BLUEPRINT}-{{resource}}":
            name = str(params["resource"])
            history(name, str(params.get("plural") or name))["owned"] = params.get("owned") is True
            fields = params.get("migration_fields") or params.get("fields") or []
            flags = {key: True for key in (SORT_INDEXES, SEARCH_INDEXES) if params.get(key)}
            if params.get("migration_soft_delete"):
                flags[SOFT_DELETE] = True
            steps.setdefault(name, []).append((revision, list(fields), flags))
        elif record.blueprint == f"{SCHEMA_CHANGE_BLUEPRINT}-{{resource}}-{{migration_revision}}":
            name = str(params["resource"])
            history(name, str(params.get("plural") or name))
            new_fields = list(params.get("new_fields") or [])
            flags = {
                key: True
                for key in (SORT_INDEXES, SEARCH_INDEXES)
                if params.get(f"new_{key}") and not params.get(f"old_{key}")
            }
            old_soft, new_soft = bool(params.get("old_soft_delete")), bool(params.get("new_soft_delete"))
            if old_soft != new_soft:
                flags[SOFT_DELETE] = new_soft
            steps.setdefault(name, []).append((revision, new_fields, flags))
        elif record.blueprint == f"{DROP_BLUEPRINT}-{{resource}}":
            name = str(params["resource"])
            history(name, str(params.get("plural") or name))["dropped"] = revision
    for name, found in histories.items():
        ordered = sorted(steps.get(name, []), key=lambda step: step[0])
        found["schema"] = [
            {"revision": revision, "fields": [fieldspec.to_spec_string(field) for field in fields]} | flags
            for revision, fields, flags in ordered
        ]
        found["last"] = ordered[-1][1] if ordered else []
    return {name: found for name, found in histories.items() if found["schema"]}


def removed_requests(project: ProjectFile, name: str) -> list[Any]:
    """The requests that go on generating a removed resource's migrations: the one that
    created its table, each change, and the one that dropped it."""
    from blueprintgen.instances import Request

    entry = project.removed[name]
    history = schema_history(entry)
    created = str(history[0]["revision"])
    if name == ACCOUNT_RESOURCE:
        values = {
            "resource": ACCOUNT_RESOURCE,
            "migration_revision": created,
            "migration_down_revision": down_revision(project, created),
        }
        return [Request(f"{MIGRATION_BLUEPRINT}-{ACCOUNT_RESOURCE}", values)] + [
            Request(f"{SCHEMA_CHANGE_BLUEPRINT}-{name}-{change['migration_revision']}", change)
            for change in schema_change_values(project, name, "removed")
        ]
    plural = str(entry.get("plural") or name)
    steps = [
        _fields(project, name, list(step["fields"]), ("removed", name, "schema", index, "fields"))
        for index, step in enumerate(history)
    ]
    create = {
        "resource": name,
        "plural": plural,
        "fields": steps[-1],
        "migration_fields": steps[0],
        SORT_INDEXES: sort_indexed(history[:1]),
        **({"owned": True} if owned(entry) else {}),
        **({"migration_soft_delete": True} if soft_deleted(history[:1]) else {}),
        SEARCH_INDEXES: search_indexed(history[:1]),
        "migration_revision": created,
        "migration_down_revision": down_revision(project, created),
    }
    requests = [Request(f"{MIGRATION_BLUEPRINT}-{name}", create)]
    requests += [
        Request(f"{SCHEMA_CHANGE_BLUEPRINT}-{name}-{values['migration_revision']}", values)
        for values in schema_change_values(project, name, "removed")
    ]
    dropped = entry.get("dropped")
    if dropped:
        drop: dict[str, Any] = {
            "resource": name,
            "plural": plural,
            "history": steps,
            **({"owned": True} if owned(entry) else {}),
            "migration_revision": str(dropped),
            "migration_down_revision": down_revision(project, str(dropped)),
        }
        indexed = [index for index, step in enumerate(history) if step.get(SORT_INDEXES)]
        if indexed:
            drop["sort_indexed_from"] = indexed[0]
        soft = [soft_deleted(history[: index + 1]) for index in range(len(history))]
        if any(soft):
            drop["soft_delete_steps"] = soft
        searched = [index for index, step in enumerate(history) if step.get(SEARCH_INDEXES)]
        if searched:
            drop["search_indexed_from"] = searched[0]
        requests.append(Request(f"{DROP_BLUEPRINT}-{name}", drop))
    return requests


def needs_project_file(manifest: Manifest) -> bool:
    """Whether the project has resources, which are generated from the project file alone (its
    schema history numbers their migrations): the manifest cannot stand in for a lost file."""
    return any("migration_revision" in record.params for record in manifest.instances.values())


def requests_for(root: Path, manifest: Manifest | None = None) -> list[Any]:
    """Everything the project is generated from: its project file, else its manifest
    (``manifest``, when the caller has read it already)."""
    from blueprintgen.instances import Request
    from blueprintgen.manifest import Manifest

    if (root / PROJECT_FILE).is_file():
        return project_requests(ProjectFile.read(root))
    manifest = Manifest.read(root) if manifest is None else manifest
    if needs_project_file(manifest):
        raise missing_project_file(root)
    if not manifest.instances:
        raise ProjectError(
            "nothing here was generated by blueprintgen (no project file, empty manifest)",
            path=root,
        )
    return [Request(record.blueprint, dict(record.params)) for record in manifest.instances.values()]
