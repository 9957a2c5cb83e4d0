"""Questions users ask the store: ``match`` patterns, ``why`` a claim holds, ``info``, ``actors``, raw SPARQL.

Each function returns a ``kg.table.Table``: rows (dicts of strings) with their column
order, for the CLI to format and for notebooks to show. User input never becomes query
text: names are resolved to IRIs first and handed to the store as bound values; the
query text is built only from the project's own variable names and ontology terms.
Claims are chosen by a ``kg.selection.Selection`` (its SPARQL form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from kg.errors import KgError
from kg.model import dyad_path
from kg.names import Pattern, StoreActors, parse_pattern
from kg.namespaces import ACTOR, DYAD, KGO, PREFIXES, SOURCE, local_name
from kg.ontology import Relation, load_ontology
from kg.selection import Selection
from kg.sparqltext import is_update, to_ox, uses_service
from kg.store import Store, file_label
from kg.table import Table

EVIDENCE_COLUMNS = ["claim", "evidence", "source", "title", "url", "events", "date", "confidence", "quote"]


# -- building queries -----------------------------------------------------------------------------


class _Query:
    """Collects query text and the values bound to its variables (a VALUES block, see kg.sparqltext)."""

    def __init__(self) -> None:
        self.bindings: dict[str, object] = {}
        self.blocks: list[str] = []  # inline VALUES blocks, to open the query's WHERE group

    def choice(self, variable: str, values: list) -> str:
        """``variable`` taking each of ``values`` in turn: an inline VALUES block whose terms
        pyoxigraph's serializer writes (it validates IRIs and escapes literals)."""
        self.blocks.append(f"VALUES {variable} {{ {' '.join(str(to_ox(value)) for value in values)} }}")
        return variable

    def bind(self, value: object) -> str:
        name = f"_b{len(self.bindings)}"
        self.bindings[name] = value
        return "?" + name

    def term(self, end: str) -> str:
        """A pattern end: the user's variable, or the actor's IRI as a bound value."""
        return end if end.startswith("?") else self.bind(ACTOR[end])


def _edge_group(q: _Query, pattern: Pattern) -> str:
    """Truthy form: the materialised direct edge (inverses and roll-up already stored)."""
    return f"{q.term(pattern.subject)} {q.bind(pattern.relation.iri)} {q.term(pattern.object)} ."


def _statement_group(q: _Query, pattern: Pattern, selection: Selection, statement: str) -> str:
    """Full form: the statement nodes behind a pattern that the selection keeps."""
    ontology = load_ontology()
    forward, swapped = ontology.forward(pattern.relation)
    ends = (pattern.object, pattern.subject) if swapped else (pattern.subject, pattern.object)
    # No UNION for the two ways round of a symmetric relation: Oxigraph evaluates a UNION's
    # branches without the bound values (4 s instead of 70 ms at 1M); inline VALUES instead.
    if not any(end.startswith("?") for end in ends):  # two named actors: their dyads, one lookup each
        pairs = [ends, ends[::-1]] if forward.symmetric else [ends]
        text = f"{statement} kgo:dyad {q.choice(statement + '_dyad', [DYAD[dyad_path(*pair)] for pair in pairs])} ."
    else:  # Oxigraph joins in the order written: start from the named actor, if any
        roles = ["kgo:subject", "kgo:object"]
        if ends[0].startswith("?"):
            ends, roles = ends[::-1], roles[::-1]
        if forward.symmetric:
            q.blocks.append(f"VALUES ({statement}_ra {statement}_rb) {{ ({roles[0]} {roles[1]}) ({roles[1]} {roles[0]}) }}")
            roles = [f"{statement}_ra", f"{statement}_rb"]
        text = f"{statement} {roles[0]} {q.term(ends[0])} . {statement} {roles[1]} {q.term(ends[1])} ."
    # The relation or a narrower one, listed from the ontology: a property path per statement costs more.
    chosen = selection.sparql(statement, ontology.narrower(forward.iri))
    q.bindings.update(chosen.bindings)
    return text + "\n" + chosen.text


# -- match ----------------------------------------------------------------------------------------


