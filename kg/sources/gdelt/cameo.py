"""What GDELT's CAMEO codes mean in kg's terms: event codes -> relations, actor codes -> actors.

- **Relations** come from the ontology: each relation lists its CAMEO event codes
  (``kgo:cameoCode``); the most specific listed code wins (``0874`` is looked up as
  ``0874``, ``087``, ``08``). A code that maps to no relation maps to None, never a guess.
- **Actors** come from the CAMEO actor map (``kg/ontology/cameo-actors.yaml``, extended
  entry by entry by a user's ``--actor-map`` file): ``RUS`` is the State ``russia``,
  ``RUSMIL`` the sub-actor ``russia-mil`` that is part of it, ``SYRGOV`` the curated
  ``syrian-government``.

Both tables are data, not code, so they live apart from reading rows and from aggregating.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from kg.errors import KgError
from kg.model import Where, parse_id
from kg.ontology import Relation, load_ontology, ontology_path
from kg.sources.gdelt.events import MappedActor
from kg.sources.gdelt.rows import ACTOR_CODE
from kg.sources.records import check_fields
from kg.sources.safe_yaml import read_yaml

ACTOR_MAP = "cameo-actors.yaml"
SECTIONS = ("countries", "roles", "groups", "codes")
#: A user's actor map may extend the ACLED actor map too, under this key (``kg.sources.acled``
#: reads it; this map leaves it alone), so one ``--actor-map`` file serves a mixed load.
OTHER_MAP = "acled"
ENTRY_FIELDS = {
    "countries": {"id", "label"},
    "roles": {"label", "type"},
    "groups": {"id", "label", "type", "part_of"},
    "codes": {"id", "label", "type", "part_of"},
}
_THREE = re.compile(r"^[A-Za-z0-9]{3}$")


# -- CAMEO event codes -> relations (read from the ontology) --------------------------------------


@cache
def cameo_relations() -> dict[str, Relation]:
    """Every CAMEO code the ontology lists, with its relation."""
    table: dict[str, Relation] = {}
    for relation in sorted(load_ontology().relations.values(), key=lambda r: r.name):
        for code in relation.cameo:
            if code in table:
                raise KgError(f"CAMEO code {code} is listed on both {table[code].name} and {relation.name}", path=ontology_path())
            table[code] = relation
    return table


def relation_for(code: str) -> Relation | None:
    """The relation of the most specific listed code: ``0874`` tries 0874, 087, 08.

    >>> relation_for("1123").name
    'condemns'
    """
    table = cameo_relations()
    for end in range(len(code), 1, -1):
        found = table.get(code[:end])
        if found is not None:
            return found
    return None


# -- CAMEO actor codes -> actors (the actor map) --------------------------------------------------


@dataclass(frozen=True)
class Role:
    """A role code (GOV, MIL, REB, ...) after a country code: a sub-actor of the state."""

    label: str  # a template: "Military of {label}"
    type: str
    where: Where


class ActorMap:
    """The CAMEO actor map: countries, roles, known groups and whole codes (see the YAML file)."""

    def __init__(self, countries: dict, roles: dict, groups: dict, codes: dict) -> None:
        self.countries: dict[str, MappedActor] = countries
        self.roles: dict[str, Role] = roles
        self.groups: dict[str, MappedActor] = groups
        self.codes: dict[str, MappedActor] = codes
        self._subs: dict[tuple[str, str], MappedActor] = {}

    def actor(self, code: str, country: str = "", group: str = "", role: str = "") -> MappedActor | None:
        """The actor of one GDELT actor (its Code, CountryCode, KnownGroupCode, Type1Code), or None."""
        found = self.codes.get(code)
        if found is None and group and code.endswith(group):
            found = self.groups.get(group)
        if found is None and country and code.startswith(country):
            state = self.countries.get(country)
            if state is not None and code == country:
                found = state
            elif state is not None and role and code.startswith(country + role):
                found = self.codes.get(country + role) or self._sub_actor(state, role)
        return found

    def _sub_actor(self, state: MappedActor, role_code: str) -> MappedActor | None:
        role = self.roles.get(role_code)
        if role is None:
            return None
        key = (state.code, role_code)
        if key not in self._subs:
            label = role.label.format(label=state.label or state.id)
            self._subs[key] = MappedActor(f"{state.id}-{role_code.lower()}", label, role.type, state.code + role_code, role.where, state)
        return self._subs[key]


def load_actor_map(extra: str | Path | None = None) -> ActorMap:
    """The shipped actor map, extended (entry by entry) by a user's YAML file.

    >>> shipped = load_actor_map()
    >>> shipped.actor("RUS", "RUS").id, shipped.actor("RUSMIL", "RUS", role="MIL").part_of.id
    ('russia', 'russia')
    """
    if extra is None:
        return _shipped_map()
    entries = {section: dict(found) for section, found in _raw_entries(ontology_path(ACTOR_MAP)).items()}
    for section, found in _raw_entries(str(extra)).items():
        entries[section].update(found)
    return _build(entries)


@cache
def _shipped_map() -> ActorMap:
    return _build(_raw_entries(ontology_path(ACTOR_MAP)))


def _raw_entries(path: str) -> dict[str, dict[str, tuple[object, Where]]]:
    """Each section's entries as ``code -> (value, where)``, keys and shapes checked."""
    try:
        data = read_yaml(Path(path))
    except OSError as err:
        raise KgError(f"cannot read the actor map: {err}", path=path) from None
    top = Where(path, getattr(data, "line", 1))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise top.error(f"an actor map is a mapping with sections {', '.join(SECTIONS)}")
    check_fields(data, {*SECTIONS, OTHER_MAP}, top, "actor map section")
    entries: dict[str, dict[str, tuple[object, Where]]] = {section: {} for section in SECTIONS}
    for section, body in data.items():
        if body is None or section == OTHER_MAP:
            continue
        if not isinstance(body, dict):
            raise Where(path, data.line_of(section)).error(f"'{section}' must be a mapping of CAMEO codes", section)
        for code, value in body.items():
            where = Where(path, body.line_of(code))
            pattern = ACTOR_CODE if section == "codes" else _THREE
            if not isinstance(code, str) or not code or not pattern.match(code):
                raise where.error(
                    f"{code!r} is not a CAMEO code ({'letters and digits' if section == 'codes' else 'three letters'})", section
                )
            if isinstance(value, dict):
                check_fields(value, ENTRY_FIELDS[section], where, f"{section} entry")
            elif value is not None and not isinstance(value, str):
                raise where.error("an entry is a mapping {id, label, type}, the name of an actor defined elsewhere, or null", code)
            entries[section][code] = (value, where)
    return entries


