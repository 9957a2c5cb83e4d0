"""GDELT 2.0 events: machine-coded who-did-what-to-whom, aggregated into sourced assertions.

An events file (``*.export.CSV``, or GDELT's zipped ``*.export.CSV.zip``) has one event per
line: 61 tab-separated columns, no header, every code a string with its leading zeros
(``040``, ``0874``). The reader turns it into a ``Document`` like every other reader:

- **Relations** come from the ontology: each relation lists its CAMEO event codes
  (``kgo:cameoCode``); the most specific listed code wins (``0874`` is looked up as
  ``0874``, ``087``, ``08``). An event whose code maps to no relation is skipped and
  counted, never guessed.
- **Actors** come from the CAMEO actor map (``kg/ontology/cameo-actors.yaml``, extended by
  a user's ``--actor-map`` file): ``RUS`` is the State ``russia``, ``RUSMIL`` the sub-actor
  ``russia-mil`` that is part of it, ``SYRGOV`` the curated ``syrian-government``. Each
  sub-actor gets a ``part-of`` assertion resting on the events that name it.
- **Aggregation**: one assertion per (actor1, relation, actor2, month of the event) with
  the event ids, summed mentions/sources/articles, mean Goldstein score and tone; its
  sources are the distinct articles (SOURCEURL), each a ``Source`` carrying the ids of the
  events coded from it. Symmetric relations (negotiates-with) count both directions as one.
- **Confidence** rests on the number n of independent publishers (distinct web hosts)
  among the articles: ``min(0.9, 1 - 0.5**n)``, i.e. 0.5, 0.75, 0.875, then 0.9. Machine
  coding is often wrong about who did what, so a GDELT aggregate never reaches the 0.95 of
  a hand-read, quoted claim.
- **Skipped rows** are counted by reason: ``MALFORMED`` rows are broken (and with
  ``strict=True`` an error naming their line and column), ``UNMAPPED`` ones are fine rows
  the map does not cover (always counted). A real file has one-actor events in about a
  third of its rows, so ``strict`` is for files one makes or checks oneself.

The reader streams (the csv module, tab delimiter, ``QUOTE_NONE``) and keeps per event
only the few fields the aggregate needs. A line is at most ``kg.sources.MAX_LINE``
characters, and a zip is refused before it is read if its events file would unzip to more
than ``MAX_UNZIPPED`` bytes or to more than ``MAX_RATIO`` times its zipped size (GDELT's
own files unzip to about 6 times theirs): a zip bomb fails at once, not once it fills the
memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from kg.errors import KgError
from kg.model import Actor, Assertion, EventEvidence, Source, Where, parse_id
from kg.ontology import Relation, load_ontology, ontology_path
from kg.sources import Document, bounded_lines, check_fields

#: The 61 columns of a GDELT 2.0 event row, in order (GDELT Event Codebook V2.0).
COLUMNS = (
    "GlobalEventID", "Day", "MonthYear", "Year", "FractionDate",
    *(f"Actor{n}{part}" for n in (1, 2) for part in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode",
        "Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code",
    )),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"{geo}_{part}" for geo in ("Actor1Geo", "Actor2Geo", "ActionGeo") for part in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID",
    )),
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
COLUMN = {name: index for index, name in enumerate(COLUMNS)}
assert len(COLUMNS) == 61

#: Reasons a row is skipped that mean it is broken; ``strict`` turns these into errors.
MALFORMED = ("wrong number of columns", "bad number", "bad date", "bad event code", "bad actor code", "missing actor", "missing source")
#: Reasons that say only that the mapping does not cover the row; always counted, never errors.
UNMAPPED = ("unmapped event code", "unmapped actor", "same actor")

MAX_CONFIDENCE = 0.9
ACTOR_MAP = "cameo-actors.yaml"

#: The most a zipped events file may unzip to (a GDELT 2.0 file of 15 minutes is a few MB) ...
MAX_UNZIPPED = 1 << 30
#: ... and how many times its zipped size it may grow, once past ``RATIO_FROM`` bytes.
MAX_RATIO = 100
RATIO_FROM = 1 << 20

_DIGITS = re.compile(r"^[0-9]+$")
_EVENT_CODE = re.compile(r"^[0-9]{3,4}$")
_ACTOR_CODE = re.compile(r"^[A-Za-z0-9]*$")
_CODE_PART = re.compile(r"^([A-Za-z0-9]{3})?$")
_THREE = re.compile(r"^[A-Za-z0-9]{3}$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def confidence(publishers: int) -> float:
    """Confidence of an aggregate resting on ``publishers`` independent publishers.

    Examples: 1 -> 0.5, 2 -> 0.75, 3 -> 0.875, 4 or more -> 0.9.
    """
    return round(min(MAX_CONFIDENCE, 1 - 0.5**publishers), 4)


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
    """The relation of the most specific listed code: ``0874`` tries 0874, 087, 08."""
    table = cameo_relations()
    for end in range(len(code), 1, -1):
        found = table.get(code[:end])
        if found is not None:
            return found
    return None


# -- CAMEO actor codes -> actors (the actor map) --------------------------------------------------


@dataclass(frozen=True)
class MappedActor:
    """What a CAMEO actor code stands for: an actor the GDELT graph defines (``label`` and
    ``type`` set), or the id or name of one defined elsewhere (both None)."""

    id: str
    label: str | None
    type: str | None
    code: str  # the CAMEO code of the map entry (RUS, RUSMIL, SYRGOV)
    where: Where
    part_of: MappedActor | None = None

    @property
    def defined(self) -> bool:
        return self.label is not None


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


SECTIONS = ("countries", "roles", "groups", "codes")
ENTRY_FIELDS = {
    "countries": {"id", "label"},
    "roles": {"label", "type"},
    "groups": {"id", "label", "type", "part_of"},
    "codes": {"id", "label", "type", "part_of"},
}


def load_actor_map(extra: str | Path | None = None) -> ActorMap:
    """The shipped actor map, extended (entry by entry) by a user's YAML file."""
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
    from kg.sources.yaml_file import _parse

    try:
        data = _parse(Path(path))
    except OSError as err:
        raise KgError(f"cannot read the actor map: {err}", path=path) from None
    top = Where(path, getattr(data, "line", 1))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise top.error(f"an actor map is a mapping with sections {', '.join(SECTIONS)}")
    check_fields(data, set(SECTIONS), top, "actor map section")
    entries: dict[str, dict[str, tuple[object, Where]]] = {section: {} for section in SECTIONS}
    for section, body in data.items():
        if body is None:
            continue
        if not isinstance(body, dict):
            raise Where(path, data.line_of(section)).error(f"'{section}' must be a mapping of CAMEO codes", section)
        for code, value in body.items():
            where = Where(path, body.line_of(code))
            pattern = _ACTOR_CODE if section == "codes" else _THREE
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


