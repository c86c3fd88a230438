"""The project file (blueprintgen.yaml): a generated project's options and resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprintgen.errors import LoadError, ProjectError

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
        return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)

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
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise LoadError(
                f"invalid YAML: {getattr(error, 'problem', error)}",
                path=path,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from None
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
FIRST_REVISION = "0001"


def project_values(project: ProjectFile) -> dict[str, Any]:
    """Parameters of the project blueprint."""
    return {"project_name": project.name, "package": project.package, **project.options}


def next_revision(project: ProjectFile) -> str:
    """The migration revision a newly added resource gets."""
    numbers = [int(str(entry.get("revision", "0"))) for entry in project.resources.values()]
    return f"{max([int(FIRST_REVISION), *numbers]) + 1:04d}"


def resource_values(project: ProjectFile, name: str) -> dict[str, Any]:
    """Parameters of the resource blueprint for one recorded resource."""
    from blueprintgen import fieldspec

    entry = project.resources[name]
    plurals = {key: str(value.get("plural") or key) for key, value in project.resources.items()}
    fields = fieldspec.parse_fields(
        entry.get("fields") or fieldspec.DEFAULT_FIELD_SPECS,
        resource=name,
        plural=plurals[name],
        resources=plurals,
        path=PROJECT_FILE,
    )
    revision = str(entry.get("revision") or next_revision(project))
    earlier = sorted(
        str(value["revision"])
        for value in project.resources.values()
        if value.get("revision") and str(value["revision"]) < revision
    )
    return {
        **project_values(project),
        "resource": name,
        "plural": plurals[name],
        "fields": fields,
        "methods": list(entry.get("methods") or fieldspec.METHODS),
        "auth_required": bool(entry.get("auth_required", True)),
        "mcp_style": str(entry.get("mcp_style") or "tools"),
        "migration_revision": revision,
        "migration_down_revision": earlier[-1] if earlier else FIRST_REVISION,
    }


def requests_for(root: Path) -> list[Any]:
    """Everything the project is generated from: its project file, else its manifest."""
    from blueprintgen.instances import Request
    from blueprintgen.manifest import Manifest

    if (root / PROJECT_FILE).is_file():
        project = ProjectFile.read(root)
        requests = [Request(PROJECT_BLUEPRINT, project_values(project))]
        requests += [
            Request(RESOURCE_BLUEPRINT, resource_values(project, name)) for name in project.resources
        ]
        return requests
    manifest = Manifest.read(root)
    if not manifest.instances:
        raise ProjectError(
            "nothing here was generated by blueprintgen (no project file, empty manifest)",
            path=root,
        )
    return [Request(record.blueprint, dict(record.params)) for record in manifest.instances.values()]
