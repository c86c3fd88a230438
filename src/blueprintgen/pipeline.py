"""The generation run: resolve → render → format → check → plan, then apply.

Each stage is a function from value to value; ``Generation`` holds one run's state.
Nothing touches the project until ``apply``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprintgen import __version__, drift, instances, render
from blueprintgen import format as formatting
from blueprintgen import plan as planning
from blueprintgen.blueprint import expand, placeholder_values
from blueprintgen.catalog import Catalog
from blueprintgen.errors import BlueprintgenError, FormatError, GraphError, ProblemsFound, ProjectError
from blueprintgen.manifest import (
    BASES,
    LEGACY_BASE_DIR,
    MANIFEST,
    BaseCopies,
    FileRecord,
    InstanceRecord,
    Manifest,
    digest,
)
from blueprintgen.writer import write_all


@dataclass(frozen=True)
class Options:
    """How a run behaves."""

    formatter: str = "ruff"
    force: bool = False
    restore: bool = False
    conflict: str = "stop"
    prune: bool = False


@dataclass
class Generation:
    """One run's state, from requests to the planned changes."""

    project: Path
    catalog: Catalog
    requests: list[instances.Request]
    options: Options = field(default_factory=Options)
    extra_files: dict[str, str] = field(default_factory=dict)
    graph: instances.InstanceGraph | None = None
    rendered: list[render.RenderedFile] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    changes: list[planning.FileChange] = field(default_factory=list)
    manifest: Manifest = field(default_factory=Manifest)
    previous: Manifest = field(default_factory=Manifest)
    bases: BaseCopies = field(default_factory=BaseCopies)
    warnings: list[str] = field(default_factory=list)
    settled: set[str] = field(default_factory=set)

    @property
    def writes(self) -> list[planning.FileChange]:
        """The changes that write a file."""
        return [change for change in self.changes if change.action.writes]


def prepare(
    project: Path,
    catalog: Catalog,
    requests: list[instances.Request],
    options: Options | None = None,
    extra_files: dict[str, str] | None = None,
) -> Generation:
    """Run every stage up to the plan; the project is only read."""
    check_target(project)
    run = Generation(project, catalog, requests, options or Options(), dict(extra_files or {}))
    run.graph = instances.resolve(catalog, requests)
    run.rendered = render.render_all(
        render.Renderer(catalog.template_dirs), run.graph.order, run.graph.outputs
    )
    try:
        formatted = formatting.format_files(
            {file.path: file.content for file in run.rendered},
            formatter=run.options.formatter,
            config_dir=project if project.is_dir() else None,
        )
    except FormatError as error:
        raise _with_origin(error, run.rendered) from None
    run.files = {**formatted, **run.extra_files}
    check_required_files(run)
    run.warnings = undeclared_dependencies(run)
    previous = run.previous = Manifest.read(project)
    run.bases = BaseCopies.read(project)
    check_ownership(run, previous)
    run.settled = formatting_only(run, previous)
    yours = normalised_edits(run, previous)
    run.changes = planning.plan(
        project,
        run.files,
        previous,
        run.bases,
        force=run.options.force,
        restore=run.options.restore,
        markers=run.options.conflict == "markers",
        yours=yours,
        settled=run.settled,
    )
    run.changes = [
        change if change.path not in run.extra_files else _own_file(change) for change in run.changes
    ]
    if run.options.prune:
        run.changes += planning.removals(project, run.files, previous)
    run.manifest = next_manifest(run, previous)
    return run


def check_target(project: Path) -> None:
    """Refuse a project folder that is a file, or lies below one."""
    if project.exists() and not project.is_dir():
        raise ProjectError("the target exists and is not a folder", path=project)
    for parent in project.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ProjectError(
                    f"cannot create the project folder: {parent} is a file, not a folder", path=project
                )
            return