# -- reading rows ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """The fields of one event row that its aggregate keeps."""

    id: int
    line: int
    day: dt.date
    added: dt.date
    code: str
    mentions: int
    sources: int
    articles: int
    goldstein: float
    tone: float
    source: str  # SOURCEURL: a URL, or (for some non-web sources) a name


class _Skip(Exception):
    def __init__(self, reason: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.reason, self.field, self.message = reason, field, message


@contextmanager
def _rows(path: Path) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """(line number, fields) of the events file, plain or as GDELT's one-member zip."""
    if path.suffix.lower() != ".zip":
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            yield _split(handle, path)
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise KgError(f"a GDELT zip holds one events file; this one holds {len(members)}", path=str(path))
            _check_member(members[0], path)
            with archive.open(members[0]) as raw:
                yield _split(io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=""), path)
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        raise KgError(f"not a readable zip file: {err}", path=str(path)) from None


def _check_member(member: zipfile.ZipInfo, path: Path) -> None:
    """Refuse a zip bomb from its header, before unzipping a byte.

    The sizes a zip declares bound what Python unzips: a member that inflates past its
    declared size is cut there and then fails its CRC check. Only deflate (GDELT's) and no
    compression are read: bzip2 and LZMA unzip a whole read at once, whatever its size.
    """
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise KgError(f"{member.filename} is compressed with method {member.compress_type}; GDELT zips use deflate (8)", path=str(path))
    limit = min(MAX_UNZIPPED, max(RATIO_FROM, MAX_RATIO * member.compress_size))
    if member.file_size > limit:
        growth = member.file_size / max(member.compress_size, 1)
        raise KgError(
            f"{member.filename} would unzip to {member.file_size:,} bytes, {growth:,.0f} times its zipped size; kg unzips at most "
            f"{MAX_UNZIPPED:,} bytes and {MAX_RATIO} times the zipped size (a zip bomb?)",
            path=str(path),
        )


