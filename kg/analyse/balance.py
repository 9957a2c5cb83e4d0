"""Structural balance: triads whose signs multiply to a negative are unstable."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import networkx as nx


@dataclass(frozen=True)
class Triad:
    actors: tuple[str, str, str]
    signs: tuple[int, int, int]  # of the edges ab, bc, ac
    edges: tuple[tuple[str, str, str], ...]  # (subject, family, object) of the projection, side by side
    assertions: tuple[str, ...]  # the statement IRIs behind them, side by side

    @property
    def balanced(self) -> bool:
        return self.signs[0] * self.signs[1] * self.signs[2] > 0


def triads(signed: nx.Graph) -> list[Triad]:
    """Every triangle of the signed graph, actors in sorted order.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_edge("a", "b", sign=1, edges=[("a", "backs", "b")], assertions=["s1"])
    >>> g.add_edge("b", "c", sign=-1, edges=[("b", "opposes", "c")], assertions=["s2"])
    >>> g.add_edge("a", "c", sign=1, edges=[("a", "backs", "c")], assertions=["s3"])
    >>> [(t.balanced, t.assertions) for t in triads(g)]
    [(False, ('s1', 's2', 's3'))]

    Notes
    -----
    Heider's balance: "the friend of my friend is my friend, the enemy of my friend is my
    enemy". O(sum of degree^2) over the graph.
    """
    found = []
    for a in sorted(signed):
        for b, c in combinations(sorted(n for n in signed[a] if n > a), 2):
            if signed.has_edge(b, c):
                sides = (signed[a][b], signed[b][c], signed[a][c])
                edges = tuple(edge for side in sides for edge in sorted(side["edges"]))
                assertions = tuple(statement for side in sides for statement in sorted(side["assertions"]))
                found.append(Triad((a, b, c), tuple(side["sign"] for side in sides), edges, assertions))
    return found
