"""Who matters: the most connected backers, the brokers, and mediators between camps."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

#: The relation families these rankings are about (edge keys of the projection).
BACKING = "backs"
MEDIATION = "mediates"


@dataclass(frozen=True)
class Score:
    kind: str  # "backer", "broker" or "mediator"
    actor: str
    score: float
    detail: str


def top_backers(projection: nx.MultiDiGraph, top: int) -> list[Score]:
    """Actors backing the most others; ties broken by the number of sources, then id."""
    counts: dict[str, list[int]] = {}
    for u, _, family, data in projection.edges(keys=True, data=True):
        if family == BACKING:
            entry = counts.setdefault(u, [0, 0])
            entry[0] += 1
            entry[1] += data["sources"]
    ranked = sorted(counts.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:top]
    return [Score("backer", actor, backed, f"backs {backed} actors ({sources} sources)") for actor, (backed, sources) in ranked]


def brokers(projection: nx.MultiDiGraph, top: int) -> list[Score]:
    """Highest betweenness in the undirected relation graph: actors many shortest
    connections run through. O(VE) (Brandes)."""
    undirected = nx.Graph(projection.to_undirected(as_view=True))
    betweenness = nx.betweenness_centrality(undirected, normalized=True)
    ranked = sorted(((b, n) for n, b in betweenness.items() if b > 0), key=lambda x: (-x[0], x[1]))[:top]
    return [Score("broker", n, round(b, 4), f"degree {undirected.degree(n)}") for b, n in ranked]


def bridging_mediators(projection: nx.MultiDiGraph, camps: list[set[str]]) -> list[Score]:
    """Mediators whose parties sit in different camps, with the camps they bridge."""
    camp_of = {node: i + 1 for i, camp in enumerate(camps) for node in camp}
    parties: dict[str, set[str]] = {}
    for u, v, family in projection.edges(keys=True):
        if family == MEDIATION:
            parties.setdefault(u, set()).add(v)
    found = []
    for mediator, sides in sorted(parties.items()):
        bridged = sorted({camp_of[p] for p in sides if p in camp_of})
        if len(bridged) > 1:
            detail = "between " + ", ".join(f"{p} (camp {camp_of[p]})" for p in sorted(sides) if p in camp_of)
            found.append(Score("mediator", mediator, len(bridged), detail))
    return sorted(found, key=lambda s: (-s.score, s.actor))
