"""The generation run: resolve → render → format → snapshot → check → plan, then apply.

``prepare`` reads top to bottom as the chain of stages; each stage takes values and
returns one, and :class:`Run` holds every stage's result, set once. The project is
read once, into a :class:`~blueprintgen.snapshot.Snapshot`, and written only by
``apply``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
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
from blueprintgen.snapshot import Snapshot, take
from blueprintgen.writer import write_all


@dataclass(frozen=True)
class Options:
    """How a run behaves."""

    formatter: str = "ruff"
    force: bool = False
    restore: bool = False
    conflict: str = "stop"
    prune: bool = False

    @property
    def flags(self) -> planning.Flags:
        """The options the plan's decisions depend on."""
        return planning.Flags(force=self.force, restore=self.restore, markers=self.conflict == "markers")


@dataclass(frozen=True)
class Run:
    """One run's stage results, from the requests to the planned changes and next manifest."""

    project: Path
    options: Options
    graph: instances.InstanceGraph
    """The resolved instances, in dependency order, and the files they generate."""
    rendered: tuple[render.RenderedFile, ...]
    files: Mapping[str, str]
    """Every file this run generates, formatted, with the command's own files (``extra_files``)."""
    extra_files: Mapping[str, str]
    """The command's own state files (the project file): written as they are, never merged."""
    snapshot: Snapshot
    """The project as the run found it."""
    settled: frozenset[str]
    """Files whose new output differs from their base copy only by the formatter's style."""
    changes: list[planning.FileChange]
    """Every file's planned change, in path order (then the removals)."""
    manifest: Manifest
    """The manifest after this run."""
    warnings: list[str]

    @property
    def previous(self) -> Manifest:
        """The manifest before this run."""
        return self.snapshot.manifest

    @property
    def bases(self) -> BaseCopies:
        """The base copies before this run."""
        return self.snapshot.bases

    @property
    def writes(self) -> list[planning.FileChange]:
        """The changes that write a file."""
        return [change for change in self.changes if change.action.writes]


Generation = Run  # the name callers knew


def prepare(
    project: Path,
    catalog: Catalog,
    requests: Sequence[instances.Request],
    options: Options | None = None,
    extra_files: Mapping[str, str] | None = None,
    *,
    manifest: Manifest | None = None,
) -> Run:
    """Run every stage up to the plan; the project is only read, once.

    ``manifest`` is the project's manifest when the caller has read it already (to
    find the requests or the formatter); otherwise it is read here.
    """
    check_target(project)
    options = options or Options()
    extra = MappingProxyType(dict(extra_files or {}))
    graph = instances.resolve(catalog, list(requests))
    rendered = tuple(render.render_all(render.Renderer(catalog.template_dirs), graph.order, graph.outputs))
    files = MappingProxyType({**format_rendered(rendered, options, project), **extra})
    required = required_files(graph, rendered)
    snapshot = take(project, [*files, *(path for _, _, path in required), "pyproject.toml"], manifest)
    check_required_files(required, files, snapshot)
    warnings = undeclared_dependencies(graph, files, snapshot)
    check_ownership(rendered, snapshot.manifest)
    settled = formatting_only(files, extra, snapshot, options)
    changes = planning.plan(
        snapshot,
        files,
        options.flags,
        yours=normalised_edits(files, snapshot, options),
        settled=settled,
        own=extra,
    )
    # Every instance this run renders owns its whole output: a file one of them wrote before
    # and writes no more (a condition turned false: a resource's MCP tools turned off) goes,
    # unless edited. Pruning goes further: files of instances the run does not render.
    ran = None if options.prune else {instance.label for instance in graph.order}
    changes += planning.removals(snapshot, files, instances=ran, force=options.flags.force)
    return Run(
        project=project,
        options=options,
        graph=graph,
        rendered=rendered,
        files=files,
        extra_files=extra,
        snapshot=snapshot,
        settled=settled,
        changes=changes,
        manifest=next_manifest(rendered, changes, snapshot.manifest, settled, options),
        warnings=warnings,
    )


def drift_states(run: Run) -> list[drift.FileState]:
    """How each manifest-owned or generated file stands against this run's output.

    The states are those of the run's own plan (the removals included even when the
    run does not prune), so they say what an upgrade would find.
    """
    planned = {change.path for change in run.changes}
    extra = [] if run.options.prune else planning.removals(run.snapshot, run.files)
    changes = run.changes + [change for change in extra if change.path not in planned]
    return drift.view(changes, run.snapshot, run.settled)


def version_changes(run: Run) -> list[tuple[str, str, str]]:
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


def format_rendered(
    rendered: Sequence[render.RenderedFile], options: Options, project: Path
) -> dict[str, str]:
    """Every rendered file, formatted (Python by the chosen formatter, with the project's config)."""
    try:
        return formatting.format_files(
            {file.path: file.content for file in rendered},
            formatter=options.formatter,
            config_dir=project if project.is_dir() else None,
        )
    except FormatError as error:
        raise _with_origin(error, rendered) from None


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


