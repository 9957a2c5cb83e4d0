"""Actors, sources and assertions, and how each becomes RDF.

The readers in ``kg.sources`` build these objects with names exactly as the user
wrote them; ``kg.loader`` resolves the names to ids; ``triples()`` here turns the
resolved objects into the two RDF shapes the store keeps: the direct edge
(``actor:turkey kgo:backs actor:sna``) and the statement node with provenance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from kg.errors import KgError

#: The longest id a quoted YAML/JSON key can hold (YAML's limit is 1,024 characters, quotes
#: included): an id given as a CSV cell or a list item is held to the same bound.
MAX_ID = 1022
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")

#: The curated formats ``--format`` may name, by the file suffix each stands for: standard
#: input has no name to tell its format by (``kg load - --format yaml``).
CURATED_FORMATS = {
    "yaml": ".yaml",
    "json": ".json",
    "csv": ".csv",
    "ttl": ".ttl",
    "nt": ".nt",
    "jsonld": ".jsonld",
    "xml": ".rdf",
    "trig": ".trig",
    "nquads": ".nq",
}
#: Every format ``kg load --format`` names: the event datasets, then the curated formats.
INPUT_FORMATS = ("gdelt", "acled", *CURATED_FORMATS)

#: What a source says of a claim: it states it, it reports someone's claim without endorsing
#: it, or it reports that the relation does not hold (or is denied or refused). Only asserted
#: claims make direct (truthy) edges, as only preferred/normal ranks do in Wikidata.
STANCES = ("asserted", "alleged", "denied")
#: How much of a date is known: ``2023``, ``2023-05`` or ``2023-05-17``. A partial date is kept
#: as the first day of its period plus its precision, and covers the whole period.
PRECISIONS = ("year", "month", "day")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record came from, so every error can name file and line."""

    path: str
    line: int | None = None

    def error(self, message: str, field: str | None = None) -> KgError:
        return KgError(message, path=self.path, line=self.line, field=field)


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    label: str
    type: str  # a class of the ontology, e.g. "ArmedGroup"
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    description: str | None = None
    where: Where = field(default=Where("<memory>"), compare=False)


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: dt.date | None = None
    #: Events coded from this source: GDELT ids (integers, kgo:gdeltEventId) of the events coded
    #: from an article, or ACLED ids (strings, kgo:acledEventId) of the events a source reported.
    events: tuple[int, ...] | tuple[str, ...] = ()
    note: str | None = None  # the curator's remark on the source (rdfs:comment)
    where: Where = field(default=Where("<memory>"), compare=False)


#: The event datasets kg imports, told apart by their ids: GDELT's GlobalEventID is an integer,
#: ACLED's event_id_cnty a string (``SDN12345``). Each: (id property, its datatype, code property).
EVENT_DATASETS = {
    "GDELT": ("gdeltEventId", "integer", "eventCode"),
    "ACLED": ("acledEventId", "string", "acledSubEventType"),
}


def event_dataset(event_id: int | str) -> str:
    """``GDELT`` for an integer id, ``ACLED`` for a string one.

    >>> event_dataset(881992392), event_dataset("SDN12345")
    ('GDELT', 'ACLED')
    """
    return "ACLED" if isinstance(event_id, str) else "GDELT"


def event_order(event_id: int | str) -> tuple[str, int]:
    """How event ids sort: GDELT's as numbers, ACLED's by country letters, then number.

    >>> sorted(["SDN10", "SDN9", "ETH3"], key=event_order), sorted([10, 9], key=event_order)
    (['ETH3', 'SDN9', 'SDN10'], [9, 10])
    """
    text = str(event_id)
    letters = text.rstrip("0123456789")
    return letters, int(text[len(letters) :] or 0)


@dataclass(frozen=True, slots=True)
class EventEvidence:
    """The coded events (GDELT or ACLED) a machine-derived assertion counts.

    Kept on the statement so that every such claim traces back to its event ids, and
    with the dataset's own sums so that analysts can weigh it: a claim resting on one event
    mentioned once is not one resting on forty. The ids' type says which dataset they are
    from (``event_dataset``), so GDELT's evidence stays exactly as it was.
    """

    event_ids: tuple[int, ...] | tuple[str, ...]
    codes: tuple[str, ...] = ()  # CAMEO event codes with their leading zeros (GDELT); sub-event types (ACLED)
    mentions: int = 0  # sums of GDELT's NumMentions, NumSources, NumArticles
    sources: int = 0  # ACLED: the number of distinct sources named
    articles: int = 0
    goldstein: float | None = None  # means over the events (GDELT)
    tone: float | None = None
    fatalities: int | None = None  # the sum of the events' reported fatalities (ACLED)

    @property
    def count(self) -> int:
        return len(self.event_ids)

    @property
    def dataset(self) -> str:
        """``GDELT`` or ``ACLED``: see ``EVENT_DATASETS``."""
        return event_dataset(self.event_ids[0]) if self.event_ids else "GDELT"


