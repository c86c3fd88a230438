"""Generic, deterministic graph algorithms; knows nothing of blueprints.

Edges point from a dependency to what depends on it, so a topological order lists
dependencies first.

The algorithms a run needs (order, cycle, ancestors) are a few dozen lines over plain
dicts: they run on every generation and every pre-commit check, where importing
networkx would cost ten times what sorting does. networkx is the graph *model* we
hand out — :func:`to_networkx` for ``blueprintgen graph --format graphml/json`` and for
anyone analysing a project's graph — and the tests check the order and the cycles
found here against networkx's own algorithms.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    import networkx as nx

Node = TypeVar("Node", bound=Hashable)


class Graph(Generic[Node]):
    """A directed graph: nodes in insertion order, edges (dependency, dependent)."""

    def __init__(self) -> None:
        self._successors: dict[Node, dict[Node, None]] = {}
        self._predecessors: dict[Node, dict[Node, None]] = {}

    def add_node(self, node: Node) -> None:
        if node not in self._successors:
            self._successors[node] = {}
            self._predecessors[node] = {}

    def add_edge(self, dependency: Node, dependent: Node) -> None:
        self.add_node(dependency)
        self.add_node(dependent)
        self._successors[dependency][dependent] = None
        self._predecessors[dependent][dependency] = None

    @property
    def nodes(self) -> list[Node]:
        return list(self._successors)

    @property
    def edges(self) -> list[tuple[Node, Node]]:
        return [(a, b) for a, after in self._successors.items() for b in after]

    def successors(self, node: Node) -> list[Node]:
        """What depends on ``node``."""
        return list(self._successors[node])

    def predecessors(self, node: Node) -> list[Node]:
        """What ``node`` depends on."""
        return list(self._predecessors[node])

    def out_degree(self, node: Node) -> int:
        return len(self._successors[node])

    def __contains__(self, node: object) -> bool:
        return node in self._successors

    def __len__(self) -> int:
        return len(self._successors)


def build(nodes: Iterable[Node], edges: Iterable[tuple[Node, Node]]) -> Graph[Node]:
    """A directed graph of ``nodes`` with edges (dependency, dependent)."""
    graph: Graph[Node] = Graph()
    for node in nodes:
        graph.add_node(node)
    for dependency, dependent in edges:
        graph.add_edge(dependency, dependent)
    return graph


def find_cycle(graph: Graph[Node]) -> list[Node] | None:
    """The members of one cycle in order (first member repeated at the end), or None.

    Depth-first search from every node in insertion order, iteratively (deep chains
    must not hit the recursion limit); the cycle is rotated to start at its smallest
    member, so the same graph always reports the same cycle the same way.
    """
    done: set[Node] = set()
    for start in graph.nodes:
        if start in done:
            continue
        path: list[Node] = [start]
        on_path: dict[Node, int] = {start: 0}
        stack = [iter(graph.successors(start))]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                stack.pop()
                done.add(path[-1])
                del on_path[path.pop()]
                continue
            if following in on_path:
                members = path[on_path[following] :]
                first = min(range(len(members)), key=lambda i: str(members[i]))
                rotated = members[first:] + members[:first]
                return [*rotated, rotated[0]]
            if following not in done:
                on_path[following] = len(path)
                path.append(following)
                stack.append(iter(graph.successors(following)))
    return None


def ordered(graph: Graph[Node], key: Callable[[Node], str] = str) -> list[Node]:
    """Stable topological order: dependencies first, ties broken by ``key``.

    Kahn's algorithm with a heap: of all nodes whose dependencies are placed, the one
    with the smallest key goes next (networkx's lexicographical_topological_sort).
    Raises ValueError on a cycle; call :func:`find_cycle` first for a report.
    """
    waiting = {node: len(graph._predecessors[node]) for node in graph.nodes}
    tie = {node: index for index, node in enumerate(graph.nodes)}
    ready = [(key(node), tie[node], node) for node, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[Node] = []
    while ready:
        _, _, node = heapq.heappop(ready)
        order.append(node)
        for dependent in graph._successors[node]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (key(dependent), tie[dependent], dependent))
    if len(order) != len(graph):
        raise ValueError("the graph has a cycle")
    return order


def ancestors(graph: Graph[Node], node: Node) -> set[Node]:
    """Everything ``node`` depends on, transitively."""
    seen: set[Node] = set()
    todo = [node]
    while todo:
        for dependency in graph._predecessors[todo.pop()]:
            if dependency not in seen:
                seen.add(dependency)
                todo.append(dependency)
    return seen


def to_networkx(graph: Graph[Node], label: Callable[[Node], str] = str) -> nx.DiGraph:
    """The same graph as a networkx DiGraph of labels, edges from dependency to dependent."""
    import networkx as nx

    exported = nx.DiGraph()
    exported.add_nodes_from(label(node) for node in graph.nodes)
    exported.add_edges_from((label(a), label(b)) for a, b in graph.edges)
    return exported


def export(graph: Graph[Node], fmt: str, label: Callable[[Node], str] = str) -> str:
    """GraphML or JSON (node-link, edges from dependency to dependent), written by networkx."""
    import json

    import networkx as nx

    exported = to_networkx(graph, label)
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(exported))
    return json.dumps(nx.node_link_data(exported, edges="edges"), indent=2)


def tree_lines(graph: Graph[Node], roots: list[Node], label: Callable[[Node], str] = str) -> list[str]:
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


def to_dot(graph: Graph[Node], label: Callable[[Node], str] = str) -> str:
    """Graphviz DOT text, edges from dependent to dependency."""
    lines = ["digraph blueprints {", "  rankdir=LR;"]
    for node in sorted(graph.nodes, key=label):
        lines.append(f'  "{label(node)}";')
    for dependency, dependent in sorted(graph.edges, key=lambda e: (label(e[1]), label(e[0]))):
        lines.append(f'  "{label(dependent)}" -> "{label(dependency)}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: Graph[Node], label: Callable[[Node], str] = str) -> str:
    """Mermaid flowchart text, edges from dependent to dependency."""
    ids = {node: f"n{index}" for index, node in enumerate(sorted(graph.nodes, key=label))}
    lines = ["flowchart LR"]
    for node, ident in ids.items():
        lines.append(f'  {ident}["{label(node)}"]')
    for dependency, dependent in sorted(graph.edges, key=lambda e: (label(e[1]), label(e[0]))):
        lines.append(f"  {ids[dependent]} --> {ids[dependency]}")
    return "\n".join(lines) + "\n"
