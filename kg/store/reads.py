"""Reads and upkeep that every backend does the same way, as plain functions of a ``Store``.

Built on the interface's primitives (``query``, ``replace_graphs``) only, so the embedded
and the remote store share them by calling them (composition, not inheritance): both
answer ``actors()``, ``sources()``, ``has_actor()`` with the very same queries.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from kg.model import ID_PATTERN, Actor, Source, Where
from kg.namespaces import ACTOR, KGO, META_GRAPH, ONTOLOGY_GRAPH, SCHEMA, SOURCE, WD, local_name
from kg.ontology import load_ontology
from kg.sparqltext import to_ox
from kg.store.common import FORMAT_VERSION, STORE_NODE
from kg.store.interface import Store
from kg.store.kept import Layout, kept_after_write, read_per_write, shared

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


#: What a source says, by property (``sources``).
SOURCE_FIELDS = {str(DCTERMS.title): "title", str(DCTERMS.publisher): "publisher", str(SCHEMA.url): "url", str(DCTERMS.date): "date"}


def sources(store: Store, ids: Iterable[str] | None = None) -> list[Source]:
    """Every source, or only those of ``ids`` that exist: a small load into a store of
    200k sources reads the few it names.

    Read as plain text (``texts``), one scan of each property, as ``actors`` and the
    claims are: for the 20k sources of a 100k-claim store, an OPTIONAL per property grouped
    per source took 2 s, rdflib terms for its rows 1 s more; the scans take 0.7 s. All of
    them are read once per write of the data (``kg.store.kept.read_per_write``)."""
    if ids is None:
        return read_per_write(store, "sources", _source_layout(store), lambda: _sources(store, ""))
    wanted = sorted(i for i in set(ids) if ID_PATTERN.match(i))  # anything else is no source id
    if not wanted:
        return []
    return _sources(store, "VALUES ?s { " + " ".join(str(to_ox(SOURCE[i])) for i in wanted) + " } ")


def kept_loaded_sources(store: Store, loaded: list[Source]) -> AbstractContextManager:
    """The sources a load of the whole store wrote, kept as the store's when the block that
    writes them ends (``kg.store.kept.kept_after_write``): as ``_sources`` will read them
    (an empty publisher or URL is not written). A source two files define is left to
    ``_sources``."""
    where = Where(store.location)
    found = {s.id: Source(s.id, s.title, s.publisher or None, s.url or None, s.date, where=where) for s in loaded}
    if len(found) < len(loaded):
        return nullcontext()
    return kept_after_write(store, "sources", _source_layout(store), [found[i] for i in sorted(found)])


def _sources(store: Store, values: str) -> list[Source]:
    """The sources a ``values`` block (of ``?s``) names (empty: all of them), read from the store."""
    typed = {row["s"] for row in store.texts(f"SELECT ?s WHERE {{ {values}?s a kgo:Source }}")}  # once, if in two files
    said = property_values(store, SOURCE_FIELDS, values)
    return [
        Source(
            id=local_name(source, SOURCE),
            title=fields.get("title", ""),
            publisher=fields.get("publisher"),
            url=fields.get("url"),
            date=_day(fields.get("date")),
            where=Where(store.location),
        )
        for source, fields in ((source, said.get(source, {})) for source in sorted(typed))
    ]


def property_values(store: Store, fields: dict[str, str], chosen: str = "", several: frozenset[str] = frozenset()) -> dict[str, dict]:
    """Subject IRI -> field name -> value (IRIs and literals as text), for the properties of
    ``fields`` (IRI -> name), of every subject or of those a ``chosen`` VALUES block of
    ``?s`` names: one scan of each property (``property_scan``), gathered in Python, which
    is faster in Oxigraph than a join or an OPTIONAL per property. Fields in ``several``
    get the set of their values; the others one (of several, the least)."""
    found: dict[str, dict] = defaultdict(dict)
    shared: dict[str, str] = {}  # one string per actor or source, not one per mention of it
    for row in store.texts(property_scan(fields, chosen)):
        said, name, value = found[row["s"]], fields[row["p"]], row["o"]
        if name in several:
            said.setdefault(name, set()).add(shared.setdefault(value, value))
        elif name not in said or value < said[name]:
            said[name] = value
    return found


def property_scan(properties: Iterable[str], chosen: str = "") -> str:
    """The query ``property_values`` reads: (?s ?p ?o) rows of the ``properties`` (IRIs),
    one scan of each, of the subjects a ``chosen`` VALUES block names, else of all."""
    listed = " ".join(f"<{iri}>" for iri in properties)
    return f"SELECT ?s ?p ?o WHERE {{ {chosen}VALUES ?p {{ {listed} }} ?s ?p ?o }}"


#: The columns of the kept sources (``sources``).
SOURCE_COLUMNS = ("id", "title", "publisher", "url", "date")


def _source_column(sources: Sequence[Source], name: str) -> list:
    values = [getattr(source, name) for source in sources]
    return shared(values, dt.date.isoformat) if name == "date" else values


def _source_layout(store: Store) -> Layout[Source]:
    """How the sources are kept: a date as ISO text; where they come from is the store read."""
    where = Where(store.location)

    def load(name: str, values: list) -> list:
        return shared(values, dt.date.fromisoformat) if name == "date" else values

    def make(columns: list[list]) -> list[Source]:
        return [Source(*row, where=where) for row in zip(*columns, strict=True)]

    return Layout(SOURCE_COLUMNS, _source_column, load, make)


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
    kept = _kept_counts(store)
    if kept is not None:
        kept.pop(WRITE_ID, None)
    return kept


def write_id(store: Store) -> str | None:
    """The id ``keep_counts`` gave the data at the end of the last write: a new one with each
    write, none after a killed one (what ``kg.store.kept`` keeps beside the store is valid for
    one id)."""
    kept = _kept_counts(store)
    return None if kept is None else kept.get(WRITE_ID)


def _kept_counts(store: Store) -> dict | None:
    rows = list(store.texts("SELECT ?c WHERE { GRAPH ?g { ?s kgo:counts ?c } }", {"g": META_GRAPH, "s": STORE_NODE}))
    return json.loads(rows[0]["c"]) if len(rows) == 1 else None


#: The key of the data's write id in the kept counts (``write_id``).
WRITE_ID = "write"


def keep_counts(store: Store) -> str:
    """The update that keeps the store's counts (``count``, now) in the meta graph, replacing
    any there, for ``kg info``: the embedded store runs it at the end of each write, each
    of which removed the old counts first (``FORGET_COUNTS``), so a crash in between leaves
    no counts rather than wrong ones, and ``info`` then counts the store itself. The counts
    also carry a new ``write_id``, random: two writes that leave equal counts differ in it."""
    counts = Literal(json.dumps({**count(store), WRITE_ID: uuid.uuid4().hex}, sort_keys=True))
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


def _day(text: str | None) -> dt.date | None:
    """The day of an ``xsd:date`` (or the date of an ``xsd:dateTime``) a source gives."""
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None
