"""Selecting claims and projecting them onto a networkx graph.

``select_claims`` reads the assertions and keeps those a ``Selection`` keeps (its
Python form: as-of date, minimum confidence, relations), then the focus neighbourhood;
the analytics, the map and the exports all start from it, so they always agree.
``project`` turns the selected claims into a ``networkx.MultiDiGraph`` with one edge
per (subject, relation family, object), carrying the evidence behind it. Families and
their signs and symmetry are the ontology's (``kg.ontology.Ontology.families``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.names import StoreActors
from kg.namespaces import ACTOR, SOURCE, local_name
from kg.ontology import load_ontology
from kg.selection import Selection
from kg.store import Store

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class Claim:
    """One assertion as the projection sees it (objects: several only for mediation)."""

    statement: str
    subject: str
    relation: str  # as asserted, forward form, e.g. "fights"
    family: str  # the family it rolls up to, e.g. "opposes" (see Ontology.family)
    objects: tuple[str, ...]
    sources: tuple[str, ...]
    confidence: float
    date: dt.date
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    quote: str | None = None
    stance: str = "asserted"  # kg.model.STANCES
    said_by: str | None = None  # an actor id, or the free text naming who voices the claim
    process: str | None = None  # actor id of the process or venue
    host: str | None = None
    note: str | None = None
    #: The whole periods of partial dates ("month", "year"), for display; ``date``,
    #: ``valid_from`` and ``valid_until`` hold first days (``valid_until``: the LAST day of its period).
    date_precision: str = "day"

    @property
    def start(self) -> dt.date:
        """The first day the claim holds: its valid_from, or else the day it was reported."""
        return self.valid_from or self.date

    def text(self) -> str:
        return f"{self.subject} {self.relation} {', '.join(self.objects)}"


@dataclass
class Actors:
    """Labels, types and aliases of the actors, for display."""

    label: dict[str, str] = field(default_factory=dict)
    type: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


CLAIMS_QUERY = """
SELECT ?st ?subject ?relation ?confidence ?date ?from ?until ?quote
       (GROUP_CONCAT(DISTINCT STR(?object); separator=" ") AS ?objects)
       (GROUP_CONCAT(DISTINCT STR(?source); separator=" ") AS ?sources)
