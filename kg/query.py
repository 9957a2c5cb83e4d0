"""Questions users ask the store: ``match`` patterns, ``why`` a claim holds, ``info``, ``actors``, raw SPARQL.

Each function returns a ``kg.table.Table``: rows (dicts of strings) with their column
order, for the CLI to format and for notebooks to show. User input never becomes query
text: names are resolved to IRIs first and handed to the store as bound values; the
query text is built only from the project's own variable names and ontology terms.
Claims are chosen by a ``kg.selection.Selection`` (its SPARQL form).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from rdflib import Literal, URIRef

from kg.errors import KgError
from kg.model import STANCES, date_text, dyad_path, event_order
from kg.names import Pattern, StoreActors, parse_pattern
from kg.namespaces import ACTOR, DYAD, KGO, PREFIXES, SOURCE, local_name
from kg.ontology import Relation, load_ontology
from kg.projection import statement_voices
from kg.selection import Selection, stated
from kg.sparqltext import is_update, to_ox, undeclared_prefixes, uses_service
from kg.store import Store, file_label
from kg.table import Table, page_slice

EVIDENCE_COLUMNS = ["claim", "stance", "said_by", "evidence", "source", "title", "url", "events", "date", "confidence", "quote", "note"]
#: From the strongest to the weakest: how an answer stands is its weakest pattern's strongest claim.
STANCE_ORDER = {stance: rank for rank, stance in enumerate(STANCES)}
#: How ``why`` orders evidence: hand-read claims, then human-coded events, then machine-coded ones.
EVIDENCE_ORDER = {"curated": 0, "ACLED": 1, "GDELT": 2}


# -- building queries -----------------------------------------------------------------------------


class _Query:
    """Collects query text and the values bound to its variables (a VALUES block, see kg.sparqltext)."""

    def __init__(self, absent: frozenset[URIRef] = frozenset()) -> None:
        self.bindings: dict[str, object] = {}
        self.blocks: list[str] = []  # inline VALUES blocks, to open the query's WHERE group
        self.absent = absent  # terms no statement uses (see ``absent_terms``)

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


def absent_terms(store: Store) -> frozenset[URIRef]:
    """The terms of stances, partial dates and mutual relations that no statement of the store
    uses (one query): the statement form leaves their tests out, so data without them is
    read as fast as before they existed (``Selection.sparql``'s ``absent``)."""
    properties = [KGO.stance, KGO.validUntilPrecision]
    mutual = [iri for iri, relation in load_ontology().relations.items() if relation.symmetric]
    listed = " ".join(f"<{iri}>" for iri in properties), " ".join(f"<{iri}>" for iri in mutual)
    text = f"""SELECT ?t WHERE {{ {{ VALUES ?t {{ {listed[0]} }} FILTER EXISTS {{ ?s ?t ?o }} }}
        UNION {{ VALUES ?t {{ {listed[1]} }} FILTER EXISTS {{ ?st kgo:relation ?t }} }} }}"""
    present = {row["t"] for row in store.texts(text)}
    return frozenset(term for term in (*properties, *mutual) if str(term) not in present)


def _edge_group(q: _Query, pattern: Pattern) -> str:
    """Truthy form: the materialised direct edge (inverses and roll-up already stored)."""
    return f"{q.term(pattern.subject)} {q.bind(pattern.relation.iri)} {q.term(pattern.object)} ."


def _statement_group(q: _Query, pattern: Pattern, selection: Selection, statement: str) -> tuple[str, str]:
    """Full form: the statement nodes behind a pattern that the selection keeps, as its
    required patterns and filters, and the OPTIONAL patterns to write after every required
    one (see ``kg.selection.StatementFilter``).

    A claim of a symmetric relation holds both ways round: ``saf clashes-with rsf`` answers
    ``rsf opposes saf`` too (the pattern's narrower relations that are symmetric may match
    the other way round; a symmetric pattern relation, every one of them).
    """
    ontology = load_ontology()
    if pattern.relation is None:  # ?x ?r y: every claim's own relation, stored forward
        symmetric, ends = False, (pattern.subject, pattern.object)
        narrower = sorted(iri for iri, relation in ontology.relations.items() if relation.forward)
    else:
        forward, swapped = ontology.forward(pattern.relation)
        symmetric, ends = forward.symmetric, ((pattern.object, pattern.subject) if swapped else (pattern.subject, pattern.object))
        narrower = ontology.narrower(forward.iri)
    mutual = [] if symmetric else [iri for iri in narrower if ontology.relations[iri].symmetric and iri not in q.absent]
    turned = f"{statement}_turned"
    # No UNION for the two ways round: Oxigraph evaluates a UNION's branches without the bound
    # values (4 s instead of 70 ms at 1M); inline VALUES instead.
    if not any(end.startswith("?") for end in ends):  # two named actors: their dyads, one lookup each
        dyads = [DYAD[dyad_path(*pair)] for pair in (ends, ends[::-1])]
        if mutual:
            q.blocks.append(f"VALUES ({statement}_dyad {turned}) {{ ({to_ox(dyads[0])} false) ({to_ox(dyads[1])} true) }}")
            text = f"{statement} kgo:dyad {statement}_dyad ."
        else:
            text = f"{statement} kgo:dyad {q.choice(statement + '_dyad', dyads if symmetric else dyads[:1])} ."
    else:  # Oxigraph joins in the order written: start from the named actor, if any
        roles = ["kgo:subject", "kgo:object"]
        if ends[0].startswith("?"):
            ends, roles = ends[::-1], roles[::-1]
        if symmetric or mutual:
            flags = ("", "") if symmetric else (" false", " true")
            names = f"{statement}_ra {statement}_rb" + (f" {turned}" if mutual else "")
            rows = f"({roles[0]} {roles[1]}{flags[0]}) ({roles[1]} {roles[0]}{flags[1]})"
            q.blocks.append(f"VALUES ({names}) {{ {rows} }}")
            roles = [f"{statement}_ra", f"{statement}_rb"]
        text = f"{statement} {roles[0]} {q.term(ends[0])} . {statement} {roles[1]} {q.term(ends[1])} ."
    # The relation or a narrower one, listed from the ontology: a property path per statement costs more.
    chosen = selection.sparql(statement, narrower, q.absent)
    q.bindings.update(chosen.bindings)
    text += "\n" + chosen.required
    if mutual:  # the other way round, only a symmetric relation
        text += f"\nFILTER(!{turned} || {statement}_r IN ({', '.join(q.bind(iri) for iri in mutual)}))"
    return text, chosen.optional


# -- match ----------------------------------------------------------------------------------------


def match(store: Store, patterns: list[str], selection: Selection = Selection(), evidence: bool = False) -> Table:
    """Rows of actor ids for the variables of the patterns, joined on shared variables.

    The selection's dates, confidence, relations and stances choose the assertions a
    pattern may rest on; a focus is refused (see ``no_focus``). By default only asserted
    claims answer (the direct edges); with other stances, each row gets a ``stance``: the
    weakest of its patterns' strongest claims (asserted, then alleged, then denied).
    ``evidence`` adds, per answer and pattern, the assertions behind it
    (``EVIDENCE_COLUMNS``, each with its own stance).

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
    >>> match(store, ["?who backs sna"], Selection(stances=("asserted", "alleged")))
    [{'who': 'turkey', 'stance': 'asserted'}]
    """
    no_focus(selection)
    index = StoreActors(store)
    parsed = [parse_pattern(text, index) for text in patterns]
    variables = list(dict.fromkeys(end[1:] for p in parsed for end in (p.subject, p.object) if end.startswith("?")))
    variables += [name for name in _relation_variables(parsed) if name not in variables]
    if not variables:
        raise KgError("give at least one ?variable (to check a single claim, use `kg why`)", field="pattern")
    extra = EVIDENCE_COLUMNS if evidence else ([] if selection.facts_only else ["stance"])
    if set(variables) & set(extra):
        option = "--evidence" if evidence else "--stance"
        raise KgError(f"with {option}, do not name variables {', '.join(extra)}", field="pattern")
    rows = _answers(store, parsed, variables, selection)
    families = [f"{name}_family" for name in _relation_variables(parsed)]
    for row in rows:  # each relation with the family it rolls up to
        row.update({f"{name}_family": _family_name(row[name]) for name in _relation_variables(parsed)})
    variables = [column for name in variables for column in (name, *([f"{name}_family"] if f"{name}_family" in families else []))]
    if evidence:
        backed = [{**row, **item} for row in rows for p in parsed for item in _evidence(store, p, row, selection)]
        return Table(backed, variables + EVIDENCE_COLUMNS)
    if selection.facts_only:
        return Table(rows, variables)
    return Table(rows, variables + ["stance"])


def _answers(store: Store, parsed: list[Pattern], variables: list[str], selection: Selection) -> list[dict]:
    """The answers, sorted; each with its ``stance`` unless only facts count."""
    statements = selection.reads_statements or any(p.relation is None for p in parsed)
    q = _Query(absent_terms(store) if statements else frozenset())
    # Each pattern's OPTIONALs right after it: its filters then apply before the next join.
    groups = ["\n".join(_statement_group(q, p, selection, f"?_s{i}")) if statements else _edge_group(q, p) for i, p in enumerate(parsed)]
    stances = [f"_s{i}_stated" for i in range(len(parsed))] if not selection.facts_only else []
    # a relation variable is the statement's own relation (?_s0_r), read back under its name
    columns = {f"_s{i}_r": p.relation_variable[1:] for i, p in enumerate(parsed) if p.relation_variable}
    sources = [next((c for c, name in columns.items() if name == v), v) for v in variables]
    projection = " ".join("?" + v for v in sources + stances)
    text = f"SELECT DISTINCT {projection} WHERE {{\n" + "\n".join(q.blocks + groups) + "\n}"
    found: dict[tuple[str, ...], list[int]] = {}
    for row in store.texts(text, q.bindings):
        answer = tuple(_relation_name(row[c]) if c in columns else actor_id(row[c]) for c in sources)
        ranks = [STANCE_ORDER[stance_name(row[s])] for s in stances]
        best = found.setdefault(answer, ranks)  # per pattern, the strongest claim
        found[answer] = [min(a, b) for a, b in zip(best, ranks, strict=True)]
    # Sorted here: Oxigraph's ORDER BY fetches each term's text per comparison (8.5k rows: 300 ms).
    rows = []
    for answer in sorted(found):
        row = dict(zip(variables, answer, strict=True))
        if stances:
            row["stance"] = STANCES[max(found[answer])]
        rows.append(row)
    return rows


def _relation_variables(parsed: list[Pattern]) -> list[str]:
    return list(dict.fromkeys(p.relation_variable[1:] for p in parsed if p.relation_variable))


def _relation_name(iri: object) -> str:
    return load_ontology().relations[URIRef(str(iri))].name


def _family_name(name: str) -> str:
    ontology = load_ontology()
    return ontology.family(ontology.relation(name)).name


def no_focus(selection: Selection) -> None:
    """``match`` and ``why`` answer from single assertions; a focus neighbourhood is decided
    on the selected claims as a whole (the analyses, the map and the exports take one)."""
    if selection.focus is not None:
        raise KgError("match and why take no focus: it applies to analyses, the map and exports", field="--focus")


def _evidence(store: Store, pattern: Pattern, row: dict, selection: Selection) -> list[dict]:
    ends = [row[end[1:]] if end.startswith("?") else end for end in (pattern.subject, pattern.object)]
    relation = pattern.relation or load_ontology().relation(row[pattern.relation_variable[1:]])
    found = why_rows(store, ends[0], relation, ends[1], selection)
    return [{key: item[key] for key in EVIDENCE_COLUMNS} for item in found]


# -- why ------------------------------------------------------------------------------------------

WHY_COLUMNS = [
    "claim",
    "stance",  # asserted, alleged (the source reports someone's claim) or denied
    "said_by",  # who voices it: an actor id, or the name as written
    "evidence",  # "curated", or "ACLED" / "GDELT" for claims aggregated from that dataset's events
    "relation",
    "process",  # the process or venue the claim belongs to
    "host",
    "source",
    "title",
    "publisher",
    "url",
    "events",  # the event ids of the claim coded from this source (GDELT: its article; ACLED: its reports)
    "date",  # as written: 2023, 2023-05 or 2023-05-17
    "valid_from",
    "valid_until",
    "confidence",
    "quote",
    "note",
    "event_stats",  # an event claim's counts and codes: GDELT's means, ACLED's fatalities
    "statement",
    "file",
]


def why(
    store: Store, subject: str, relation: str, obj: str, selection: Selection = Selection(), limit: int | None = None, offset: int = 0
) -> Table:
    """Every assertion behind ``SUBJECT RELATION OBJECT`` that the selection's dates,
    confidence and relations keep, with its source and quote (``WHY_COLUMNS``): asserted,
    alleged and denied side by side, whatever the selection's stances (a denial is evidence
    too). A focus is refused (see ``no_focus``).

    ``limit`` and ``offset`` give one page of the rows, in the same order, and the table's
    ``total`` says how many there are in all: a claim about a hub can rest on thousands of
    statements, and only the page's are read in full (see ``why_page``).

    Examples
    --------
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/ain-issa-2020/ain-issa.yaml"])
    >>> page = why(store, "russia", "backs", "syrian-government", limit=1)
    >>> len(page), page.total
    (1, 2)
    """
    no_focus(selection)
    index = StoreActors(store)
    rel = load_ontology().relation(relation, field="relation")
    every_stance = replace(selection, stances=STANCES)
    ends = index.lookup(subject, field="subject"), index.lookup(obj, field="object")
    if limit is None and offset == 0:
        return Table(why_rows(store, ends[0], rel, ends[1], every_stance), WHY_COLUMNS)
    rows, total = why_page(store, ends[0], rel, ends[1], every_stance, limit, offset)
    return Table(rows, WHY_COLUMNS, total)


#: A statement's event statistics, one value each: sampled, not grouped by (Virtuoso groups by at most 20 keys).
STATEMENT_STATS = ("aggregate", "acled", "n_events", "mentions", "sources", "articles", "goldstein", "tone", "fatalities")


def why_page(
    store: Store, subject: str, relation: Relation, obj: str, selection: Selection, limit: int | None, offset: int = 0
) -> tuple[list[dict], int]:
    """Rows ``offset`` to ``offset + limit`` of ``why_rows``, and how many there are in all.

    One light query lists every (statement, source) with what orders them; only the page's
    statements are then read in full, so a page costs the same whatever the claim's size."""
    rows = page_slice(limit, offset)  # checked before any query
    q = _Query(absent_terms(store))
    group, chosen = _statement_group(q, Pattern(subject, relation, obj, ""), selection, "?st")
    text = f"""SELECT ?st ?src ?st_stated ?confidence ?date ?aggregate ?acled WHERE {{
        {" ".join(q.blocks)}
        {group}
        ?st kgo:confidence ?confidence ; kgo:dateReported ?date ; prov:wasDerivedFrom ?src .
        {chosen}
        OPTIONAL {{ ?st a ?aggregate_type FILTER(?aggregate_type = kgo:EventAggregate) }}
        BIND (BOUND(?aggregate_type) AS ?aggregate) BIND (EXISTS {{ ?st kgo:acledEventId ?any }} AS ?acled) }}"""
    keys = {(row["st"], row["src"]): _page_order(row) for row in store.texts(text, q.bindings)}
    ordered = sorted(keys, key=keys.__getitem__)
    page = ordered[rows]
    if not page:
        return [], len(ordered)
    statements = [URIRef(st) for st in dict.fromkeys(st for st, _ in page)]
    rows = {(row["statement"], SOURCE[row["source"]]): row for row in why_rows(store, subject, relation, obj, selection, statements)}
    return [rows[(st, URIRef(src))] for st, src in page], len(ordered)


def _page_order(row: dict) -> tuple:
    """Where ``why_rows`` puts a (statement, source): by evidence, stance, then its own ORDER BY."""
    aggregate = row["aggregate"] == "true"
    evidence = ("ACLED" if row["acled"] == "true" else "GDELT") if aggregate else "curated"
    stance = STANCE_ORDER[stance_name(row["st_stated"])]
    return EVIDENCE_ORDER[evidence], stance, aggregate, -float(row["confidence"]), row["date"], row["st"], row["src"]


def why_rows(
    store: Store, subject: str, relation: Relation, obj: str, selection: Selection, statements: list[URIRef] | None = None
) -> list[dict]:
    """One row per (assertion, source) that the selection keeps: curated claims first, then
    claims aggregated from ACLED events, then from GDELT events, each with the ids of the events
    coded from its source; asserted before alleged before denied, then by confidence.
    ``statements``: only these (a page of ``why_page``, which chose them with the claim's
    patterns and the selection: matching them again made Oxigraph walk every statement of
    the dyad, 1.1 s for a page of a 9,400-statement claim at 1M, instead of 30 ms)."""
    q = _Query(absent_terms(store))
    if statements is None:
        group, chosen = _statement_group(q, Pattern(subject, relation, obj, ""), selection, "?st")
    else:
        q.choice("?st", statements)
        group, chosen = "", stated("?st")
    # Virtuoso 7 groups by at most 20 keys: a statement's event statistics (one value each) are sampled, and
    # it cannot compile EXISTS in a BIND ordered by: an OPTIONAL type test instead
    stats = " ".join(f"(SAMPLE(?{name}_) AS ?{name})" for name in STATEMENT_STATS)
    # one row per statement and source: the same statement loaded from two files is one piece of
    # evidence, listing both files (its IRI is its content)
    text = f"""SELECT ?st ?rel ?st_stated (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs)
        (GROUP_CONCAT(DISTINCT STR(?s); separator=" ") AS ?subjects)
        (GROUP_CONCAT(DISTINCT STR(?o); separator=" ") AS ?objects)
        ?src ?title ?publisher ?url ?date ?from ?until ?confidence ?quote {stats}
        (GROUP_CONCAT(DISTINCT STR(?event); separator=" ") AS ?events) (GROUP_CONCAT(DISTINCT ?code; separator=" ") AS ?codes)
        (GROUP_CONCAT(DISTINCT ?subtype; separator="|") AS ?subtypes)
        WHERE {{
        {" ".join(q.blocks)}
        {group}
        GRAPH ?g {{ ?st a kgo:Assertion ; kgo:relation ?rel ; kgo:subject ?s ; kgo:object ?o ;
                    kgo:confidence ?confidence ; kgo:dateReported ?date ; prov:wasDerivedFrom ?src . }}
        OPTIONAL {{ ?st kgo:quote ?quote }} OPTIONAL {{ ?st kgo:validFrom ?from }} OPTIONAL {{ ?st kgo:validUntil ?until }}
        {chosen}
        OPTIONAL {{ ?src dcterms:title ?title }} OPTIONAL {{ ?src dcterms:publisher ?publisher }}
        OPTIONAL {{ ?src schema:url ?url }}
        OPTIONAL {{ ?st a ?aggregate_type FILTER(?aggregate_type = kgo:EventAggregate) }}
        BIND (BOUND(?aggregate_type) AS ?aggregate_) BIND (EXISTS {{ ?st kgo:acledEventId ?any }} AS ?acled_)
        OPTIONAL {{ ?st kgo:eventCount ?n_events_ ; kgo:sourceCount ?sources_ }}
        OPTIONAL {{ ?st kgo:mentionCount ?mentions_ ; kgo:articleCount ?articles_ }} OPTIONAL {{ ?st kgo:fatalityCount ?fatalities_ }}
        OPTIONAL {{ ?st kgo:meanGoldstein ?goldstein_ }} OPTIONAL {{ ?st kgo:meanTone ?tone_ }} OPTIONAL {{ ?st kgo:eventCode ?code }}
        OPTIONAL {{ ?st kgo:acledSubEventType ?subtype }}
        OPTIONAL {{ {{ ?st kgo:gdeltEventId ?event . ?src kgo:gdeltEventId ?event }}
                   UNION {{ ?st kgo:acledEventId ?event . ?src kgo:acledEventId ?event }} }}
    }} GROUP BY ?st ?rel ?st_stated ?src ?title ?publisher ?url ?date ?from ?until ?confidence ?quote
    ORDER BY ?aggregate DESC(?confidence) ?date ?st ?src"""
    found = list(store.query(text, q.bindings))
    voices = statement_voices(store, (str(r.st) for r in found))
    rows = [_why_row(r, voices.get(str(r.st), {})) for r in found]
    return sorted(rows, key=lambda row: (EVIDENCE_ORDER[row["evidence"]], STANCE_ORDER[row["stance"]]))  # stable: keeps the order above


def _why_row(r, said: dict[str, str]) -> dict:
    name = load_ontology().relations[r.rel].name
    subjects, objects = (", ".join(actor_id(URIRef(a)) for a in sorted(str(ends).split())) for ends in (r.subjects, r.objects))
    evidence = ("ACLED" if r.acled else "GDELT") if r.aggregate else "curated"
    return {
        "claim": f"{subjects} {name} {objects}",
        "stance": stance_name(r.st_stated),
        "said_by": actor_id(URIRef(said["said_by"])) if "said_by" in said else said.get("said_by_name"),
        "evidence": evidence,
        "relation": name,
        "process": actor_id(URIRef(said["process"])) if "process" in said else None,
        "host": actor_id(URIRef(said["host"])) if "host" in said else None,
        "source": local_name(r.src, SOURCE),
        "title": _str(r.title),
        "publisher": _str(r.publisher),
        "url": _str(r.url),
        "events": " ".join(sorted(str(r.events or "").split(), key=event_order)) or None if r.aggregate else None,
        "date": _date(r.date, said.get("date_precision")),
        "valid_from": _date(r["from"], said.get("valid_from_precision")),
        "valid_until": _date(r.until, said.get("valid_until_precision")),
        "confidence": float(r.confidence),
        "quote": _str(r.quote),
        "note": said.get("note"),
        "event_stats": _event_stats(r) if r.aggregate else None,
        "statement": str(r.st),
        "file": "; ".join(sorted(file_label(URIRef(graph)) for graph in str(r.graphs).split())),
    }


def stance_name(node: object) -> str:
    """``kgo:Denied`` -> ``denied``; no ``kgo:stance`` (None) means asserted."""
    return "asserted" if node is None else local_name(node, KGO).lower()


def _date(value, precision) -> str | None:
    """A stored date (the first day of its period) as written: 2023, 2023-05 or 2023-05-17."""
    return None if value is None else date_text(dt.date.fromisoformat(str(value)), str(precision or "day"))


def _counted(number, noun: str, plural: str | None = None) -> str:
    """``1 event``, ``5 events``."""
    return f"{number} {noun if int(number) == 1 else plural or noun + 's'}"


def _event_stats(r) -> str:
    """``3 events (CAMEO 051); GDELT counts 8 mentions, 3 sources, 8 articles; mean Goldstein 3.4, mean tone -2.417``,
    or ``5 events (Armed clash, Government regains territory); 28 fatalities; 4 sources`` (ACLED)."""
    if r.acled:
        kinds = f" ({', '.join(sorted(str(r.subtypes).split('|')))})" if str(r.subtypes or "") else ""
        fatalities = _counted(r.fatalities or 0, "fatality", "fatalities")
        return "; ".join((_counted(r.n_events, "event") + kinds, fatalities, _counted(r.sources, "source")))
    codes = f" (CAMEO {r.codes})" if str(r.codes or "") else ""
    text = f"{r.n_events} events{codes}; GDELT counts {r.mentions} mentions, {r.sources} sources, {r.articles} articles"
    means = [f"mean {label} {value}" for label, value in (("Goldstein", r.goldstein), ("tone", r.tone)) if value is not None]
    return text + "; " + ", ".join(means) if means else text


# -- info and actors ------------------------------------------------------------------------------


def info(store: Store) -> dict:
    """What the store holds: counts by type and relation, sources, dates, loaded files."""
    return {"store": store.location, **store.counts(), "files": [file_label(g) for g in store.data_graphs()]}


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


SOURCE_COLUMNS = ["id", "title", "publisher", "date", "claims", "first_claim", "last_claim", "url"]

_SOURCES = """
SELECT ?src (SAMPLE(?title_) AS ?title) (SAMPLE(?publisher_) AS ?publisher) (SAMPLE(?date_) AS ?date)
       (SAMPLE(?url_) AS ?url) (COUNT(DISTINCT ?st) AS ?claims) (MIN(?reported) AS ?first) (MAX(?reported) AS ?last)
WHERE {
  ?src a kgo:Source .
  OPTIONAL { ?src dcterms:title ?title_ } OPTIONAL { ?src dcterms:publisher ?publisher_ }
  OPTIONAL { ?src dcterms:date ?date_ } OPTIONAL { ?src schema:url ?url_ }
  OPTIONAL { ?st prov:wasDerivedFrom ?src . OPTIONAL { ?st kgo:dateReported ?reported } }
}
GROUP BY ?src ORDER BY ?src"""


def sources(store: Store, search: str | None = None, publisher: str | None = None) -> Table:
    """The sources with how many claims rest on each and the dates reported of the first and
    last; ``search`` matches id, title or URL, ``publisher`` the publisher (case-insensitive).

    Counts are numbers and dates ISO text, so JSON and pandas get them typed.
    """
    needle, outlet = (search or "").casefold(), (publisher or "").casefold()
    rows = []
    for row in store.texts(_SOURCES):
        found = {
            "id": local_name(row["src"], SOURCE),
            "title": row["title"] or "",
            "publisher": row["publisher"] or "",
            "date": row["date"],
            "claims": int(row["claims"] or 0),
            "first_claim": row["first"],
            "last_claim": row["last"],
            "url": row["url"] or "",
        }
        if needle and not any(needle in found[key].casefold() for key in ("id", "title", "url")):
            continue
        if outlet and outlet not in found["publisher"].casefold():
            continue
        rows.append(found)
    return Table(rows, SOURCE_COLUMNS)


#: What ``kg relations`` prints; each row also has the relation's ``meaning`` (its comment).
RELATION_COLUMNS = ["name", "rolls_up_to", "inverse", "symmetric", "cameo", "codes"]


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
                "codes": "; ".join(f"{scheme} {code}" for scheme, code in rel.codes),
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
    unknown = undeclared_prefixes(text)
    if unknown:
        names = ", ".join(f"{prefix!r}" for prefix in unknown)
        known = " ".join(f"{prefix}:" for prefix in PREFIXES)
        raise KgError(f"unknown prefix {names}: declare it (PREFIX {unknown[0]}: <IRI>) or use a predeclared one ({known})", field="QUERY")
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


def _compact(value: object) -> str | int | float | bool | None:
    if isinstance(value, URIRef):
        for prefix, namespace in PREFIXES.items():
            local = value[len(str(namespace)) :]
            if value.startswith(str(namespace)) and re.match(r"^[\w.-]*$", local):
                return f"{prefix}:{local}"
    return _plain(value)


def _plain(value: object) -> str | int | float | bool | None:
    """A result value as data: numbers and booleans as such (JSON numbers, not ``"26"``),
    everything else as its text; unbound stays ``None`` (JSON ``null``)."""
    if isinstance(value, Literal) and value.datatype is not None:
        kind = SPARQL_NUMBERS.get(str(value.datatype))
        if kind is not None:
            try:
                number = kind(value)
            except ValueError:  # an ill-typed literal ("x"^^xsd:integer) is shown as written
                return str(value)
            return number if number == number and abs(number) != float("inf") else str(value)  # NaN, INF: not JSON
    return None if value is None else str(value)


_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes whose values a SELECT row gives as Python (JSON) numbers and booleans.
SPARQL_NUMBERS: dict[str, type] = {
    **{
        _XSD + name: int
        for name in (
            "integer",
            "int",
            "long",
            "short",
            "byte",
            "nonNegativeInteger",
            "positiveInteger",
            "negativeInteger",
            "nonPositiveInteger",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
        )
    },  # fmt: skip
    _XSD + "decimal": lambda value: int(value) if str(value).lstrip("+-").isdigit() else float(value),  # "1" stays 1
    **{_XSD + name: float for name in ("double", "float")},
    _XSD + "boolean": lambda value: str(value) in ("true", "1"),  # type: ignore[dict-item]
}


def actor_id(node: object) -> str:
    return local_name(node, ACTOR)


def _str(value: object) -> str | None:
    return None if value is None else str(value)
