"""Readers: each turns one input file into a ``Document`` of unresolved model objects.

A reader checks what it can see in the file alone (field names, dates, numbers);
names of actors, relations and sources are resolved later by ``kg.loader``, which
also sees the store and the other files of the same load.
"""

from __future__ import annotations

import difflib
import functools
import io
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.model import Actor, Assertion, Source, Where, parse_confidence, parse_date

#: Default confidence of a claim whose file does not say (see README, "Data format").
DEFAULT_CONFIDENCE = 1.0

ASSERTION_FIELDS = {
    "claim", "subject", "relation", "object", "objects", "source", "sources", "quote",
    "date", "valid_from", "valid_until", "confidence", "note",
}  # fmt: skip


#: Formats ``kg load --format`` names; every other format is known by its file suffix.
FORMATS = ("gdelt",)
#: GDELT 2.0 event files as GDELT names them (also the translingual ``*.translation.export.CSV``).
GDELT_EVENTS = re.compile(r"\.export\.csv(\.zip)?$", re.IGNORECASE)
#: GDELT's other tables, which share the suffix but not the format: never read as curated CSV.
GDELT_OTHER = re.compile(r"\.(mentions|gkg)\.csv(\.zip)?$", re.IGNORECASE)
#: What ``--format gdelt`` reads as GDELT events (besides GDELT's own names): YAML, JSON and
#: RDF files keep their readers, so curated files load in the same command.
GDELT_SUFFIXES = (".csv", ".zip", ".tsv")
#: The longest line a CSV or GDELT file may have, and (the csv module's own default limit)
#: the longest cell: a longer one is refused before it is read into memory whole.
MAX_LINE = 131_072


