"""Aggregating GDELT events into sourced assertions, one per (actor1, relation, actor2, month).

Each aggregate carries the event ids, summed mentions/sources/articles, mean Goldstein
score and tone; its sources are the distinct articles (SOURCEURL), each a ``Source``
carrying the ids of the events coded from it. Symmetric relations (negotiates-with) count
both directions as one. Each sub-actor of the actor map (``russia-mil``) gets a
``part-of`` assertion resting on the events that name it.

**Confidence** rests on the number n of independent publishers (distinct web hosts) among
the articles: ``min(0.9, 1 - 0.5**n)``, i.e. 0.5, 0.75, 0.875, then 0.9. Machine coding is
often wrong about who did what, so a GDELT aggregate never reaches the 0.95 of a
hand-read, quoted claim.

**Skipped rows** are counted by reason: ``MALFORMED`` rows are broken (and with
``strict=True`` an error naming their line and column), ``UNMAPPED`` ones are fine rows the
map does not cover (always counted).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from kg.model import Actor, Assertion, EventEvidence, Source, Where
from kg.ontology import Relation
from kg.sources.document import Document
from kg.sources.gdelt.cameo import ActorMap, MappedActor, relation_for
from kg.sources.gdelt.rows import MALFORMED, Event, Skip, actor_fields, parse_event

#: Reasons that say only that the mapping does not cover the row; always counted, never errors.
UNMAPPED = ("unmapped event code", "unmapped actor", "same actor")
MAX_CONFIDENCE = 0.9

_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def confidence(publishers: int) -> float:
    """Confidence of an aggregate resting on ``publishers`` independent publishers.

    >>> [confidence(n) for n in (1, 2, 3, 4)]
    [0.5, 0.75, 0.875, 0.9]
    """
    return round(min(MAX_CONFIDENCE, 1 - 0.5**publishers), 4)


def source_id(text: str) -> str:
    """One source per article: the id is a hash of its SOURCEURL.

    >>> source_id("BBC Monitoring")[:6]
    'gdelt-'
    """
    return "gdelt-" + hashlib.sha256(text.encode()).hexdigest()[:16]


class Aggregator:
    """Collects the kept events of one file by aggregate, then builds its ``Document``."""

    def __init__(self, path: Path, actor_map: ActorMap, strict: bool) -> None:
        self.path, self.map, self.strict = path, actor_map, strict
        self.rows = 0
        self.skipped: Counter[str] = Counter()
        self.claims: dict[tuple[str, str, str, str], list[Event]] = defaultdict(list)
        self.parts: dict[str, list[Event]] = defaultdict(list)
        self.actors: dict[str, MappedActor] = {}
        self.articles: dict[str, list[Event]] = defaultdict(list)

    def add(self, line: int, row: list[str]) -> None:
        """Keep one row's event under its aggregate, or count (``strict``: raise) why not."""
        if not row:
            return  # a blank line
        self.rows += 1
        try:
            event, subject, relation, obj = self._mapped(row, line)
        except Skip as skip:
            if self.strict and skip.reason in MALFORMED:
                raise Where(str(self.path), line).error(skip.message, skip.field) from None
            self.skipped[skip.reason] += 1
            return
        if relation.symmetric and obj.id < subject.id:
            subject, obj = obj, subject  # one aggregate for both directions
        month = f"{event.day.year:04d}-{event.day.month:02d}"
        self.claims[(subject.id, relation.name, obj.id, month)].append(event)
        for actor in (subject, obj):
            self._use(actor)
            if actor.part_of is not None:
                self.parts[actor.id].append(event)
        self.articles[event.source].append(event)

    def _mapped(self, row: list[str], line: int) -> tuple[Event, MappedActor, Relation, MappedActor]:
        event = parse_event(row, line)
        first, second = actor_fields(row, 1), actor_fields(row, 2)
        if not event.source:
            raise Skip("missing source", "SOURCEURL", "missing: the event has no SOURCEURL")
        relation = relation_for(event.code)
        if relation is None:
            raise Skip("unmapped event code", "EventCode", f"no relation lists CAMEO code {event.code}")
        subject, obj = self.map.actor(*first), self.map.actor(*second)
        if subject is None or obj is None:
            raise Skip("unmapped actor", None, "an actor code maps to no actor")
        if subject.id == obj.id:
            raise Skip("same actor", None, f"both actors are {subject.id}")
        return event, subject, relation, obj

    def _use(self, actor: MappedActor) -> None:
        """Remember an actor the assertions name (and the actor it is part of)."""
        known = self.actors.get(actor.id)
        if known is not None and (known.label, known.type) != (actor.label, actor.type):
            raise actor.where.error(f"actor {actor.id!r} is also mapped, differently, on line {known.where.line} of {known.where.path}")
        self.actors.setdefault(actor.id, actor)
        if actor.part_of is not None:
            self._use(actor.part_of)

    def document(self) -> Document:
        """The file's actors, articles and aggregated assertions, with the rows read and skipped."""
        doc = Document(str(self.path), rows_read=self.rows, ids_only=True)
        doc.skipped = dict(sorted(self.skipped.items(), key=lambda item: (-item[1], item[0])))
        for actor in self.actors.values():
            if actor.defined:
                doc.actors.append(Actor(actor.id, actor.label, actor.type, where=actor.where))  # type: ignore[arg-type]
            else:
                doc.references.setdefault(actor.id, actor.where)
        doc.sources = [self._source(text, events) for text, events in self.articles.items()]
        for (subject, relation, obj, _month), events in self.claims.items():
            doc.assertions.append(self._claim(subject, relation, obj, events))
        for actor_id, events in self.parts.items():
            doc.assertions.append(self._part_of(self.actors[actor_id], events))
        return doc

    def _source(self, text: str, events: list[Event]) -> Source:
        url = text if _URL.match(text) else None
        if url:
            parts = urlsplit(url)
            title = (_host(url) + parts.path.rstrip("/"))[:200]
        else:
            title = " ".join(text.split())[:200]
        return Source(
            id=source_id(text),
            title=title,
            publisher=_host(url) if url else None,
            url=url,
            date=min(e.added for e in events),
            events=tuple(sorted({e.id for e in events})),
            where=Where(str(self.path), events[0].line),
        )

    def _claim(self, subject: str, relation: str, obj: str, events: list[Event]) -> Assertion:
        ids = sorted({e.id for e in events})
        unique = [e for e in {e.id: e for e in events}.values()]
        evidence = EventEvidence(
            event_ids=tuple(ids),
            codes=tuple(sorted({e.code for e in unique})),
            mentions=sum(e.mentions for e in unique),
            sources=sum(e.sources for e in unique),
            articles=sum(e.articles for e in unique),
            goldstein=round(sum(e.goldstein for e in unique) / len(unique), 3),
            tone=round(sum(e.tone for e in unique) / len(unique), 3),
        )
        return Assertion(
            subject=subject,
            relation=relation,
            objects=(obj,),
            sources=tuple(sorted({source_id(e.source) for e in unique})),
            date=min(e.added for e in unique),
            confidence=confidence(len({_publisher(e.source) for e in unique})),
            valid_from=min(e.day for e in unique),
            valid_until=max(e.day for e in unique),
            events=evidence,
            where=Where(str(self.path), events[0].line),
        )

    def _part_of(self, actor: MappedActor, events: list[Event]) -> Assertion:
        """A sub-actor is part of its state because its CAMEO code says so: the evidence is
        the events that name it by that code."""
        unique = [e for e in {e.id: e for e in events}.values()]
        evidence = EventEvidence(
            event_ids=tuple(sorted(e.id for e in unique)),
            mentions=sum(e.mentions for e in unique),
            sources=sum(e.sources for e in unique),
            articles=sum(e.articles for e in unique),
        )
        part = actor.part_of
        assert part is not None
        return Assertion(
            subject=actor.id,
            relation="part-of",
            objects=(part.id,),
            sources=tuple(sorted({source_id(e.source) for e in unique})),
            date=min(e.added for e in unique),
            confidence=1.0,
            note=f"GDELT codes this actor {actor.code}, a part of {part.code} in the CAMEO actor map.",
            events=evidence,
            where=Where(str(self.path), unique[0].line),
        )


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _publisher(text: str) -> str:
    """What counts as one independent source: the web host, or the source's name."""
    return _host(text) if _URL.match(text) else " ".join(text.split()).lower()
