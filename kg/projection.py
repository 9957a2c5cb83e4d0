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
import logging
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from functools import cache, partial
from operator import attrgetter
from typing import TYPE_CHECKING

from rdflib import URIRef
from rdflib.namespace import PROV, RDFS

from kg.errors import KgError
from kg.gcpause import without_gc
from kg.model import Assertion, decimal_lexical, last_day
from kg.names import StoreActors
from kg.namespaces import ACTOR, KGO, SOURCE, STMT, local_name
from kg.ontology import load_ontology
from kg.selection import Selection
from kg.sparqltext import to_ox
from kg.store import Store
from kg.store.kept import Layout, kept_after_write, read_per_write, shared, slotted
from kg.store.reads import property_values

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger("kg")


@dataclass(frozen=True, slots=True)  # slots: a million of them, without a dict each
class Claim:
    """One assertion as the projection sees it (objects: several only for mediation; subjects:
    several only for a joint mediation, one claim naming each mediator)."""

    statement: str
    subject: str  # the first subject in id order; ``subjects`` names them all
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
    valid_from_precision: str = "day"
    valid_until_precision: str = "day"
    co_subjects: tuple[str, ...] = ()  # the other mediators of a joint mediation, in id order

    @property
    def subjects(self) -> tuple[str, ...]:
        """Every subject: ``subject``, then the co-subjects."""
        return (self.subject, *self.co_subjects)

    @property
    def start(self) -> dt.date:
        """The first day the claim holds: its valid_from, or else the day it was reported."""
        return self.valid_from or self.date

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The (subject, object) pairs the claim links: one edge of the projection each."""
        return [(subject, obj) for subject in self.subjects for obj in self.objects]

    def text(self) -> str:
        return f"{', '.join(self.subjects)} {self.relation} {', '.join(self.objects)}"


@dataclass
class Actors:
    """Labels, types and aliases of the actors, for display."""

    label: dict[str, str] = field(default_factory=dict)
    type: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


#: What every claim says, by property: read as one scan per property and gathered here by
#: statement (``statement_values``). A join of these properties per statement, grouped
#: in SPARQL, took 19 s at 100k assertions; the scans and the gathering take 11 s.
CLAIM_FIELDS = {
    str(KGO.subject): "subjects",
    str(KGO.relation): "relation",
    str(KGO.object): "objects",
    str(KGO.confidence): "confidence",
    str(KGO.dateReported): "date",
    str(PROV.wasDerivedFrom): "sources",
    str(KGO.validFrom): "from",
    str(KGO.validUntil): "until",
    str(KGO.quote): "quote",
}
#: The fields a claim may hold several values of (a claim about two actors names both).
SEVERAL = frozenset({"subjects", "objects", "sources"})
#: The fields without which a statement is no claim (kg writes them all).
REQUIRED = ("subjects", "relation", "objects", "confidence", "date", "sources")

#: What a claim may also say, by property: read apart (``statement_voices``), only where
#: present.
VOICE_FIELDS = {
    str(KGO.stance): "stance",
    str(KGO.saidBy): "said_by",
    str(KGO.saidByName): "said_by_name",
    str(KGO.process): "process",
    str(KGO.host): "host",
    str(RDFS.comment): "note",
    str(KGO.dateReportedPrecision): "date_precision",
    str(KGO.validFromPrecision): "valid_from_precision",
    str(KGO.validUntilPrecision): "valid_until_precision",
}


@without_gc
def all_claims(store: Store) -> list[Claim]:
    """Every assertion in the store, in statement order.

    Read out of the store once per write of its data (``Store.write_id``): after that from
    this process's memory, or from the file kept in the store folder
    (``kg.store.kept.read_per_write``): at 1M assertions, seconds instead of minutes."""
    return read_per_write(store, "claims", CLAIM_LAYOUT, lambda: _read_saying_so(store))


def kept_loaded_claims(store: Store, claims: list[Claim | None]) -> AbstractContextManager:
    """``claims`` (``loaded_claim`` of every assertion a load of the whole store wrote), kept
    as the store's claims when the block that writes them ends (``kept_after_write``): what
    ``read_claims`` will read, one claim per statement, in statement order. A statement
    loaded twice with different notes (two ``rdfs:comment``) is left to ``read_claims``."""
    by_statement: dict[str, Claim] = {}
    for claim in claims:
        if claim is not None and by_statement.setdefault(claim.statement, claim) != claim:
            return nullcontext()
    return kept_after_write(store, "claims", CLAIM_LAYOUT, [by_statement[statement] for statement in sorted(by_statement)])


#: From how many assertions reading them all out of the store says so (logger ``kg``, which
#: the CLI shows on a terminal): 20k take 2 s, 100k 11 s, 1M about two and a half minutes.
SAY_READING = 20_000


def _read_saying_so(store: Store) -> list[Claim]:
    total = sum(store.counts()["assertions"].values())
    if total >= SAY_READING:
        log.info("reading %s claims out of the store, once after each write (about 2.5 minutes a million)", f"{total:,}")
    return read_claims(store)


#: The columns of the kept claims: every field of a ``Claim``, in order.
CLAIM_COLUMNS = [f.name for f in dataclass_fields(Claim)]
_DAYS = frozenset({"date", "valid_from", "valid_until"})
_SEVERAL = frozenset({"objects", "sources", "co_subjects"})
#: The fields whose values are seldom the same twice; every other value is shared.
_UNIQUE = frozenset({"statement", "quote"})
#: Between the ids of a kept tuple (actor and source ids are never written with it).
_JOIN = "\x1f"


def _dump_column(claims: Sequence[Claim], name: str) -> list:
    """One field of every claim as JSON values: dates as ISO text, tuples of ids as one text."""
    values = list(map(attrgetter(name), claims))
    if name in _DAYS:
        return shared(values, dt.date.isoformat)
    if name in _SEVERAL:
        return shared(values, _JOIN.join)
    return values


def _load_column(name: str, values: list) -> list:
    """The inverse of ``_dump_column``: one string per actor and source id however many
    claims name it, as ``read_claims`` makes them, and one date object per day."""
    if name in _DAYS:
        return shared(values, dt.date.fromisoformat)
    if name in _SEVERAL:
        return shared(values, _ids)
    if name in _UNIQUE:
        return values
    return shared(values, lambda value: sys.intern(value) if isinstance(value, str) else value)


def _ids(text: str) -> tuple[str, ...]:
    """The ids of a kept tuple (most name one: no split)."""
    return tuple(map(sys.intern, text.split(_JOIN))) if _JOIN in text else (sys.intern(text),) if text else ()


CLAIM_LAYOUT = Layout(tuple(CLAIM_COLUMNS), _dump_column, _load_column, partial(slotted, Claim))


def read_claims(store: Store) -> list[Claim]:
    """Every assertion in the store, in statement order, read out of the store now."""
    ontology = load_ontology()
    names = {str(iri): (relation.name, ontology.family(relation).name) for iri, relation in ontology.relations.items()}
    typed = {row["st"] for row in store.texts("SELECT ?st WHERE { ?st a kgo:Assertion }")}
    fields = statement_values(store, CLAIM_FIELDS)
    voices = statement_voices(store)
    ids = cache(local_name)  # one id string per actor and source, however many claims name it
    claims = []
    for statement in sorted(fields):
        said = fields.pop(statement)  # freed as its claim is made: the two never all in memory at once
        if statement in typed and all(name in said for name in REQUIRED):
            claims.append(_claim(statement, said, *names[said["relation"]], voices.get(statement, {}), ids))
    return claims


def statement_values(store: Store, fields: dict[str, str], statements: Iterable[str] | None = None) -> dict[str, dict]:
    """Statement IRI -> field name -> value (IRIs and dates as text), for the properties of
    ``fields`` (IRI -> name), of every statement or of those of ``statements``: one scan of
    each property (``kg.store.reads.property_values``). ``SEVERAL`` fields get the set of
    their values; the others one value, which loaded data holds once (of several in other
    RDF, the least)."""
    chosen = ""
    if statements is not None:
        iris = " ".join(str(to_ox(URIRef(statement))) for statement in dict.fromkeys(statements))
        if not iris:
            return {}
        chosen = f"VALUES ?s {{ {iris} }} "  # IRIs the store gave, written by pyoxigraph's serializer
    return property_values(store, fields, chosen, SEVERAL)


def statement_voices(store: Store, statements: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """Statement IRI -> ``VOICE_FIELDS`` name -> value (IRIs and dates as text), for the
    statements that say more than a plain fact: all of them, or those of ``statements``."""
    return statement_values(store, VOICE_FIELDS, statements)


def _claim(statement: str, row: dict, relation: str, family: str, said: dict[str, str], ids: Callable[..., str]) -> Claim:
    subjects = sorted(ids(s, ACTOR) for s in row["subjects"])
    until_precision = said.get("valid_until_precision", "day")
    until = _day(row.get("until"))
    return Claim(
        statement=statement,
        subject=subjects[0],
        co_subjects=tuple(subjects[1:]),
        relation=relation,
        family=family,
        objects=tuple(sorted(ids(o, ACTOR) for o in row["objects"])),
        sources=tuple(sorted(ids(s, SOURCE) for s in row["sources"])),
        confidence=float(row["confidence"]),
        date=dt.date.fromisoformat(row["date"]),
        valid_from=_day(row.get("from")),
        valid_until=None if until is None else last_day(until, until_precision),
        quote=row.get("quote"),
        stance=local_name(said["stance"], KGO).lower() if "stance" in said else "asserted",
        said_by=local_name(said["said_by"], ACTOR) if "said_by" in said else said.get("said_by_name"),
        process=local_name(said["process"], ACTOR) if "process" in said else None,
        host=local_name(said["host"], ACTOR) if "host" in said else None,
        note=said.get("note"),
        date_precision=said.get("date_precision", "day"),
        valid_from_precision=said.get("valid_from_precision", "day"),
        valid_until_precision=until_precision,
    )


#: The statement IRIs' common part.
STATEMENTS = str(STMT)


def loaded_claim(assertion: Assertion, statement_id: str, families: dict[str, str]) -> Claim | None:
    """The claim ``read_claims`` will read for a resolved ``assertion`` (of ``statement_id``)
    once it is loaded (``families``: relation name -> family name), field by field as
    ``_claim`` makes it from the triples ``kg.model.assertion_triples`` writes: the load of a
    whole store keeps its claims (``kg.loader``) without reading them back. None for an
    assertion ``read_claims`` passes over (an RDF statement with no object, no source or
    no date); a precision counts only beside its date, the only place it is written."""
    if not (assertion.objects and assertion.sources and assertion.date):
        return None
    subjects = sorted(set(map(sys.intern, assertion.subjects)))
    return Claim(
        statement=STATEMENTS + statement_id,
        subject=subjects[0],
        co_subjects=tuple(subjects[1:]),
        relation=assertion.relation,
        family=families[assertion.relation],
        objects=tuple(sorted(set(map(sys.intern, assertion.objects)))),
        sources=tuple(sorted(set(map(sys.intern, assertion.sources)))),
        confidence=float(decimal_lexical(assertion.confidence)),
        date=assertion.date,
        valid_from=assertion.valid_from,
        valid_until=None if assertion.valid_until is None else last_day(assertion.valid_until, assertion.valid_until_precision),
        quote=assertion.quote,
        stance=assertion.stance,
        said_by=assertion.said_by or assertion.said_by_text,
        process=assertion.process,
        host=assertion.host,
        note=assertion.note,
        date_precision=assertion.date_precision,
        valid_from_precision=assertion.valid_from_precision if assertion.valid_from else "day",
        valid_until_precision=assertion.valid_until_precision if assertion.valid_until else "day",
    )


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def select_claims(store: Store, selection: Selection = Selection()) -> list[Claim]:
    """The claims a selection keeps (``Selection.keeps``: time, confidence, relations,
    stances), then the focus actor's neighbourhood (actors within ``depth`` steps over the
    remaining claims)."""
    return _selected(store, all_claims(store), selection)


def with_denials(store: Store, selection: Selection = Selection()) -> list[Claim]:
    """The claims ``select_claims`` keeps, then the denials the selection's dates,
    confidence and relations keep: what ``contested_keys`` and ``contests`` judge.

    A denial matters only against a claim the selection keeps, so no focus applies to it.
    """
    claims = all_claims(store)
    selected = _selected(store, claims, selection)
    if "denied" in selection.stances:
        return selected
    denying = replace(selection, stances=("denied",), focus=None)
    return selected + [claim for claim in claims if claim.stance == "denied" and denying.keeps(claim)]


def _selected(store: Store, claims: list[Claim], selection: Selection) -> list[Claim]:
    claims = [claim for claim in claims if selection.keeps(claim)]
    if selection.focus is None:
        return claims
    focus = StoreActors(store).lookup(selection.focus, field="--focus")
    keep = neighbourhood(claims, focus, selection.depth)
    return [c for c in claims if all(a in keep for a in (*c.subjects, *c.objects))]


def neighbourhood(claims: list[Claim], focus: str, depth: int) -> set[str]:
    """Actors at most ``depth`` claims away from ``focus``, in either direction."""
    if depth < 0:
        raise KgError("--depth must be 0 or more", field="--depth")
    links: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        for subject, obj in claim.pairs:
            links[subject].add(obj)
            links[obj].add(subject)
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
    """The claims behind each (subject, object, family) edge; a mediation names several
    objects, a joint one several subjects: it stands behind the edge of each mediator; a
    claim of a symmetric relation of a one-way family (``clashes-with``) behind both ways round."""
    edges: dict[tuple[str, str, str], list[Claim]] = defaultdict(list)
    mutual = _mutual_relations()
    for claim in claims:
        pairs = claim.pairs + ([(o, s) for s, o in claim.pairs] if claim.relation in mutual else [])
        for subject, obj in pairs:
            edges[(subject, obj, claim.family)].append(claim)
    return edges


@cache
def _mutual_relations() -> frozenset[str]:
    """Symmetric relations of a one-way family: ``saf clashes-with rsf`` is stated once and
    opposes both ways round, so it stands behind both opposes edges."""
    ontology = load_ontology()
    return frozenset(r.name for r in ontology.relations.values() if r.symmetric and not ontology.family(r).symmetric)


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


@without_gc
def claims_graph(claims: list[Claim], details: Actors) -> nx.MultiDiGraph:
    """The projection of ``claims``: what ``project`` returns, for a caller that also keeps
    the claims (to name those behind each answer)."""
    import networkx as nx  # 0.2 s: only the commands that project pay it

    graph = nx.MultiDiGraph()
    edges = claims_by_edge(claims)
    for actor in sorted({a for key in edges for a in key[:2]}):
        graph.add_node(actor, label=details.label.get(actor, actor), type=details.type.get(actor, "Actor"))
    for subject, obj, family in sorted(edges):
        graph.add_edge(subject, obj, key=family, **edge_attributes(family, edges[subject, obj, family]))
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
        #: each statement's sources: a symmetric claim stands behind both directions of a
        #: one-way family (allied-with under backs), and must count once (``signed_graph``)
        "statement_sources": {c.statement: c.sources for c in claims},
        "first_date": min(c.start for c in claims).isoformat(),
        "last_date": max(c.start for c in claims).isoformat(),
        "symmetric": relation.symmetric,
    }


# -- contested claims -----------------------------------------------------------------------------

Key = tuple[str, str, str]  # (subject, family, object)


@dataclass(frozen=True)
class Contest:
    """A claim some sources make and another denies, or contradicts with the opposite relation.

    ``claims`` make ``subject family object`` (asserted, or alleged when the selection counts
    allegations); ``against`` are its denials (``kind`` "denied", ``against_family`` the same
    family), or the claims of the opposite camp-deciding family between the same two actors
    from other sources (``kind`` "opposite": backing against opposition).
    """

    subject: str
    family: str
    object: str
    kind: str  # "denied" or "opposite"
    against_family: str
    claims: tuple[Claim, ...]
    against: tuple[Claim, ...]

    @property
    def keys(self) -> set[Key]:
        """The projection edges ``(subject, family, object)`` the two sides stand behind."""
        ends = {self.subject, self.object}
        return {(s, c.family, o) for c in (*self.claims, *self.against) for s, o in c.pairs if {s, o} == ends}


def contests(claims: list[Claim]) -> list[Contest]:
    """The contested claims among ``claims`` (pass the denials too: ``with_denials``).

    A claim is contested when a denial names the same subject, relation family and object,
    or when a claim of the opposite sign (backs, part-of, represents against opposes) links
    the same two actors in the same direction and shares no source with it. A claim of a
    symmetric relation (``clashes-with``, ``negotiates-with``) counts both ways round.

    Examples
    --------
    >>> import datetime as dt
    >>> day = dt.date(2023, 5, 1)
    >>> backs = Claim("s1", "uae", "backs", "backs", ("rsf",), ("un",), 0.8, day)
    >>> denial = Claim("s2", "uae", "backs", "backs", ("rsf",), ("wam",), 0.9, day, stance="denied")
    >>> [(c.kind, c.claims[0].statement, c.against[0].statement) for c in contests([backs, denial])]
    [('denied', 's1', 's2')]
    """
    ontology = load_ontology()
    symmetric = {relation.name for relation in ontology.relations.values() if relation.symmetric}
    made: dict[Key, list[Claim]] = defaultdict(list)
    denied: dict[Key, list[Claim]] = defaultdict(list)
    for claim in claims:
        pairs = claim.pairs + ([(o, s) for s, o in claim.pairs] if claim.relation in symmetric else [])
        for subject, obj in pairs:
            (denied if claim.stance == "denied" else made)[(subject, claim.family, obj)].append(claim)
    found = [Contest(*key, "denied", key[1], tuple(made[key]), tuple(denials)) for key, denials in denied.items() if key in made]
    found += _opposites(made)
    return _distinct(sorted(found, key=lambda c: (c.subject, c.object, c.family, c.kind, c.against_family)))


def _opposites(made: dict[Key, list[Claim]]) -> list[Contest]:
    """Backing against opposition (and the other camp-deciding families of opposite signs)."""
    signs = {name: family.sign for name, family in load_ontology().families.items() if family.decides_camps}
    negative = [name for name, sign in signs.items() if sign is not None and sign < 0]
    found = []
    for (subject, family, obj), claims in made.items():
        if (signs.get(family) or 0) <= 0:
            continue
        for against_family in negative:
            against = made.get((subject, against_family, obj), [])
            if any(not set(c.sources) & set(a.sources) for c in claims for a in against):
                found.append(Contest(subject, family, obj, "opposite", against_family, tuple(claims), tuple(against)))
    return found


def _distinct(found: list[Contest]) -> list[Contest]:
    """Each contest once: claims of a symmetric relation meet both ways round."""
    seen, distinct = set(), []
    for contest in found:
        sides = (contest.kind, frozenset(c.statement for c in contest.claims), frozenset(c.statement for c in contest.against))
        if sides not in seen:
            seen.add(sides)
            distinct.append(contest)
    return distinct


def contested_keys(claims: list[Claim]) -> set[Key]:
    """The projection edges ``(subject, family, object)`` that contested claims stand behind
    (see ``contests``; pass the denials too: ``with_denials``), e.g. to mark them on a map.

    Examples
    --------
    >>> import datetime as dt
    >>> day = dt.date(2023, 5, 1)
    >>> backs = Claim("s1", "a", "backs", "backs", ("b",), ("x",), 0.8, day)
    >>> opposes = Claim("s2", "a", "fights", "opposes", ("b",), ("y",), 0.8, day)
    >>> sorted(contested_keys([backs, opposes]))
    [('a', 'backs', 'b'), ('a', 'opposes', 'b')]
    """
    return {key for contest in contests(claims) for key in contest.keys}
