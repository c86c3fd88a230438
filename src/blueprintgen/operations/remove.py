"""Removing a resource: its files go, its migrations stay, and a new one drops its table.

The edit moves the resource's entry from ``resources:`` to ``removed:`` of the project
file (see :func:`blueprintgen.project.remove_resource`); the plan is then the whole
project's with pruning, as ``upgrade`` plans it, so that deleting the entry by hand and
running ``upgrade`` comes to the same: the files only that resource generated are
removed, those the user edited are kept (removed too with ``force``), its migrations go
on being generated unchanged, and the next revision drops its table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from blueprintgen.operations.plans import Plan, WriteOptions, holding, prepare

if TYPE_CHECKING:
    from blueprintgen.manifest import Manifest
    from blueprintgen.pipeline import Run as PipelineRun
    from blueprintgen.plan import FileChange
    from blueprintgen.project import ProjectFile


@dataclass(frozen=True, kw_only=True)
class RemovalPlan(Plan):
    """A planned removal of one resource."""

    resource: str
    """The resource removed."""
    dropped: str | None
    """The revision of the migration that drops its table (None: no table is dropped, as
    for the accounts' admin slice, or none of its migrations was generated)."""
    kept: tuple[str, ...]
    """Its files that stay because the user edited them (no longer generated: blueprintgen
    forgets them)."""

    @property
    def overwrites(self) -> list[FileChange]:
        """The files replaced, and those removed: a person at a terminal confirms both."""
        return [*super().overwrites, *(change for change in self.changes if change.action.removes)]


def remove_resource(start: Path, name: str, *, options: WriteOptions | None = None) -> RemovalPlan:
    """Plan removing resource ``name`` from the project at or above ``start``.

    Refused (nothing written) while another resource refers to it. With ``options.force``
    the files the user edited are removed too.
    """
    from blueprintgen import project as project_file
    from blueprintgen.manifest import Manifest
    from blueprintgen.operations.upgrade import project_root
    from blueprintgen.plan import Action

    options = options or WriteOptions()
    root = project_root(start)
    with holding(root, options) as lock:
        project = project_file.ProjectFile.read(root)
        key = _recorded_name(project, name)
        manifest = Manifest.read(root)
        record = project_file.remove_resource(project, key, manifest)
        run = _plan_project(root, project, manifest, options)  # --force removes edited files too
        kept = tuple(change.path for change in run.changes if change.action is Action.ORPHAN)
        dropped = str(record["dropped"]) if record and record.get("dropped") else None
        return RemovalPlan(run, resource=key, dropped=dropped, kept=kept, lock=lock)


def _recorded_name(project: ProjectFile, name: str) -> str:
    """The project file's key of the resource ``name`` names (``BlogPost`` is ``blog_post``)."""
    from difflib import get_close_matches

    from blueprintgen import naming
    from blueprintgen.errors import UsageError

    try:
        key, _ = naming.check_resource_name(name, None)
    except ValueError:
        key = name
    if key in project.resources:
        return key
    if key in project.removed:
        raise UsageError(f"resource {key!r} was removed already")
    known = sorted(project.resources)
    close = get_close_matches(key, known, n=1)
    raise UsageError(
        f"no resource {key!r} in this project (its resources: {', '.join(known) or 'none'})",
        hint=f"did you mean {close[0]!r}?" if close else "see `blueprintgen resources`",
    )


def _plan_project(root: Path, project: ProjectFile, manifest: Manifest, options: WriteOptions) -> PipelineRun:
    """The whole project's plan from the edited project file, pruning what it no longer generates."""
    from blueprintgen import catalog
    from blueprintgen.project import PROJECT_FILE, check_options, check_project, project_requests, sync_schema

    found = catalog.load(root)
    check_options(root, project, found)
    sync_schema(project, manifest)  # what else was edited by hand, as upgrade would
    check_project(project, manifest)
    extra = {PROJECT_FILE: project.to_yaml()}
    return prepare(
        root, found, project_requests(project), options, extra_files=extra, prune=True, manifest=manifest
    )
