"""The value a writing operation returns: the plan of one pipeline run, written by ``apply``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blueprintgen.catalog import Catalog
    from blueprintgen.instances import Request
    from blueprintgen.manifest import Manifest
    from blueprintgen.pipeline import Options
    from blueprintgen.pipeline import Run as PipelineRun
    from blueprintgen.plan import FileChange


@dataclass(frozen=True)
class WriteOptions:
    """How a writing operation treats the project's files (the options every writing command shares)."""

    formatter: str | None = None
    """ruff, black or none; None keeps the one the project's manifest records (else ruff)."""
    force: bool = False
    """Overwrite files the user edited since blueprintgen wrote them."""
    restore: bool = False
    """Re-create generated files the user deleted."""
    markers: bool = False
    """Write conflict markers where edits and new output clash, instead of stopping."""

    def settings(self, manifest: Manifest, *, prune: bool = False) -> Options:
        """The pipeline's options for a run into the project whose manifest is ``manifest``."""
        from blueprintgen.pipeline import Options

        formatter = self.formatter or str(manifest.formatter.get("name") or "ruff")
        return Options(
            formatter=formatter.lower(),
            force=self.force,
            restore=self.restore,
            conflict="markers" if self.markers else "stop",
            prune=prune,
        )


def prepare(
    root: Path,
    found: Catalog,
    requests: Sequence[Request],
    options: WriteOptions,
    *,
    extra_files: Mapping[str, str] | None = None,
    prune: bool = False,
    manifest: Manifest | None = None,
) -> PipelineRun:
    """The pipeline's run into ``root`` up to the plan, the project's manifest read once
    (here, unless the caller has read it already) for the recorded formatter and the plan."""
    from blueprintgen import pipeline
    from blueprintgen.manifest import Manifest

    manifest = Manifest.read(root) if manifest is None else manifest
    settings = options.settings(manifest, prune=prune)
    return pipeline.prepare(root, found, requests, settings, extra_files, manifest=manifest)


@dataclass(frozen=True)
class Applied:
    """What applying a plan did."""

    written: tuple[FileChange, ...]
    """The files written or removed."""
    warnings: tuple[str, ...] = ()
    """What went wrong after the files were written, without undoing them (e.g. no git repository)."""


@dataclass(frozen=True)
class Plan:
    """A planned operation: the pipeline run up to its plan, and what a user is told about it."""

    run: PipelineRun
    """The pipeline's run: its stage results and planned changes (nothing written yet)."""

    @property
    def project(self) -> Path:
        """The project folder the plan writes into."""
        return self.run.project

    @property
    def changes(self) -> list[FileChange]:
        """Every file's planned change, in path order."""
        return self.run.changes

    @property
    def warnings(self) -> list[str]:
        """What the user should know before applying (e.g. undeclared dependencies)."""
        return self.run.warnings

    @property
    def overwrites(self) -> list[FileChange]:
        """Changes that replace a file already on disk: worth asking before applying."""
        return [change for change in self.changes if change.tracked and change.action.replaces_existing]

    @property
    def writes(self) -> bool:
        """Whether applying writes any file."""
        return any(change.action.writes for change in self.changes)

    def refuse_conflicts(self) -> None:
        """Raise ConflictError when applying would lose a user's edits."""
        from blueprintgen.plan import refuse_conflicts

        refuse_conflicts(self.changes)

    def apply(self) -> Applied:
        """Write the plan; ConflictError afterwards when it wrote conflict markers to resolve."""
        from blueprintgen import pipeline
        from blueprintgen.errors import ConflictError

        written = pipeline.apply(self.run)
        marked = [change.path for change in self.changes if change.action.is_markers]
        if marked:
            raise ConflictError(
                f"conflict markers written into {', '.join(marked)}; resolve them, then run again",
                hint="search for '<<<<<<< yours'",
            )
        return Applied(tuple(written))
