"""Reads and upkeep that every backend does the same way, as plain functions of a ``Store``.

Built on the interface's primitives (``query``, ``replace_graphs``) only, so the embedded
and the remote store share them by calling them (composition, not inheritance): both
answer ``actors()``, ``sources()``, ``has_actor()`` with the very same queries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF

from kg.model import ID_PATTERN, Actor, Source, Where
from kg.namespaces import ACTOR, KGO, META_GRAPH, ONTOLOGY_GRAPH, SOURCE, WD, local_name
from kg.ontology import load_ontology
from kg.sparqltext import to_ox
from kg.store.common import FORMAT_VERSION, STORE_NODE
from kg.store.interface import Store

ACTORS_QUERY = """SELECT ?actor ?type ?label ?wikidata
   (GROUP_CONCAT(DISTINCT ?alias; separator="\\u001f") AS ?aliases) WHERE {
     ?type rdfs:subClassOf kgo:Actor . ?actor a ?type .
     OPTIONAL { ?actor rdfs:label ?label }
     OPTIONAL { ?actor skos:altLabel ?alias }
     OPTIONAL { ?actor owl:sameAs ?wikidata FILTER STRSTARTS(STR(?wikidata), STR(wd:)) }
   } GROUP BY ?actor ?type ?label ?wikidata ORDER BY ?actor"""


def has_actor(store: Store, actor_id: str) -> bool:
    """Whether an actor with exactly this id is loaded (one index lookup, not all actors)."""
    query = "ASK { ?actor a ?type . ?type rdfs:subClassOf kgo:Actor }"
    return bool(store.query(query, {"actor": ACTOR[actor_id]}).askAnswer)


def actors(store: Store) -> list[Actor]:
    """Every actor with its type, label and aliases (used to resolve names).

    Read as plain text (``texts``), starting from the few actor types: rdflib terms for the
    rows cost 3.7 s for the 5,000 actors of a 1M-claim store, the text 0.4 s, and starting
    from ``?actor a ?type`` read every typed node (each statement is one) first."""
    found = {}
    for row in store.texts(ACTORS_QUERY):
        actor_id = local_name(row["actor"], ACTOR)
        found[actor_id] = Actor(
            id=actor_id,
            label=row["label"] or actor_id,
            type=local_name(row["type"], str(KGO)),
            aliases=tuple(sorted(a for a in (row["aliases"] or "").split("\x1f") if a)),
            wikidata=local_name(row["wikidata"], WD) if row["wikidata"] else None,
            where=Where(store.location),
        )
    return list(found.values())


def sources(store: Store, ids: Iterable[str] | None = None) -> list[Source]:
    """Every source, or only those of ``ids`` that exist: a small load into a store of
    200k sources reads the few it names (reading them all takes half a minute)."""
    values = ""
    if ids is not None:
        wanted = sorted(i for i in set(ids) if ID_PATTERN.match(i))  # anything else is no source id
        if not wanted:
            return []
        values = "VALUES ?source { " + " ".join(str(to_ox(SOURCE[i])) for i in wanted) + " }"
    rows = store.query(
        f"""SELECT ?source (SAMPLE(?t) AS ?title) (SAMPLE(?p) AS ?publisher) (SAMPLE(?u) AS ?url)
                  (SAMPLE(?d) AS ?date) WHERE {{ {values}
             ?source a kgo:Source .
             OPTIONAL {{ ?source dcterms:title ?t }} OPTIONAL {{ ?source dcterms:publisher ?p }}
             OPTIONAL {{ ?source schema:url ?u }} OPTIONAL {{ ?source dcterms:date ?d }}
           }} GROUP BY ?source ORDER BY ?source"""
    )
    return [
        Source(
            id=local_name(row.source, SOURCE),
            title=str(row.title or ""),
            publisher=_str(row.publisher),
            url=_str(row.url),
            date=row.date.toPython() if row.date is not None else None,
            where=Where(store.location),
        )
        for row in rows
    ]


def format_version(store: Store) -> int | None:
    """The format version in the meta graph (None: nothing written yet)."""
    rows = list(store.query("SELECT ?v ?g ?s WHERE { GRAPH ?g { ?s kgo:formatVersion ?v } }", {"g": META_GRAPH, "s": STORE_NODE}))
    return int(rows[0].v) if rows else None


#: Removes the stored counts; every data write runs it in its own transaction (or first).
FORGET_COUNTS = f"DELETE WHERE {{ GRAPH {to_ox(META_GRAPH)} {{ {to_ox(STORE_NODE)} {to_ox(KGO.counts)} ?counts }} }}"


def count(store: Store) -> dict:
    """What the store holds, counted now: actors by type, assertions by relation (distinct
    statements: one in two files counts once), sources, the first and last date reported.
    About a second at 1M assertions (``stored_counts`` answers in milliseconds)."""

    def pairs(text: str) -> dict[str, int]:
        return {local_name(row["k"], str(KGO)): int(row["n"]) for row in store.texts(text)}

    ontology = load_ontology()
    # kgo:relation alone marks a statement (its domain is kgo:Assertion); joining on the type
    # as well made this count 15 times slower.
    by_relation = pairs("SELECT ?k (COUNT(DISTINCT ?st) AS ?n) WHERE { ?st kgo:relation ?k } GROUP BY ?k ORDER BY ?k")
    totals = next(
        store.texts(
            """SELECT * WHERE {
                 { SELECT (COUNT(DISTINCT ?src) AS ?sources) WHERE { ?src a kgo:Source } }
                 { SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?st kgo:dateReported ?d } } }"""
        )
    )
    return {
        "actors": pairs("SELECT ?k (COUNT(DISTINCT ?a) AS ?n) WHERE { ?k rdfs:subClassOf kgo:Actor . ?a a ?k } GROUP BY ?k ORDER BY ?k"),
        "assertions": {ontology.relations[KGO[name]].name: n for name, n in by_relation.items()},
        "sources": int(totals["sources"] or 0),
        "first_date": totals["first"],
        "last_date": totals["last"],
    }


def stored_counts(store: Store) -> dict | None:
    """The counts ``keep_counts`` stored at the end of the last write (None: there are none,
    e.g. after a killed write; they are never older than the data, see ``FORGET_COUNTS``)."""
    rows = list(store.texts("SELECT ?c WHERE { GRAPH ?g { ?s kgo:counts ?c } }", {"g": META_GRAPH, "s": STORE_NODE}))
    return json.loads(rows[0]["c"]) if len(rows) == 1 else None


def keep_counts(store: Store) -> str:
    """The update that keeps the store's counts (``count``, now) in the meta graph, replacing
    any there, for ``kg info``: the embedded store runs it at the end of each write, each
    of which removed the old counts first (``FORGET_COUNTS``), so a crash in between leaves
    no counts rather than wrong ones, and ``info`` then counts the store itself."""
    counts = Literal(json.dumps(count(store), sort_keys=True))
    return f"{FORGET_COUNTS} ;\nINSERT DATA {{ GRAPH {to_ox(META_GRAPH)} {{ {to_ox(STORE_NODE)} {to_ox(KGO.counts)} {to_ox(counts)} }} }}"


def install_ontology(store: Store) -> None:
    """Keep the ontology graph and the format version current (cheap when they are)."""
    ontology = load_ontology().graph
    version = ontology.value(URIRef(str(KGO).rstrip("#")), OWL.versionInfo)
    installed = store.query(
        "ASK { GRAPH ?g { ?o owl:versionInfo ?v } }", {"g": ONTOLOGY_GRAPH, "o": URIRef(str(KGO).rstrip("#")), "v": version}
    ).askAnswer
    if not installed:
        meta = [(STORE_NODE, RDF.type, KGO.Store), (STORE_NODE, KGO.formatVersion, Literal(FORMAT_VERSION))]
        store.replace_graphs({ONTOLOGY_GRAPH: set(ontology), META_GRAPH: meta})


def _str(value: object) -> str | None:
    return str(value) if value is not None else None