WHERE {
  ?st a kgo:Assertion ; kgo:subject ?subject ; kgo:relation ?relation ; kgo:object ?object ;
      kgo:confidence ?confidence ; kgo:dateReported ?date ; prov:wasDerivedFrom ?source .
  OPTIONAL { ?st kgo:validFrom ?from } OPTIONAL { ?st kgo:validUntil ?until } OPTIONAL { ?st kgo:quote ?quote }
}
GROUP BY ?st ?subject ?relation ?confidence ?date ?from ?until ?quote
ORDER BY ?st
"""


def all_claims(store: Store) -> list[Claim]:
    """Every assertion in the store, in a stable order."""
    ontology = load_ontology()
    names = {str(iri): (relation.name, ontology.family(relation).name) for iri, relation in ontology.relations.items()}
    claims = []
    for row in store.texts(CLAIMS_QUERY):
        name, family = names[row["relation"]]
        claims.append(
            Claim(
                statement=row["st"],
                subject=local_name(row["subject"], ACTOR),
                relation=name,
                family=family,
                objects=tuple(sorted(local_name(o, ACTOR) for o in row["objects"].split())),
                sources=tuple(sorted(local_name(s, SOURCE) for s in row["sources"].split())),
                confidence=float(row["confidence"]),
                date=dt.date.fromisoformat(row["date"]),
                valid_from=_day(row["from"]),
                valid_until=_day(row["until"]),
                quote=row["quote"],
            )
        )
    return claims


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def select_claims(store: Store, selection: Selection = Selection()) -> list[Claim]:
    """The claims a selection keeps (``Selection.keeps``: time, confidence, relations),
    then the focus actor's neighbourhood (actors within ``depth`` steps over the remaining
    claims)."""
    claims = [claim for claim in all_claims(store) if selection.keeps(claim)]
    if selection.focus is None:
        return claims
    focus = StoreActors(store).lookup(selection.focus, field="--focus")
    keep = neighbourhood(claims, focus, selection.depth)
    return [c for c in claims if c.subject in keep and all(o in keep for o in c.objects)]


def neighbourhood(claims: list[Claim], focus: str, depth: int) -> set[str]:
    """Actors at most ``depth`` claims away from ``focus``, in either direction."""
    if depth < 0:
        raise KgError("--depth must be 0 or more", field="--depth")
    links: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        for obj in claim.objects:
            links[claim.subject].add(obj)
            links[obj].add(claim.subject)
    seen, frontier = {focus}, {focus}
    for _ in range(depth):
        frontier = {n for actor in frontier for n in links[actor]} - seen
        seen |= frontier
    return seen


def actor_details(store: Store) -> Actors:
    details = Actors()
    for actor in store.actors():
        details.label[actor.id] = actor.label
        details.type[actor.id] = actor.type
        details.aliases[actor.id] = actor.aliases
    return details


def claims_by_edge(claims: list[Claim]) -> dict[tuple[str, str, str], list[Claim]]:
    """The claims behind each (subject, object, family) edge; a mediation names several objects."""
    edges: dict[tuple[str, str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        for obj in claim.objects:
            edges[(claim.subject, obj, claim.family)].append(claim)
    return edges


def project(store: Store, selection: Selection = Selection()) -> nx.MultiDiGraph:
    """A ``networkx.MultiDiGraph`` of the selected claims (``claims_graph`` of ``select_claims``).

    Nodes are actor ids (attributes ``label``, ``type``). There is one edge per
    (subject, family, object), keyed by the family, with attributes:

    - ``relation``: the family (``backs``, ``opposes``, ``mediates``, ``negotiates-with``, ...)
    - ``relations``: the specific relations asserted (``fights``, ``condemns``, ...)
    - ``sign``: +1 cooperative, -1 hostile, 0 neutral (the family's ``kgo:sign``)
    - ``sources``: number of distinct sources; ``confidence``: the highest confidence
    - ``assertions``: the statement IRIs; ``first_date`` / ``last_date``: when the claims start
    - ``symmetric``: True for a symmetric family, negotiates-with (drawn and analysed without direction)

    Examples
    --------
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/ain-issa-2020/ain-issa.yaml"])
    >>> edge = project(store)["sna"]["ypg"]["opposes"]
    >>> edge["sign"], edge["relations"], len(edge["assertions"])
    (-1, ['condemns', 'fights'], 2)
    """
    return claims_graph(select_claims(store, selection), actor_details(store))


def claims_graph(claims: list[Claim], details: Actors) -> nx.MultiDiGraph:
    """The projection of ``claims``: what ``project`` returns, for a caller that also keeps
    the claims (to name those behind each answer)."""
    import networkx as nx  # 0.2 s: only the commands that project pay it

    graph = nx.MultiDiGraph()
    edges = claims_by_edge(claims)
    for actor in sorted({a for key in edges for a in key[:2]}):
        graph.add_node(actor, label=details.label.get(actor, actor), type=details.type.get(actor, "Actor"))
    for (subject, obj, family), supporting in sorted(edges.items()):
        graph.add_edge(subject, obj, key=family, **edge_attributes(family, supporting))
    return graph


def edge_attributes(family: str, claims: list[Claim]) -> dict:
    relation = load_ontology().families[family]
    return {
        "relation": family,
        "relations": sorted({c.relation for c in claims}),
        "sign": relation.sign,
        "sources": len({s for c in claims for s in c.sources}),
        "confidence": max(c.confidence for c in claims),
        "assertions": sorted(c.statement for c in claims),
        "first_date": min(c.start for c in claims).isoformat(),
        "last_date": max(c.start for c in claims).isoformat(),
        "symmetric": relation.symmetric,
    }