def match(store: Store, patterns: list[str], selection: Selection = Selection(), evidence: bool = False) -> Table:
    """Rows of actor ids for the variables of the patterns, joined on shared variables.

    The selection's dates, confidence and relations choose the assertions a pattern may
    rest on; a focus is refused (see ``no_focus``). ``evidence`` adds, per answer and
    pattern, the assertions behind it (``EVIDENCE_COLUMNS``).

    Examples
    --------
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/ain-issa-2020/ain-issa.yaml"])
    >>> match(store, ["?who backs sna"])
    [{'who': 'turkey'}]
    >>> match(store, ["?x fights ?y"], Selection(min_confidence=0.9)).columns
    ['x', 'y']
    """
    no_focus(selection)
    index = StoreActors(store)
    parsed = [parse_pattern(text, index) for text in patterns]
    variables = list(dict.fromkeys(end[1:] for p in parsed for end in (p.subject, p.object) if end.startswith("?")))
    if not variables:
        raise KgError("give at least one ?variable (to check a single claim, use `kg why`)", field="pattern")
    if evidence and set(variables) & set(EVIDENCE_COLUMNS):
        raise KgError(f"with --evidence, do not name variables {', '.join(EVIDENCE_COLUMNS)}", field="pattern")
    q = _Query()
    if selection.reads_statements:
        groups = [_statement_group(q, p, selection, f"?_s{i}") for i, p in enumerate(parsed)]
    else:
        groups = [_edge_group(q, p) for p in parsed]
    projection = " ".join("?" + v for v in variables)
    text = f"SELECT DISTINCT {projection} WHERE {{\n" + "\n".join(q.blocks + groups) + "\n}"
    # Sorted here: Oxigraph's ORDER BY fetches each term's text per comparison (8.5k rows: 300 ms).
    found = sorted({tuple(actor_id(row[v]) for v in variables) for row in store.texts(text, q.bindings)})
    rows = [dict(zip(variables, ids, strict=True)) for ids in found]
    if not evidence:
        return Table(rows, variables)
    backed = [{**row, **item} for row in rows for p in parsed for item in _evidence(store, p, row, selection)]
    return Table(backed, variables + EVIDENCE_COLUMNS)


def no_focus(selection: Selection) -> None:
    """``match`` and ``why`` answer from single assertions; a focus neighbourhood is decided
    on the selected claims as a whole (the analyses, the map and the exports take one)."""
    if selection.focus is not None:
        raise KgError("match and why take no focus: it applies to analyses, the map and exports", field="--focus")


def _evidence(store: Store, pattern: Pattern, row: dict, selection: Selection) -> list[dict]:
    ends = [row[end[1:]] if end.startswith("?") else end for end in (pattern.subject, pattern.object)]
    found = why_rows(store, ends[0], pattern.relation, ends[1], selection)
    return [{key: item[key] for key in EVIDENCE_COLUMNS} for item in found]


# -- why ------------------------------------------------------------------------------------------

WHY_COLUMNS = [
    "claim",
    "evidence",  # "curated", or "GDELT" for claims aggregated from GDELT events
    "relation",
    "source",
    "title",
    "publisher",
    "url",
    "events",  # the GDELT event ids of the claim that this source's article was coded into
    "date",
    "valid_from",
    "valid_until",
    "confidence",
    "quote",
    "event_stats",  # a GDELT claim's counts, codes and means
    "statement",
    "file",
]


def why(store: Store, subject: str, relation: str, obj: str, selection: Selection = Selection()) -> Table:
    """Every assertion behind ``SUBJECT RELATION OBJECT`` that the selection keeps, with
    its source and quote (``WHY_COLUMNS``); a focus is refused (see ``no_focus``)."""
    no_focus(selection)
    index = StoreActors(store)
    rel = load_ontology().relation(relation, field="relation")
    rows = why_rows(store, index.lookup(subject, field="subject"), rel, index.lookup(obj, field="object"), selection)
    return Table(rows, WHY_COLUMNS)


