"""The signed, undirected view of the projection that camps are decided on."""

from __future__ import annotations

import networkx as nx

from kg.ontology import load_ontology


def camp_families() -> frozenset[str]:
    """The relation families that say whether two actors are on the same side (marked
    ``kgo:decidesCamps`` in the ontology: backing, membership, representation, opposition).
    Mediation, negotiation and taking part in a process do not: a mediator talks to both
    sides by definition, and enemies negotiate."""
    return frozenset(name for name, family in load_ontology().families.items() if family.decides_camps)


def signed_graph(projection: nx.MultiDiGraph) -> nx.Graph:
    """Collapse the projection to one signed edge per pair of actors.

    The edge's ``sign`` is the sign of the sum of (sign x sources) of the camp-deciding
    claims between the two actors in either direction; ``edges`` lists the projection's
    ``(subject, family, object)`` edges and ``assertions`` the statement IRIs behind it.
    Pairs whose claims cancel out get no edge.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("a", "b", key="backs", sign=1, sources=2, assertions=["s1"])
    'backs'
    >>> g.add_edge("b", "a", key="opposes", sign=-1, sources=1, assertions=["s2"])
    'opposes'
    >>> signed_graph(g)["a"]["b"]["sign"]
    1
    """
    deciding = camp_families()
    signed = nx.Graph()
    signed.add_nodes_from(projection.nodes(data=True))
    for u, v, family, data in projection.edges(keys=True, data=True):
        if family not in deciding or u == v:
            continue
        if not signed.has_edge(u, v):
            signed.add_edge(u, v, total=0, edges=[], assertions=[], counted=set())
        edge = signed[u][v]
        # a statement already counted for this pair (a symmetric claim, such as allied-with,
        # behind both directions of its family) counts once
        fresh = [statement for statement in data["assertions"] if statement not in edge["counted"]]
        edge["total"] += data["sign"] * _sources(data, fresh)
        edge["edges"].append((u, family, v))
        edge["assertions"].extend(fresh)
        edge["counted"].update(fresh)
    for u, v in [(u, v) for u, v, total in signed.edges(data="total") if total == 0]:
        signed.remove_edge(u, v)
    for _, _, data in signed.edges(data=True):
        del data["counted"]
        data["sign"] = 1 if data["total"] > 0 else -1
        data["weight"] = abs(data.pop("total"))
    return signed


def _sources(data: dict, statements: list[str]) -> int:
    """The number of distinct sources of ``statements`` on a projection edge (all its
    sources when the edge does not say which statement has which)."""
    per_statement = data.get("statement_sources")
    if per_statement is None:
        return data["sources"] if statements else 0
    return len({source for statement in statements for source in per_statement[statement]})
