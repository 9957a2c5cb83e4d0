"""Support chains: whom an actor backs directly and through others, and who backs it."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

#: The relation family a chain follows (every kind of backing rolls up into it).
BACKING = "backs"


@dataclass(frozen=True)
class Chain:
    direction: str  # "backs" (downstream) or "backed-by" (upstream)
    actor: str
    path: tuple[str, ...]  # from the asked actor to ``actor``

    @property
    def steps(self) -> int:
        return len(self.path) - 1


def backing_graph(projection: nx.MultiDiGraph) -> nx.DiGraph:
    """Only the backing edges (all kinds of backing roll up into ``backs``)."""
    graph = nx.DiGraph()
    graph.add_edges_from((u, v) for u, v, family in projection.edges(keys=True) if family == BACKING)
    return graph


def backing_chains(projection: nx.MultiDiGraph, actor: str) -> list[Chain]:
    """Everyone ``actor`` backs (directly or transitively) and everyone who backs it,
    each with one shortest chain.

    Examples
    --------
    >>> g = nx.MultiDiGraph([("a", "b", "backs"), ("b", "c", "backs"), ("x", "a", "backs")])
    >>> [(c.direction, c.actor, c.path) for c in backing_chains(g, "a")]
    [('backs', 'b', ('a', 'b')), ('backs', 'c', ('a', 'b', 'c')), ('backed-by', 'x', ('a', 'x'))]
    """
    graph = backing_graph(projection)
    if actor not in graph:
        return []
    chains = []
    for direction, view in (("backs", graph), ("backed-by", graph.reverse(copy=False))):
        paths = nx.single_source_shortest_path(view, actor)
        for target in sorted(paths, key=lambda t: (len(paths[t]), t)):
            if target != actor:
                chains.append(Chain(direction, target, tuple(paths[target])))
    return chains