def _build(entries: Mapping[str, Mapping[str, tuple[object, Where]]]) -> ActorMap:
    ontology = load_ontology()

    def actor(code: str, value: object, where: Where, section: str) -> MappedActor | None:
        if value is None:
            return None  # a user's null removes a shipped entry
        if isinstance(value, str):
            name = parse_id(value, where, code) if section == "countries" else " ".join(value.split())
            return MappedActor(name, None, None, code, where)
        actor_id = parse_id(value.get("id"), where, "id")
        kind = "State" if section == "countries" else value.get("type")
        if not kind:
            raise where.error(f"missing: {code} needs a type (State, Government, ArmedGroup, ...)", "type")
        kind = ontology.actor_type(str(kind), path=where.path, line=where.line, field="type").name
        return MappedActor(actor_id, " ".join(str(value.get("label") or actor_id).split()), kind, code, where)

    def role(code: str, value: object, where: Where) -> Role | None:
        if value is None:
            return None
        if not isinstance(value, dict) or not value.get("label") or not value.get("type"):
            raise where.error("a role needs a label template and a type, e.g. {label: 'Military of {label}', type: MilitaryUnit}", code)
        try:
            str(value["label"]).format(label="x")
        except (KeyError, IndexError, ValueError):
            raise where.error(f"{value['label']!r}: the only placeholder a role label may use is {{label}}", "label") from None
        kind = ontology.actor_type(str(value["type"]), path=where.path, line=where.line, field="type").name
        return Role(str(value["label"]), kind, where)

    def table(section: str) -> dict[str, MappedActor]:
        found = {code: actor(code, value, where, section) for code, (value, where) in entries.get(section, {}).items()}
        return {code: mapped for code, mapped in found.items() if mapped is not None}

    countries, groups, codes = table("countries"), table("groups"), table("codes")
    roles = {code: found for code, (value, where) in entries.get("roles", {}).items() if (found := role(code, value, where))}
    for section, mapped in (("groups", groups), ("codes", codes)):
        for code, found in mapped.items():
            value, where = entries[section][code]
            target = str(value.get("part_of") or "") if isinstance(value, dict) else ""
            if target:
                part = codes.get(target) or countries.get(target) or groups.get(target)
                if part is None or part is found:
                    raise where.error(f"{target!r} maps to no other actor of the map", "part_of")
                mapped[code] = replace(found, part_of=part)
    return ActorMap(countries, roles, groups, codes)