def why_rows(store: Store, subject: str, relation: Relation, obj: str, selection: Selection) -> list[dict]:
    """One row per (assertion, source): curated claims first, then claims aggregated from
    GDELT events, each with the ids of the events its article was coded into."""
    q = _Query()
    group = _statement_group(q, Pattern(subject, relation, obj, ""), selection, "?st")
    stats = "?gdelt ?n_events ?mentions ?sources ?articles ?goldstein ?tone"
    text = f"""SELECT ?st ?g ?rel ?subject (GROUP_CONCAT(DISTINCT STR(?o); separator=" ") AS ?objects)
        ?src ?title ?publisher ?url ?date ?from ?until ?confidence ?quote {stats}
        (GROUP_CONCAT(DISTINCT STR(?event); separator=" ") AS ?events) (GROUP_CONCAT(DISTINCT ?code; separator=" ") AS ?codes)
        WHERE {{
        {" ".join(q.blocks)}
        {group}
        GRAPH ?g {{ ?st a kgo:Assertion ; kgo:relation ?rel ; kgo:subject ?subject ; kgo:object ?o ;
                    kgo:confidence ?confidence ; kgo:dateReported ?date ; prov:wasDerivedFrom ?src . }}
        OPTIONAL {{ ?st kgo:quote ?quote }} OPTIONAL {{ ?st kgo:validFrom ?from }} OPTIONAL {{ ?st kgo:validUntil ?until }}
        OPTIONAL {{ ?src dcterms:title ?title }} OPTIONAL {{ ?src dcterms:publisher ?publisher }}
        OPTIONAL {{ ?src schema:url ?url }}
        BIND (EXISTS {{ ?st a kgo:EventAggregate }} AS ?gdelt)
        OPTIONAL {{ ?st kgo:eventCount ?n_events ; kgo:mentionCount ?mentions ; kgo:sourceCount ?sources ; kgo:articleCount ?articles }}
        OPTIONAL {{ ?st kgo:meanGoldstein ?goldstein }} OPTIONAL {{ ?st kgo:meanTone ?tone }} OPTIONAL {{ ?st kgo:eventCode ?code }}
        OPTIONAL {{ ?st kgo:gdeltEventId ?event . ?src kgo:gdeltEventId ?event }}
    }} GROUP BY ?st ?g ?rel ?subject ?src ?title ?publisher ?url ?date ?from ?until ?confidence ?quote {stats}
    ORDER BY ?gdelt DESC(?confidence) ?date ?st ?src"""
    ontology = load_ontology()
    rows = []
    for r in store.query(text, q.bindings):
        name = ontology.relations[r.rel].name
        objects = ", ".join(actor_id(URIRef(o)) for o in sorted(str(r.objects).split()))
        gdelt = bool(r.gdelt)
        rows.append(
            {
                "claim": f"{actor_id(r.subject)} {name} {objects}",
                "evidence": "GDELT" if gdelt else "curated",
                "relation": name,
                "source": local_name(r.src, SOURCE),
                "title": _str(r.title),
                "publisher": _str(r.publisher),
                "url": _str(r.url),
                "events": " ".join(sorted(str(r.events).split(), key=int)) or None if gdelt else None,
                "date": _str(r.date),
                "valid_from": _str(r["from"]),
                "valid_until": _str(r.until),
                "confidence": _str(r.confidence),
                "quote": _str(r.quote),
                "event_stats": _event_stats(r) if gdelt else None,
                "statement": str(r.st),
                "file": file_label(r.g),
            }
        )
    return rows


def _event_stats(r) -> str:
    """``3 events (CAMEO 051); GDELT counts 8 mentions, 3 sources, 8 articles; mean Goldstein 3.4, mean tone -2.417``."""
    codes = f" (CAMEO {r.codes})" if str(r.codes or "") else ""
    text = f"{r.n_events} events{codes}; GDELT counts {r.mentions} mentions, {r.sources} sources, {r.articles} articles"
    means = [f"mean {label} {value}" for label, value in (("Goldstein", r.goldstein), ("tone", r.tone)) if value is not None]
    return text + "; " + ", ".join(means) if means else text


# -- info and actors ------------------------------------------------------------------------------


def info(store: Store) -> dict:
    """What the store holds: counts by type and relation, sources, dates, loaded files."""

    def pairs(text: str) -> dict[str, int]:
        return {local_name(row[0], KGO): int(row[1]) for row in store.query(text)}

    ontology = load_ontology()
    # kgo:relation alone marks a statement (its domain is kgo:Assertion); joining on the type
    # as well made this count 15 times slower.
    by_relation = pairs("SELECT ?r (COUNT(DISTINCT ?st) AS ?n) WHERE { ?st kgo:relation ?r } GROUP BY ?r ORDER BY ?r")
    totals = next(
        iter(
            store.query(
                """SELECT * WHERE {
                     { SELECT (COUNT(DISTINCT ?src) AS ?sources) WHERE { ?src a kgo:Source } }
                     { SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?st kgo:dateReported ?d } } }"""
            )
        )
    )
    return {
        "store": store.location,
        "actors": pairs("SELECT ?t (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ?t . ?t rdfs:subClassOf kgo:Actor } GROUP BY ?t ORDER BY ?t"),
        "assertions": {ontology.relations[KGO[name]].name: n for name, n in by_relation.items()},
        "sources": int(totals.sources),
        "first_date": _str(totals.first),
        "last_date": _str(totals.last),
        "files": [file_label(g) for g in store.data_graphs()],
    }


