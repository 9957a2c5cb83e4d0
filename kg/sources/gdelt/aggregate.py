"""Aggregating GDELT events into sourced assertions, one per (actor1, relation, actor2, month).

Each aggregate carries the event ids, summed mentions/sources/articles, mean Goldstein
score and tone; its sources are the distinct articles (SOURCEURL), each a ``Source``
carrying the ids of the events coded from it. Symmetric relations (negotiates-with) count
both directions as one. Each sub-actor of the actor map (``russia-mil``) gets a
``part-of`` assertion resting on the events that name it. What every event dataset shares
(collecting, counting skips, the actors named) is ``kg.sources.gdelt.events``.

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
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from kg.model import Assertion, EventEvidence, Source, Where
from kg.ontology import Relation
from kg.sources.document import Document
from kg.sources.gdelt.cameo import ActorMap, relation_for
from kg.sources.gdelt.events import EventAggregator, MappedActor, Skip, month_of
from kg.sources.gdelt.rows import MALFORMED, Event, actor_fields, parse_event

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


class Aggregator(EventAggregator[Event]):
    """Collects the kept events of one GDELT file by aggregate, then builds its ``Document``."""

    def __init__(self, path: Path, actor_map: ActorMap, strict: bool) -> None:
        super().__init__(path, strict, MALFORMED)
        self.map = actor_map
        self.articles: dict[str, list[Event]] = defaultdict(list)

    def add(self, line: int, row: list[str]) -> None:
        """Keep one row's event under its aggregate, or count (``strict``: raise) why not."""
        if not row:
            return  # a blank line
        self.rows += 1
        try:
            event, subject, relation, obj = self._mapped(row, line)
        except Skip as skip:
            self.skip(line, skip)
            return
        self.keep(event, subject, relation, obj, month_of(event.day))
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

    def document(self) -> Document:  # type: ignore[override]
        """The file's actors, articles and aggregated assertions, with the rows read and skipped."""
        return super().document([self._source(text, events) for text, events in self.articles.items()])

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

    def claim(self, subject: str, relation: str, obj: str, events: list[Event]) -> Assertion:
        evidence = EventEvidence(
            event_ids=tuple(sorted(e.id for e in events)),
            codes=tuple(sorted({e.code for e in events})),
            mentions=sum(e.mentions for e in events),
            sources=sum(e.sources for e in events),
            articles=sum(e.articles for e in events),
            goldstein=round(sum(e.goldstein for e in events) / len(events), 3),
            tone=round(sum(e.tone for e in events) / len(events), 3),
        )
        return Assertion(
            subject=subject,
            relation=relation,
            objects=(obj,),
            sources=tuple(sorted({source_id(e.source) for e in events})),
            date=min(e.added for e in events),
            confidence=confidence(len({_publisher(e.source) for e in events})),
            valid_from=min(e.day for e in events),
            valid_until=max(e.day for e in events),
            events=evidence,
            where=Where(str(self.path), events[0].line),
        )

    def part_of(self, actor: MappedActor, events: list[Event]) -> Assertion:
        """A sub-actor is part of its state because its CAMEO code says so: the evidence is
        the events that name it by that code."""
        evidence = EventEvidence(
            event_ids=tuple(sorted(e.id for e in events)),
            mentions=sum(e.mentions for e in events),
            sources=sum(e.sources for e in events),
            articles=sum(e.articles for e in events),
        )
        part = actor.part_of
        assert part is not None
        return Assertion(
            subject=actor.id,
            relation="part-of",
            objects=(part.id,),
            sources=tuple(sorted({source_id(e.source) for e in events})),
            date=min(e.added for e in events),
            confidence=1.0,
            note=f"GDELT codes this actor {actor.code}, a part of {part.code} in the CAMEO actor map.",
            events=evidence,
            where=Where(str(self.path), events[0].line),
        )


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _publisher(text: str) -> str:
    """What counts as one independent source: the web host, or the source's name."""
    return _host(text) if _URL.match(text) else " ".join(text.split()).lower()
