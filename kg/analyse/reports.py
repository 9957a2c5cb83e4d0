"""What ``kg analyse`` and ``kg path`` print: each answer as rows, traced to its claims.

One function per command; each projects the store once with the given ``Selection``
and returns a ``Report`` (rows for tables/CSV plus a summary for JSON and headers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.analyse.balance import triads
from kg.analyse.blocs import aligned_camps, frustration
from kg.analyse.centrality import bridging_mediators, brokers, top_backers
from kg.analyse.chains import backing_chains
from kg.analyse.paths import relation_paths
from kg.analyse.signed import signed_graph
from kg.errors import KgError
from kg.names import StoreActors
from kg.projection import project
from kg.selection import Selection
from kg.store import KgStore


@dataclass
class Report:
    columns: list[str]
    rows: list[dict]
    summary: dict = field(default_factory=dict)
    sections: dict[str, tuple[list[str], list[dict]]] = field(default_factory=dict)  # extra tables


def _claims_text(claims) -> str:
    return "; ".join(f"{s} {family} {o}" for s, family, o in claims)


def blocs(store: KgStore, selection: Selection = Selection()) -> Report:
    """Camps from the signed graph, and the claims that contradict them."""
    projection = project(store, selection)
    signed = signed_graph(projection)
    camps, unaligned = aligned_camps(signed)
    members = [(number, actor) for number, camp in enumerate(camps, 1) for actor in sorted(camp)]
    members += [("-", actor) for actor in sorted(unaligned)]
    rows = [
        {"camp": number, "actor": actor, "label": projection.nodes[actor]["label"], "type": projection.nodes[actor]["type"]}
        for number, actor in members
    ]
    camp_of = {row["actor"]: row["camp"] for row in rows}
    contradictions = [
        {
            "a": f.a,
            "b": f.b,
            "camps": f"{camp_of[f.a]} / {camp_of[f.b]}",
            "problem": "allies in different camps" if f.sign > 0 else "enemies in one camp",
            "claims": _claims_text(f.claims),
            "assertions": " ".join(f.assertions),
        }
        for f in frustration(signed, camps)
    ]
    summary = {
        "camps": [sorted(c) for c in camps],
        "unaligned": sorted(unaligned),
        "signed_edges": signed.number_of_edges(),
        "frustration": len(contradictions),
        "frustrated": contradictions,
    }
    return Report(
        ["camp", "actor", "label", "type"], rows, summary, {"frustration": (["a", "b", "camps", "problem", "claims"], contradictions)}
    )


def balance(store: KgStore, selection: Selection = Selection()) -> Report:
    """Unbalanced triads, with the claims on their three sides, and the balance ratio."""
    found = triads(signed_graph(project(store, selection)))
    unbalanced = [t for t in found if not t.balanced]
    sign = {1: "+", -1: "-"}
    rows = [
        {
            "actors": " ".join(t.actors),
            "signs": f"{t.actors[0]}-{t.actors[1]} {sign[t.signs[0]]}, {t.actors[1]}-{t.actors[2]} {sign[t.signs[1]]}, "
            f"{t.actors[0]}-{t.actors[2]} {sign[t.signs[2]]}",
            "claims": _claims_text(t.claims),
        }
        for t in unbalanced
    ]
    ratio = (len(found) - len(unbalanced)) / len(found) if found else None
    summary = {"triads": len(found), "balanced": len(found) - len(unbalanced), "ratio": ratio, "unbalanced": rows}
    return Report(["actors", "signs", "claims"], rows, summary)


def chains(store: KgStore, actor: str, selection: Selection = Selection()) -> Report:
    """Whom ``actor`` backs, directly and through others, and who backs it."""
    actor_id = StoreActors(store).lookup(actor, field="ACTOR")
    found = backing_chains(project(store, selection), actor_id)
    rows = [{"direction": c.direction, "actor": c.actor, "steps": c.steps, "path": " → ".join(c.path)} for c in found]
    return Report(["direction", "actor", "steps", "path"], rows, {"actor": actor_id, "chains": rows})


def path(store: KgStore, a: str, b: str, selection: Selection = Selection(), limit: int = 5) -> Report:
    """The shortest chains of relations linking two actors."""
    index = StoreActors(store)
    source, target = index.lookup(a, field="A"), index.lookup(b, field="B")
    if source == target:
        raise KgError(f"A and B are the same actor ({source!r})", field="B")
    found = relation_paths(project(store, selection), source, target, limit)
    rows = [{"length": len(p.steps), "path": p.text()} for p in found]
    return Report(["length", "path"], rows, {"from": source, "to": target, "paths": rows})


def centrality(store: KgStore, selection: Selection = Selection(), top: int = 5) -> Report:
    """The most connected backers, the brokers (betweenness) and the mediators that
    bridge opposing camps."""
    projection = project(store, selection)
    camps, _ = aligned_camps(signed_graph(projection))
    scores = top_backers(projection, top) + brokers(projection, top) + bridging_mediators(projection, camps)
    rows = [{"kind": s.kind, "actor": s.actor, "score": s.score, "detail": s.detail} for s in scores]
    return Report(["kind", "actor", "score", "detail"], rows, {"scores": rows})
