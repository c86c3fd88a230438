"""Checking blueprints (schema, graph, templates with sample values) and a project's drift.

Rendering every blueprint is most of a check, and the pre-commit hook runs one on
every commit: a pass is remembered in the ``checks`` cache (:mod:`blueprintgen.cache`)
under a hash of all it depends on, so an unchanged check costs little. Failures are
never remembered, and deleting the cache changes no result.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from blueprintgen.blueprint import Blueprint
    from blueprintgen.cache import Cache
    from blueprintgen.catalog import Catalog
    from blueprintgen.errors import BlueprintgenError


CHECKS_VERSION = 1
"""Format of the ``checks`` cache's entries: bump it when what a pass records changes."""


@dataclass(frozen=True)
class BlueprintResult:
    """One checked blueprint."""

    name: str
    source: str
    problems: int


@dataclass(frozen=True)
class CheckReport:
    """What a check found."""

    blueprints: tuple[BlueprintResult, ...]
    """Each checked blueprint, by name."""
    problems: tuple[BlueprintgenError, ...]
    """Every problem: the blueprints', then one per project file out of sync."""
    in_project: bool
    """Whether the check ran inside a generated project."""
    out_of_sync: tuple[BlueprintgenError, ...] = ()
    """The project files an upgrade would change (or the user must fix), as problems."""
    edited: tuple[str, ...] = ()
    """Project files edited by the user, which an upgrade keeps."""


def check(
    start: Path, paths: Sequence[Path] = (), *, check_all: bool = False, remember: bool = True
) -> CheckReport:
    """Check blueprints and, in a project, that its generated files are in sync.

    With ``paths``, the blueprints in those files or folders are checked (against the
    built-ins they use) and the project's files are not, unless ``check_all``; without,
    every blueprint and the project. ``remember=False`` (``validate --no-cache``) checks
    everything anew: no cache is read or written, compiled templates and the formatter's
    memo included.
    """
    from blueprintgen import cache

    if not remember:
        with cache.disabled():
            return _check(start, paths, check_all=check_all)
    return _check(start, paths, check_all=check_all)


def _check(start: Path, paths: Sequence[Path], *, check_all: bool) -> CheckReport:
    from blueprintgen import cache, catalog
    from blueprintgen.blueprint import Source
    from blueprintgen.project import find_root, project_dir

    root = project_dir(start)
    found = catalog.load(root, extra_paths=list(paths))
    if paths and not check_all:
        selected = [b for b in found.blueprints.values() if b.source is Source.PATH]
    else:
        selected = list(found.blueprints.values())
    selected.sort(key=lambda b: b.name)
    checks = cache.open("checks", CHECKS_VERSION)
    problems, results = check_blueprints(found, selected, checks)
    in_project = find_root(start) is not None
    drifted: list[BlueprintgenError] = []
    edited: list[str] = []
    if (check_all or not paths) and in_project:
        drifted, edited = check_drift(root, found, checks)
    return CheckReport(
        blueprints=tuple(results),
        problems=(*problems, *drifted),
        in_project=in_project,
        out_of_sync=tuple(drifted),
        edited=tuple(edited),
    )


def check_blueprints(
    found: Catalog, selected: list[Blueprint], checks: Cache | None
) -> tuple[list[BlueprintgenError], list[BlueprintResult]]:
    """The problems of the selected blueprints, and each one's result.

    A pass is remembered in ``checks`` (when given) under ``check_key``.
    """
    entry = checks.key("blueprints", check_key(found, selected)) if checks is not None else ""
    if checks is not None and checks.get(entry) is not None:
        return [], [BlueprintResult(b.name, b.source.value, 0) for b in selected]
    from blueprintgen import render

    renderer = render.Renderer(found.template_dirs)
    compiled: set[str] = set()
    problems: list[BlueprintgenError] = []
    results: list[BlueprintResult] = []
    for blueprint in selected:
        found_problems = check_blueprint(found, blueprint, renderer, compiled)
        problems.extend(found_problems)
        results.append(BlueprintResult(blueprint.name, blueprint.source.value, len(found_problems)))
    problems.extend(found.clashing_outputs(selected))  # two blueprints, one literal path
    if checks is not None and not problems:
        checks.put(entry, "\n".join(blueprint.name for blueprint in selected))
    return problems, results


def check_blueprint(
    found: Catalog, blueprint: Blueprint, renderer: Any, checked: set[str]
) -> list[BlueprintgenError]:
    """Resolve, render and compile one blueprint with sample values (each distinct text compiled once)."""
    from blueprintgen import instances, render
    from blueprintgen.errors import BlueprintgenError, ProblemsFound, TemplateError
    from blueprintgen.operations.blueprints import sample_resolution

    try:
        request, resolved = sample_resolution(found, blueprint.name, [])
        if resolved is None:
            resolved = instances.resolve(found, [request])
        files = render.render_all(renderer, resolved.order, resolved.outputs)
    except ProblemsFound as error:
        return list(error.problems)
    except BlueprintgenError as error:
        return [error]
    problems: list[BlueprintgenError] = []
    for file in files:
        if file.path.endswith(".py") and file.content not in checked:
            checked.add(file.content)
            try:
                compile(file.content, file.path, "exec", dont_inherit=True)
            except SyntaxError as error:
                problems.append(
                    TemplateError(
                        f"{file.template} renders invalid Python for {file.path} (line {error.lineno}): {error.msg}",
                        path=file.instance.blueprint.path,
                        blueprint=file.instance.label,
                        source_line=error.text,
                    )
                )
    return problems