def _own_file(change: planning.FileChange) -> planning.FileChange:
    """The command's own state file (the project file): always written, never merged."""
    if change.old is None:
        action = planning.Action.CREATE
    elif change.old == change.new:
        action = planning.Action.UNCHANGED
    else:
        action = planning.Action.UPDATE
    return planning.FileChange(change.path, action, change.new, change.old, tracked=False)


def formatting_only(run: Generation, previous: Manifest) -> set[str]:
    """Files whose new output differs from the base copy only by formatting.

    After an upgrade of ruff or black the same template renders differently
    formatted code; those files are left as they are instead of rewritten.
    """
    stale: dict[str, str] = {}
    for path, new in run.files.items():
        if path not in previous.files or path in run.extra_files:
            continue
        text = run.bases.get(path)
        if text is not None and text != new and digest(text) == previous.files[path].sha256:
            stale[path] = text
    if not stale:
        return set()
    try:
        reformatted = formatting.format_files(stale, formatter=run.options.formatter, config_dir=run.project)
    except FormatError:
        return set()
    return {path for path, text in reformatted.items() if text == run.files[path]}


def normalised_edits(run: Generation, previous: Manifest) -> dict[str, str]:
    """The user's edited files, passed through the same formatter so formatting is no change."""
    edited = planning.edited(run.project, run.files, previous)
    if not edited:
        return {}
    try:
        return formatting.format_files(edited, formatter=run.options.formatter, config_dir=run.project)
    except FormatError:
        return edited  # the user's file does not parse; merge it as it is


def _with_origin(error: FormatError, rendered: list[render.RenderedFile]) -> FormatError:
    """Name the blueprint and template that produced a file the formatter rejected."""
    origin = next((file for file in rendered if file.path == error.path), None)
    if origin is None:
        return error
    return FormatError(
        f"{error.message} (rendered from {origin.template} of {origin.instance.blueprint.path})",
        path=error.path,
        line=error.line,
        column=error.column,
        blueprint=origin.instance.label,
        source_line=error.source_line,
        hint=error.hint,
    )


def check_required_files(run: Generation) -> None:
    """Every ``validation.required_files`` of a rendered instance must exist after the run."""
    assert run.graph is not None
    active = {file.instance.identity for file in run.rendered}
    problems: list[BlueprintgenError] = []
    for instance in run.graph.order:
        if instance.identity not in active and instance.blueprint.outputs:
            continue
        values = placeholder_values(instance.params)
        for index, pattern in enumerate(instance.blueprint.required_files):
            path = expand(pattern, values)
            if path not in run.files and not (run.project / path).exists():
                problems.append(
                    BlueprintgenError(
                        f"required file {path!r} is neither generated by this run nor present in the project",
                        path=instance.blueprint.path,
                        pointer=f"/validation/required_files/{index}",
                        blueprint=instance.label,
                    )
                )
    if problems:
        raise ProblemsFound(problems)


def check_ownership(run: Generation, previous: Manifest) -> None:
    """A file another blueprint instance generated is never taken over silently."""
    problems: list[BlueprintgenError] = []
    for file in run.rendered:
        record = previous.files.get(file.path)
        if record is not None and record.instance != file.instance.label:
            problems.append(
                GraphError(
                    f"{file.path!r} belongs to {record.instance}; {file.instance.label} would overwrite it "
                    "(is a name already taken?)",
                    path=file.path,
                    blueprint=file.instance.label,
                    hint="choose another name",
                )
            )
    if problems:
        raise ProblemsFound(problems)


_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalise(requirement: str) -> str:
    match = _REQUIREMENT_NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else requirement.lower()


