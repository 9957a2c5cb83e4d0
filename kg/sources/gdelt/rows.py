"""Reading GDELT 2.0 event rows: the file (plain or zipped), its 61 columns, each field checked.

This module knows the file format only, not what a code means (``cameo``) nor how events
add up to claims (``aggregate``). A row that is broken raises ``Skip`` with one of the
``MALFORMED`` reasons: the reader counts it, or (``strict``) turns it into an error.

The rows stream (the csv module, tab delimiter, ``QUOTE_NONE``) through
``kg.sources.document.bounded_lines``, so a line is at most ``MAX_LINE`` characters; a zip
is refused before it is read if its events file would unzip to more than ``MAX_UNZIPPED``
bytes or to more than ``MAX_RATIO`` times its zipped size (GDELT's own files unzip to about
6 times theirs): a zip bomb fails at once, not once it fills the memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.sources.document import bounded_lines
from kg.sources.gdelt.events import Skip

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

#: The most a zipped events file may unzip to (a GDELT 2.0 file of 15 minutes is a few MB) ...
MAX_UNZIPPED = 1 << 30
#: ... and how many times its zipped size it may grow, once past ``RATIO_FROM`` bytes.
MAX_RATIO = 100
RATIO_FROM = 1 << 20

#: A CAMEO actor code as GDELT writes it (``RUS``, ``RUSMIL``, ``SYRGOV``); empty for no actor.
ACTOR_CODE = re.compile(r"^[A-Za-z0-9]*$")
_DIGITS = re.compile(r"^[0-9]+$")
_EVENT_CODE = re.compile(r"^[0-9]{3,4}$")
_CODE_PART = re.compile(r"^([A-Za-z0-9]{3})?$")


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


@contextmanager
def open_rows(path: Path) -> Iterator[Iterator[tuple[int, list[str]]]]:
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


def parse_event(row: list[str], line: int) -> Event:
    """Parse and check one row's fields (a ``Skip`` names what is wrong).

    >>> parse_event(["1"] * 60, 7)
    Traceback (most recent call last):
    kg.sources.gdelt.events.Skip: 60 tab-separated columns; a GDELT 2.0 event row has 61
    """
    if len(row) != len(COLUMNS):
        raise Skip("wrong number of columns", None, f"{len(row)} tab-separated columns; a GDELT 2.0 event row has {len(COLUMNS)}")
    get = lambda name: row[COLUMN[name]].strip()  # noqa: E731
    code, base, root = get("EventCode"), get("EventBaseCode"), get("EventRootCode")
    if not (_EVENT_CODE.match(code) and code.startswith(base) and base.startswith(root) and len(root) == 2 and root.isdigit()):
        raise Skip("bad event code", "EventCode", f"{code!r} (base {base!r}, root {root!r}) is not a CAMEO event code such as 040 or 0874")
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
        raise Skip("bad date", field, f"{text!r} is not a date written {'YYYYMMDD' if size == 8 else 'YYYYMMDDHHMMSS'}") from None
    return day


def _count(text: str, field: str) -> int:
    if not _DIGITS.match(text):
        raise Skip("bad number", field, f"{text!r} is not a whole number")
    return int(text)


def _number(text: str, field: str, limit: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        raise Skip("bad number", field, f"{text!r} is not a number between -{limit:g} and {limit:g}")
    return value


def actor_fields(row: list[str], n: int) -> tuple[str, str, str, str]:
    """Code, CountryCode, KnownGroupCode and Type1Code of actor ``n``, format checked."""
    fields = [row[COLUMN[f"Actor{n}{part}"]].strip() for part in ("Code", "CountryCode", "KnownGroupCode", "Type1Code")]
    if not ACTOR_CODE.match(fields[0]):
        raise Skip("bad actor code", f"Actor{n}Code", f"{fields[0]!r} is not a CAMEO actor code (letters and digits)")
    for part, value in zip(("CountryCode", "KnownGroupCode", "Type1Code"), fields[1:], strict=True):
        if not _CODE_PART.match(value):
            raise Skip("bad actor code", f"Actor{n}{part}", f"{value!r} is not a three-letter CAMEO code")
    if not fields[0]:
        raise Skip("missing actor", f"Actor{n}Code", f"missing: the event has no actor {n} (a one-actor event)")
    return fields[0], fields[1], fields[2], fields[3]
