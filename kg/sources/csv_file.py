"""CSV input: one assertion per row (or, with an ``id,label,type`` header, one actor per row,
and with an ``id,title`` header one source per row: ``id,title,publisher,url,date``).

Assertion columns: ``subject, relation, object`` (or ``claim``), ``source``, ``quote``,
``date``, ``confidence``, ``valid_from``, ``valid_until``, ``note``; a row may define its
source inline with ``source_title``, ``source_url``, ``source_publisher``, ``source_date``.
Actors are referenced by id, label or alias, as everywhere.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from kg.model import Actor, Source, Where, parse_date, parse_id, parse_url, parse_wikidata
from kg.sources import ASSERTION_FIELDS, Document, assertion_from_record, check_fields

SOURCE_COLUMNS = {"source_title", "source_url", "source_publisher", "source_date"}
ACTOR_COLUMNS = {"id", "label", "type", "aliases", "wikidata", "description"}
SOURCE_FILE_COLUMNS = {"id", "title", "publisher", "url", "date"}


def read(path: Path) -> Document:
    doc = Document(str(path))
    name = doc.path  # one string for the file's million rows, not one each
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        header = Where(str(path), 1)
        if not columns:
            return doc
        is_actor_file = {"id", "type"} <= columns
        is_source_file = {"id", "title"} <= columns and not is_actor_file
        allowed = ACTOR_COLUMNS if is_actor_file else SOURCE_FILE_COLUMNS if is_source_file else ASSERTION_FIELDS | SOURCE_COLUMNS
        check_fields(dict.fromkeys(columns), allowed, header, "column")
        sources: dict[str, Source] = {}
        names: dict[str, str] = {}
        for row in reader:
            where = Where(name, reader.line_num)
            if None in row:
                raise where.error(f"{len(row[None]) + len(columns)} cells but the header has {len(columns)} columns")
            row = {key: value.strip() for key, value in row.items() if value is not None}
            if is_actor_file:
                doc.actors.append(_actor(row, where))
                continue
            if is_source_file:
                doc.sources.append(_source(row, where))
                continue
            if any(row.get(col) for col in SOURCE_COLUMNS):
                _inline_source(row, where, sources)
            doc.assertions.append(assertion_from_record(row, where, {}, names))
        doc.sources.extend(sources.values())
    return doc


def _actor(row: dict, where: Where) -> Actor:
    actor_id = parse_id(row.get("id"), where, "id")
    if not row.get("type"):
        raise where.error(f"missing: actor {actor_id!r} needs a type", "type")
    return Actor(
        id=actor_id,
        label=row.get("label") or actor_id,
        type=row["type"],
        aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
        wikidata=parse_wikidata(row.get("wikidata"), where),
        description=row.get("description") or None,
        where=where,
    )


def _source(row: dict, where: Where) -> Source:
    if not row.get("title"):
        raise where.error("missing: every source needs a title", "title")
    return Source(
        id=parse_id(row.get("id"), where, "id"),
        title=row["title"],
        publisher=row.get("publisher") or None,
        url=parse_url(row.get("url"), where),
        date=parse_date(row.get("date"), where, "date"),
        where=where,
    )


def _inline_source(row: dict, where: Where, sources: dict[str, Source]) -> None:
    """A row that carries ``source_*`` columns defines (or repeats) its source."""
    url = parse_url(row.get("source_url"), where, "source_url")
    title = row.get("source_title") or url
    if not title:
        raise where.error("missing: an inline source needs source_title or source_url", "source_title")
    source_id = row.get("source") or "src-" + hashlib.sha256(f"{title}|{url}".encode()).hexdigest()[:12]
    source = Source(
        id=parse_id(source_id, where, "source"),
        title=title,
        publisher=row.get("source_publisher") or None,
        url=url,
        date=parse_date(row.get("source_date"), where, "source_date"),
        where=where,
    )
    known = sources.setdefault(source.id, source)
    if known != source:
        raise where.error(f"source {source.id!r} is defined differently on line {known.where.line}", "source")
    row["source"] = source.id
