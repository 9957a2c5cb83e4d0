"""What every event dataset's import shares (GDELT here, ACLED in ``kg.sources.acled``).

Events a mapping keeps are collected by aggregate, one per (subject, relation, object,
month); a symmetric relation (negotiates-with, clashes-with) files both directions under
one. The actors the aggregates name are remembered with the actor each is part of, and each
sub-actor (``russia-mil``) gets a ``part-of`` assertion resting on the events that name it.
Rows that are not kept are counted by reason; with ``strict`` a malformed one is an error
naming its file, line and column.

What an aggregate's evidence, sources and confidence are is the dataset's own business: a
subclass writes ``claim`` and ``part_of``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from kg.model import Actor, Assertion, Source, Where
from kg.ontology import Relation
from kg.sources.document import Document


@dataclass(frozen=True)
class MappedActor:
    """What an actor map entry stands for: an actor the event graph defines (``label`` and
    ``type`` set), or the id or name of one defined elsewhere (both None)."""

    id: str
    label: str | None
    type: str | None
    code: str  # what the map entry is keyed by: a CAMEO code (RUS, RUSMIL), an ACLED name
    where: Where
    part_of: MappedActor | None = None

    @property
    def defined(self) -> bool:
        return self.label is not None


class Skip(Exception):
    """Why a row is not used: ``reason`` (counted by), the ``field`` at fault, a ``message``."""

    def __init__(self, reason: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.reason, self.field, self.message = reason, field, message


class Event(Protocol):
    """What the shared code needs of an event: its id, day and line."""

    @property
    def id(self) -> int | str: ...
    @property
    def line(self) -> int: ...


E = TypeVar("E", bound=Event)
#: An aggregate's key: subject id, relation name, object id, month (``2023-04``).
Key = tuple[str, str, str, str]


def month_of(day) -> str:
    """``2023-04`` for any day of April 2023."""
    return f"{day.year:04d}-{day.month:02d}"


def unique(events: list[E]) -> list[E]:
    """Each event once (a row may name one pair twice), in the order first met."""
    return list({event.id: event for event in events}.values())


class EventAggregator(Generic[E]):
    """Collects the kept events of one file by aggregate, then builds its ``Document``."""

    def __init__(self, path: Path, strict: bool, malformed: tuple[str, ...]) -> None:
        self.path, self.strict, self.malformed = path, strict, malformed
        self.rows = 0
        self.skipped: Counter[str] = Counter()
        self.claims: dict[Key, list[E]] = defaultdict(list)
        self.parts: dict[str, list[E]] = defaultdict(list)
        self.actors: dict[str, MappedActor] = {}

    def skip(self, line: int, skip: Skip) -> None:
        """Count a row that is not used (or, ``strict``, fail on a malformed one)."""
        if self.strict and skip.reason in self.malformed:
            raise Where(str(self.path), line).error(skip.message, skip.field) from None
        self.skipped[skip.reason] += 1

    def keep(self, event: E, subject: MappedActor, relation: Relation, obj: MappedActor, month: str) -> None:
        """File one event under its aggregate, and remember the actors it names."""
        if relation.symmetric and obj.id < subject.id:
            subject, obj = obj, subject  # one aggregate for both directions
        self.claims[(subject.id, relation.name, obj.id, month)].append(event)
        for actor in (subject, obj):
            self._use(actor)
            if actor.part_of is not None:
                self.parts[actor.id].append(event)

    def _use(self, actor: MappedActor) -> None:
        """Remember an actor the assertions name (and the actor it is part of)."""
        known = self.actors.get(actor.id)
        if known is not None and (known.label, known.type) != (actor.label, actor.type):
            raise actor.where.error(f"actor {actor.id!r} is also mapped, differently, on line {known.where.line} of {known.where.path}")
        self.actors.setdefault(actor.id, actor)
        if actor.part_of is not None:
            self._use(actor.part_of)

    def document(self, sources: list[Source]) -> Document:
        """The file's actors, sources and aggregated assertions, with the rows read and skipped."""
        doc = Document(str(self.path), rows_read=self.rows, ids_only=True)
        doc.skipped = dict(sorted(self.skipped.items(), key=lambda item: (-item[1], item[0])))
        for actor in self.actors.values():
            if actor.defined:
                doc.actors.append(Actor(actor.id, actor.label, actor.type, where=actor.where))  # type: ignore[arg-type]
            else:
                doc.references.setdefault(actor.id, actor.where)
        doc.sources = sources
        for (subject, relation, obj, _month), events in self.claims.items():
            doc.assertions.append(self.claim(subject, relation, obj, unique(events)))
        for actor_id, events in self.parts.items():
            doc.assertions.append(self.part_of(self.actors[actor_id], unique(events)))
        return doc

    def claim(self, subject: str, relation: str, obj: str, events: list[E]) -> Assertion:
        """One aggregate's assertion (its events each once, in the order met)."""
        raise NotImplementedError

    def part_of(self, actor: MappedActor, events: list[E]) -> Assertion:
        """A sub-actor is part of its state: the assertion rests on the events naming it."""
        raise NotImplementedError