def check_key(found: Catalog, selected: list[Blueprint]) -> str:
    """A hash of everything the blueprint checks depend on.

    The blueprints' text, every file under every template folder, the schema, which
    blueprints are checked, and blueprintgen itself (version, and size and mtime of
    its modules, so an editable install invalidates on every code change).
    """
    import blueprintgen
    from blueprintgen import resources

    digest = hashlib.sha256(f"{blueprintgen.__version__}|{sys.version}".encode())
    package = Path(blueprintgen.__file__).resolve().parent
    for module in sorted(package.rglob("*.py")):
        stat = module.stat()
        digest.update(f"{module}|{stat.st_mtime_ns}|{stat.st_size}\n".encode())
    digest.update(resources.schema_path().read_bytes())
    for blueprint in sorted(found.blueprints.values(), key=lambda b: (b.name, str(b.path))):
        digest.update(
            f"\0{blueprint.name}|{blueprint.source.value}|{blueprint.path}\0{blueprint.text}".encode()
        )
    for folder in found.template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(f"\0{path.relative_to(folder)}\0".encode() + path.read_bytes())
    digest.update("\0".join(sorted(b.name for b in selected)).encode())
    return digest.hexdigest()


def check_drift(
    root: Path, found: Catalog, checks: Cache | None
) -> tuple[list[BlueprintgenError], list[str]]:
    """Out-of-sync files (as problems) and files edited by you, answered from the last
    in-sync check of this exact project state when there is one (see ``drift_key``)."""
    import json

    entry = checks.key("drift", drift_key(root, found)) if checks is not None else ""
    remembered = remembered_drift(root, checks.get_text(entry)) if checks is not None else None
    if remembered is not None:
        return [], remembered
    drifted, edited, looked_at = drift(root)
    if checks is not None and not drifted:
        record = {"paths": looked_at, "digest": files_digest(root, looked_at), "edited": edited}
        checks.put(entry, json.dumps(record))
    return drifted, edited


def drift(root: Path) -> tuple[list[BlueprintgenError], list[str], list[str]]:
    """Out-of-sync generated files (problems), files you edited (notes), every path looked at."""
    from blueprintgen.errors import BlueprintgenError
    from blueprintgen.operations.upgrade import drift_states

    states = drift_states(root)
    problems: list[BlueprintgenError] = []
    notes: list[str] = []
    for state in states:
        if state.state.out_of_sync:
            problems.append(
                BlueprintgenError(
                    f"out of sync: {state.state.value}",
                    path=state.path,
                    blueprint=state.instance or None,
                    hint=state.state.hint,
                )
            )
        elif state.state.is_user_edit:
            notes.append(state.path)
    return problems, notes, [state.path for state in states]


def drift_key(root: Path, found: Catalog) -> str:
    """The key under which an in-sync drift check of this project, in this state, is remembered.

    A hash of everything the regeneration reads besides the generated files themselves:
    the blueprints and blueprintgen (``check_key``), the project file, the manifest and
    base copies, formatter configuration and versions. The generated files are hashed
    into the record (their paths are only known after a full check).
    """
    from blueprintgen.format import CONFIG_FILES, installed_version
    from blueprintgen.manifest import BASES, MANIFEST
    from blueprintgen.project import PROJECT_FILE

    digest = hashlib.sha256(check_key(found, list(found.blueprints.values())).encode())
    digest.update(
        f"{root.resolve()}|ruff {installed_version('ruff')}|black {installed_version('black')}".encode()
    )
    for name in (PROJECT_FILE, MANIFEST, BASES, *CONFIG_FILES):
        path = root / name
        digest.update(f"\0{name}\0".encode() + (path.read_bytes() if path.is_file() else b"<none>"))
    return digest.hexdigest()


def files_digest(root: Path, paths: list[str]) -> str:
    """A hash of these project files as they are now (missing ones included as missing)."""
    digest = hashlib.sha256()
    for path in paths:
        target = root / path
        digest.update(f"\0{path}\0".encode() + (target.read_bytes() if target.is_file() else b"<missing>"))
    return digest.hexdigest()


def remembered_drift(root: Path, record_text: str | None) -> list[str] | None:
    """The files edited by you, if ``record_text`` (an in-sync check's record) still
    describes the project's files as they are now."""
    import json

    if record_text is None:
        return None
    try:
        record = json.loads(record_text)
        if files_digest(root, record["paths"]) == record["digest"]:
            return list(record["edited"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None