def undeclared_dependencies(run: Generation) -> list[str]:
    """Packages blueprints need that the project's pyproject.toml does not declare."""
    assert run.graph is not None
    text = run.files.get("pyproject.toml")
    if text is None and (run.project / "pyproject.toml").is_file():
        text = (run.project / "pyproject.toml").read_text(encoding="utf-8")
    if text is None:
        return []
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return ["pyproject.toml is not valid TOML; dependencies were not checked"]
    declared = {_normalise(item) for item in data.get("project", {}).get("dependencies", [])}
    for extra in data.get("project", {}).get("optional-dependencies", {}).values():
        declared |= {_normalise(item) for item in extra}
    warnings: list[str] = []
    for instance in run.graph.order:
        for requirement in instance.blueprint.dependencies:
            if _normalise(requirement) not in declared:
                warnings.append(
                    f"{instance.label} needs {requirement!r}, which pyproject.toml does not declare"
                )
    return sorted(set(warnings))


def next_manifest(run: Generation, previous: Manifest) -> Manifest:
    """The manifest after this run: previous records plus everything this run owns."""
    from blueprintgen.format import describe

    manifest = Manifest(
        files=dict(previous.files),
        instances=dict(previous.instances),
        formatter=describe(run.options.formatter).as_dict(),
        generator=__version__,
    )
    by_path = {file.path: file for file in run.rendered}
    for change in run.changes:
        if change.action in {planning.Action.REMOVE, planning.Action.ORPHAN}:
            manifest.files.pop(change.path, None)
            continue
        if change.action is planning.Action.DELETED and change.path in manifest.files:
            record = manifest.files[change.path]
            manifest.files[change.path] = FileRecord(
                record.instance, record.sha256, record.template, deleted=True
            )
            continue
        if not change.tracked or not change.action.owned or change.path in run.settled:
            continue
        file = by_path[change.path]
        manifest.files[change.path] = FileRecord(file.instance.label, digest(change.new), file.template)
        manifest.instances[file.instance.label] = InstanceRecord(
            blueprint=file.instance.blueprint.name,
            version=file.instance.blueprint.version,
            params=_jsonable(file.instance.params),
            source=file.instance.blueprint.source.value,
        )
    return manifest


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(values, default=str)))


def apply(run: Generation) -> list[planning.FileChange]:
    """Write the plan (and the manifest, and base copies) all at once; returns what was written."""
    planning.refuse_conflicts(run.changes)
    writes: dict[str, str | None] = {change.path: change.text for change in run.writes}
    bases: dict[str, str | None] = {}
    for change in run.changes:
        if change.action is planning.Action.REMOVE:
            writes[change.path] = None
            bases[change.path] = None
    for change in run.changes:
        owned = change.tracked and change.action.owned and change.path not in run.settled
        if owned and (change.action.writes or change.path not in run.bases):
            bases[change.path] = change.new
    if run.bases.legacy:  # the old folder of copies is folded into base.json
        writes.update({f"{LEGACY_BASE_DIR}/{path}": None for path in run.bases.legacy})
    base_text = run.bases.updated(bases)
    if base_text is not None:
        writes[BASES] = base_text
    if writes or run.manifest.to_json() != run.previous.to_json():
        writes[MANIFEST] = run.manifest.to_json()
    run.project.mkdir(parents=True, exist_ok=True)
    write_all(run.project, writes)
    return [
        change for change in run.changes if change.action.writes or change.action is planning.Action.REMOVE
    ]


def drift_states(run: Generation) -> list[drift.FileState]:
    """How each manifest-owned or generated file stands against this run's output.

    A file whose new output differs from its base copy only by the formatter's style
    (``run.settled``) counts as generated exactly as it is on disk.
    """
    generated = dict(run.files)
    for path in run.settled:
        if (run.project / path).is_file():
            generated[path] = (run.project / path).read_text(encoding="utf-8")
    return drift.classify(run.project, run.previous, generated, run.bases)


def version_changes(run: Generation) -> list[tuple[str, str, str]]:
    """(instance, version before or "new", version now) for instances whose version changed."""
    before = run.previous.instances
    changes = []
    for label, record in sorted(run.manifest.instances.items()):
        old = before.get(label)
        if old is None:
            changes.append((label, "new", record.version))
        elif old.version != record.version:
            changes.append((label, old.version, record.version))
    return changes
