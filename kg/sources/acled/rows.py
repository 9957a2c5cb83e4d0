"""Reading ACLED export rows: the header, each row's fields, each field checked.

ACLED's export is comma-separated with double-quoted fields (notes hold commas, quotes and
line breaks), UTF-8 with or without a byte order mark, one header row naming its columns
(``COLUMNS``; older exports add or lack a few, and may write them in capitals). Columns are
found by name, so only the ones read (``REQUIRED``) must be there.

This module knows the file format only, not what an event type or an actor name means
(``mapping``) nor how events add up to claims (``aggregate``). A broken row raises ``Skip``
with one of the ``MALFORMED`` reasons: the reader counts it, or (``strict``) turns it into
an error naming file, line (the row's first) and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import KgError
from kg.sources.document import bounded_lines
from kg.sources.gdelt.events import Skip

#: ACLED's export columns since March 2023 (ACLED, "Guide to 2023 ACLED column changes").
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
#: The columns the importer reads: a header holding all of them is an ACLED file.
REQUIRED = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "source", "notes", "fatalities",
)  # fmt: skip
#: Reasons a row is skipped that mean it is broken; ``strict`` turns these into errors.
MALFORMED = ("wrong number of columns", "bad event id", "bad date", "bad number", "bad inter code", "missing actor", "missing source")
#: What ``time_precision`` says of ``event_date`` (ACLED Codebook, "Time precision codes"): the
#: day itself, a day of the week it is known to (ACLED codes the middle of it), or only the month.
TIME_PRECISIONS = {"1": "day", "2": "week", "3": "month"}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")

_EVENT_ID = re.compile(r"^[A-Z]+[0-9]+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WORD_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")
_DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True, slots=True)
class Event:
    """The fields of one event row that the import uses."""

    id: str  # event_id_cnty, e.g. SDN12345
    line: int  # the row's first line
    day: dt.date
    precision: str  # one of TIME_PRECISIONS' values
    event_type: str
    sub_event_type: str
    actor1: str
    assoc1: tuple[str, ...]
    inter1: str
    actor2: str
    assoc2: tuple[str, ...]
    inter2: str
    sources: tuple[str, ...]  # the source column's names, `;`-separated there
    notes: str  # on one line
    fatalities: int


def header_columns(first_line: str) -> list[str]:
    """The column names of a header line, lower-cased, a byte order mark dropped.

    >>> header_columns('\\ufeffEVENT_ID_CNTY,"event_date",year\\r\\n')
    ['event_id_cnty', 'event_date', 'year']
    """
    names = next(csv.reader([first_line.lstrip("\ufeff")]), [])
    return [name.strip().lower() for name in names]


def is_acled_header(first_line: str) -> bool:
    """Whether a CSV header is ACLED's: it names every ``REQUIRED`` column.

    >>> is_acled_header(",".join(COLUMNS)), is_acled_header("subject,relation,object,source")
    (True, False)
    """
    return set(REQUIRED) <= set(header_columns(first_line))


@contextmanager
def open_rows(path: Path) -> Iterator[tuple[list[str], Iterator[tuple[int, dict[str, str] | None]]]]:
    """The header's columns, and (first line, fields by column) of each row: None for a row
    whose length is not the header's."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(bounded_lines(handle, path))
        try:
            header = [name.strip().lower() for name in next(reader, [])]
        except csv.Error as err:
            raise KgError(f"not an ACLED export: {err}", path=str(path), line=1) from None
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise KgError(f"not an ACLED export: the header lacks the column(s) {', '.join(missing)}", path=str(path), line=1)
        yield header, _rows(reader, header, path)


def _rows(reader, header: list[str], path: Path) -> Iterator[tuple[int, dict[str, str] | None]]:
    done = reader.line_num
    try:
        for row in reader:
            first, done = done + 1, reader.line_num
            if not row:
                continue  # a blank line
            yield first, dict(zip(header, row, strict=True)) if len(row) == len(header) else None
    except csv.Error as err:
        raise KgError(f"not an ACLED export: {err}", path=str(path), line=done + 1) from None


def parse_event(fields: dict[str, str] | None, line: int, width: int) -> Event:
    """Parse and check one row's fields (a ``Skip`` names what is wrong)."""
    if fields is None:
        raise Skip("wrong number of columns", None, f"the row does not have the header's {width} columns (a stray comma or quote?)")
    get = lambda name: fields[name].strip()  # noqa: E731
    event_id = get("event_id_cnty")
    if not _EVENT_ID.match(event_id):
        raise Skip("bad event id", "event_id_cnty", f"{event_id!r} is not an ACLED event id (country letters then digits, e.g. SDN12345)")
    day = parse_day(get("event_date"))
    if get("year") != str(day.year):
        raise Skip("bad date", "year", f"{get('year')!r} is not the year of event_date {day.isoformat()}")
    precision = TIME_PRECISIONS.get(get("time_precision"))
    if precision is None:
        raise Skip("bad number", "time_precision", f"{get('time_precision')!r} is not a time precision (1, 2 or 3)")
    actor1 = " ".join(fields["actor1"].split())
    if not actor1:
        raise Skip("missing actor", "actor1", "missing: every ACLED event has an actor1")
    sources = names(fields["source"])
    if not sources:
        raise Skip("missing source", "source", "missing: the event names no source")
    return Event(
        id=event_id,
        line=line,
        day=day,
        precision=precision,
        event_type=get("event_type"),
        sub_event_type=get("sub_event_type"),
        actor1=actor1,
        assoc1=names(fields["assoc_actor_1"]),
        inter1=get("inter1"),
        actor2=" ".join(fields["actor2"].split()),
        assoc2=names(fields["assoc_actor_2"]),
        inter2=get("inter2"),
        sources=sources,
        notes=" ".join(fields["notes"].split()),
        fatalities=_count(get("fatalities"), "fatalities"),
    )


@lru_cache(maxsize=1 << 14)  # a file's events fall on a few thousand days
def parse_day(text: str) -> dt.date:
    """``2023-04-15`` or ``15 April 2023``, the two forms ACLED's exports have used.

    >>> parse_day("15 April 2023") == parse_day("2023-04-15")
    True
    """
    try:
        if found := _ISO_DATE.match(text):
            return dt.date(int(found[1]), int(found[2]), int(found[3]))
        if (found := _WORD_DATE.match(text)) and found[2].lower() in MONTHS:
            return dt.date(int(found[3]), MONTHS.index(found[2].lower()) + 1, int(found[1]))
    except ValueError:
        pass
    raise Skip("bad date", "event_date", f"{text!r} is not a date written 2023-04-15 or 15 April 2023")


def names(text: str) -> tuple[str, ...]:
    """The names of a ``;``-separated list (associated actors, sources), each once, spaces tidied.

    >>> names("Radio Dabanga; Sudan Tribune;  Radio  Dabanga ;")
    ('Radio Dabanga', 'Sudan Tribune')
    """
    return tuple(dict.fromkeys(" ".join(part.split()) for part in text.split(";") if part.strip()))


def _count(text: str, field: str) -> int:
    if not _DIGITS.match(text):
        raise Skip("bad number", field, f"{text!r} is not a whole number")
    return int(text)
