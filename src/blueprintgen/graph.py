"""Generic, deterministic graph algorithms (networkx underneath); knows nothing of blueprints.

Edges point from a dependency to what depends on it, so a topological order lists
dependencies first.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import networkx as nx

Node = TypeVar("Node", bound=Hashable)


def build(nodes: Iterable[Node], edges: Iterable[tuple[Node, Node]]) -> nx.DiGraph:
    """A directed graph of ``nodes`` with edges (dependency, dependent)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph


def find_cycle(graph: nx.DiGraph) -> list[Node] | None:
    """The members of one cycle in order (first member repeated at the end), or None."""
    import networkx as nx

    try:
        edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    members = [edge[0] for edge in edges]
    start = min(range(len(members)), key=lambda i: str(members[i]))
    rotated = members[start:] + members[:start]
    return [*rotated, rotated[0]]


def ordered(graph: nx.DiGraph, key: Callable[[Node], str] = str) -> list[Node]:
    """Stable topological order: dependencies first, ties broken by ``key``."""
    import networkx as nx

    return list(nx.lexicographical_topological_sort(graph, key=key))


def descendants_first(graph: nx.DiGraph, root: Node) -> list[Node]:
    """Everything ``root`` depends on, transitively, plus root itself."""
    import networkx as nx

    return [*nx.ancestors(graph, root), root]


def tree_lines(graph: nx.DiGraph, roots: list[Node], label: Callable[[Node], str] = str) -> list[str]:
    """An indented text tree of what each root depends on; repeats are marked, not expanded."""
    lines: list[str] = []
    seen: set[Node] = set()

    def walk(node: Node, prefix: str, is_last: bool, depth: int) -> None:
        connector = "" if depth == 0 else ("└── " if is_last else "├── ")
        repeat = node in seen
        lines.append(f"{prefix}{connector}{label(node)}{' (see above)' if repeat else ''}")
        if repeat:
            return
        seen.add(node)
        children = sorted(graph.predecessors(node), key=lambda n: label(n))
        child_prefix = prefix if depth == 0 else prefix + ("    " if is_last else "│   ")
        for index, child in enumerate(children):
            walk(child, child_prefix, index == len(children) - 1, depth + 1)

    for root in roots:
        walk(root, "", True, 0)
    return lines


def to_dot(graph: nx.DiGraph, label: Callable[[Node], str] = str) -> str:
    """Graphviz DOT text, edges from dependent to dependency."""
    lines = ["digraph blueprints {", "  rankdir=LR;"]
    for node in sorted(graph.nodes, key=label):
        lines.append(f'  "{label(node)}";')
    for dependency, dependent in sorted(graph.edges, key=lambda e: (label(e[1]), label(e[0]))):
        lines.append(f'  "{label(dependent)}" -> "{label(dependency)}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: nx.DiGraph, label: Callable[[Node], str] = str) -> str:
    """Mermaid flowchart text, edges from dependent to dependency."""
    ids = {node: f"n{index}" for index, node in enumerate(sorted(graph.nodes, key=label))}
    lines = ["flowchart LR"]
    for node, ident in ids.items():
        lines.append(f'  {ident}["{label(node)}"]')
    for dependency, dependent in sorted(graph.edges, key=lambda e: (label(e[1]), label(e[0]))):
        lines.append(f"  {ids[dependent]} --> {ids[dependency]}")
    return "\n".join(lines) + "\n"