@dataclass
class Document:
    path: str
    actors: list[Actor] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    assertions: list[Assertion] = field(default_factory=list)
    #: Set by readers of event data (GDELT): rows read, and rows skipped by reason.
    rows_read: int | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    #: Actors the assertions name but the file does not define (an actor map's bare names),
    #: with where each is named; every other actor name in ``assertions`` is an exact id.
    references: dict[str, Where] = field(default_factory=dict)
    ids_only: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to load: no record at all, and (event files) no row."""
        return not (self.actors or self.sources or self.assertions or self.rows_read)


class Problems:
    """The errors of single records that a reader reads past.

    ``kg load`` stops at the first (``limit=1``: the error is raised where it is found);
    ``kg validate`` collects up to ``limit`` of them, so that it reports every bad record
    of a file and not only the first. The file's good records are read all the same.
    """

    def __init__(self, limit: int = 1) -> None:
        self.limit = limit
        self.found: list[KgError] = []

    def add(self, error: KgError) -> None:
        if self.limit <= 1:
            raise error
        self.found.append(error)
        if len(self.found) >= self.limit:
            raise KgError(f"stopped reading after {self.limit:,} problems", path=error.path)

    def each(self, items: Iterable[tuple[object, Where]], build: Callable) -> list:
        """``build(record, where)`` of each item; a record that fails is reported and left out."""
        built = []
        for record, where in items:
            try:
                built.append(build(record, where))
            except KgError as err:
                self.add(err)
        return built


def readers() -> dict[str, Callable[..., Document]]:
    """File suffix -> reader. Imported lazily: only the readers a load needs are paid for."""
    from kg.sources import csv_file, rdf_file, yaml_file

    return {
        ".yaml": yaml_file.read,
        ".yml": yaml_file.read,
        ".json": yaml_file.read,
        ".csv": csv_file.read,
        ".ttl": rdf_file.read,
        ".nt": rdf_file.read,
        ".jsonld": rdf_file.read,
    }


def is_data_file(path: Path, format: str | None = None) -> bool:
    """Whether a folder scan loads this file: known suffixes and GDELT event files by name,
    and with ``format="gdelt"`` also ``.zip`` and ``.tsv`` files."""
    if GDELT_OTHER.search(path.name):
        return False
    if format == "gdelt" and path.name.lower().endswith(GDELT_SUFFIXES):
        return True
    return bool(GDELT_EVENTS.search(path.name)) or path.suffix.lower() in readers()


def is_gdelt(path: Path, format: str | None = None) -> bool:
    """GDELT event files by name; with ``format="gdelt"`` every file but YAML, JSON and RDF ones."""
    if GDELT_EVENTS.search(path.name):
        return True
    return format == "gdelt" and (path.suffix.lower() == ".csv" or path.suffix.lower() not in readers())


def read_document(
    path: Path,
    format: str | None = None,
    *,
    strict: bool = False,
    actor_map: str | Path | None = None,
    problems: Problems | None = None,
) -> Document:
    """Read one file with the reader its format (or else its name) calls for.

    ``strict`` and ``actor_map`` are options of the GDELT reader: rows it would skip
    become errors, and a user's actor map extends the shipped one. ``problems`` collects
    the records a curated file's reader rejects (by default the first one is raised).

    A file with no record at all is an error: loading it would silently remove what the
    file loaded before, which is never what a truncated or half-written file means.
    """
    problems = problems if problems is not None else Problems()
    if format is not None and format not in FORMATS:
        raise KgError(f"unknown format {format!r}; --format takes {', '.join(FORMATS)} (other files are known by their suffix)")
    if is_gdelt(path, format):
        from kg.sources import gdelt

        reader = functools.partial(gdelt.read, strict=strict, actor_map=actor_map)
    elif GDELT_OTHER.search(path.name):
        raise KgError("this is a GDELT mentions or GKG table; kg reads GDELT event files (*.export.CSV, *.export.CSV.zip)", path=str(path))
    elif path.suffix.lower() in readers():
        reader = functools.partial(readers()[path.suffix.lower()], problems=problems)
    else:
        known = ", ".join([*readers(), ".export.CSV", ".export.CSV.zip"])
        raise KgError(f"cannot read {path.suffix or 'files without a suffix'}; use one of {known} (or --format gdelt)", path=str(path))
    try:
        doc = Document(str(path)) if _blank(path) else reader(path)
    except (OSError, UnicodeDecodeError) as err:
        raise KgError(f"cannot read file: {err}", path=str(path)) from None
    if doc.empty and not problems.found:
        raise KgError(
            "no records: nothing to load (an empty file is refused, so that a half-written one never removes "
            "what it loaded before; `kg drop FILE` unloads a file)",
            path=str(path),
        )
    return doc


def _blank(path: Path) -> bool:
    """Whether a file holds nothing but white space (read up to its first other byte): the
    readers would call a blank YAML file with a tab in it, or a blank CSV line, malformed."""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            if chunk.strip():
                return False
    return True


def bounded_lines(handle: io.TextIOBase, path: Path) -> Iterator[str]:
    """The lines of a text file, each refused if it is longer than ``MAX_LINE``.

    A plain ``for line in handle`` would read a line of any length whole: a 2 GB file
    with no line break (or a zip member that unzips to one) would fill the memory first.
    """
    number = 0
    while line := handle.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE and line[-1] not in "\r\n":
            raise KgError(f"a line longer than {MAX_LINE:,} characters, the most kg reads", path=str(path), line=number)
        yield line


def check_fields(record: Mapping, allowed: set[str], where: Where, what: str) -> None:
    """Reject misspelt field names instead of silently ignoring the value."""
    for key in record:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(allowed))})"
            raise where.error(f"unknown {what} field {key!r}{hint}", str(key))


def split_claim(text: str, where: Where, field: str = "claim") -> tuple[str, str, tuple[str, ...]]:
    """Split ``"Moscow backs 'Syrian regime'"`` into subject, relation and object name(s).

    The relation is the first word (or two words, for ``negotiates with``) that names a
    relation of the ontology; everything before is the subject, everything after the
    object. Several objects (parties of a mediation) are separated by commas.
    """
    from kg.ontology import load_ontology

    ontology = load_ontology()
    try:
        words = shlex.split(text)
    except ValueError as err:
        raise where.error(f"cannot split {text!r}: {err}", field) from None
    for start in range(1, len(words) - 1):
        for width in (2, 1):
            candidate = " ".join(words[start : start + width])
            if start + width < len(words) and _is_relation(ontology, candidate):
                subject = " ".join(words[:start])
                objects = " ".join(words[start + width :])
                return subject, candidate, tuple(o.strip() for o in objects.split(",") if o.strip())
    for word in words[1:-1]:  # a relation spelt with punctuation (!backs): name the character
        if len(words) == 3 or ontology.looks_like_relation(word):
            ontology.relation(word, path=where.path, line=where.line, field=field)
    raise where.error(
        f"cannot find 'SUBJECT RELATION OBJECT' in {text!r} (quote multi-word names, e.g. \"'Syrian regime' backed-by Moscow\")",
        field,
    )


def _is_relation(ontology, name: str) -> bool:
    try:
        ontology.relation(name)
    except KgError:
        return False
    return True


def assertion_from_record(record: Mapping, where: Where, defaults: Mapping, names: dict[str, str] | None = None) -> Assertion:
    """Build an unresolved assertion from a YAML/JSON mapping or a CSV row.

    ``names``: a reader's table of the names seen so far, so that a million rows naming
    the same few thousand actors and sources share one string each (and free them with
    the document, where ``sys.intern`` would keep them, scattered over the heap, for good).
    """
    table = names if names is not None else {}
    share = lambda name: table.setdefault(name, name)  # noqa: E731
    if record.get("claim"):
        for key in ("subject", "relation", "object", "objects"):
            if record.get(key):
                raise where.error(f"give either 'claim' or subject/relation/object, not both ({key!r})", key)
        subject, relation, objects = split_claim(str(record["claim"]), where)
    else:
        subject, relation = share(_required(record, "subject", where)), share(_required(record, "relation", where))
        objects = tuple(map(share, _names(record.get("objects") or record.get("object"))))
        if not objects:
            raise where.error("missing: name the other actor with 'object'", "object")
    sources = tuple(map(share, _names(record.get("sources") or record.get("source") or defaults.get("source"))))
    confidence = record.get("confidence")
    if confidence is None or confidence == "":
        confidence = defaults.get("confidence", DEFAULT_CONFIDENCE)
    return Assertion(
        subject=subject,
        relation=relation,
        objects=objects,
        sources=sources,
        date=parse_date(record.get("date") or defaults.get("date"), field_where(record, where, "date"), "date"),
        confidence=parse_confidence(confidence, field_where(record, where, "confidence")),
        quote=_text(record.get("quote")),
        valid_from=parse_date(record.get("valid_from"), field_where(record, where, "valid_from"), "valid_from"),
        valid_until=parse_date(record.get("valid_until"), field_where(record, where, "valid_until"), "valid_until"),
        note=_text(record.get("note")),
        where=where,
    )


def field_where(record: Mapping, where: Where, field: str) -> Where:
    """The field's own line where the reader knows it (YAML), else the record's."""
    line_of = getattr(record, "line_of", None)
    return Where(where.path, line_of(field)) if line_of is not None and field in record else where


def _required(record: Mapping, key: str, where: Where) -> str:
    value = _text(record.get(key))
    if not value:
        raise where.error(f"missing: every assertion needs a {key} (or a 'claim' such as 'turkey backs sna')", key)
    return value


def _names(value: object) -> tuple[str, ...]:
    """One name, a comma-separated string of names, or a list of names."""
    if value is None or value == "":
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())  # quotes often arrive wrapped over lines
    return text or None
