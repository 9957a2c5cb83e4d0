"""Aggregating ACLED events into sourced assertions, one per (subject, relation, object, month).

A row gives up to three kinds of claim (``kg/ontology/acled-events.yaml``): actor1 and
actor2 under the event type's relation, and each associated actor alongside its main actor.
Each aggregate rests on its ACLED event ids and carries their sub-event types, the number of
distinct sources and the fatalities reported; its quote is the notes of its first
``QUOTED`` events. Each source name (the ``source`` column, ``;``-separated) is one ``Source``,
listing the events it reported. State forces (``sudan-mil``) are ``part-of`` their State,
as in the GDELT import.

**Confidence** rests on how much evidence agrees: one event from one source is 0.7, and each
further event or distinct source adds 0.1, up to 0.9: ``min(0.9, 0.6 + 0.1 * (events +
sources - 1))``. ACLED's coders read every report, so one event counts for more than a GDELT
article (0.5); but the claim is still drawn by a mapping, not read, so it stays below the
0.95 of a quoted, hand-read claim.

**Skipped rows** are counted by reason: ``MALFORMED`` rows are broken (with ``strict=True``
an error naming file, line and column); the others are fine rows the mappings leave out: the
reason an event type gives (protests, riots, arrests ...), civilians, protesters, rioters,
unidentified actors, unmapped actors, one-actor events. A row is skipped when it yields no
claim; associated actors that map to nothing are counted apart (``ASSOCIATED_UNMAPPED``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path

from kg.model import Assertion, EventEvidence, Source, Where, event_order
from kg.ontology import Relation
from kg.sources.acled.mapping import AcledActors, Rule, rule_for
from kg.sources.acled.rows import MALFORMED, Event, parse_event
from kg.sources.document import Document
from kg.sources.gdelt.events import EventAggregator, MappedActor, Skip, month_of

#: Counted apart from rows: associated actor names that map to no actor (one per name and row).
ASSOCIATED_UNMAPPED = "associated actors unmapped"
#: Reasons that say only that the mappings do not cover the row; always counted, never errors.
UNMAPPED = ("unmapped event type", "unmapped actor", "unidentified actor", "one-actor event", "same actor")
MAX_CONFIDENCE = 0.9
QUOTED = 3  # the notes of this many events make an aggregate's quote
NOTE_LENGTH = 300  # characters of each note quoted


def confidence(events: int, sources: int) -> float:
    """Confidence of an aggregate of ``events`` ACLED events naming ``sources`` distinct sources.

    >>> confidence(1, 1), confidence(2, 1), confidence(1, 2), confidence(5, 3)
    (0.7, 0.8, 0.8, 0.9)
    """
    return round(min(MAX_CONFIDENCE, 0.6 + 0.1 * (events + sources - 1)), 2)


def source_id(name: str) -> str:
    """One source per name in ACLED's ``source`` column: the id is a hash of the name.

    >>> source_id("Radio Dabanga")[:6]
    'acled-'
    """
    return "acled-" + hashlib.sha256(" ".join(name.split()).casefold().encode()).hexdigest()[:16]


class Aggregator(EventAggregator[Event]):
    """Collects the kept events of one ACLED file by aggregate, then builds its ``Document``."""

    def __init__(self, path: Path, actors: AcledActors, strict: bool) -> None:
        super().__init__(path, strict, MALFORMED)
        self.map = actors
        self.reported: dict[str, list[Event]] = defaultdict(list)  # source id -> its kept events
        self.source_names: dict[str, str] = {}  # source id -> the name as first written
        self.part_names: dict[str, str] = {}  # sub-actor id -> the first ACLED name for it

    def add(self, line: int, fields: dict[str, str] | None, width: int) -> None:
        """Keep one row's events under their aggregates, or count (``strict``: raise) why not."""
        self.rows += 1
        try:
            event = parse_event(fields, line, width)
            rule = rule_for(event.event_type, event.sub_event_type)
            if rule.skip:
                raise Skip(rule.skip, "sub_event_type", f"{event.sub_event_type} events are not imported")
            self._claims(event, rule)
        except Skip as skip:
            self.skip(line, skip)
            return
        for name in event.sources:
            self.reported[source_id(name)].append(event)
            self.source_names.setdefault(source_id(name), name)

    def _claims(self, event: Event, rule: Rule) -> None:
        """File the event under each claim it makes; a ``Skip`` (the main pair's) if none."""
        assert rule.relation is not None
        first = self._side(event.actor1, event.inter1, "actor1")
        second = self._side(event.actor2, event.inter2, "actor2")
        kept = 0
        if isinstance(first, MappedActor) and isinstance(second, MappedActor) and first.id != second.id:
            self.keep(event, first, rule.relation, second, month_of(event.day))
            kept += 1
        if rule.associated is not None:
            taken = _ids(first, second)
            for main, allies, inter in ((first, event.assoc1, event.inter1), (second, event.assoc2, event.inter2)):
                if isinstance(main, MappedActor):
                    kept += self._allies(event, main, allies, inter, rule.associated, taken)
        if not kept:
            for side in (first, second):
                if isinstance(side, Skip):
                    raise side
            raise Skip("same actor", None, f"both actors map to {first.id}")  # type: ignore[union-attr]

    def _side(self, name: str, inter: str, field: str) -> MappedActor | Skip:
        """The actor of actor1 or actor2, or the ``Skip`` saying why there is none."""
        if not name:
            return Skip("one-actor event", field, f"missing: the event has no {field}")
        if self.map.inter_of(inter) is None:
            raise Skip("bad inter code", field.replace("actor", "inter"), f"{inter!r} is not an ACLED inter code (1 to 8, or its name)")
        reason = self.map.skip_reason(name, inter)
        if reason:
            return Skip(reason, field, f"{name!r}: {reason} are never mapped")
        actor = self._actor(name, inter)
        if actor is None:
            return Skip("unmapped actor", field, f"{name!r} maps to no actor (extend the map with --actor-map)")
        return actor

    def _actor(self, name: str, inter: str = "") -> MappedActor | None:
        """The actor of a name, remembering the first name of each sub-actor for its part-of note."""
        actor = self.map.actor(name, inter)
        if actor is not None and actor.part_of is not None:
            self.part_names.setdefault(actor.id, name)
        return actor

    def _allies(self, event: Event, main: MappedActor, names: tuple[str, ...], inter: str, relation: Relation, taken: set[str]) -> int:
        """Claims of the associated actors of one side with its main actor: how many. An
        associated actor has no inter code of its own: it takes its side's."""
        kept = 0
        for name in names:
            ally = None if self.map.skip_reason(name) else self._actor(name, inter)
            if ally is None:
                self.skipped[ASSOCIATED_UNMAPPED] += 1
            elif ally.id not in taken:  # an ally mapped to a main actor says nothing new
                self.keep(event, main, relation, ally, month_of(event.day))
                kept += 1
        return kept

    def document(self) -> Document:  # type: ignore[override]
        """The file's actors, sources and aggregated assertions, with the rows read and skipped."""
        return super().document([self._source(key, events) for key, events in self.reported.items()])

    def _source(self, key: str, events: list[Event]) -> Source:
        name = self.source_names[key]
        return Source(
            id=key,
            title=name[:200],
            publisher=name[:200],
            events=tuple(sorted({e.id for e in events}, key=event_order)),
            where=Where(str(self.path), events[0].line),
        )

    def claim(self, subject: str, relation: str, obj: str, events: list[Event]) -> Assertion:
        names = {" ".join(n.split()).casefold() for e in events for n in e.sources}
        evidence = EventEvidence(
            event_ids=tuple(sorted((e.id for e in events), key=event_order)),
            codes=tuple(sorted({rule_for(e.event_type, e.sub_event_type).sub_event_type for e in events})),
            sources=len(names),
            fatalities=sum(e.fatalities for e in events),
        )
        return Assertion(
            subject=subject,
            relation=relation,
            objects=(obj,),
            sources=tuple(sorted({source_id(n) for e in events for n in e.sources})),
            confidence=confidence(len(events), len(names)),
            quote=quote(events),
            events=evidence,
            where=Where(str(self.path), events[0].line),
            **_dates(events),
        )

    def part_of(self, actor: MappedActor, events: list[Event]) -> Assertion:
        """A sub-actor (state forces, ``sudan-mil``) is part of its State because ACLED's name
        for it says so: the evidence is the events that name it."""
        part = actor.part_of
        assert part is not None
        names = {" ".join(n.split()).casefold() for e in events for n in e.sources}
        return Assertion(
            subject=actor.id,
            relation="part-of",
            objects=(part.id,),
            sources=tuple(sorted({source_id(n) for e in events for n in e.sources})),
            confidence=1.0,
            note=f"ACLED names this actor {self.part_names.get(actor.id, actor.code)!r}: part of {part.label} by the ACLED actor map.",
            events=EventEvidence(
                event_ids=tuple(sorted((e.id for e in events), key=event_order)),
                sources=len(names),
                fatalities=sum(e.fatalities for e in events),
            ),
            where=Where(str(self.path), events[0].line),
            date=min(e.day for e in events),
        )


