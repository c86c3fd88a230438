"""The value a writing operation returns: the plan of one pipeline run, written by ``apply``.

A writing operation takes the project lock (:func:`holding`, which is
``transaction.begin``) before it reads the project, and hands it to the plan it returns:
the lock is held while the user looks at the plan and is released when the plan is
applied, or closed unapplied. A plan is a context manager, so that a caller cannot forget::

    with operations.add_resources(Path.cwd(), "item") as plan:
        plan.apply()            # or not: leaving the block closes it either way

An operation that fails releases the lock itself; a plan dropped without being closed
lets go when it is collected. The lock is re-entrant within a thread, so a caller may hold
several plans of one project at once, but must close them in the reverse order they were
made (as nested ``with`` blocks do): each one's signal handlers restore the previous ones.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

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
    on_recovery: Callable[[str], None] | None = field(default=None, compare=False)
    """Told, as soon as the lock is taken, what was undone of an earlier run that was killed
    while writing the project (the CLI prints it as a warning; the operation goes on)."""

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


class ProjectLock:
    """The project lock an operation took, and what to undo if its plan is never applied.

    Released once: by the plan's ``apply`` (after writing) or ``close``, or by the
    operation itself when it fails before it has a plan.
    """

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._applied = False

    def unless_applied(self, undo: Callable[[], object]) -> None:
        """Run ``undo`` after the lock is released, unless the plan was applied."""
        self._stack.callback(lambda: None if self._applied else undo())

    def take(self, root: Path, options: WriteOptions) -> None:
        """Take the lock on ``root``, recovering (and telling) what a killed run left half-written."""
        from blueprintgen import transaction

        recovered = self._stack.enter_context(transaction.begin(root))
        if recovered is not None and options.on_recovery is not None:
            options.on_recovery(recovered.message)

    def mark_applied(self) -> None:
        self._applied = True

    def release(
        self,
        kind: type[BaseException] | None = None,
        error: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Let go of the lock, passing on the error that ended the hold, if any (a SIGTERM
        during the hold becomes ``Interrupted`` here); a second call does nothing."""
        stack, self._stack = self._stack, contextlib.ExitStack()
        if stack.__exit__(kind, error, traceback) and error is not None:
            raise error  # an exit callback never swallows what ended the hold


@contextlib.contextmanager
def holding(
    root: Path, options: WriteOptions, *, unless_applied: Callable[[], object] | None = None
) -> Iterator[ProjectLock]:
    """The project lock for an operation that plans a write into ``root``: released here if
    the operation fails, else owned by the plan it returns (pass it as ``lock=``).

    ``unless_applied`` runs after the lock is released when the plan is not applied (or
    the operation fails): a new project removes the folder it created.
    """
    lock = ProjectLock()
    try:
        if unless_applied is not None:
            lock.unless_applied(unless_applied)
        lock.take(root, options)
        yield lock
    except BaseException:
        lock.release(*sys.exc_info())
        raise


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
    lock: ProjectLock | None = field(default=None, kw_only=True, repr=False, compare=False)
    """The project lock the operation took, held until the plan is applied or closed."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.lock is not None:
            self.lock.release(kind, error, traceback)

    def close(self) -> None:
        """Release the project lock without applying (a dry run, a declined prompt)."""
        if self.lock is not None:
            self.lock.release()

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
        """Write the plan, then release the project lock; ConflictError afterwards when it
        wrote conflict markers to resolve."""
        from blueprintgen import pipeline
        from blueprintgen.errors import ConflictError

        try:
            written = pipeline.apply(self.run)
        except BaseException:
            if self.lock is not None:
                self.lock.release(*sys.exc_info())
            raise
        if self.lock is not None:
            self.lock.mark_applied()
        self.close()
        marked = [change.path for change in self.changes if change.action.is_markers]
        if marked:
            raise ConflictError(
                f"conflict markers written into {', '.join(marked)}; resolve them, then run again",
                hint="search for '<<<<<<< yours'",
            )
        return Applied(tuple(written))
