"""`blueprintgen validate`: schema, graph and templates of every blueprint; project drift."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from blueprintgen.cli import output

if TYPE_CHECKING:
    from blueprintgen.blueprint import Blueprint
    from blueprintgen.catalog import Catalog
    from blueprintgen.errors import BlueprintgenError
    from blueprintgen.instances import Request


def coerce_sets(found: Catalog, blueprint: Blueprint, sets: list[str]) -> dict[str, Any]:
    """Parse ``--set`` values by the type the root blueprint (or a dependency) declares."""
    from blueprintgen import params
    from blueprintgen.errors import ParameterError

    raw = params.parse_assignments(sets)
    values = params.coerce(blueprint, {k: v for k, v in raw.items() if k in blueprint.parameters})
    for key, text in raw.items():
        if key in values:
            continue
        owner = next((b for b in found.blueprints.values() if key in b.parameters), None)
        if owner is None:
            from difflib import get_close_matches

            close = get_close_matches(key, list(blueprint.parameters), n=1)
            raise ParameterError(
                f"unknown parameter {key!r}; {blueprint.name} declares: {', '.join(sorted(blueprint.parameters)) or 'none'}",
                path=blueprint.path,
                blueprint=blueprint.name,
                hint=f"did you mean {close[0]!r}?" if close else None,
            )
        values.update(params.coerce(owner, {key: text}))
    return values


def sample_request(found: Catalog, name: str, sets: list[str]) -> Request:
    """A request for ``name`` whose required parameters without values get samples."""
    return sample_resolution(found, name, sets)[0]


def sample_resolution(found: Catalog, name: str, sets: list[str]) -> tuple[Request, Any]:
    """The sample request for ``name`` and its resolved graph (None when it does not resolve)."""
    from blueprintgen import params
    from blueprintgen.errors import ParameterError, ProblemsFound
    from blueprintgen.instances import Request, resolve

    blueprint = found.get(name)
    values = coerce_sets(found, blueprint, sets)
    for parameter in blueprint.parameters.values():
        if parameter.name not in values and parameter.required:
            values[parameter.name] = params.sample(parameter)
    for _ in range(50):
        try:
            return Request(name, values), resolve(found, [Request(name, values)])
        except (ParameterError, ProblemsFound) as error:
            problems = error.problems if isinstance(error, ProblemsFound) else [error]
            filled = False
            for problem in problems:
                owner = next((b for b in found.blueprints.values() if str(b.path) == problem.path), None)
                missing = (problem.pointer or "").rsplit("/", 1)[-1]
                if (
                    isinstance(problem, ParameterError)
                    and owner is not None
                    and missing in owner.parameters
                    and missing not in values
                ):
                    values[missing] = params.sample(owner.parameters[missing])
                    filled = True
            if not filled:
                break
    return Request(name, values), None


def check_blueprint(
    found: Catalog, blueprint: Blueprint, renderer: Any, checked: set[str]
) -> list[BlueprintgenError]:
    """Resolve, render and compile one blueprint with sample values (each distinct text compiled once)."""
    from blueprintgen import instances, render
    from blueprintgen.errors import BlueprintgenError, ProblemsFound, TemplateError

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
    import hashlib

    from blueprintgen import __version__, resources

    digest = hashlib.sha256(f"{__version__}|{sys.version}".encode())
    package = Path(__file__).resolve().parent.parent
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


def drift(root: Path) -> tuple[list[BlueprintgenError], list[str], list[str]]:
    """Out-of-sync generated files (problems), files you edited (notes), every path looked at."""
    from blueprintgen.cli.upgrade import _states
    from blueprintgen.errors import BlueprintgenError

    _, states = _states()
    problems: list[BlueprintgenError] = []
    notes: list[str] = []
    for state in states:
        if state.state.out_of_sync:
            hint = {
                "newer blueprint output": "run `blueprintgen upgrade --yes` (see `blueprintgen diff`)",
                "edited by you, and newer blueprint output": "run `blueprintgen upgrade --yes` to merge (see `blueprintgen diff`)",
                "missing": "run `blueprintgen upgrade --yes --restore`, or delete it for good with `blueprintgen upgrade --yes`",
                "unresolved conflict markers": "resolve the <<<<<<< yours / >>>>>>> blueprintgen blocks",
                "no longer generated": "run `blueprintgen upgrade --yes` to remove it",
            }.get(state.state.value)
            problems.append(
                BlueprintgenError(
                    f"out of sync: {state.state.value}",
                    path=state.path,
                    blueprint=state.instance or None,
                    hint=hint,
                )
            )
        elif state.state.value == "edited by you":
            notes.append(state.path)
    return problems, notes, [state.path for state in states]


def drift_marker(root: Path, found: Catalog, checks: Path) -> Path:
    """Where an in-sync drift check of this project, in this state, is remembered.

    Named by everything the regeneration reads besides the generated files themselves:
    the blueprints and blueprintgen (``check_key``), the project file, the manifest and
    base copies, formatter configuration and versions. The generated files are hashed
    into the record (their paths are only known after a full check).
    """
    import hashlib

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
    return checks / f"drift-{digest.hexdigest()}"


def files_digest(root: Path, paths: list[str]) -> str:
    """A hash of these project files as they are now (missing ones included as missing)."""
    import hashlib

    digest = hashlib.sha256()
    for path in paths:
        target = root / path
        digest.update(f"\0{path}\0".encode() + (target.read_bytes() if target.is_file() else b"<missing>"))
    return digest.hexdigest()


def remembered_drift(root: Path, marker: Path) -> list[str] | None:
    """The files edited by you, if this exact project state was checked in sync before."""
    import json

    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
        if files_digest(root, record["paths"]) == record["digest"]:
            return list(record["edited"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def check_blueprints(
    found: Catalog, selected: list[Blueprint], checks: Path | None
) -> tuple[list[BlueprintgenError], list[tuple[str, str, int]]]:
    """Problems, and (name, source, problem count) per blueprint, of the selected blueprints.

    Rendering every blueprint with sample values is most of a check; a pass is
    remembered in ``checks`` by the hash of all it depends on, so the pre-commit hook
    costs little when nothing changed (failures are never remembered).
    """
    marker = checks / check_key(found, selected) if checks is not None else None
    if marker is not None and marker.exists():
        return [], [(blueprint.name, blueprint.source.value, 0) for blueprint in selected]
    from blueprintgen import render

    renderer = render.Renderer(found.template_dirs)
    compiled: set[str] = set()
    problems: list[BlueprintgenError] = []
    results: list[tuple[str, str, int]] = []
    for blueprint in selected:
        found_problems = check_blueprint(found, blueprint, renderer, compiled)
        problems.extend(found_problems)
        results.append((blueprint.name, blueprint.source.value, len(found_problems)))
    if marker is not None and not problems:
        with contextlib.suppress(OSError):
            marker.touch()
    return problems, results


def check_drift(root: Path, found: Catalog, checks: Path | None) -> tuple[list[BlueprintgenError], list[str]]:
    """Out-of-sync files (problems) and files edited by you, answered from the last
    in-sync check of this exact project state when there is one (see drift_marker)."""
    import json

    marker = drift_marker(root, found, checks) if checks is not None else None
    remembered = remembered_drift(root, marker) if marker is not None else None
    if remembered is not None:
        return [], remembered
    drifted, edited, looked_at = drift(root)
    if marker is not None and not drifted:
        record = {"paths": looked_at, "digest": files_digest(root, looked_at), "edited": edited}
        with contextlib.suppress(OSError):
            marker.write_text(json.dumps(record), encoding="utf-8")
    return drifted, edited


@output.reports_errors
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Blueprint files or folders to check (with the built-ins they use)."),
    ] = None,
    check_all: Annotated[
        bool,
        typer.Option(
            "--check-all", help="Check every built-in and project blueprint, and the project's files."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Render and compile every blueprint again, even if these exact blueprints, "
            "templates and blueprintgen passed before.",
        ),
    ] = False,
) -> None:
    """Check blueprints (schema, graph, templates) and, in a project, that generated files are in sync."""
    from blueprintgen import catalog, resources
    from blueprintgen.blueprint import Source
    from blueprintgen.errors import ProblemsFound
    from blueprintgen.project import find_root, project_dir

    root = project_dir(Path.cwd())
    found = catalog.load(root, extra_paths=paths or [], remember=not no_cache)
    if paths and not check_all:
        selected = [b for b in found.blueprints.values() if b.source is Source.PATH]
    else:
        selected = list(found.blueprints.values())
    selected.sort(key=lambda b: b.name)
    checks = None if no_cache else resources.cache_dir("checks")
    problems, results = check_blueprints(found, selected, checks)
    in_project = find_root(Path.cwd()) is not None
    drifted: list[BlueprintgenError] = []
    edited: list[str] = []
    if (check_all or not paths) and in_project:
        drifted, edited = check_drift(root, found, checks)
    problems.extend(drifted)
    if not quiet:
        from rich.text import Text

        width = max((len(name) for name, _, _ in results), default=0)
        listing = Text()
        for name, source, count in results:
            if count == 0:
                listing.append("✓ ", style="green")
            else:
                listing.append(f"✗ {output.plural(count, 'problem')} ", style="red")
            listing.append(f"{name:<{width}}  ")
            listing.append(source + "\n", style="dim")
        output.console().print(listing, end="")
        if in_project:
            state = (
                "[green]in sync[/]"
                if not drifted
                else f"[red]{output.plural(len(drifted), 'file')} out of sync[/]"
            )
            mine = f" ({output.plural(len(edited), 'file')} edited by you, kept on upgrade)" if edited else ""
            output.console().print(f"project files: {state}{mine}")
    if problems:
        raise ProblemsFound(problems)
    if not quiet:
        output.success(f"{output.plural(len(results), 'blueprint')} valid")


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command()(validate)