@dataclass(frozen=True, slots=True)  # slots: a large load holds a million of these
class Assertion:
    """One sourced claim. Before resolution ``subject``/``objects``/``relation`` hold
    the names the user wrote; after, actor ids and a forward relation name."""

    subject: str
    relation: str
    objects: tuple[str, ...]
    sources: tuple[str, ...]
    date: dt.date | None
    confidence: float
    quote: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    note: str | None = None
    events: EventEvidence | None = None  # set on claims aggregated from events (GDELT, ACLED)
    where: Where = field(default=Where("<memory>"), compare=False)
    #: Further subjects of one claim: the co-mediators of a joint mediation. Each subject gets
    #: its direct edges; the claim stays one statement.
    co_subjects: tuple[str, ...] = ()
    stance: str = "asserted"  # one of STANCES
    #: Who voices the claim. Before resolution: the name as written. After: an actor id, or
    #: None with the text kept in ``said_by_text`` when it names no actor ("UN panel of experts").
    said_by: str | None = None
    said_by_text: str | None = None
    process: str | None = None  # an actor of type Process the claim belongs to (talks, a peace process)
    host: str | None = None  # the actor hosting that process or venue
    date_precision: str = "day"  # one of PRECISIONS, for ``date``, ``valid_from``, ``valid_until``
    valid_from_precision: str = "day"
    valid_until_precision: str = "day"

    @property
    def subjects(self) -> tuple[str, ...]:
        """Every subject: ``subject`` first, then the co-subjects."""
        return (self.subject, *self.co_subjects)

    @property
    def asserted(self) -> bool:
        """Whether the claim makes direct edges: only a claim the source states does."""
        return self.stance == "asserted"

    @property
    def statement_id(self) -> str:
        """A content hash: the same claim loaded twice gets the same statement IRI."""
        content = [
            self.subject,
            self.relation,
            sorted(self.objects),
            sorted(self.sources),
            self.quote,
            _iso(self.date),
            _iso(self.valid_from),
            _iso(self.valid_until),
            repr(self.confidence),
        ]
        if self.events is not None:  # two aggregates may agree on all else; curated hashes stay as they were
            content.append(list(self.events.event_ids))
        extra = self._extra_content()
        if extra:  # only claims using the newer fields hash them: older data keeps its statement IRIs
            content.append(extra)
        digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
        return digest[:24]

    def _extra_content(self) -> dict:
        values = {
            "co_subjects": sorted(self.co_subjects),
            "stance": self.stance,
            "said_by": self.said_by or self.said_by_text,
            "process": self.process,
            "host": self.host,
            "precisions": [self.date_precision, self.valid_from_precision, self.valid_until_precision],
        }
        defaults = {"co_subjects": [], "stance": "asserted", "said_by": None, "process": None, "host": None, "precisions": ["day"] * 3}
        return {key: value for key, value in values.items() if value != defaults[key]}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def last_day(day: dt.date, precision: str) -> dt.date:
    """The last day a partial date covers: 2023-05 (stored as 2023-05-01) -> 2023-05-31.

    >>> last_day(dt.date(2023, 5, 1), "month"), last_day(dt.date(2023, 1, 1), "year")
    (datetime.date(2023, 5, 31), datetime.date(2023, 12, 31))
    """
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return day


def date_text(day: dt.date | None, precision: str = "day") -> str | None:
    """A date as written, to its precision: ``2023``, ``2023-05`` or ``2023-05-17``.

    >>> date_text(dt.date(2023, 5, 1), "month")
    '2023-05'
    """
    if day is None:
        return None
    return {"year": f"{day.year:04d}", "month": f"{day.year:04d}-{day.month:02d}"}.get(precision, day.isoformat())


# -- checking values as they are read -------------------------------------------------------------


def parse_id(value: object, where: Where, field: str) -> str:
    text = str(value).strip() if value is not None else ""
    if len(text) > MAX_ID:
        raise where.error(f"an id of {len(text):,} characters; ids are at most {MAX_ID:,}", field)
    if not ID_PATTERN.match(text):
        raise where.error(
            f"{text!r} is not a valid id (lower-case letters, digits, '.', '_' and '-', e.g. 'syrian-government')",
            field,
        )
    return text


