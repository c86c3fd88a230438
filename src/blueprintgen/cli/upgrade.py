"""`blueprintgen upgrade` and `blueprintgen diff`: bring a project up to its blueprints."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from blueprintgen.cli import output
from blueprintgen.cli.options import (
    Conflict,
    ConflictMode,
    Diff,
    DryRun,
    Force,
    Restore,
    Yes,
    finish,
)

if TYPE_CHECKING:
    from blueprintgen.drift import FileState
    from blueprintgen.pipeline import Generation


def regenerate(formatter: str | None = None, **options: object) -> Generation:
    """Plan a re-render of the whole project from its project file (or manifest)."""
    from blueprintgen import catalog, pipeline
    from blueprintgen.errors import ProjectError
    from blueprintgen.manifest import Manifest
    from blueprintgen.project import (
        PROJECT_FILE,
        ProjectFile,
        check_options,
        find_root,
        project_requests,
        requests_for,
        sync_schema,
    )

    root = find_root(Path.cwd())
    if root is None:
        raise ProjectError(
            "not inside a generated project (no blueprintgen.yaml or .blueprintgen/ here or above)",
            path=Path.cwd(),
        )
    chosen = formatter or Manifest.read(root).formatter.get("name") or "ruff"
    found = catalog.load(root)
    settings = pipeline.Options(formatter=chosen.lower(), prune=True, **options)  # type: ignore[arg-type]
    if (root / PROJECT_FILE).is_file():
        project = ProjectFile.read(root)
        check_options(root, project, found)
        # Fields edited in the project file since their last migration get a new one,
        # recorded in the project file's schema history.
        extra = {PROJECT_FILE: project.to_yaml()} if sync_schema(project) else {}
        return pipeline.prepare(root, found, project_requests(project), settings, extra_files=extra)
    return pipeline.prepare(root, found, requests_for(root), settings)


def version_changes(run: Generation) -> list[tuple[str, str, str]]:
    """Blueprint instances whose version differs from the one that wrote the project."""
    from blueprintgen.manifest import Manifest

    before = Manifest.read(run.project).instances
    after = run.manifest.instances
    changes = []
    for label, record in sorted(after.items()):
        old = before.get(label)
        if old is None:
            changes.append((label, "new", record.version))
        elif old.version != record.version:
            changes.append((label, old.version, record.version))
    return changes


@output.reports_errors
def upgrade(
    formatter: Annotated[
        str | None, typer.Option("--formatter", help="ruff, black or none (default: as recorded).")
    ] = None,
    dry_run: DryRun = False,
    diff: Diff = False,
    yes: Yes = False,
    force: Force = False,
    conflict: Conflict = ConflictMode.stop,
    restore: Restore = False,
) -> None:
    """Re-render the whole project from blueprintgen.yaml with the installed blueprints.

    Shows the plan per file (create, update, merge, conflict, remove, …) and the blueprint
    versions that changed. Your edits are merged; conflicts stop the run. Applies only with
    --yes (or when you confirm at a terminal).
    """
    import sys

    run = regenerate(formatter, force=force, conflict=conflict.value, restore=restore)
    changed = version_changes(run)
    if changed:
        from rich.table import Table

        table = Table("blueprint", "was", "now", title="blueprint versions", title_justify="left", box=None)
        for label, old, new in changed:
            table.add_row(label, old, new)
        output.console().print(table)
    if not yes and not dry_run and not sys.stdin.isatty() and any(c.action.writes for c in run.changes):
        output.show_plan(run.changes, diff=diff)
        output.console().print("[yellow]not applied:[/] run `blueprintgen upgrade --yes` to apply this plan")
        return
    finish(run, dry_run=dry_run, diff=diff, yes=yes)


def _states() -> tuple[Generation, list[FileState]]:
    from blueprintgen import drift
    from blueprintgen.manifest import Manifest

    run = regenerate()
    generated = dict(run.files)
    for path in run.settled:
        generated[path] = (
            (run.project / path).read_text(encoding="utf-8")
            if (run.project / path).is_file()
            else generated[path]
        )
    return run, drift.classify(run.project, Manifest.read(run.project), generated, run.bases)


@output.reports_errors
def diff_command(
    paths: Annotated[list[str] | None, typer.Argument(help="Only these files.")] = None,
) -> None:
    """Show, as a coloured diff, how each file differs from what would be generated now."""
    import difflib

    from rich.markup import escape

    _, states = _states()
    shown = 0
    for state in states:
        if paths and state.path not in paths:
            continue
        if state.current == state.generated or state.state.value in {"deleted by you"}:
            continue
        shown += 1
        output.console().print(f"[bold]{escape(state.path)}[/]: {state.state.value}")
        lines = difflib.unified_diff(
            (state.current or "").splitlines(keepends=True),
            (state.generated or "").splitlines(keepends=True),
            fromfile=f"a/{state.path} (yours)",
            tofile=f"b/{state.path} (generated now)",
        )
        output.print_diff("".join(lines))
    if not shown:
        output.success("every generated file matches what blueprintgen would generate now")


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command()(upgrade)
    app.command("diff")(diff_command)
