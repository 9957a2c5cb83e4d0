"""What ACLED's words mean in kg's terms: event types -> relations, actor names -> actors.

Both are data, reviewed against ACLED's codebook and commented there:

- ``kg/ontology/acled-events.yaml``: each sub-event type of each event type either maps to a
  relation between actor1 and actor2 (and one between each associated actor and its main
  actor) or is skipped under a reason.
- ``kg/ontology/acled-actors.yaml``: inter codes and name prefixes that skip an actor
  (civilians, protesters, rioters, unidentified groups), actor names, and the state forces
  patterns (``Military Forces of Sudan (2019-)`` -> ``sudan-mil``), which go through the CAMEO
  actor map so that ACLED's ids are GDELT's. A user's ``--actor-map`` extends it under its
  key ``acled:``.

A name the map does not cover is None here and "unmapped actor" to the reader: never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from kg.errors import KgError
from kg.model import Where, parse_id
from kg.ontology import Relation, load_ontology, ontology_path
from kg.sources.gdelt.cameo import OTHER_MAP, ActorMap, load_actor_map
from kg.sources.gdelt.events import MappedActor, Skip
from kg.sources.records import check_fields
from kg.sources.safe_yaml import read_yaml

EVENTS = "acled-events.yaml"
ACTORS = "acled-actors.yaml"
SECTIONS = ("inter", "skip", "forces", "countries", "names")
NAME_FIELDS = {"id", "label", "type", "part_of"}
#: A period after a name: a regime's years, open or closed ("(2019-)", "(1969-1985)").
PERIOD = re.compile(r"\s*\(\d{4}-(\d{4})?\)$")


def key(text: str) -> str:
    """How names are compared: case and runs of spaces ignored.

    >>> key("  Military   forces of SUDAN ")
    'military forces of sudan'
    """
    return " ".join(str(text).split()).casefold()


# -- event types -> relations -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What one sub-event type makes of an event: a relation (and one for associated actors), or a skip."""

    sub_event_type: str  # as the mapping file spells it
    relation: Relation | None = None
    associated: Relation | None = None
    skip: str | None = None


@cache
def event_rules() -> dict[tuple[str, str], Rule]:
    """(event type, sub-event type), compared by ``key``, -> its rule.

    >>> event_rules()[("battles", "armed clash")].relation.name
    'clashes-with'
    """
    path = ontology_path(EVENTS)
    data = read_yaml(Path(path))
    ontology = load_ontology()
    rules: dict[tuple[str, str], Rule] = {}
    for event_type, subs in (data or {}).items():
        for sub_type, entry in (subs or {}).items():
            where = Where(path, subs.line_of(sub_type))
            if not isinstance(entry, dict):
                raise where.error("an entry is {relation: R, associated: R} or {skip: REASON}", str(sub_type))
            check_fields(entry, {"relation", "associated", "skip"}, where, "event mapping")
            found = {name: ontology.relation(str(entry[name]), path=path, line=where.line, field=name)
                     for name in ("relation", "associated") if entry.get(name)}  # fmt: skip
            if bool(found) == bool(entry.get("skip")) or ("associated" in found and "relation" not in found):
                raise where.error("an entry is {relation: R, associated: R} or {skip: REASON}", str(sub_type))
            rule = Rule(" ".join(str(sub_type).split()), found.get("relation"), found.get("associated"), entry.get("skip"))
            rules[(key(event_type), key(sub_type))] = rule
    return rules


def rule_for(event_type: str, sub_event_type: str) -> Rule:
    """The rule of an event's types; an unknown pair is skipped as "unmapped event type"."""
    found = event_rules().get((key(event_type), key(sub_event_type)))
    if found is None:
        message = f"{event_type!r} / {sub_event_type!r} is no event type / sub-event type of {EVENTS}"
        raise Skip("unmapped event type", "sub_event_type", message)
    return found


# -- actor names -> actors ----------------------------------------------------------------------


@dataclass(frozen=True)
class Inter:
    """One inter code: the actor type it gives, or the reason its actors are skipped."""

    type: str | None
    skip: str | None