def parse_date(value: object, where: Where, field: str) -> dt.date | None:
    """Accept ``YYYY-MM-DD`` (a string, or the date YAML already parsed); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise where.error(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2020-12-29", field) from None


def parse_partial_date(value: object, where: Where, field: str) -> tuple[dt.date | None, str]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the first day of the period and its precision.

    >>> parse_partial_date("2023-05", Where("a.yaml", 3), "date")
    (datetime.date(2023, 5, 1), 'month')
    >>> parse_partial_date(2023, Where("a.yaml", 3), "date")
    (datetime.date(2023, 1, 1), 'year')
    """
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else None
    partial = PARTIAL_DATE.match(text) if text is not None else None
    if partial is None:
        return parse_date(value, where, field), "day"
    year, month = int(partial.group(1)), partial.group(2)
    if month is None:
        return dt.date(year, 1, 1), "year"
    if not 1 <= int(month) <= 12:
        raise where.error(f"{value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2023-05", field)
    return dt.date(year, int(month), 1), "month"


def parse_stance(value: object, where: Where, field: str = "stance") -> str:
    """One of ``STANCES``; empty means asserted."""
    if value is None or value == "":
        return "asserted"
    text = str(value).strip().lower()
    if text not in STANCES:
        raise where.error(f"{value!r} is not a stance; use {', '.join(STANCES)}", field)
    return text