def _ids(*sides: MappedActor | Skip) -> set[str]:
    return {side.id for side in sides if isinstance(side, MappedActor)}


def _dates(events: list[Event]) -> dict:
    """Reported on the first event's day, valid from the first to the last; an aggregate holding
    an event ACLED dates only to its month (time_precision 3) is dated to the whole month."""
    first, last = min(e.day for e in events), max(e.day for e in events)
    if any(e.precision == "month" for e in events):
        month = dt.date(first.year, first.month, 1)
        return {"date": month, "valid_from": month, "valid_until": month, "date_precision": "month",
                "valid_from_precision": "month", "valid_until_precision": "month"}  # fmt: skip
    return {"date": first, "valid_from": first, "valid_until": last}


def quote(events: list[Event]) -> str | None:
    """The notes of the first ``QUOTED`` events (by day, then id), each after its id and day.

    >>> e = Event("SDN7", 2, dt.date(2023, 4, 15), "day", "Battles", "Armed clash", "a", (), "1", "b", (), "1", ("x",), "Fighting.", 0)
    >>> quote([e])
    '[SDN7, 2023-04-15] Fighting.'
    """
    chosen = sorted((e for e in events if e.notes), key=lambda e: (e.day, event_order(e.id)))[:QUOTED]
    texts = [f"[{e.id}, {e.day.isoformat()}] {_cut(e.notes)}" for e in chosen]
    return " ".join(texts) or None


def _cut(note: str) -> str:
    return note if len(note) <= NOTE_LENGTH else note[: NOTE_LENGTH - 1].rstrip() + "…"
