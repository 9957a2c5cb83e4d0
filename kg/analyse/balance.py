"""Structural balance: triads whose signs multiply to a negative are unstable."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import networkx as nx


@dataclass(frozen=True)
class Triad:
    actors: tuple[str, str, str]
    signs: tuple[int, int, int]  # of the edges ab, bc, ac
    claims: tuple[tuple[str, str, str], ...]

    @property
    def balanced(self) -> bool:
        return self.signs[0] * self.signs[1] * self.signs[2] > 0


def triads(signed: nx.Graph) -> list[Triad]:
    """Every triangle of the signed graph, actors in sorted order.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_edge("a", "b", sign=1, claims=[("a", "backs", "b")])
    >>> g.add_edge("b", "c", sign=-1, claims=[("b", "opposes", "c")])
    >>> g.add_edge("a", "c", sign=1, claims=[("a", "backs", "c")])
    >>> [t.balanced for t in triads(g)]
    [False]

    Notes
    -----
    Heider's balance: "the friend of my friend is my friend, the enemy of my friend is my
    enemy". O(sum of degree^2) over the graph.
    """
    found = []
    for a in sorted(signed):
        for b, c in combinations(sorted(n for n in signed[a] if n > a), 2):
            if signed.has_edge(b, c):
                edges = (signed[a][b], signed[b][c], signed[a][c])
                claims = tuple(claim for edge in edges for claim in sorted(edge["claims"]))
                found.append(Triad((a, b, c), tuple(e["sign"] for e in edges), claims))
    return found