class AcledActors:
    """The ACLED actor map (see ``kg/ontology/acled-actors.yaml``), over the CAMEO actor map."""

    def __init__(self, entries: dict[str, dict[str, tuple[object, Where]]], cameo: ActorMap) -> None:
        self.cameo = cameo
        self.inter: dict[str, Inter] = {}
        for code, (value, where) in entries["inter"].items():
            if value is not None:  # by its number and by its name, which newer exports write
                found = self.inter[code] = _inter(code, value, where)
                self.inter[key(value.get("name") or code)] = found  # type: ignore[union-attr]
        self.skips = {prefix: str(value) for prefix, (value, _) in entries["skip"].items() if value}
        self.forces = {prefix: str(value) for prefix, (value, _) in entries["forces"].items() if value}
        self.countries = {key(actor.label or ""): code for code, actor in cameo.countries.items()}
        self.countries.update({name: str(value) for name, (value, _) in entries["countries"].items() if value})
        self._names = entries["names"]
        self._cache: dict[str, MappedActor | None] = {}

    def inter_of(self, text: str) -> Inter | None:
        """The entry of an inter code, given as its number (``7``) or name (``Civilians``)."""
        return self.inter.get(key(text))

    def skip_reason(self, name: str, inter: str = "") -> str | None:
        """Why an actor is skipped whatever the map says (civilians, unidentified ...), or None."""
        found = self.inter_of(inter) if inter else None
        if found is not None and found.skip:
            return found.skip
        folded = key(name)
        return next((reason for prefix, reason in self.skips.items() if folded.startswith(prefix)), None)

    def actor(self, name: str, inter: str = "") -> MappedActor | None:
        """The actor an ACLED name maps to (see the map's steps 3 and 4), or None. Found once
        per name: an entry without a type takes the one of the first ``inter`` it comes with."""
        folded = key(name)
        if folded not in self._cache:
            self._cache[folded] = self._find(name, inter)
        return self._cache[folded]

    def _find(self, name: str, inter: str) -> MappedActor | None:
        bare = PERIOD.sub("", " ".join(name.split()))
        for candidate in dict.fromkeys((key(name), key(bare))):
            if candidate in self._names:
                return self._entry(candidate, inter)
        return self._forces(bare)

    def _forces(self, bare: str) -> MappedActor | None:
        """``Military Forces of Sudan`` -> the CAMEO map's SDN + MIL: ``sudan-mil``, part of ``sudan``."""
        folded = key(bare)
        for prefix, role in self.forces.items():
            if folded.startswith(prefix + " "):
                country = folded[len(prefix) + 1 :].removeprefix("the ")
                code = self.countries.get(country)
                return None if code is None else self.cameo.actor(code + role, code, role=role)
        return None

    def _entry(self, name: str, inter: str) -> MappedActor | None:
        value, where = self._names[name]
        if value is None:
            return None
        if isinstance(value, str):
            return MappedActor(" ".join(value.split()), None, None, name, where)
        assert isinstance(value, dict)
        ontology = load_ontology()
        kind = value.get("type") or (found.type if (found := self.inter_of(inter)) else None)
        if not kind:
            raise where.error(f"{name!r} needs a type: its events' inter code gives none", "type")
        kind = ontology.actor_type(str(kind), path=where.path, line=where.line, field="type").name
        actor_id = parse_id(value.get("id"), where, "id")
        actor = MappedActor(actor_id, " ".join(str(value.get("label") or actor_id).split()), kind, name, where)
        target = value.get("part_of")
        if target:
            part = self.actor(str(target)) or self._state(str(target))
            if part is None or part.id == actor.id:
                raise where.error(f"{target!r} maps to no other actor of the map", "part_of")
            actor = replace(actor, part_of=part)
        return actor

    def _state(self, country: str) -> MappedActor | None:
        code = self.countries.get(key(country).removeprefix("the "))
        return None if code is None else self.cameo.countries.get(code)


def _inter(code: str, value: object, where: Where) -> Inter:
    if not isinstance(value, dict) or bool(value.get("type")) == bool(value.get("skip")):
        raise where.error("an inter code is {name: N, type: T} or {name: N, skip: REASON}", code)
    check_fields(value, {"name", "type", "skip"}, where, "inter code")
    kind = value.get("type")
    if kind:
        kind = load_ontology().actor_type(str(kind), path=where.path, line=where.line, field="type").name
    return Inter(kind, value.get("skip"))


def load_actors(extra: str | Path | None = None) -> AcledActors:
    """The shipped ACLED actor map, extended (entry by entry) by the ``acled:`` part of a user's file.

    >>> shipped = load_actors()
    >>> mil = shipped.actor("Military Forces of Sudan (1969-1985)")
    >>> mil.id, mil.part_of.id, shipped.actor("Rapid Support Forces").id, shipped.skip_reason("Civilians (Sudan)", "7")
    ('sudan-mil', 'sudan', 'rsf', 'civilians')
    """
    entries = _shipped_entries()
    if extra is not None:
        entries = {section: dict(found) for section, found in entries.items()}
        for section, found in _raw_entries(str(extra), user=True).items():
            entries[section].update(found)
    return AcledActors(entries, load_actor_map(extra))


@cache
def _shipped_entries() -> dict[str, dict[str, tuple[object, Where]]]:
    return _raw_entries(ontology_path(ACTORS), user=False)


def _raw_entries(path: str, user: bool) -> dict[str, dict[str, tuple[object, Where]]]:
    """Each section's entries as ``key(name) -> (value, where)``; a user's are under ``acled:``."""
    try:
        data = read_yaml(Path(path))
    except OSError as err:
        raise KgError(f"cannot read the actor map: {err}", path=path) from None
    top = Where(path, getattr(data, "line", 1))
    if user:
        data = data.get(OTHER_MAP) if isinstance(data, dict) else data
        top = Where(path, getattr(data, "line", top.line))
    entries: dict[str, dict[str, tuple[object, Where]]] = {section: {} for section in SECTIONS}
    if data is None:
        return entries
    if not isinstance(data, dict):
        raise top.error(f"an ACLED actor map is a mapping with sections {', '.join(SECTIONS)}")
    check_fields(data, set(SECTIONS), top, "ACLED actor map section")
    for section, body in data.items():
        if body is None:
            continue
        if not isinstance(body, dict):
            raise Where(path, data.line_of(section)).error(f"'{section}' must be a mapping", section)
        for name, value in body.items():
            where = Where(path, body.line_of(name))
            if section == "names" and isinstance(value, dict):
                check_fields(value, NAME_FIELDS, where, "names entry")
            elif section == "names" and value is not None and not isinstance(value, str):
                raise where.error("an entry is a mapping {id, label, type}, the name of an actor defined elsewhere, or null", str(name))
            entries[section][key(name)] = (value, where)
    return entries
