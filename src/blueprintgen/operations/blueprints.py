"""Blueprints by name: parameter values from ``--set``, sample values, one blueprint's
generation and the dependency graph."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprintgen.operations.plans import Plan, ProjectLock, WriteOptions, holding, prepare

if TYPE_CHECKING:
    from blueprintgen.blueprint import Blueprint, Parameter
    from blueprintgen.catalog import Catalog
    from blueprintgen.graph import Graph
    from blueprintgen.instances import InstanceGraph, Request


def coerce_sets(found: Catalog, blueprint: Blueprint, sets: Sequence[str]) -> dict[str, Any]:
    """Parse ``key=value`` assignments by the type the root blueprint (or a dependency) declares.

    A bad assignment is a usage error (exit 2): it came from the command line.
    """
    from blueprintgen import params
    from blueprintgen.errors import ParameterError, as_usage_error

    try:
        raw = params.parse_assignments(list(sets))
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
    except ParameterError as error:
        raise as_usage_error(error) from None
    return values


def named(found: Catalog, name: str) -> Blueprint:
    """The blueprint a command line names; an unknown name is a usage error (exit 2)."""
    from blueprintgen.errors import GraphError, as_usage_error

    try:
        return found.get(name)
    except GraphError as error:
        raise as_usage_error(error) from None


def sample_request(found: Catalog, name: str, sets: Sequence[str]) -> Request:
    """A request for ``name`` whose required parameters without values get samples."""
    return sample_resolution(found, name, sets)[0]


def sample_resolution(found: Catalog, name: str, sets: Sequence[str]) -> tuple[Request, InstanceGraph | None]:
    """The sample request for ``name`` and its resolved graph (None when it does not resolve)."""
    from blueprintgen import params

    blueprint = named(found, name)
    values = coerce_sets(found, blueprint, sets)
    for parameter in blueprint.parameters.values():
        if parameter.name not in values and parameter.required:
            values[parameter.name] = params.sample(parameter)
    request, resolved, _ = resolve_with_samples(found, name, values)
    return request, resolved


def resolve_with_samples(
    found: Catalog, name: str, values: dict[str, Any]
) -> tuple[Request, InstanceGraph | None, list[tuple[Blueprint, Parameter]]]:
    """Resolve ``name`` with ``values``, a sample for each required parameter found missing:
    the request, its graph (None when it does not resolve for another reason) and the
    parameters that were missing, each with the blueprint that declares it.

    A dependency's required parameter is only known to be missing once resolving says
    so: each round fills the ones reported, until the graph resolves or nothing is left
    to fill.
    """
    from blueprintgen import params
    from blueprintgen.errors import ParameterError, ProblemsFound
    from blueprintgen.instances import Request, resolve

    values = dict(values)
    missing: list[tuple[Blueprint, Parameter]] = []
    for _ in range(50):
        try:
            return Request(name, values), resolve(found, [Request(name, values)]), missing
        except (ParameterError, ProblemsFound) as error:
            problems = error.problems if isinstance(error, ProblemsFound) else [error]
            filled = False
            for problem in problems:
                owner = next((b for b in found.blueprints.values() if str(b.path) == problem.path), None)
                parameter = (problem.pointer or "").rsplit("/", 1)[-1]
                if (
                    isinstance(problem, ParameterError)
                    and owner is not None
                    and parameter in owner.parameters
                    and parameter not in values
                ):
                    values[parameter] = params.sample(owner.parameters[parameter])
                    missing.append((owner, owner.parameters[parameter]))
                    filled = True
            if not filled:
                break
    return Request(name, values), None, missing


def project_parameters(root: Path) -> dict[str, Any]:
    """The project blueprint's parameters as the project in ``root`` records them (name,
    package, options), or nothing outside a project with a project file."""
    from blueprintgen.project import PROJECT_FILE, ProjectFile, project_values

    if not (root / PROJECT_FILE).is_file():
        return {}
    return project_values(ProjectFile.read(root))


def refuse_missing(name: str, missing: Sequence[tuple[Blueprint, Parameter]]) -> None:
    """One usage error naming every required parameter that has no value, or nothing."""
    from blueprintgen.errors import UsageError

    if not missing:
        return
    listed = ", ".join(
        f"{parameter.name} ({parameter.type}{'' if owner.name == name else f', needed by {owner.name}'})"
        for owner, parameter in missing
    )
    noun = "parameter" if len(missing) == 1 else "parameters"
    raise UsageError(
        f"{name}: missing required {noun} {listed}",
        hint="pass "
        + " ".join(f"--set {parameter.name}=VALUE" for _, parameter in missing)
        + " (in a generated project, blueprintgen.yaml gives project_name, package and the project's options)",
    )


def generate_blueprint(
    start: Path,
    name: str,
    sets: Sequence[str] = (),
    *,
    into: Path | None = None,
    options: WriteOptions | None = None,
) -> Plan:
    """Plan rendering blueprint NAME (and what it depends on) into ``into``, default the project
    at or above ``start`` (else ``start``), with the blueprints that project can use.

    In a project, parameters ``sets`` leaves out are taken from its project file (as
    ``upgrade`` renders the project blueprint); UsageError names every one still missing.
    """
    from blueprintgen.project import project_dir

    options = options or WriteOptions()
    here = project_dir(start)
    root = (into or here).resolve()
    if not root.is_dir():  # nothing there yet to lock: the write creates it under the lock
        return _plan_generation(root, here, name, sets, options)
    # Under the lock from the first read, as every writing operation: a concurrent run
    # cannot change the project file or the manifest this plan is made from.
    with holding(root, options) as lock:
        return _plan_generation(root, here, name, sets, options, lock=lock)


def _plan_generation(
    root: Path,
    here: Path,
    name: str,
    sets: Sequence[str],
    options: WriteOptions,
    *,
    lock: ProjectLock | None = None,
) -> Plan:
    from blueprintgen import catalog
    from blueprintgen.instances import Request

    found = catalog.load(here)
    values = {**project_parameters(root), **coerce_sets(found, named(found, name), sets)}
    refuse_missing(name, resolve_with_samples(found, name, values)[2])
    return Plan(prepare(root, found, [Request(name, values)], options), lock=lock)


def blueprint_graph(
    start: Path, name: str | None = None, sets: Sequence[str] = ()
) -> tuple[Graph[Any], list[Any]]:
    """The dependency graph and its roots: of blueprint NAME resolved with ``sets`` (samples
    for the rest), or, without a name, of every blueprint the project at or above ``start`` can use."""
    from blueprintgen import catalog
    from blueprintgen import graph as graphs
    from blueprintgen.instances import resolve
    from blueprintgen.project import project_dir

    found = catalog.load(project_dir(start))
    if name is not None:
        resolved = resolve(found, [sample_request(found, name, sets)])
        return resolved.graph, resolved.roots
    edges = []
    for blueprint in found.blueprints.values():
        for reference in blueprint.depends_on:
            target = found.find(reference)
            if target is not None:
                edges.append((target[0].name, blueprint.name))
    dag = graphs.build(sorted(found.blueprints), edges)
    return dag, sorted(node for node in dag.nodes if dag.out_degree(node) == 0)
