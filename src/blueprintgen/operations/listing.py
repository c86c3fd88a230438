"""The project's resources as its project file records them: what `blueprintgen resources` shows.

Reads only (no lock, nothing rendered): each resource with its parsed fields, the
resources it refers to and those that refer to it, its methods and options, and the
migrations of its table; then the removed resources and the migrations they keep.
:meth:`Inventory.as_json` is the documented, stable shape of ``--json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

JSON_FORMAT = 1
"""The version of :meth:`Inventory.as_json`'s shape: raised only when a key changes meaning
or goes (new keys may appear)."""


@dataclass(frozen=True)
class Reference:
    """A reference field: ``field`` of ``resource`` points to a row of ``target``."""

    resource: str
    field: str
    target: str
    on_delete: str


@dataclass(frozen=True)
class ResourceSummary:
    """One resource of the project."""

    name: str
    plural: str
    fields: tuple[dict[str, Any], ...]
    """The field dicts (https://blueprintgen.dev/schemas/field.schema.json), each with its ``spec``."""
    methods: tuple[str, ...]
    auth_required: bool
    mcp_style: str
    migrations: tuple[str, ...]
    """The revisions of its table's migrations: the create migration, then each change."""
    references: tuple[Reference, ...]
    """Its fields that refer to other resources (or to itself)."""
    referenced_by: tuple[Reference, ...]
    """The fields of other resources that refer to it: while there are any it cannot be removed."""
    mcp_methods: tuple[str, ...] = ()
    """The methods also served as MCP tools (``mcp`` in the project file)."""
    owned: bool = False
    """Each row belongs to the user who created it (``owned`` in the project file)."""
    soft_delete: bool = False
    """Deletes mark rows deleted (``soft_delete`` in the project file): restorable, listed to administrators."""
    accounts: bool = False
    """The accounts' admin slice (`user`): its table and built-in columns belong to the
    project; its ``fields`` are the account fields added to them."""

    @property
    def path(self) -> str:
        """Its REST path."""
        return f"/api/v1/{self.plural.replace('_', '-')}"


@dataclass(frozen=True)
class RemovedSummary:
    """A removed resource: the migrations it keeps, and the one that dropped its table."""

    name: str
    plural: str
    migrations: tuple[str, ...]
    dropped: str | None


@dataclass(frozen=True)
class Inventory:
    """Every resource of one project, in the project file's order."""

    project: str
    package: str
    resources: tuple[ResourceSummary, ...]
    removed: tuple[RemovedSummary, ...]

    def as_json(self) -> dict[str, Any]:
        """The shape ``blueprintgen resources --json`` prints (see README, Commands)."""

        def reference(ref: Reference) -> dict[str, str]:
            return {
                "resource": ref.resource,
                "field": ref.field,
                "target": ref.target,
                "on_delete": ref.on_delete,
            }

        return {
            "format": JSON_FORMAT,
            "project": self.project,
            "package": self.package,
            "resources": [
                {
                    "name": item.name,
                    "plural": item.plural,
                    "table": item.plural,
                    "path": item.path,
                    "accounts": item.accounts,
                    "fields": [dict(field) for field in item.fields],
                    "methods": list(item.methods),
                    "auth_required": item.auth_required,
                    "mcp_style": item.mcp_style,
                    "mcp_methods": list(item.mcp_methods),
                    "owned": item.owned,
                    "soft_delete": item.soft_delete,
                    "migrations": list(item.migrations),
                    "references": [reference(ref) for ref in item.references],
                    "referenced_by": [reference(ref) for ref in item.referenced_by],
                }
                for item in self.resources
            ],
            "removed": [
                {
                    "name": gone.name,
                    "plural": gone.plural,
                    "migrations": list(gone.migrations),
                    "dropped": gone.dropped,
                }
                for gone in self.removed
            ],
        }


def list_resources(start: Path) -> Inventory:
    """The resources of the project at or above ``start``, as its project file records them."""
    from blueprintgen import fieldspec
    from blueprintgen.operations.upgrade import project_root
    from blueprintgen.project import (
        ACCOUNT_RESOURCE,
        ProjectFile,
        mcp_methods,
        owned,
        resource_values,
        schema_history,
    )

    project = ProjectFile.read(project_root(start))
    parsed: dict[str, list[dict[str, Any]]] = {}
    for name in project.resources:
        parsed[name] = list(resource_values(project, name)["fields"])
    references = [
        Reference(name, str(field["name"]), str(field["ref"]["resource"]), str(field.get("on_delete") or ""))
        for name, fields in parsed.items()
        for field in fields
        if field.get("ref")
    ]
    summaries = []
    for name, entry in project.resources.items():
        summaries.append(
            ResourceSummary(
                name=name,
                plural=str(entry.get("plural") or name),
                fields=tuple({**field, "spec": fieldspec.to_spec_string(field)} for field in parsed[name]),
                methods=tuple(entry.get("methods") or fieldspec.METHODS),
                auth_required=bool(entry.get("auth_required", True)),
                mcp_style=str(entry.get("mcp_style") or "tools"),
                mcp_methods=tuple(mcp_methods(entry)),
                owned=owned(entry),
                soft_delete=bool(entry.get("soft_delete")),
                migrations=tuple(
                    str(step["revision"]) for step in schema_history(entry) if step.get("revision")
                ),
                references=tuple(ref for ref in references if ref.resource == name),
                referenced_by=tuple(ref for ref in references if ref.target == name and ref.resource != name),
                accounts=name == ACCOUNT_RESOURCE,
            )
        )
    removed = tuple(
        RemovedSummary(
            name=name,
            plural=str(entry.get("plural") or name),
            migrations=tuple(str(step["revision"]) for step in schema_history(entry)),
            dropped=str(entry["dropped"]) if entry.get("dropped") else None,
        )
        for name, entry in project.removed.items()
    )
    return Inventory(project.name, project.package, tuple(summaries), removed)
