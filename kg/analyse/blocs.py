"""Camps: partition actors so that backing falls inside camps and opposition between them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class Frustration:
    """A signed edge that contradicts the partition: allies split, or enemies in one camp."""

    a: str
    b: str
    sign: int
    edges: tuple[tuple[str, str, str], ...]  # (subject, family, object) of the projection
    assertions: tuple[str, ...]  # the statement IRIs behind them


def signed_blocs(signed: nx.Graph, max_rounds: int = 100) -> list[set[str]]:
    """Camps of a signed graph: a deterministic local search for the partition with the
    least frustration (correlation clustering; the number of camps is not fixed).

    Parameters
    ----------
    signed : nx.Graph
        Undirected, each edge with ``sign`` (+1/-1) and ``weight`` (> 0), as made by
        ``kg.analyse.signed.signed_graph``.

    Returns
    -------
    camps : list of sets
        Largest camp first (ties: by smallest member). Every node is in one camp.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_edge("a", "b", sign=1, weight=1); g.add_edge("c", "d", sign=1, weight=1)
    >>> g.add_edge("a", "c", sign=-1, weight=1)
    >>> [sorted(camp) for camp in signed_blocs(g)]
    [['a', 'b'], ['c', 'd']]

    Notes
    -----
    Start: the connected components of the positive edges. Then, node by node in sorted
    order, move a node to the camp (or a new one) where it contradicts the least edge
    weight, until no move helps. Each round is O(E); finding the minimum exactly is
    NP-hard, so a different start could find a better partition on hard graphs.
    """
    positive = nx.Graph([(u, v) for u, v, s in signed.edges(data="sign") if s > 0])
    positive.add_nodes_from(signed)
    camp = {}
    for number, component in enumerate(sorted(nx.connected_components(positive), key=min)):
        camp.update(dict.fromkeys(component, number))
    for _ in range(max_rounds):
        if not _improve(signed, camp):
            break
    camps: dict[int, set[str]] = {}
    for node, number in camp.items():
        camps.setdefault(number, set()).add(node)
    return sorted(camps.values(), key=lambda c: (-len(c), min(c)))


def aligned_camps(signed: nx.Graph) -> tuple[list[set[str]], set[str]]:
    """The camps of ``signed_blocs`` and, apart, the unaligned actors: those with no
    backing, membership or opposition claim at all (a process, a lone negotiator)."""
    camps, unaligned = [], set()
    for camp in signed_blocs(signed):
        if len(camp) == 1 and signed.degree(next(iter(camp))) == 0:
            unaligned |= camp
        else:
            camps.append(camp)
    return camps, unaligned


def _improve(signed: nx.Graph, camp: dict[str, int]) -> bool:
    """One round of moves: each node, in sorted order, to the camp (of a neighbour, or a new
    one) where it contradicts the least edge weight; ties keep it, then the lowest camp."""
    moved = False
    fresh = max(camp.values(), default=0) + 1  # a camp no node is in: a move there makes a new camp
    for node in sorted(signed):
        cost = _costs(signed, camp, node)
        current = camp[node]
        options = {c for c in cost if c is not None} | {fresh}
        best = min(options, key=lambda c: (cost.get(c, cost[None]), c != current, c))
        if cost.get(best, cost[None]) < cost.get(current, cost[None]):
            camp[node] = best
            moved = True
            fresh = max(fresh, best + 1)
    return moved


def _costs(signed: nx.Graph, camp: dict[str, int], node: str) -> dict[int | None, int]:
    """The weight ``node`` would contradict in each camp of its neighbours, and (key None)
    in any other camp: its positive edges all split, no negative edge inside. One pass over
    its edges, not one per camp: a hub of a 1M-claim graph has hundreds of camps around it."""
    positive: dict[int, int] = defaultdict(int)
    negative: dict[int, int] = defaultdict(int)
    for other, data in signed[node].items():
        (positive if data["sign"] > 0 else negative)[camp[other]] += data["weight"]
    split = sum(positive.values())  # in no camp of a neighbour: every positive edge is cut
    cost: dict[int | None, int] = {c: split - positive[c] + negative[c] for c in positive.keys() | negative.keys()}
    cost[None] = split
    return cost


def frustration(signed: nx.Graph, camps: list[set[str]]) -> list[Frustration]:
    """The edges that contradict ``camps``: positive across camps, negative within one."""
    camp_of = {node: i for i, camp in enumerate(camps) for node in camp}
    found = []
    for u, v, data in sorted(signed.edges(data=True)):
        together = camp_of[u] == camp_of[v]
        if (data["sign"] > 0) != together:
            found.append(Frustration(u, v, data["sign"], tuple(sorted(data["edges"])), tuple(sorted(data["assertions"]))))
    return found
