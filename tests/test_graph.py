"""The graph stage against networkx: same order, same cycles, on many random graphs."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from blueprintgen import graph


def random_dag(rng: random.Random, size: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Nodes in shuffled order; edges only from an earlier to a later rank, so acyclic."""
    ranked = [f"n{index:03d}" for index in range(size)]
    nodes = ranked[:]
    rng.shuffle(nodes)
    edges = [
        (ranked[a], ranked[b]) for a in range(size) for b in range(a + 1, size) if rng.random() < 3 / size
    ]
    return nodes, edges


@pytest.mark.parametrize("seed", range(40))
def test_order_matches_networkx_lexicographical_sort(seed: int) -> None:
    rng = random.Random(seed)
    nodes, edges = random_dag(rng, rng.randint(1, 60))
    key = (lambda n: n[::-1]) if seed % 2 else str
    ours = graph.ordered(graph.build(nodes, edges), key=key)
    reference = nx.DiGraph()
    reference.add_nodes_from(nodes)
    reference.add_edges_from(edges)
    assert ours == list(nx.lexicographical_topological_sort(reference, key=key))
    assert graph.find_cycle(graph.build(nodes, edges)) is None


@pytest.mark.parametrize("seed", range(40))
def test_cycle_found_whenever_networkx_finds_one(seed: int) -> None:
    rng = random.Random(1000 + seed)
    nodes, edges = random_dag(rng, rng.randint(2, 30))
    for _ in range(rng.randint(1, 3)):  # back edges may close cycles
        a, b = rng.sample(nodes, 2)
        edges.append((a, b))
    built = graph.build(nodes, edges)
    reference = nx.DiGraph(edges)
    reference.add_nodes_from(nodes)
    cycle = graph.find_cycle(built)
    if nx.is_directed_acyclic_graph(reference):
        assert cycle is None
        return
    assert cycle is not None and cycle[0] == cycle[-1]
    assert cycle[0] == min(cycle[:-1])  # reported from its smallest member
    assert all(reference.has_edge(a, b) for a, b in itertools.pairwise(cycle))
    with pytest.raises(ValueError, match="cycle"):
        graph.ordered(built)


def test_self_loop_and_deep_chain() -> None:
    assert graph.find_cycle(graph.build(["a"], [("a", "a")])) == ["a", "a"]
    chain = [f"n{index:05d}" for index in range(20_000)]  # deeper than the recursion limit
    built = graph.build(reversed(chain), itertools.pairwise(chain))
    assert graph.find_cycle(built) is None
    assert graph.ordered(built) == chain
    assert graph.ancestors(built, chain[-1]) == set(chain[:-1])


def test_exports_are_networkx_graphs() -> None:
    built = graph.build(["b", "a"], [("a", "b")])
    exported = graph.to_networkx(built)
    assert list(exported.edges) == [("a", "b")]
    assert '"source": "a"' in graph.export(built, "json")
    assert nx.parse_graphml(graph.export(built, "graphml")).has_edge("a", "b")