def _split(handle: io.TextIOBase, path: Path) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(bounded_lines(handle, path), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as err:
        raise KgError(f"not a GDELT events file: {err}", path=str(path), line=reader.line_num) from None


def _event(row: list[str], line: int) -> Event:
    """Parse and check one row's fields (a ``_Skip`` names what is wrong)."""
    if len(row) != len(COLUMNS):
        raise _Skip("wrong number of columns", None, f"{len(row)} tab-separated columns; a GDELT 2.0 event row has {len(COLUMNS)}")
    get = lambda name: row[COLUMN[name]].strip()  # noqa: E731
    code, base, root = get("EventCode"), get("EventBaseCode"), get("EventRootCode")
    if not (_EVENT_CODE.match(code) and code.startswith(base) and base.startswith(root) and len(root) == 2 and root.isdigit()):
        raise _Skip("bad event code", "EventCode", f"{code!r} (base {base!r}, root {root!r}) is not a CAMEO event code such as 040 or 0874")
    return Event(
        id=_count(get("GlobalEventID"), "GlobalEventID"),
        line=line,
        day=_date(get("Day"), "Day"),
        added=_date(get("DATEADDED"), "DATEADDED"),
        code=code,
        mentions=_count(get("NumMentions"), "NumMentions"),
        sources=_count(get("NumSources"), "NumSources"),
        articles=_count(get("NumArticles"), "NumArticles"),
        goldstein=_number(get("GoldsteinScale"), "GoldsteinScale", 10),
        tone=_number(get("AvgTone"), "AvgTone", 100),
        source=get("SOURCEURL"),
    )


def _date(text: str, field: str) -> dt.date:
    """``YYYYMMDD`` (Day) or ``YYYYMMDDHHMMSS`` (DATEADDED): the day, once the whole stamp is checked."""
    size = 8 if field == "Day" else 14
    try:
        if len(text) != size or not text.isdigit():
            raise ValueError
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if size == 14 and not (int(text[8:10]) < 24 and int(text[10:12]) < 60 and int(text[12:14]) < 60):
            raise ValueError
    except ValueError:
        raise _Skip("bad date", field, f"{text!r} is not a date written {'YYYYMMDD' if size == 8 else 'YYYYMMDDHHMMSS'}") from None
    return day


def _count(text: str, field: str) -> int:
    if not _DIGITS.match(text):
        raise _Skip("bad number", field, f"{text!r} is not a whole number")
    return int(text)


def _number(text: str, field: str, limit: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        raise _Skip("bad number", field, f"{text!r} is not a number between -{limit:g} and {limit:g}")
    return value


def _actor_fields(row: list[str], n: int) -> tuple[str, str, str, str]:
    """Code, CountryCode, KnownGroupCode and Type1Code of actor ``n``, format checked."""
    fields = [row[COLUMN[f"Actor{n}{part}"]].strip() for part in ("Code", "CountryCode", "KnownGroupCode", "Type1Code")]
    if not _ACTOR_CODE.match(fields[0]):
        raise _Skip("bad actor code", f"Actor{n}Code", f"{fields[0]!r} is not a CAMEO actor code (letters and digits)")
    for part, value in zip(("CountryCode", "KnownGroupCode", "Type1Code"), fields[1:], strict=True):
        if not _CODE_PART.match(value):
            raise _Skip("bad actor code", f"Actor{n}{part}", f"{value!r} is not a three-letter CAMEO code")
    if not fields[0]:
        raise _Skip("missing actor", f"Actor{n}Code", f"missing: the event has no actor {n} (a one-actor event)")
    return fields[0], fields[1], fields[2], fields[3]


# -- aggregating ----------------------------------------------------------------------------------


class _Import:
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
        if not row:
            return  # a blank line
        self.rows += 1
        try:
            event, subject, relation, obj = self._mapped(row, line)
        except _Skip as skip:
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
        event = _event(row, line)
        first, second = _actor_fields(row, 1), _actor_fields(row, 2)
        if not event.source:
            raise _Skip("missing source", "SOURCEURL", "missing: the event has no SOURCEURL")
        relation = relation_for(event.code)
        if relation is None:
            raise _Skip("unmapped event code", "EventCode", f"no relation lists CAMEO code {event.code}")
        subject, obj = self.map.actor(*first), self.map.actor(*second)
        if subject is None or obj is None:
            raise _Skip("unmapped actor", None, "an actor code maps to no actor")
        if subject.id == obj.id:
            raise _Skip("same actor", None, f"both actors are {subject.id}")
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


def source_id(text: str) -> str:
    """One source per article: the id is a hash of its SOURCEURL."""
    return "gdelt-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _publisher(text: str) -> str:
    """What counts as one independent source: the web host, or the source's name."""
    return _host(text) if _URL.match(text) else " ".join(text.split()).lower()


# -- the reader -----------------------------------------------------------------------------------


def read(path: Path, *, strict: bool = False, actor_map: str | Path | None = None) -> Document:
    """Read a GDELT 2.0 events file (plain or zipped) into aggregated, sourced assertions."""
    actors = load_actor_map(actor_map)
    relation_for("04")  # read the CAMEO table now: an ontology error is not a row's fault
    job = _Import(path, actors, strict)
    with _rows(path) as rows:
        for line, row in rows:
            job.add(line, row)
    return job.document()
