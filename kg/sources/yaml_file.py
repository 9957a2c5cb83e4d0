"""The human-authored format: one YAML (or JSON) file with sources, actors and assertions.

See README "Data format". The file is parsed by ``kg.sources.safe_yaml`` (every mapping
remembers the line it started on, so an error names the exact line to fix; aliases are
refused); this module turns its sections into records, checking each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kg.errors import KgError
from kg.model import Actor, Assertion, Source, Where, parse_date, parse_id, parse_url, parse_wikidata
from kg.sources.document import Document, Problems
from kg.sources.records import ASSERTION_FIELDS, DEFAULT_FIELDS, assertion_from_record, check_fields, field_where
from kg.sources.safe_yaml import read_yaml

TOP_FIELDS = {"sources", "actors", "assertions", "defaults"}
ACTOR_FIELDS = {"id", "label", "type", "aliases", "wikidata", "description"}
SOURCE_FIELDS = {"id", "title", "publisher", "url", "date", "note"}


def read(path: Path, problems: Problems | None = None) -> Document:
    """The records of a YAML or JSON data file; a bad record goes to ``problems`` (by default raised)."""
    problems = problems if problems is not None else Problems()
    data = read_yaml(path)
    doc = Document(str(path))
    if data is None:
        return doc
    where = Where(str(path), getattr(data, "line", 1))
    if not isinstance(data, dict):
        raise where.error("the file must be a mapping with 'sources', 'actors' and 'assertions'")
    check_fields(data, TOP_FIELDS, where, "top-level")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise Where(str(path), data.line_of("defaults")).error("'defaults' must be a mapping", "defaults")
    try:
        check_fields(defaults, DEFAULT_FIELDS, _where(path, defaults), "defaults")
    except KgError as err:
        problems.add(err)
    doc.sources = problems.each(_records(data, path, "sources", problems), _source)
    doc.actors = problems.each(_records(data, path, "actors", problems), _actor)
    doc.assertions = problems.each(_records(data, path, "assertions", problems), lambda record, at: _assertion(record, at, defaults))
    return doc


def _where(path: Path, value: object, fallback: int | None = None) -> Where:
    return Where(str(path), getattr(value, "line", None) or fallback)


def _records(data: dict, path: Path, name: str, problems: Problems) -> list[tuple[object, Where]]:
    """Items of a section, given either as a list or as a mapping keyed by id."""
    section = data.get(name)
    if section is None:
        return []
    if isinstance(section, dict):
        items = []
        for key, value in section.items():
            record = value if isinstance(value, dict) else _short_form(name, value)
            record.setdefault("id", key)
            items.append((record, Where(str(path), section.line_of(key))))
        return items
    if isinstance(section, list):
        lines = getattr(section, "item_lines", [None] * len(section))
        return [(item, _where(path, item, line)) for item, line in zip(section, lines, strict=False)]
    problems.add(Where(str(path), data.line_of(name)).error(f"'{name}' must be a list or a mapping", name))
    return []


def _short_form(section: str, value: object) -> dict:
    """``turkey: State`` for an actor; ``"turkey backs sna"`` for an assertion."""
    if section == "actors":
        return {"type": value}
    if section == "sources":
        return {"title": value}
    return {"claim": value}


def _source(record: object, where: Where) -> Source:
    if not isinstance(record, dict):
        record = _short_form("sources", record)
    check_fields(record, SOURCE_FIELDS, where, "source")
    _check_scalars(record, ("id", "title", "publisher", "url", "date", "note"), where)
    title = record.get("title")
    if not title:
        raise where.error("missing: every source needs a title", "title")
    return Source(
        id=parse_id(record.get("id"), where, "id"),
        title=" ".join(str(title).split()),
        publisher=_opt(record.get("publisher")),
        url=parse_url(record.get("url"), where),
        date=parse_date(record.get("date"), where, "date"),
        note=_opt(record.get("note")),
        where=where,
    )


def _actor(record: object, where: Where) -> Actor:
    if not isinstance(record, dict):
        raise where.error("an actor is a mapping with id, label and type", "actors")
    check_fields(record, ACTOR_FIELDS, where, "actor")
    _check_scalars(record, ("id", "label", "type", "wikidata", "description"), where)
    actor_id = parse_id(record.get("id"), where, "id")
    if not record.get("type"):
        raise where.error(f"missing: actor {actor_id!r} needs a type (State, Government, ArmedGroup, ...)", "type")
    return Actor(
        id=actor_id,
        label=_opt(record.get("label")) or actor_id.replace("-", " ").title(),
        type=str(record["type"]),
        aliases=_aliases(record.get("aliases"), field_where(record, where, "aliases")),
        wikidata=parse_wikidata(record.get("wikidata"), where),
        description=_opt(record.get("description")),
        where=where,
    )


def _aliases(value: object, where: Where) -> tuple[str, ...]:
    """One name or a list of names, each a string: a nested list or mapping would be stored
    as its Python repr, and YAML reads an unquoted ``no`` or ``1984`` as no text at all."""
    if value is None or value == "":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise where.error(f"aliases are a name or a list of names, not {_kind(value)}", "aliases")
    for number, item in enumerate(items, 1):
        if not isinstance(item, str):
            hint = " (quote it to make it a name)" if not isinstance(item, (list, dict)) else ""
            raise where.error(f"alias {number} is {_kind(item)}, not a name{hint}", "aliases")
    return tuple(" ".join(item.split()) for item in items)


def _kind(value: object) -> str:
    """How a message names a value that is not text."""
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    return f"{value!r} ({type(value).__name__})" if value is not None else "empty"


def _assertion(record: object, where: Where, defaults: Mapping) -> Assertion:
    if not isinstance(record, dict):
        record = _short_form("assertions", record)
    check_fields(record, ASSERTION_FIELDS, where, "assertion")
    scalars = (
        "claim",
        "relation",
        "quote",
        "date",
        "valid_from",
        "valid_until",
        "confidence",
        "note",
        "stance",
        "said_by",
        "process",
        "host",
    )
    _check_scalars(record, scalars, where)
    if isinstance(record.get("subject"), dict):  # a list names joint mediators; a mapping is a mistake
        raise where.error("expected a name or a list of names, not a mapping", "subject")
    return assertion_from_record(record, where, defaults)


def _check_scalars(record: dict, fields: tuple[str, ...], where: Where) -> None:
    """A list or mapping where one value belongs is a mistake, not text to store."""
    for field in fields:
        if isinstance(record.get(field), (list, dict)):
            kind = "list" if isinstance(record[field], list) else "mapping"
            raise where.error(f"expected one value, not a {kind}", field)


def _opt(value: object) -> str | None:
    return " ".join(str(value).split()) or None if value is not None else None