ACTOR_COLUMNS = ["id", "label", "type", "aliases", "wikidata"]


def actors(store: Store, type_name: str | None = None, search: str | None = None) -> Table:
    """The actors of one type (``ActorType`` name or label) and/or whose id, label or an
    alias contains ``search`` (case-insensitive), in the store's order."""
    wanted = load_ontology().actor_type(type_name, field="--type").name if type_name else None
    needle = (search or "").casefold()
    rows = []
    for actor in store.actors():
        names = (actor.id, actor.label, *actor.aliases)
        if wanted and actor.type != wanted:
            continue
        if needle and not any(needle in n.casefold() for n in names):
            continue
        rows.append(
            {
                "id": actor.id,
                "label": actor.label,
                "type": actor.type,
                "aliases": "; ".join(actor.aliases),
                "wikidata": actor.wikidata or "",
            }
        )
    return Table(rows, ACTOR_COLUMNS)


#: What ``kg relations`` prints; each row also has the relation's ``meaning`` (its comment).
RELATION_COLUMNS = ["name", "rolls_up_to", "inverse", "symmetric", "cameo"]


def relations() -> Table:
    """The ontology's relations, as the CLI and README list them."""
    ontology = load_ontology()
    rows = []
    for rel in sorted(ontology.relations.values(), key=lambda r: r.name):
        rows.append(
            {
                "name": rel.name,
                "rolls_up_to": ", ".join(ontology.relations[p].name for p in rel.parents),
                "inverse": ontology.relations[rel.inverse].name
                if rel.inverse
                else (f"(inverse of {ontology.relations[rel.inverse_of].name})" if rel.inverse_of else ""),
                "symmetric": "yes" if rel.symmetric else "",
                "cameo": " ".join(rel.cameo),
                "meaning": rel.comment,
            }
        )
    return Table(rows, RELATION_COLUMNS)


# -- raw SPARQL -----------------------------------------------------------------------------------


@dataclass
class SparqlResult:
    kind: str  # "SELECT", "ASK" or "CONSTRUCT" (also DESCRIBE)
    columns: list[str]
    rows: list[dict]
    answer: bool | None = None
    graph: object = None


def sparql(store: Store, text: str, compact: bool = True) -> SparqlResult:
    """Run any SPARQL 1.1 query with the project's prefixes predeclared.

    Read-only and local: updates are refused (``kg load``/``kg drop`` change data), and so
    is ``SERVICE``, which would make this machine send requests to other ones. Both are
    decided on the query's tokens (kg.sparqltext), erring on the side of refusing: a query
    in which the engine may read SERVICE outside comments, strings and IRIs is refused too.
    """
    if is_update(text):
        raise KgError("kg sparql only reads; change data with kg load and kg drop", field="QUERY")
    if uses_service(text):
        raise KgError(
            "federated queries (SERVICE) are not allowed (nor text the engine may read as SERVICE outside comments, strings and IRIs)",
            field="QUERY",
        )
    try:
        return _run_sparql(store, text, compact)
    except OSError as err:  # raised while reading rows, e.g. by a failing remote store
        raise KgError(f"query failed: {err}") from None


def _run_sparql(store: Store, text: str, compact: bool) -> SparqlResult:
    result = store.query(text)
    if result.type == "ASK":
        return SparqlResult("ASK", [], [], answer=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        return SparqlResult("CONSTRUCT", [], [], graph=graph)
    columns = [str(v) for v in result.vars]
    render = _compact if compact else _plain
    rows = [{c: render(row[c]) for c in columns} for row in result]
    return SparqlResult("SELECT", columns, rows)


def _compact(value: object) -> str:
    if isinstance(value, URIRef):
        for prefix, namespace in PREFIXES.items():
            local = value[len(str(namespace)) :]
            if value.startswith(str(namespace)) and re.match(r"^[\w.-]*$", local):
                return f"{prefix}:{local}"
    return _plain(value)


def _plain(value: object) -> str:
    return "" if value is None else str(value)


def actor_id(node: object) -> str:
    return local_name(node, ACTOR)


def _str(value: object) -> str | None:
    return None if value is None else str(value)
