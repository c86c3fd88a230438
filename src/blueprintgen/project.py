"""The project file (blueprintgen.yaml): a generated project's options and resources."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprintgen.errors import LoadError, ProjectError, line_of, position_of

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
    """What blueprintgen.yaml records."""

    name: str
    package: str
    options: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    blueprintgen: str = ""

    def to_yaml(self) -> str:
        """The file's text, stable and readable."""
        import yaml

        data: dict[str, Any] = {
            "blueprintgen": self.blueprintgen,
            "project": {"name": self.name, "package": self.package, **self.options},
            "resources": self.resources,
        }
        header = (
            "# blueprintgen project file: the options and resources this project was generated from.\n"
            "# Edit it and run `blueprintgen upgrade`, or use `blueprintgen add resource`.\n"
        )
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: same text, faster
        return header + str(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100))

    @classmethod
    def read(cls, root: Path) -> ProjectFile:
        """Parse the project's blueprintgen.yaml."""
        import yaml

        path = root / PROJECT_FILE
        if not path.is_file():
            raise ProjectError(
                f"no {PROJECT_FILE} here or in any parent folder; this is not a blueprintgen project",
                path=root,
                hint="run `blueprintgen new project NAME` first, or cd into the project",
            )
        text = path.read_text(encoding="utf-8")
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            data = yaml.load(text, Loader=loader) or {}
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or error
            raise LoadError(f"invalid YAML: {problem}", path=path, **position_of(error, text)) from None
        project = data.get("project") if isinstance(data, dict) else None
        if not isinstance(project, dict) or not project.get("name") or not project.get("package"):
            raise LoadError("the file must have a `project:` mapping with `name` and `package`", path=path)
        options = {key: value for key, value in project.items() if key not in {"name", "package"}}
        resources = data.get("resources") or {}
        if not isinstance(resources, dict):
            raise LoadError("`resources:` must be a mapping of resource name to its options", path=path)
        return cls(
            name=str(project["name"]),
            package=str(project["package"]),
            options=options,
            resources={str(key): dict(value or {}) for key, value in resources.items()},
            blueprintgen=str(data.get("blueprintgen", "")),
        )


PROJECT_BLUEPRINT = "project"
RESOURCE_BLUEPRINT = "resource"
SCHEMA_CHANGE_BLUEPRINT = "resource-schema"
FIRST_REVISION = "0001"
ACCOUNT_RESOURCE = "user"
"""The resource that is the project's account table: its columns belong to the project blueprint."""


RESOURCE_OPTIONS = ("plural", "methods", "auth_required", "mcp_style")
"""Options of a resource in the project file that go, as they are, to the resource blueprint."""


def check_options(root: Path, project: ProjectFile, catalog: Catalog) -> None:
    """Check the project's and each resource's options against the blueprint parameters
    they feed, so that a bad value is reported in blueprintgen.yaml, where it was written."""
    from blueprintgen.params import problem

    def parameters(name: str) -> dict[str, Any]:
        found = catalog.find(name)
        return dict(found[0].parameters) if found else {}

    checks: list[tuple[tuple[str, ...], Any, Any, str]] = []
    project_parameters = parameters(PROJECT_BLUEPRINT)
    for key, value in project.options.items():
        if key in project_parameters:
            checks.append((("project", key), project_parameters[key], value, f"project option {key!r}"))
    resource_parameters = parameters(RESOURCE_BLUEPRINT)
    for name, entry in project.resources.items():
        for key in RESOURCE_OPTIONS:
            if key in entry and entry[key] is not None and key in resource_parameters:
                checks.append(
                    (
                        ("resources", name, key),
                        resource_parameters[key],
                        entry[key],
                        f"resource {name!r}, {key}",
                    )
                )
    for keys, parameter, value, label in checks:
        reason = problem(parameter, value)
        if reason:
            path = root / PROJECT_FILE
            line = _line_of_key(path, keys)
            raise ProjectError(
                f"{label}: {reason}",
                path=path,
                line=line,
                source_line=line_of(path.read_text(encoding="utf-8"), line) if line else None,
                hint=f"correct {'.'.join(keys)} in {PROJECT_FILE}",
            )


def _line_of_key(path: Path, keys: tuple[str, ...]) -> int | None:
    """The line of the value at ``keys`` in a YAML file, or None."""
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((value for name, value in node.value if getattr(name, "value", None) == key), None)
        if node is None:
            return None
    return int(node.start_mark.line) + 1