def parse_confidence(value: object, where: Where, field: str = "confidence") -> float:
    """A number in [0, 1]; kept as given so the statement hash is stable."""
    if isinstance(value, bool):
        raise where.error(f"{value!r} is not a number between 0 and 1", field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise where.error(f"{value!r} is not a number between 0 and 1", field) from None
    if not number.is_finite() or not 0 <= number <= 1:
        raise where.error(f"{value} is outside [0, 1]", field)
    return float(number)


def parse_url(value: object, where: Where, field: str = "url") -> str | None:
    """Only http(s) links: they end up as clickable links in pages."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", text):
        raise where.error(f"{text!r} is not an http(s) URL", field)
    return text


def parse_wikidata(value: object, where: Where) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip().rsplit("/", 1)[-1]
    if not WIKIDATA_PATTERN.match(text):
        raise where.error(f"{value!r} is not a Wikidata item id such as Q159", "wikidata")
    return text


# -- RDF ----------------------------------------------------------------------------------------
#
# One layout, two encodings of its terms: rdflib objects (for SHACL checks, exports and tests)
# and N-Triples text, which large loads stream to Oxigraph's bulk loader. Building an rdflib
# object per term (and validating each IRI) was most of the time of a large load.

_NT_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"))


def _nt_escape(text: str) -> str:
    for char, escaped in _NT_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


class RdfTerms:
    """Terms as rdflib objects."""

    @staticmethod
    @lru_cache(maxsize=1 << 16)  # actors, relations and sources recur; validating an IRI is slow
    def iri(text: str):
        from rdflib import URIRef

        return URIRef(text)

    @staticmethod
    def literal(text: str):
        from rdflib import Literal

        return Literal(text)

    @staticmethod
    @lru_cache(maxsize=1 << 16)  # dates and confidences recur across many assertions
    def typed(lexical: str, datatype: str):
        from rdflib import Literal, URIRef

        return Literal(lexical, datatype=URIRef(datatype))


class NTriplesTerms:
    """Terms as N-Triples text (our IRIs are built from checked ids: nothing to escape).

    Nothing is cached: a cached string made in the middle of a large load outlives it
    and pins the memory around it, which the bulk loader that follows needs.
    """

    @staticmethod
    def iri(text: str) -> str:
        return f"<{text}>"

    @staticmethod
    def literal(text: str) -> str:
        return f'"{_nt_escape(text)}"'

    @staticmethod
    def typed(lexical: str, datatype: str) -> str:
        return f'"{_nt_escape(lexical)}"^^<{datatype}>'


RDF_TERMS = RdfTerms()
NT_TERMS = NTriplesTerms()


@cache
def _vocab():
    """The IRIs of the layout, as plain strings (kg.namespaces imports rdflib)."""
    from types import SimpleNamespace

    from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

    from kg.namespaces import ACTOR, DYAD, KGO, SCHEMA, SOURCE, STMT, WD

    return SimpleNamespace(
        actor=str(ACTOR), source=str(SOURCE), stmt=str(STMT), dyad=str(DYAD), wd=str(WD), kgo=str(KGO),
        type=str(RDF.type), label=str(RDFS.label), comment=str(RDFS.comment), alt_label=str(SKOS.altLabel),
        same_as=str(OWL.sameAs), title=str(DCTERMS.title), publisher=str(DCTERMS.publisher), date=str(DCTERMS.date),
        url=str(SCHEMA.url), derived_from=str(PROV.wasDerivedFrom),
        xsd_date=str(XSD.date), xsd_decimal=str(XSD.decimal), xsd_integer=str(XSD.integer), xsd_any_uri=str(XSD.anyURI),
    )  # fmt: skip


def actor_triples(actor: Actor, terms=RDF_TERMS) -> Iterator[tuple]:
    v, iri = _vocab(), terms.iri
    node = iri(v.actor + actor.id)
    yield node, iri(v.type), iri(v.kgo + actor.type)
    yield node, iri(v.label), terms.literal(actor.label)
    for alias in actor.aliases:
        yield node, iri(v.alt_label), terms.literal(alias)
    if actor.wikidata:
        yield node, iri(v.same_as), iri(v.wd + actor.wikidata)
    if actor.description:
        yield node, iri(v.comment), terms.literal(actor.description)


def source_triples(source: Source, terms=RDF_TERMS) -> Iterator[tuple]:
    v, iri = _vocab(), terms.iri
    node = iri(v.source + source.id)
    yield node, iri(v.type), iri(v.kgo + "Source")
    yield node, iri(v.title), terms.literal(source.title)
    if source.publisher:
        yield node, iri(v.publisher), terms.literal(source.publisher)
    if source.url:
        yield node, iri(v.url), terms.typed(source.url, v.xsd_any_uri)
    if source.date:
        yield node, iri(v.date), terms.typed(source.date.isoformat(), v.xsd_date)
    for event_id in source.events:
        yield node, *_event_id(event_id, terms)
    if source.note:
        yield node, iri(v.comment), terms.literal(source.note)


def assertion_triples(assertion: Assertion, terms=RDF_TERMS, statement_id: str | None = None) -> Iterator[tuple]:
    """The statement node and its provenance; the direct edges come from ``kg.ontology``.
    ``statement_id``: the assertion's, when the caller hashed it already (once per claim)."""
    v, iri = _vocab(), terms.iri
    kgo = v.kgo
    node = iri(v.stmt + (statement_id or assertion.statement_id))
    yield node, iri(v.type), iri(kgo + "Assertion")
    for subject in assertion.subjects:
        yield node, iri(kgo + "subject"), iri(v.actor + subject)
    yield node, iri(kgo + "relation"), iri(kgo + _camel(assertion.relation))
    for obj in assertion.objects:
        yield node, iri(kgo + "object"), iri(v.actor + obj)
        for subject in assertion.subjects:
            yield node, iri(kgo + "dyad"), iri(v.dyad + dyad_path(subject, obj))
    for source in assertion.sources:
        yield node, iri(v.derived_from), iri(v.source + source)
    yield node, iri(kgo + "confidence"), terms.typed(decimal_lexical(assertion.confidence), v.xsd_decimal)
    dates = (
        ("dateReported", assertion.date, assertion.date_precision),
        ("validFrom", assertion.valid_from, assertion.valid_from_precision),
        ("validUntil", assertion.valid_until, assertion.valid_until_precision),
    )
    for prop, day, precision in dates:
        if day is not None:
            yield node, iri(kgo + prop), terms.typed(day.isoformat(), v.xsd_date)
            if precision != "day":  # the first day of the period, and how much of it is known
                yield node, iri(kgo + prop + "Precision"), terms.literal(precision)
    yield from _voice_triples(node, assertion, terms)
    if assertion.quote is not None:
        yield node, iri(kgo + "quote"), terms.literal(assertion.quote)
    if assertion.note is not None:
        yield node, iri(v.comment), terms.literal(assertion.note)
    if assertion.events is not None:
        yield from event_triples(node, assertion.events, terms)


def _voice_triples(node, assertion: Assertion, terms=RDF_TERMS) -> Iterator[tuple]:
    """Stance, attribution, process and host: only when given, so older data keeps its triples
    (no ``kgo:stance`` means asserted)."""
    v, iri = _vocab(), terms.iri
    kgo = v.kgo
    if assertion.stance != "asserted":
        yield node, iri(kgo + "stance"), iri(kgo + assertion.stance.capitalize())
    if assertion.said_by:
        yield node, iri(kgo + "saidBy"), iri(v.actor + assertion.said_by)
    if assertion.said_by_text:
        yield node, iri(kgo + "saidByName"), terms.literal(assertion.said_by_text)
    if assertion.process:
        yield node, iri(kgo + "process"), iri(v.actor + assertion.process)
    if assertion.host:
        yield node, iri(kgo + "host"), iri(v.actor + assertion.host)


def dyad_path(subject: str, obj: str) -> str:
    """The local part of the IRI of the dyad (ordered pair) of two actor ids."""
    return f"{subject}/{obj}"


def decimal_lexical(number: float) -> str:
    """``xsd:decimal`` text of a number as given: never an exponent, which xsd:decimal forbids."""
    return format(Decimal(repr(number)), "f")


def _event_id(event_id: int | str, terms=RDF_TERMS) -> tuple:
    """(property, value) of one event id: ``kgo:gdeltEventId`` an xsd:integer, ``kgo:acledEventId`` a string."""
    v = _vocab()
    prop, datatype, _ = EVENT_DATASETS[event_dataset(event_id)]
    value = terms.typed(str(event_id), v.xsd_integer) if datatype == "integer" else terms.literal(event_id)
    return terms.iri(v.kgo + prop), value


def event_triples(node, events: EventEvidence, terms=RDF_TERMS) -> Iterator[tuple]:
    """An event aggregate's own properties: its events, their codes, counts, sums and means.

    GDELT's aggregates carry its four counts and two means; ACLED's the event and source
    counts and the fatalities reported."""
    v, iri = _vocab(), terms.iri
    kgo = v.kgo
    _, _, code_property = EVENT_DATASETS[events.dataset]
    yield node, iri(v.type), iri(kgo + "EventAggregate")
    for event_id in events.event_ids:
        yield node, *_event_id(event_id, terms)
    for code in events.codes:
        yield node, iri(kgo + code_property), terms.literal(code)
    if events.dataset == "ACLED":
        counts = (("eventCount", events.count), ("sourceCount", events.sources), ("fatalityCount", events.fatalities or 0))
    else:
        counts = (("eventCount", events.count), ("mentionCount", events.mentions), ("sourceCount", events.sources),
                  ("articleCount", events.articles))  # fmt: skip
    for prop, count in counts:
        yield node, iri(kgo + prop), terms.typed(str(count), v.xsd_integer)
    for prop, mean in (("meanGoldstein", events.goldstein), ("meanTone", events.tone)):
        if mean is not None:  # three decimals, as GDELT's own precision allows
            yield node, iri(kgo + prop), terms.typed(decimal_lexical(round(mean, 3)), v.xsd_decimal)


def event_evidence(graph, node) -> EventEvidence | None:
    """Read an event aggregate's evidence back from RDF (the inverse of ``event_triples``)."""
    from rdflib.namespace import RDF

    from kg.namespaces import KGO

    if (node, RDF.type, KGO.EventAggregate) not in graph:
        return None
    number = lambda prop, kind: kind(graph.value(node, prop)) if graph.value(node, prop) is not None else None  # noqa: E731
    acled = sorted((str(e) for e in graph.objects(node, KGO.acledEventId)), key=event_order)
    if acled:
        return EventEvidence(
            event_ids=tuple(acled),
            codes=tuple(sorted(str(c) for c in graph.objects(node, KGO.acledSubEventType))),
            sources=number(KGO.sourceCount, int) or 0,
            fatalities=number(KGO.fatalityCount, int) or 0,
        )
    return EventEvidence(
        event_ids=tuple(sorted(int(e) for e in graph.objects(node, KGO.gdeltEventId))),
        codes=tuple(sorted(str(c) for c in graph.objects(node, KGO.eventCode))),
        mentions=number(KGO.mentionCount, int) or 0,
        sources=number(KGO.sourceCount, int) or 0,
        articles=number(KGO.articleCount, int) or 0,
        goldstein=number(KGO.meanGoldstein, float),
        tone=number(KGO.meanTone, float),
    )


def source_events(graph, node) -> tuple[int, ...] | tuple[str, ...]:
    """The event ids a source carries, GDELT's or ACLED's (the inverse of ``source_triples``'s)."""
    from kg.namespaces import KGO

    acled = tuple(sorted((str(e) for e in graph.objects(node, KGO.acledEventId)), key=event_order))
    return acled or tuple(sorted(int(e) for e in graph.objects(node, KGO.gdeltEventId)))


def _camel(kebab_name: str) -> str:
    head, *rest = kebab_name.split("-")
    return head + "".join(part.capitalize() for part in rest)
