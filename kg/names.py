"""Name resolution: which actor a name means, and what a ``match`` pattern says.

Below both the loader and the query side, so reading never imports the writer. An id
typed as it is always means that actor; otherwise a label or alias is matched ignoring
case, spacing and punctuation, and a name that fits two actors is an error, never a guess.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from kg.errors import KgError
from kg.model import ID_PATTERN, Actor, Where
from kg.ontology import Relation, load_ontology, normalise
from kg.sources import split_claim

VARIABLE = re.compile(r"^\?([A-Za-z][A-Za-z0-9_]*)$")


class HasActors(Protocol):
    """What ``StoreActors`` needs of a store (any ``kg.store.Store`` has it)."""

    def has_actor(self, actor_id: str) -> bool: ...
    def actors(self) -> list[Actor]: ...


def hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class ActorIndex:
    """Finds an actor by id, label or alias, ignoring case, spacing and punctuation.

    Built from the store's actors and the actors of the files being loaded. A name
    that fits two different actors is an error, never a guess.
    """

    def __init__(self, actors: Iterable[Actor]) -> None:
        self._ids: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, str] = {}
        self.ids: set[str] = set()
        for actor in actors:
            self.ids.add(actor.id)
            for name in (actor.id, actor.label, *actor.aliases):
                self._ids[normalise(name)].add(actor.id)
                self._names.setdefault(normalise(name), name)

    def lookup(self, name: str, where=None, field: str = "actor") -> str:
        if name in self.ids:  # an id, as typed, always means that actor
            return name
        ids = self._ids.get(normalise(name), set())
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1:
            message = f"{name!r} could mean any of {', '.join(sorted(ids))}; use the id"
        else:
            close = difflib.get_close_matches(normalise(name), list(self._names), n=1, cutoff=0.6)
            hint = f"; did you mean {self._names[close[0]]!r}?" if close else ""
            message = f"unknown actor {name!r}{hint}"
        if where is None:
            raise KgError(message, field=field)
        raise where.error(message, field)


class StoreActors:
    """Finds the actor a name means, as ``ActorIndex`` does, without reading every actor
    of the store for a name that is an actor's id (one lookup: 5,000 actors take 0.4 s)."""

    def __init__(self, store: HasActors) -> None:
        self._store = store
        self._index: ActorIndex | None = None

    def lookup(self, name: str, where: Where | None = None, field: str = "actor") -> str:
        if ID_PATTERN.match(name) and self._store.has_actor(name):
            return name
        if self._index is None:
            self._index = ActorIndex(self._store.actors())
        return self._index.lookup(name, where, field)


class ExactIndex:
    """Takes names as exact actor ids, except a few pinned names resolved beforehand.

    For machine-made documents (GDELT), whose actor ids come from a mapping table: an
    alias in curated data (``Syria`` for the Syrian government) must not make the id
    ``syria`` ambiguous. The pins are an actor map's references to curated actors.
    """

    def __init__(self, index: ActorIndex, pins: dict[str, str]) -> None:
        self._index, self._pins = index, pins

    def lookup(self, name: str, where=None, field: str = "actor") -> str:
        if name in self._pins:
            return self._pins[name]
        return self._index.lookup(name, where, field)  # an exact id first, else the usual rules


@dataclass(frozen=True)
class Pattern:
    """``SUBJECT RELATION OBJECT`` where each end is an actor id or a ``?variable``."""

    subject: str  # "?who" or an actor id
    relation: Relation | None  # as written (may be an inverse such as backed-by); None for a ?variable
    object: str
    text: str
    #: ``?r`` in ``?x ?r saf``: the variable bound to each claim's own (most specific) relation.
    relation_variable: str | None = None


def parse_pattern(text: str, index: ActorIndex | StoreActors) -> Pattern:
    """``?who backs sna``, or with a relation variable, ``?x ?r saf`` (any claim from ?x to saf)."""
    where = Where("")
    subject, relation_name, objects = _relation_variable(text) or split_claim(text, where, "pattern")
    if len(objects) != 1:
        raise KgError(f"{text!r}: a pattern has one object", field="pattern")
    ends = [_end(name, index) for name in (subject, objects[0])]
    if relation_name.startswith("?"):
        return Pattern(ends[0], None, ends[1], text, _end(relation_name, index))
    relation = load_ontology().relation(relation_name, field="pattern")
    return Pattern(ends[0], relation, ends[1], text)


def _relation_variable(text: str) -> tuple[str, str, tuple[str, ...]] | None:
    """Subject, ``?relation`` and object of a pattern whose relation is a variable: the first
    word after the subject that starts with ``?``; None if there is none."""
    try:
        words = shlex.split(text)
    except ValueError:
        return None  # split_claim says what is wrong
    middle = next((i for i in range(1, len(words) - 1) if words[i].startswith("?")), None)
    if middle is None:
        return None
    return " ".join(words[:middle]), words[middle], (" ".join(words[middle + 1 :]),)


def _end(name: str, index: ActorIndex | StoreActors) -> str:
    if name.startswith("?"):
        if not VARIABLE.match(name):
            raise KgError(f"{name!r} is not a variable name (letters, digits and _, e.g. ?who)", field="pattern")
        return name
    return index.lookup(name, field="pattern")
