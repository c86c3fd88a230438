"""What a project file must hold for its project to keep working, checked before a write.

Every command that writes checks the project file it is about to write (after its own
edit, or as the user edited it by hand) with :func:`check`:

- each table has one name: no two resources share a plural, and only ``user`` is
  ``users`` (the accounts table the project itself creates);
- the migrations form one chain: every revision appears once, ``0001`` is the project's;
- references between resources form no cycle (optional ones included: the tables of a
  cycle cannot be created in any order by migrations that each create one table);
- a removed resource (``removed:``) is referred to by no resource, and its name is not
  taken again (its migrations keep it);
- a migration that was generated is never deleted or rewritten, since it may have been
  applied to a database: a resource leaves ``resources:`` only for ``removed:``, with its
  history (``remove resource``, or a regeneration after its entry was deleted by hand,
  records it there), its table name stays, a generated revision cannot go, and a new one
  comes after every generated one.

Each problem is one error at its place in blueprintgen.yaml (when the value is there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from blueprintgen.errors import BlueprintgenError, ProblemsFound

if TYPE_CHECKING:
    from blueprintgen.manifest import Manifest
    from blueprintgen.project import ProjectFile

ACCOUNT_TABLE = "users"
"""The table the project blueprint creates for accounts (the ``user`` resource's own)."""


def check(project: ProjectFile, manifest: Manifest | None, *, references: Mapping[str, set[str]]) -> None:
    """Raise (one error, or ProblemsFound) when writing ``project`` would break the project.

    ``manifest`` is the project's record of what was generated (None for a new project);
    ``references`` maps each resource to the resources its fields refer to.
    """
    problems: list[BlueprintgenError] = []
    problems += _table_names(project)
    problems += _revisions(project)
    problems += _cycles(project, references)
    problems += _removed(project, references)
    if manifest is not None:
        problems += _generated_migrations(project, manifest)
        problems += _ownership_changes(project, manifest)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ProblemsFound(problems)


def _plural(entry: Mapping[str, Any], name: str) -> str:
    return str(entry.get("plural") or name)


def _table_names(project: ProjectFile) -> list[BlueprintgenError]:
    from blueprintgen.project import ACCOUNT_RESOURCE, project_error

    problems: list[BlueprintgenError] = []
    owners: dict[str, str] = {ACCOUNT_TABLE: ACCOUNT_RESOURCE}
    for name, entry in project.resources.items():
        table = _plural(entry, name)
        owner = owners.setdefault(table, name)
        if owner == name:
            continue
        if owner == ACCOUNT_RESOURCE and name != ACCOUNT_RESOURCE:
            why = f"the table {table!r} is the project's accounts table (the `user` resource's)"
        else:
            why = f"resource {owner!r} already has the table (and routes) {table!r}"
        problems.append(
            project_error(
                project,
                f"resource {name!r} cannot have the plural {table!r}: {why}",
                _where(project, name, "plural"),
                hint=f"give {name!r} a plural of its own (`--plural`, or `plural:` in blueprintgen.yaml)",
            )
        )
    return problems


def _revisions(project: ProjectFile) -> list[BlueprintgenError]:
    from blueprintgen.project import FIRST_REVISION, OAUTH_REVISION, project_error, schema_history

    problems: list[BlueprintgenError] = []
    seen: dict[str, str] = {FIRST_REVISION: "the project (the accounts table)"}
    if project.options.get(OAUTH_REVISION):
        seen.setdefault(str(project.options[OAUTH_REVISION]), "the project (the OAuth tables)")
    for name, entry in project.removed.items():
        if entry.get("dropped"):
            seen.setdefault(str(entry["dropped"]), f"removed resource {name!r}'s drop migration")
        for step in schema_history(entry):
            seen.setdefault(str(step.get("revision") or ""), f"removed resource {name!r}")
    for name, entry in project.resources.items():
        for index, step in enumerate(schema_history(entry)):
            revision = str(step.get("revision") or "")
            if not revision:
                continue
            owner = seen.setdefault(revision, f"resource {name!r}")
            if owner != f"resource {name!r}" or _twice(entry, revision):
                problems.append(
                    project_error(
                        project,
                        f"migration revision {revision} of resource {name!r} is also {owner}'s: "
                        "two migrations with one revision split the chain in two (two Alembic heads)",
                        ("resources", name, "schema", index, "revision"),
                        hint="give each migration its own revision; a migration that was already applied "
                        "to a database keeps its number, so renumber the one added by hand",
                    )
                )
                break
    return problems


def _twice(entry: dict[str, Any], revision: str) -> bool:
    from blueprintgen.project import schema_history

    return [str(step.get("revision")) for step in schema_history(entry)].count(revision) > 1


def _cycles(project: ProjectFile, references: Mapping[str, set[str]]) -> list[BlueprintgenError]:
    from blueprintgen import graph
    from blueprintgen.project import project_error

    edges = [
        (target, source)
        for source, targets in references.items()
        for target in targets
        if target != source and target in project.resources
    ]
    cycle = graph.find_cycle(graph.build(sorted(project.resources), edges))
    if not cycle:
        return []
    # Edges run from the referenced resource to the one that refers to it: read backwards.
    members = [str(member) for member in reversed(cycle)]
    return [
        project_error(
            project,
            f"resources reference each other in a cycle: {' → '.join(members)}; the migrations could "
            "create none of their tables first",
            _where(project, members[0], "fields"),
            hint="drop one of the references of the cycle (a resource may refer to itself, "
            "and any number of resources may refer to one)",
        )
    ]


def _removed(project: ProjectFile, references: Mapping[str, set[str]]) -> list[BlueprintgenError]:
    """A removed resource is referred to by none, and its name is not reused."""
    from blueprintgen.project import ACCOUNT_RESOURCE, PROJECT_FILE, project_error

    problems: list[BlueprintgenError] = []
    for name in project.removed:
        if name in project.resources:
            problems.append(
                project_error(
                    project,
                    f"resource {name!r} was removed, and its migrations keep its name: a resource "
                    f"added again cannot take it",
                    ("resources", name),
                    key=True,
                    hint="`blueprintgen add resource user` brings the accounts' admin slice back"
                    if name == ACCOUNT_RESOURCE
                    else f"give the new resource another name (its plural may be the removed table's, "
                    f"{_plural(project.removed[name], name)!r})",
                )
            )
            continue
        referring = sorted(
            source for source, targets in references.items() if name in targets and source != name
        )
        if referring:
            found = [
                (source, *field) for source in referring for field in _reference_fields(project, source, name)
            ]
            fields = ", ".join(f"{source}.{field}" for source, field, _ in found) or ", ".join(referring)
            where = (
                ("resources", found[0][0], "fields", found[0][2]) if found else ("resources", referring[0])
            )
            problems.append(
                project_error(
                    project,
                    f"resource {name!r} cannot be removed while other resources refer to it: {fields}",
                    where,
                    hint=f"remove those fields (or those resources) first; nothing was written, and "
                    f"{name!r} stays in {PROJECT_FILE}",
                )
            )
    return problems


def _reference_fields(project: ProjectFile, source: str, target: str) -> list[tuple[str, int]]:
    """The fields of resource ``source`` that refer to ``target`` (``NAME:ref:TARGET...``):
    name and place in its ``fields``."""
    found = []
    for index, spec in enumerate(project.resources[source].get("fields") or []):
        parts = str(spec).split(":")
        if len(parts) >= 3 and parts[1] == "ref" and parts[2].split("=")[0].rstrip("?") == target:
            found.append((parts[0], index))
    return found


def _default_plural(name: str) -> str:
    from blueprintgen.project import ACCOUNT_RESOURCE

    return ACCOUNT_TABLE if name == ACCOUNT_RESOURCE else name


def _generated_migrations(project: ProjectFile, manifest: Manifest) -> list[BlueprintgenError]:
    """Refuse what would delete or rewrite a migration the manifest records as generated."""
    from blueprintgen.project import PROJECT_FILE, project_error, schema_history

    generated: dict[str, tuple[str, str]] = {}  # revision: (resource, table)
    for record in manifest.instances.values():
        params = record.params
        name = params.get("resource")
        if params.get("migration_revision") and name:
            generated[str(params["migration_revision"])] = (
                str(name),
                str(params.get("plural") or _default_plural(str(name))),
            )
    problems: list[BlueprintgenError] = []
    reported: set[str] = set()
    for revision, (name, table) in sorted(generated.items()):
        entry = project.resources.get(name)
        section = "resources"
        if entry is None and name in project.removed:
            entry, section = project.removed[name], "removed"
        if entry is None:
            if name not in reported:
                reported.add(name)
                problems.append(
                    project_error(
                        project,
                        f"resource {name!r} is no longer in {PROJECT_FILE}, but its migrations were "
                        f"generated (revision {revision}) and may have been applied to a database; "
                        "only `blueprintgen upgrade` removes a resource deleted from the file by hand "
                        "(its files, and a new migration that drops its table), so nothing was written",
                        ("resources",),
                        key=True,
                        hint=f"run `blueprintgen upgrade` to remove {name!r}, or restore its entry in "
                        f"{PROJECT_FILE} (e.g. from version control)",
                    )
                )
            continue
        if name in reported:
            continue
        revisions = [str(step.get("revision") or "") for step in schema_history(entry)]
        if section == "removed" and entry.get("dropped"):
            revisions.append(str(entry["dropped"]))
        if revision not in revisions:
            reported.add(name)
            problems.append(
                project_error(
                    project,
                    f"migration {revision} of resource {name!r} was generated and may have been applied, "
                    f"but {PROJECT_FILE} no longer lists it; blueprintgen never deletes or rewrites a migration",
                    _where(project, name, "schema", section),
                    hint=f"restore the step with revision '{revision}' under {section}.{name}.schema",
                )
            )
        elif _plural(entry, name) != table:
            reported.add(name)
            problems.append(
                project_error(
                    project,
                    f"resource {name!r} has the table {table!r} (migration {revision}); changing its "
                    f"plural to {_plural(entry, name)!r} would rename the table, and blueprintgen does not "
                    "write renaming migrations: it would rewrite an applied one instead",
                    _where(project, name, "plural", section),
                    hint=f"keep the plural {table!r} (rename the table with a migration of your own first, "
                    "if you must)",
                )
            )
    latest = max(generated, default="")
    for name, entry in project.resources.items():
        for index, step in enumerate(schema_history(entry)):
            revision = str(step.get("revision") or "")
            if revision and revision not in generated and revision < latest and name not in reported:
                reported.add(name)
                problems.append(
                    project_error(
                        project,
                        f"migration revision {revision} of resource {name!r} comes before {latest}, which "
                        "was generated already: inserting it would rewrite the migration that follows it",
                        ("resources", name, "schema", index, "revision"),
                        hint="let blueprintgen number new migrations: remove the step added by hand and "
                        "edit `fields`, then run `blueprintgen upgrade`",
                    )
                )
    return problems


def _ownership_changes(project: ProjectFile, manifest: Manifest) -> list[BlueprintgenError]:
    """Refuse turning ``owned`` on or off for a resource whose table was created: its create
    migration (which makes the ``owner_id`` column) may have been applied, and the rows in
    the table have no owner to give them."""
    from blueprintgen.project import MIGRATION_BLUEPRINT, owned, project_error

    created = {
        str(record.params["resource"]): record.params.get("owned") is True
        for record in manifest.instances.values()
        if record.blueprint == f"{MIGRATION_BLUEPRINT}-{{resource}}" and record.params.get("resource")
    }
    problems: list[BlueprintgenError] = []
    for name, entry in project.resources.items():
        if name not in created or created[name] == owned(entry):
            continue
        change = "turned on" if owned(entry) else "turned off"
        problems.append(
            project_error(
                project,
                f"resource {name!r} was created {'without' if owned(entry) else 'with'} an owner column "
                f"(its create migration was generated and may have been applied), so `owned` cannot be "
                f"{change}: the rows its table holds have no owner to give them, and blueprintgen never "
                "rewrites a migration",
                _where(project, name, "owned"),
                hint=f"keep owned: {str(not owned(entry)).lower()} for {name!r}, or remove the resource "
                "(`blueprintgen remove resource`, which drops its table) and add it again under another name",
            )
        )
    return problems


def _where(project: ProjectFile, name: str, key: str, section: str = "resources") -> tuple[str, ...]:
    """The key of resource ``name`` (of ``section``) to point at: ``key``, else the resource's entry."""
    entry = (project.removed if section == "removed" else project.resources).get(name) or {}
    return (section, name, key) if key in entry else (section, name)
