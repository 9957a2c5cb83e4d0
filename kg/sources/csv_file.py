"""CSV input: one assertion per row (or, with an ``id,label,type`` header, one actor per row,
and with an ``id,title`` header one source per row: ``id,title,publisher,url,date``).

Assertion columns: ``subject, relation, object`` (or ``claim``), ``source``, ``quote``,
``date``, ``confidence``, ``valid_from``, ``valid_until``, ``note``, ``stance``, ``said_by``,
``process``, ``host``; a row may define its source inline with ``source_title``,
``source_url``, ``source_publisher``, ``source_date``, ``source_note``. Actors are referenced
by id, label or alias, as everywhere. The mediators of a joint mediation share one
``subject`` cell, separated by ``;`` (``saudi-arabia; united-states``), as the parties share
the ``object`` cell separated by commas. Dates may be partial (``2023``, ``2023-05``).

A line, and a cell, is at most ``MAX_LINE`` characters: a longer one (often an unclosed
quote, which makes the rest of the file one cell) is an error naming where it starts.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from kg.errors import KgError
from kg.model import Actor, Source, Where, parse_date, parse_id, parse_url, parse_wikidata
from kg.sources.document import MAX_LINE, Document, Problems, bounded_lines
from kg.sources.records import ASSERTION_FIELDS, SUBJECT_SEPARATOR, assertion_from_record, check_fields

SOURCE_COLUMNS = {"source_title", "source_url", "source_publisher", "source_date", "source_note"}
ACTOR_COLUMNS = {"id", "label", "type", "aliases", "wikidata", "description"}
SOURCE_FILE_COLUMNS = {"id", "title", "publisher", "url", "date", "note"}
COLUMNS = {"actor": ACTOR_COLUMNS, "source": SOURCE_FILE_COLUMNS, "assertion": ASSERTION_FIELDS | SOURCE_COLUMNS}


def read(path: Path, problems: Problems | None = None) -> Document:
    """The records of a CSV file (actors, sources or assertions, by its header); a bad row goes to ``problems``."""
    doc = Document(str(path))
    problems = problems if problems is not None else Problems()
    name = doc.path  # one string for the file's million rows, not one each
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(bounded_lines(handle, path))
        done = 0  # the line the last record ended on: a record the csv module rejects starts after it
        try:
            columns = set(reader.fieldnames or ())
            kind = _kind(columns, Where(name, 1))
            sources: dict[str, Source] = {}
            names: dict[str, str] = {}
            for row in reader:
                where = Where(name, reader.line_num)
                try:
                    _add(doc, row, kind, len(columns), where, sources, names)
                except KgError as err:
                    problems.add(err)
                done = reader.line_num
        except csv.Error as err:
            raise _csv_error(err, path, done + 1) from None
        doc.sources.extend(sources.values())
    return doc


def _kind(columns: set[str], header: Where) -> str:
    """What the rows are, from the header: ``actor``, ``source`` or ``assertion``."""
    is_actor_file = {"id", "type"} <= columns
    is_source_file = {"id", "title"} <= columns and not is_actor_file
    kind = "actor" if is_actor_file else "source" if is_source_file else "assertion"
    check_fields(dict.fromkeys(columns), COLUMNS[kind], header, "column")
    return kind


def _add(doc: Document, row: dict, kind: str, width: int, where: Where, sources: dict[str, Source], names: dict[str, str]) -> None:
    """One row as the record its file holds."""
    if None in row:
        raise where.error(f"{len(row[None]) + width} cells but the header has {width} columns")
    row = {key: value.strip() for key, value in row.items() if value is not None}
    if kind == "actor":
        doc.actors.append(_actor(row, where))
    elif kind == "source":
        doc.sources.append(_source(row, where))
    else:
        if any(row.get(col) for col in SOURCE_COLUMNS):
            _inline_source(row, where, sources)
        if SUBJECT_SEPARATOR in row.get("subject", ""):  # a joint mediation's mediators share the cell
            row["subject"] = [name.strip() for name in row["subject"].split(SUBJECT_SEPARATOR)]
        doc.assertions.append(assertion_from_record(row, where, {}, names))


def _csv_error(err: csv.Error, path: Path, line: int) -> KgError:
    """The csv module's errors in user terms, at the line where the bad record starts."""
    if "field larger than field limit" in str(err):
        message = f"a cell longer than {MAX_LINE:,} characters, the most kg reads (an unclosed quote makes the rest of the file one cell)"
    else:
        message = f"not valid CSV: {err}"
    return KgError(message, path=str(path), line=line)


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
        note=row.get("note") or None,
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
        note=row.get("source_note") or None,
        where=where,
    )
    known = sources.setdefault(source.id, source)
    if known != source:
        raise where.error(f"source {source.id!r} is defined differently on line {known.where.line}", "source")
    row["source"] = source.id
