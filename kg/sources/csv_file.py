"""CSV input: one assertion per row (or, with an ``id,label,type`` header, one actor per row).

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


def read(path: Path) -> Document:
    doc = Document(str(path))
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        header = Where(str(path), 1)
        if not columns:
            return doc
        is_actor_file = {"id", "type"} <= columns
        check_fields(dict.fromkeys(columns), ACTOR_COLUMNS if is_actor_file else ASSERTION_FIELDS | SOURCE_COLUMNS, header, "column")
        sources: dict[str, Source] = {}
        for row in reader:
            where = Where(str(path), reader.line_num)
            if None in row:
                raise where.error(f"{len(row[None]) + len(columns)} cells but the header has {len(columns)} columns")
            row = {key: value.strip() for key, value in row.items() if value is not None}
            if is_actor_file:
                doc.actors.append(_actor(row, where))
                continue
            if any(row.get(col) for col in SOURCE_COLUMNS):
                _inline_source(row, where, sources)
            doc.assertions.append(assertion_from_record(row, where, {}))
        doc.sources = list(sources.values())
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
