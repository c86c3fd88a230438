"""Regenerating a whole project from its project file, and how its files stand against that."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from blueprintgen.operations.plans import Plan, WriteOptions, holding, prepare

if TYPE_CHECKING:
    from blueprintgen.drift import FileState
    from blueprintgen.pipeline import Run as PipelineRun


@dataclass(frozen=True, kw_only=True)
class UpgradePlan(Plan):
    """A planned regeneration of the whole project."""

    version_changes: tuple[tuple[str, str, str], ...]
    """(blueprint instance, version that wrote the project or "new", version now), where they differ."""


def upgrade_project(start: Path, options: WriteOptions | None = None) -> UpgradePlan:
    """Plan re-rendering the project at or above ``start`` with the installed blueprints.

    Files no longer generated are removed (unless edited); fields edited in the project
    file since their last migration get a new one.
    """
    from blueprintgen import pipeline

    options = options or WriteOptions()
    root = project_root(start)
    with holding(root, options) as lock:
        run = regenerate(root, options)
        return UpgradePlan(run, version_changes=tuple(pipeline.version_changes(run)), lock=lock)


def project_drift(start: Path) -> list[FileState]:
    """Every generated file of the project at or above ``start``, with how it stands against a regeneration."""
    return drift_states(project_root(start))


def drift_states(root: Path) -> list[FileState]:
    """Every generated file of the project in ``root``, with how it stands against a regeneration.

    Reads only, so it takes no lock and rolls nothing back: a project that a killed run
    left half-written is reported instead (any writing command rolls it back first).
    """
    from blueprintgen import pipeline, transaction
    from blueprintgen.errors import ProjectError

    if transaction.pending(root):
        raise ProjectError(
            "a blueprintgen run was interrupted while writing this project and left it half-written "
            f"(its journal is in {transaction.JOURNAL.rsplit('/', 1)[0]}/); "
            "its files cannot be compared until that run is rolled back",
            path=root,
            hint="run `blueprintgen upgrade --dry-run`: like every writing command it first rolls the "
            "interrupted run back and says what it restored; then run this command again",
        )
    return pipeline.drift_states(regenerate(root, WriteOptions()))


def project_root(start: Path) -> Path:
    """The generated project at or above ``start``, or ProjectError."""
    from blueprintgen.errors import ProjectError
    from blueprintgen.project import find_root

    root = find_root(start)
    if root is None:
        raise ProjectError(
            "not inside a generated project (no blueprintgen.yaml or .blueprintgen/ here or above)",
            path=start,
        )
    return root


def regenerate(root: Path, options: WriteOptions) -> PipelineRun:
    """Plan a re-render of the whole project from its project file (or, without one, its manifest)."""
    from blueprintgen import catalog
    from blueprintgen.manifest import Manifest
    from blueprintgen.project import (
        PROJECT_FILE,
        ProjectFile,
        check_options,
        check_project,
        project_requests,
        requests_for,
        sync_schema,
    )

    manifest = Manifest.read(root)
    found = catalog.load(root)
    if not (root / PROJECT_FILE).is_file():
        requests = requests_for(root, manifest)  # refuses a project that had a project file
        return prepare(root, found, requests, options, prune=True, manifest=manifest)
    project = ProjectFile.read(root)
    check_options(root, project, found)
    # Fields edited in the project file since their last migration get a new one, and a
    # resource deleted from it is removed (a migration drops its table), both recorded
    # in the project file's schema history.
    extra = {PROJECT_FILE: project.to_yaml()} if sync_schema(project, manifest) else {}
    check_project(project, manifest)
    return prepare(
        root, found, project_requests(project), options, extra_files=extra, prune=True, manifest=manifest
    )
