"""Shortest chains of relations linking two actors, in any direction."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import networkx as nx


@dataclass(frozen=True)
class Step:
    source: str  # the step goes from source to target along the path
    family: str
    target: str
    forward: bool  # True if the claim runs the same way (source backs target)
    symmetric: bool
    assertions: tuple[str, ...]  # the statement IRIs behind the step's edge


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]

    def text(self) -> str:
        """``iran —participates-in→ astana-process ←participates-in— turkey``"""
        parts = [self.steps[0].source]
        for step in self.steps:
            arrow = f"—{step.family}—" if step.symmetric else (f"—{step.family}→" if step.forward else f"←{step.family}—")
            parts += [arrow, step.target]
        return " ".join(parts)


def relation_paths(projection: nx.MultiDiGraph, a: str, b: str, limit: int = 5) -> list[Path]:
    """Up to ``limit`` shortest paths from ``a`` to ``b``, ignoring direction to find them
    and keeping it to show them. Where two actors are linked by several claims, the step
    shows the best supported one (most sources, then highest confidence, then name).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> edge = {"sources": 1, "confidence": 1.0, "symmetric": False}
    >>> g.add_edge("iran", "astana", key="participates-in", assertions=["s1"], **edge)
    'participates-in'
    >>> g.add_edge("turkey", "astana", key="participates-in", assertions=["s2"], **edge)
    'participates-in'
    >>> [(p.text(), [s.assertions for s in p.steps]) for p in relation_paths(g, "iran", "turkey")]
    [('iran —participates-in→ astana ←participates-in— turkey', [('s1',), ('s2',)])]
    """
    undirected = nx.Graph(projection.to_undirected(as_view=True))
    if a not in undirected or b not in undirected or not nx.has_path(undirected, a, b):
        return []
    found = []
    for nodes in sorted(islice(nx.all_shortest_paths(undirected, a, b), limit)):  # there may be exponentially many
        found.append(Path(tuple(_best_step(projection, u, v) for u, v in zip(nodes, nodes[1:], strict=False))))
    return found


def _best_step(projection: nx.MultiDiGraph, u: str, v: str) -> Step:
    candidates = []
    for source, target, forward in ((u, v, True), (v, u, False)):
        for family, data in projection.get_edge_data(source, target, default={}).items():
            rank = (-data["sources"], -data["confidence"], family, not forward)
            candidates.append((rank, Step(u, family, v, forward, data["symmetric"], tuple(data["assertions"]))))
    return min(candidates, key=lambda c: c[0])[1]
