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
from functools import cache

from kg.errors import KgError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class Where:
    """Where a record came from, so every error can name file and line."""

    path: str
    line: int | None = None

    def error(self, message: str, field: str | None = None) -> KgError:
        return KgError(message, path=self.path, line=self.line, field=field)


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    type: str  # a class of the ontology, e.g. "ArmedGroup"
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    description: str | None = None
    where: Where = field(default=Where("<memory>"), compare=False)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: dt.date | None = None
    events: tuple[int, ...] = ()  # GDELT events coded from this article (kgo:gdeltEventId)
    where: Where = field(default=Where("<memory>"), compare=False)


@dataclass(frozen=True)
class EventEvidence:
    """The coded events (GDELT) a machine-derived assertion counts.

    Kept on the statement so that every such claim traces back to its event ids, and
    with GDELT's own sums so that analysts can weigh it: a claim resting on one event
    mentioned once is not one resting on forty.
    """

    event_ids: tuple[int, ...]
    codes: tuple[str, ...] = ()  # CAMEO event codes, with their leading zeros
    mentions: int = 0  # sums of GDELT's NumMentions, NumSources, NumArticles
    sources: int = 0
    articles: int = 0
    goldstein: float | None = None  # means over the events
    tone: float | None = None

    @property
    def count(self) -> int:
        return len(self.event_ids)


@dataclass(frozen=True)
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
    events: EventEvidence | None = None  # set on claims aggregated from GDELT events
    where: Where = field(default=Where("<memory>"), compare=False)

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
        digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
        return digest[:24]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# -- checking values as they are read -------------------------------------------------------------


def parse_id(value: object, where: Where, field: str) -> str:
    text = str(value).strip() if value is not None else ""
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


def actor_triples(actor: Actor) -> Iterator[tuple]:
    from rdflib import Literal
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    from kg.namespaces import ACTOR, KGO, WD

    node = ACTOR[actor.id]
    yield node, RDF.type, KGO[actor.type]
    yield node, RDFS.label, Literal(actor.label)
    for alias in actor.aliases:
        yield node, SKOS.altLabel, Literal(alias)
    if actor.wikidata:
        yield node, OWL.sameAs, WD[actor.wikidata]
    if actor.description:
        yield node, RDFS.comment, Literal(actor.description)


def source_triples(source: Source) -> Iterator[tuple]:
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, RDF, XSD

    from kg.namespaces import KGO, SCHEMA, SOURCE

    node = SOURCE[source.id]
    yield node, RDF.type, KGO.Source
    yield node, DCTERMS.title, Literal(source.title)
    if source.publisher:
        yield node, DCTERMS.publisher, Literal(source.publisher)
    if source.url:
        yield node, SCHEMA.url, Literal(source.url, datatype=XSD.anyURI)
    if source.date:
        yield node, DCTERMS.date, Literal(source.date)
    for event_id in source.events:
        yield node, KGO.gdeltEventId, Literal(event_id)


def assertion_triples(assertion: Assertion) -> Iterator[tuple]:
    """The statement node and its provenance; the direct edges come from ``kg.ontology``."""
    from rdflib import Literal
    from rdflib.namespace import PROV, RDF, RDFS

    from kg.namespaces import KGO, STMT

    node = STMT[assertion.statement_id]
    yield node, RDF.type, KGO.Assertion
    yield node, KGO.subject, actor_iri(assertion.subject)
    yield node, KGO.relation, relation_iri(assertion.relation)
    for obj in assertion.objects:
        yield node, KGO.object, actor_iri(obj)
    for source in assertion.sources:
        yield node, PROV.wasDerivedFrom, source_iri(source)
    yield node, KGO.confidence, decimal_literal(assertion.confidence)
    for prop, day in ((KGO.dateReported, assertion.date), (KGO.validFrom, assertion.valid_from), (KGO.validUntil, assertion.valid_until)):
        if day is not None:
            yield node, prop, date_literal(day)
    for prop, text in ((KGO.quote, assertion.quote), (RDFS.comment, assertion.note)):
        if text is not None:
            yield node, prop, Literal(text)
    if assertion.events is not None:
        yield from event_triples(node, assertion.events)


# Terms that recur across many assertions, made once: building an rdflib term validates it,
# which was a fifth of the time of a large load.


@cache
def actor_iri(actor_id: str):
    from kg.namespaces import ACTOR

    return ACTOR[actor_id]


@cache
def source_iri(source_id: str):
    from kg.namespaces import SOURCE

    return SOURCE[source_id]


@cache
def relation_iri(name: str):
    from kg.namespaces import KGO

    return KGO[_camel(name)]


@cache
def date_literal(day: dt.date):
    from rdflib import Literal
    from rdflib.namespace import XSD

    return Literal(day.isoformat(), datatype=XSD.date)


@cache
def decimal_literal(number: float):
    from rdflib import Literal

    return Literal(Decimal(repr(number)))


def event_triples(node, events: EventEvidence) -> Iterator[tuple]:
    """An event aggregate's own properties: its events, their codes, sums and means."""
    from rdflib import Literal
    from rdflib.namespace import RDF

    from kg.namespaces import KGO

    yield node, RDF.type, KGO.EventAggregate
    for event_id in events.event_ids:
        yield node, KGO.gdeltEventId, Literal(event_id)
    for code in events.codes:
        yield node, KGO.eventCode, Literal(code)
    yield node, KGO.eventCount, Literal(events.count)
    yield node, KGO.mentionCount, Literal(events.mentions)
    yield node, KGO.sourceCount, Literal(events.sources)
    yield node, KGO.articleCount, Literal(events.articles)
    for prop, mean in ((KGO.meanGoldstein, events.goldstein), (KGO.meanTone, events.tone)):
        if mean is not None:  # three decimals: repr() then never needs an exponent, which xsd:decimal forbids
            yield node, prop, Literal(Decimal(repr(round(mean, 3))))


def event_evidence(graph, node) -> EventEvidence | None:
    """Read an event aggregate's evidence back from RDF (the inverse of ``event_triples``)."""
    from rdflib.namespace import RDF

    from kg.namespaces import KGO

    if (node, RDF.type, KGO.EventAggregate) not in graph:
        return None
    number = lambda prop, kind: kind(graph.value(node, prop)) if graph.value(node, prop) is not None else None  # noqa: E731
    return EventEvidence(
        event_ids=tuple(sorted(int(e) for e in graph.objects(node, KGO.gdeltEventId))),
        codes=tuple(sorted(str(c) for c in graph.objects(node, KGO.eventCode))),
        mentions=number(KGO.mentionCount, int) or 0,
        sources=number(KGO.sourceCount, int) or 0,
        articles=number(KGO.articleCount, int) or 0,
        goldstein=number(KGO.meanGoldstein, float),
        tone=number(KGO.meanTone, float),
    )


def source_events(graph, node) -> tuple[int, ...]:
    """The GDELT event ids a source carries (the inverse of ``source_triples``'s)."""
    from kg.namespaces import KGO

    return tuple(sorted(int(e) for e in graph.objects(node, KGO.gdeltEventId)))


def _camel(kebab_name: str) -> str:
    head, *rest = kebab_name.split("-")
    return head + "".join(part.capitalize() for part in rest)
