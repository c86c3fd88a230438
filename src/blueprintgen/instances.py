"""Stage 3: blueprint instances and their dependency graph, in render order."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from blueprintgen import graph, params
from blueprintgen.blueprint import Blueprint, Output, expand, placeholder_values
from blueprintgen.errors import BlueprintgenError, GraphError, ProblemsFound, UnsafePathError

if TYPE_CHECKING:
    from blueprintgen.catalog import Catalog
    from blueprintgen.graph import Graph

MAX_INSTANCES = 20_000


@dataclass(frozen=True)
class Request:
    """A blueprint asked for by the user, with the values given for it."""

    blueprint: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Instance:
    """A blueprint with all its parameter values: one node of the graph."""

    blueprint: Blueprint
    params: dict[str, Any]
    identity: str
    label: str

    def __hash__(self) -> int:
        return hash(self.identity)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instance) and other.identity == self.identity

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class PlannedOutput:
    """A file an instance will write, with its path expanded."""

    instance: Instance
    output: Output
    path: str


@dataclass
class InstanceGraph:
    """The resolved instances in render order and the graph between them."""

    order: list[Instance]
    graph: Graph[Instance]
    roots: list[Instance]
    outputs: list[PlannedOutput]


def _identity(blueprint: Blueprint, values: dict[str, Any]) -> str:
    return f"{blueprint.name}|{blueprint.source.value}|{json.dumps(values, sort_keys=True, default=str)}"


def _label(blueprint: Blueprint, values: dict[str, Any]) -> str:
    if blueprint.is_family:
        try:
            return expand(blueprint.name, placeholder_values(values))
        except KeyError:
            return blueprint.name
    return blueprint.name


RESERVED = (".git", ".blueprintgen")
"""Top-level folders no blueprint writes into: git's own, and blueprintgen's state."""

MAX_NAME_BYTES = 255
"""The longest file or folder name (in UTF-8 bytes) the common file systems accept."""


def safe_relative(path: str, *, blueprint: Blueprint, pointer: str) -> str:
    """A normalised project-relative POSIX path, or an UnsafePathError.

    The path must stay inside the project, stay out of :data:`RESERVED` folders, and
    be one every common file system can hold (no NUL, names of at most 255 bytes).
    """
    normalised = posixpath.normpath(path.replace("\\", "/"))
    shown = _shown(path)

    def refuse(message: str) -> UnsafePathError:
        return UnsafePathError(message, **blueprint.where(pointer), blueprint=blueprint.name)

    if (
        path.startswith(("/", "\\"))
        or (len(path) > 1 and path[1] == ":")
        or normalised == ".."
        or normalised.startswith("../")
        or normalised in {".", ""}
    ):
        raise refuse(f"generated path {shown} leaves the project; paths must be relative and stay inside it")
    unwritable = params.unwritable_text(path)
    if unwritable:
        raise refuse(f"generated path {shown}: {unwritable.replace('the value', 'it')}")
    parts = normalised.split("/")
    if parts[0].casefold() in RESERVED:
        raise refuse(
            f"generated path {shown} is inside {parts[0]}/, which belongs to "
            f"{'git' if parts[0].casefold() == '.git' else 'blueprintgen itself'}; no blueprint writes there"
        )
    for part in parts:
        size = len(part.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            raise refuse(
                f"generated path {shown} has a name of {size} bytes; file systems allow {MAX_NAME_BYTES}"
            )
    return normalised


def _shown(text: str, limit: int = 120) -> str:
    """A path for a message: quoted, escapes for what cannot be printed, long ones shortened."""
    quoted = ascii(text) if params.unwritable_text(text) else repr(text)
    return quoted if len(quoted) <= limit else f"{quoted[: limit // 2]}…{quoted[-limit // 2 :]}"


def resolve(catalog: Catalog, requests: list[Request]) -> InstanceGraph:
    """Instantiate the requested blueprints and everything they depend on."""
    instances: dict[str, Instance] = {}
    edges: set[tuple[str, str]] = set()
    roots: list[Instance] = []
    problems: list[BlueprintgenError] = []
    pending: list[tuple[Instance, dict[str, Any]]] = []

    def instantiate(blueprint: Blueprint, context: dict[str, Any], requested_by: str) -> Instance:
        given = {name: context[name] for name in blueprint.parameters if name in context}
        values = params.resolve(blueprint, given, requested_by=requested_by)
        identity = _identity(blueprint, values)
        if identity not in instances:
            if len(instances) >= MAX_INSTANCES:
                raise GraphError(f"more than {MAX_INSTANCES} blueprint instances; is a dependency unbounded?")
            instance = Instance(blueprint, values, identity, _label(blueprint, values))
            instances[identity] = instance
            pending.append((instance, {**context, **values}))
        return instances[identity]

    for request in requests:
        blueprint = catalog.get(request.blueprint)
        found = catalog.find(request.blueprint)
        extracted = found[1] if found else {}
        roots.append(instantiate(blueprint, {**extracted, **request.values}, ""))

    while pending:
        instance, context = pending.pop(0)
        blueprint = instance.blueprint
        values = placeholder_values(context)
        for index, reference in enumerate(blueprint.depends_on):
            pointer = f"/relationships/depends_on/{index}"
            try:
                name = expand(reference, values)
            except KeyError as missing:
                problems.append(
                    GraphError(
                        f"dependency {reference!r} uses placeholder {{{missing.args[0]}}} with no value",
                        **blueprint.where(pointer),
                        blueprint=instance.label,
                    )
                )
                continue
            found = catalog.find(name)
            if found is None:
                from difflib import get_close_matches

                close = get_close_matches(name, list(catalog.blueprints), n=1)
                problems.append(
                    GraphError(
                        f"missing dependency: no blueprint named {name!r}",
                        **blueprint.where(pointer),
                        blueprint=instance.label,
                        hint=f"did you mean {close[0]!r}?" if close else "see `blueprintgen list`",
                    )
                )
                continue
            dependency, extracted = found
            try:
                child = instantiate(dependency, {**context, **extracted}, instance.label)
            except BlueprintgenError as error:
                problems.append(error)
                continue
            edges.add((child.identity, instance.identity))
    if problems:
        raise ProblemsFound(problems)

    dag = graph.build(instances.values(), ((instances[a], instances[b]) for a, b in edges))
    cycle: list[Instance] | None = graph.find_cycle(dag)
    if cycle is not None:
        # Edges run dependency → dependent; show the cycle as "depends on" arrows.
        members: list[Instance] = list(reversed(cycle))
        first = members[0]
        kind = "depends on itself" if len(members) == 2 else "dependency cycle"
        raise GraphError(
            f"{kind}: {' → '.join(member.label for member in members)}",
            **first.blueprint.where("/relationships/depends_on"),
            blueprint=first.label,
        )
    order: list[Instance] = graph.ordered(dag, key=lambda node: node.label)
    return InstanceGraph(order=order, graph=dag, roots=roots, outputs=_outputs(order))


def _outputs(order: list[Instance]) -> list[PlannedOutput]:
    """Expand every output path; refuse unsafe paths and files claimed twice."""
    problems: list[BlueprintgenError] = []
    planned: list[PlannedOutput] = []
    owners: dict[str, PlannedOutput] = {}
    for instance in order:
        values = placeholder_values(instance.params)
        for output in instance.blueprint.outputs:
            pointer = f"/relationships/generates/{output.index}"
            try:
                path = safe_relative(
                    expand(output.path, values), blueprint=instance.blueprint, pointer=pointer
                )
            except KeyError as missing:  # schema.check refuses this for a loaded blueprint
                problems.append(
                    GraphError(
                        f"generated path {output.path!r} uses placeholder {{{missing.args[0]}}} with no value",
                        **instance.blueprint.where(pointer),
                        blueprint=instance.label,
                    )
                )
                continue
            except BlueprintgenError as error:
                problems.append(error)
                continue
            item = PlannedOutput(instance, output, path)
            other = owners.get(path)
            if other is not None and not (other.output.condition and output.condition):
                problems.append(
                    GraphError(
                        f"two blueprints generate {path!r}: {other.instance.label} ({other.instance.blueprint.path}) and {instance.label}",
                        **instance.blueprint.where(pointer),
                        blueprint=instance.label,
                    )
                )
                continue
            owners[path] = item
            planned.append(item)
    if problems:
        raise ProblemsFound(problems)
    return planned