def project_values(project: ProjectFile) -> dict[str, Any]:
    """Parameters of the project blueprint."""
    return {"project_name": project.name, "package": project.package, **project.options}


def schema_history(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A resource's table history: the create migration, then each change, with its fields."""
    history = entry.get("schema")
    if isinstance(history, list) and history:
        return [dict(step) for step in history]
    return [{"revision": str(entry.get("revision") or ""), "fields": list(entry.get("fields") or [])}]


def revisions(project: ProjectFile) -> list[str]:
    """Every migration revision the project's resources own, in order."""
    found = {FIRST_REVISION}
    for entry in project.resources.values():
        found.update(str(step["revision"]) for step in schema_history(entry) if step.get("revision"))
    return sorted(found)


def next_revision(project: ProjectFile) -> str:
    """The revision the next migration gets."""
    return f"{int(revisions(project)[-1]) + 1:04d}"


def down_revision(project: ProjectFile, revision: str) -> str:
    """The revision a migration follows: the one before it in the project's single chain."""
    earlier = [r for r in revisions(project) if r < revision]
    return earlier[-1] if earlier else FIRST_REVISION


def sync_schema(project: ProjectFile) -> list[str]:
    """Give every resource whose fields changed since its last migration a new one.

    Returns the resources that got a migration (or, when added to the file by hand, their
    first one); existing migrations are never rewritten.
    """
    changed: list[str] = []
    for name, entry in project.resources.items():
        if name == ACCOUNT_RESOURCE and not entry.get("fields"):
            continue  # the account table: its schema belongs to the project, not to the resource
        history = schema_history(entry)
        current = list(entry.get("fields") or [])
        if history[0]["revision"] and current != list(history[-1]["fields"]):
            history.append({"revision": next_revision(project), "fields": current})
            entry["schema"] = history
            changed.append(name)
        elif not history[0]["revision"]:
            entry["schema"] = [{"revision": next_revision(project), "fields": current}]
            changed.append(name)
    return changed


def _fields(project: ProjectFile, name: str, specs: list[Any]) -> list[dict[str, Any]]:
    from blueprintgen import fieldspec

    plurals = {key: str(value.get("plural") or key) for key, value in project.resources.items()}
    return fieldspec.parse_fields(
        specs or fieldspec.DEFAULT_FIELD_SPECS,
        resource=name,
        plural=plurals[name],
        resources=plurals,
        path=PROJECT_FILE,
    )


def resource_values(project: ProjectFile, name: str) -> dict[str, Any]:
    """Parameters of the resource blueprint for one recorded resource."""
    from blueprintgen import fieldspec

    entry = project.resources[name]
    history = schema_history(entry)
    revision = str(history[0]["revision"] or next_revision(project))
    return {
        **project_values(project),
        "resource": name,
        "plural": str(entry.get("plural") or name),
        "fields": _fields(project, name, list(entry.get("fields") or [])),
        "migration_fields": _fields(project, name, list(history[0]["fields"])),
        "methods": list(entry.get("methods") or fieldspec.METHODS),
        "auth_required": bool(entry.get("auth_required", True)),
        "mcp_style": str(entry.get("mcp_style") or "tools"),
        "migration_revision": revision,
        "migration_down_revision": down_revision(project, revision),
    }


def schema_change_values(project: ProjectFile, name: str) -> list[dict[str, Any]]:
    """Parameters of each later migration of a resource's table."""
    entry = project.resources[name]
    history = schema_history(entry)
    return [
        {
            "resource": name,
            "plural": str(entry.get("plural") or name),
            "old_fields": _fields(project, name, list(before["fields"])),
            "new_fields": _fields(project, name, list(after["fields"])),
            "migration_revision": str(after["revision"]),
            "migration_down_revision": down_revision(project, str(after["revision"])),
        }
        for before, after in itertools.pairwise(history)
    ]


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
    return requests


def requests_for(root: Path, manifest: Manifest | None = None) -> list[Any]:
    """Everything the project is generated from: its project file, else its manifest
    (``manifest``, when the caller has read it already)."""
    from blueprintgen.instances import Request
    from blueprintgen.manifest import Manifest

    if (root / PROJECT_FILE).is_file():
        return project_requests(ProjectFile.read(root))
    manifest = Manifest.read(root) if manifest is None else manifest
    if not manifest.instances:
        raise ProjectError(
            "nothing here was generated by blueprintgen (no project file, empty manifest)",
            path=root,
        )
    return [Request(record.blueprint, dict(record.params)) for record in manifest.instances.values()]