def formatting_only(
    files: Mapping[str, str], extra: Collection[str], snapshot: Snapshot, options: Options
) -> frozenset[str]:
    """Files whose new output differs from the base copy only by formatting.

    After an upgrade of ruff or black the same template renders differently
    formatted code; those files are left as they are instead of rewritten.
    """
    stale: dict[str, str] = {}
    for path, new in files.items():
        record = snapshot.manifest.files.get(path)
        if record is None or path in extra:
            continue
        text = snapshot.bases.get(path)
        if text is not None and text != new and digest(text) == record.sha256:
            stale[path] = text
    if not stale:
        return frozenset()
    try:
        reformatted = formatting.format_files(stale, formatter=options.formatter, config_dir=snapshot.root)
    except FormatError:
        return frozenset()
    return frozenset(path for path, text in reformatted.items() if text == files[path])


def normalised_edits(files: Mapping[str, str], snapshot: Snapshot, options: Options) -> dict[str, str]:
    """The user's edited files, passed through the same formatter so formatting is no change."""
    edited = planning.edited(snapshot, files)
    if not edited:
        return {}
    try:
        return formatting.format_files(edited, formatter=options.formatter, config_dir=snapshot.root)
    except FormatError:
        return edited  # the user's file does not parse; merge it as it is


def _with_origin(error: FormatError, rendered: Sequence[render.RenderedFile]) -> FormatError:
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


def required_files(
    graph: instances.InstanceGraph, rendered: Iterable[render.RenderedFile]
) -> list[tuple[instances.Instance, int, str]]:
    """(instance, index, path) of every ``validation.required_files`` of a rendered instance."""
    active = {file.instance.identity for file in rendered}
    found: list[tuple[instances.Instance, int, str]] = []
    for instance in graph.order:
        if instance.identity not in active and instance.blueprint.outputs:
            continue
        values = placeholder_values(instance.params)
        for index, pattern in enumerate(instance.blueprint.required_files):
            found.append((instance, index, expand(pattern, values)))
    return found


def check_required_files(
    required: Iterable[tuple[instances.Instance, int, str]], files: Mapping[str, str], snapshot: Snapshot
) -> None:
    """Every required file must exist after the run: generated by it, or in the project."""
    problems: list[BlueprintgenError] = [
        BlueprintgenError(
            f"required file {path!r} is neither generated by this run nor present in the project",
            path=instance.blueprint.path,
            pointer=f"/validation/required_files/{index}",
            blueprint=instance.label,
        )
        for instance, index, path in required
        if path not in files and not snapshot.exists(path)
    ]
    if problems:
        raise ProblemsFound(problems)


def check_ownership(rendered: Iterable[render.RenderedFile], previous: Manifest) -> None:
    """A file another blueprint instance generated is never taken over silently."""
    problems: list[BlueprintgenError] = []
    for file in rendered:
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


def undeclared_dependencies(
    graph: instances.InstanceGraph, files: Mapping[str, str], snapshot: Snapshot
) -> list[str]:
    """Packages blueprints need that the project's pyproject.toml does not declare."""
    text = files["pyproject.toml"] if "pyproject.toml" in files else snapshot.text("pyproject.toml")
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
    for instance in graph.order:
        for requirement in instance.blueprint.dependencies:
            if _normalise(requirement) not in declared:
                warnings.append(
                    f"{instance.label} needs {requirement!r}, which pyproject.toml does not declare"
                )
    return sorted(set(warnings))


def next_manifest(
    rendered: Iterable[render.RenderedFile],
    changes: Iterable[planning.FileChange],
    previous: Manifest,
    settled: Collection[str],
    options: Options,
) -> Manifest:
    """The manifest after this run: previous records plus everything this run owns."""
    files = dict(previous.files)
    instances_after = dict(previous.instances)
    by_path = {file.path: file for file in rendered}
    for change in changes:
        if change.action.drops_record:
            files.pop(change.path, None)
            continue
        if change.action is planning.Action.DELETED and change.path in files:
            record = files[change.path]
            files[change.path] = FileRecord(record.instance, record.sha256, record.template, deleted=True)
            continue
        if not change.tracked or not change.action.owned or change.path in settled:
            continue
        file = by_path[change.path]
        files[change.path] = FileRecord(file.instance.label, digest(change.new), file.template)
        instances_after[file.instance.label] = InstanceRecord(
            blueprint=file.instance.blueprint.name,
            version=file.instance.blueprint.version,
            params=_jsonable(file.instance.params),
            source=file.instance.blueprint.source.value,
        )
    return Manifest(
        files=files,
        instances=instances_after,
        formatter=formatting.describe(options.formatter).as_dict(),
        generator=__version__,
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(values, default=str)))


def apply(run: Run) -> list[planning.FileChange]:
    """Write the plan (and the manifest, and base copies) all at once; returns what was written."""
    planning.refuse_conflicts(run.changes)
    writes: dict[str, str | None] = {change.path: change.text for change in run.writes}
    bases: dict[str, str | None] = {}
    for change in run.changes:
        if change.action.removes:
            writes[change.path] = None
        if change.action.drops_record:
            bases[change.path] = None
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
    return [change for change in run.changes if change.action.writes or change.action.removes]
