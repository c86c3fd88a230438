"""Blueprints by name: parameter values from ``--set``, sample values, one blueprint's
generation and the dependency graph."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprintgen.operations.plans import Plan, WriteOptions, prepare

if TYPE_CHECKING:
    from blueprintgen.blueprint import Blueprint
    from blueprintgen.catalog import Catalog
    from blueprintgen.graph import Graph
    from blueprintgen.instances import InstanceGraph, Request


def coerce_sets(found: Catalog, blueprint: Blueprint, sets: Sequence[str]) -> dict[str, Any]:
    """Parse ``key=value`` assignments by the type the root blueprint (or a dependency) declares."""
    from blueprintgen import params
    from blueprintgen.errors import ParameterError

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
    return values


def sample_request(found: Catalog, name: str, sets: Sequence[str]) -> Request:
    """A request for ``name`` whose required parameters without values get samples."""
    return sample_resolution(found, name, sets)[0]


def sample_resolution(found: Catalog, name: str, sets: Sequence[str]) -> tuple[Request, InstanceGraph | None]:
    """The sample request for ``name`` and its resolved graph (None when it does not resolve).

    A dependency's required parameter is only known to be missing once resolving says
    so: each round fills the ones reported, until the graph resolves or nothing is left
    to fill.
    """
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


def generate_blueprint(
    start: Path,
    name: str,
    sets: Sequence[str] = (),
    *,
    into: Path | None = None,
    options: WriteOptions | None = None,
) -> Plan:
    """Plan rendering blueprint NAME (and what it depends on) into ``into``, default the project
    at or above ``start`` (else ``start``), with the blueprints that project can use."""
    from blueprintgen import catalog
    from blueprintgen.instances import Request
    from blueprintgen.project import project_dir

    options = options or WriteOptions()
    here = project_dir(start)
    root = (into or here).resolve()
    found = catalog.load(here)
    values = coerce_sets(found, found.get(name), sets)
    return Plan(prepare(root, found, [Request(name, values)], options))


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
