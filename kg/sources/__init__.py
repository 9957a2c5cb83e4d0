"""Readers: each turns one input file into a ``Document`` of unresolved model objects.

A reader checks what it can see in the file alone (field names, dates, numbers);
names of actors, relations and sources are resolved later by ``kg.loader``, which
also sees the store and the other files of the same load. This module picks the reader
a file needs (``read_document``); what the readers share sits below them, in
``kg.sources.document`` (``Document``, ``Problems``) and ``kg.sources.records``
(the assertion record, ``split_claim``), so no reader imports this module.
"""

from __future__ import annotations

import functools
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from kg.errors import KgError
from kg.model import CURATED_FORMATS, INPUT_FORMATS
from kg.namespaces import STDIN, STDIN_NAME
from kg.sources import acled, csv_file, gdelt, rdf_file, yaml_file
from kg.sources.document import MAX_LINE, Document, Problems
from kg.sources.records import DEFAULT_CONFIDENCE, split_claim

__all__ = [
    "DEFAULT_CONFIDENCE",
    "CURATED_FORMATS",
    "FORMATS",
    "MAX_LINE",
    "Document",
    "Problems",
    "is_acled",
    "is_data_file",
    "is_gdelt",
    "read_document",
    "read_documents",
    "readers",
    "split_claim",
]

#: Formats ``kg load --format`` names; without one, a file's format is known by its suffix (or,
#: for ACLED exports, by their header row).
FORMATS = INPUT_FORMATS
#: GDELT 2.0 event files as GDELT names them (also the translingual ``*.translation.export.CSV``).
GDELT_EVENTS = re.compile(r"\.export\.csv(\.zip)?$", re.IGNORECASE)
#: GDELT's other tables, which share the suffix but not the format: never read as curated CSV.
GDELT_OTHER = re.compile(r"\.(mentions|gkg)\.csv(\.zip)?$", re.IGNORECASE)
#: What ``--format gdelt`` reads as GDELT events (besides GDELT's own names): YAML, JSON and
#: RDF files keep their readers, so curated files load in the same command.
GDELT_SUFFIXES = (".csv", ".zip", ".tsv")

#: File suffix -> reader of the curated formats.
_READERS: dict[str, Callable[..., Document]] = {
    ".yaml": yaml_file.read,
    ".yml": yaml_file.read,
    ".json": yaml_file.read,
    ".csv": csv_file.read,
    ".ttl": rdf_file.read,
    ".nt": rdf_file.read,
    ".jsonld": rdf_file.read,
    ".rdf": rdf_file.read,
    ".trig": rdf_file.read,
    ".nq": rdf_file.read,
}


def readers() -> dict[str, Callable[..., Document]]:
    """File suffix -> reader, for the curated formats (YAML, JSON, CSV, RDF).

    >>> sorted(readers())
    ['.csv', '.json', '.jsonld', '.nq', '.nt', '.rdf', '.trig', '.ttl', '.yaml', '.yml']
    """
    return dict(_READERS)


def is_data_file(path: Path, format: str | None = None) -> bool:
    """Whether a folder scan loads this file: known suffixes and GDELT event files by name,
    and with ``format="gdelt"`` also ``.zip`` and ``.tsv`` files."""
    if GDELT_OTHER.search(path.name):
        return False
    if format == "gdelt" and path.name.lower().endswith(GDELT_SUFFIXES):
        return True
    return bool(GDELT_EVENTS.search(path.name)) or path.suffix.lower() in _READERS


def is_gdelt(path: Path, format: str | None = None) -> bool:
    """GDELT event files by name; with ``format="gdelt"`` every file but YAML, JSON and RDF ones."""
    if GDELT_EVENTS.search(path.name):
        return True
    return format == "gdelt" and (path.suffix.lower() == ".csv" or path.suffix.lower() not in _READERS)


def is_acled(path: Path, format: str | None = None) -> bool:
    """ACLED exports: with ``format="acled"`` every file but YAML, JSON and RDF ones, else a
    ``.csv`` file whose header row names ACLED's columns (``kg.sources.acled.REQUIRED``)."""
    suffix = path.suffix.lower()
    if format == "acled":
        return suffix == ".csv" or suffix not in _READERS
    return format is None and suffix == ".csv" and acled.is_acled(path)


def read_documents(path: Path, format: str | None = None, **options) -> list[Document]:
    """The documents of one file: one, or one per graph of a TriG or N-Quads file (each loads
    into its own graph, ``kg.sources.rdf_file.read_graphs``); the options are ``read_document``'s."""
    if str(path) == STDIN:
        return _read_stdin(format, **options)
    if path.suffix.lower() in rdf_file.DATASET_FORMATS:
        try:
            documents = rdf_file.read_graphs(path, options.get("problems"))
        except (OSError, UnicodeDecodeError) as err:
            raise KgError(f"cannot read file: {err}", path=str(path)) from None
        if not documents:
            raise KgError("no records: nothing to load (no graph in it holds kg data)", path=str(path))
        return documents
    return [read_document(path, format, **options)]


def read_document(
    path: Path,
    format: str | None = None,
    *,
    strict: bool = False,
    actor_map: str | Path | None = None,
    problems: Problems | None = None,
) -> Document:
    """Read one file with the reader its format (or else its name) calls for.

    ``strict`` and ``actor_map`` are options of the event readers (GDELT, ACLED): rows they
    would skip as malformed become errors, and a user's actor map extends the shipped ones.
    ``problems`` collects the records a curated file's reader rejects (by default the first
    one is raised).

    A file with no record at all is an error: loading it would silently remove what the
    file loaded before, which is never what a truncated or half-written file means.
    """
    problems = problems if problems is not None else Problems()
    if format is not None and format not in FORMATS:
        raise KgError(f"unknown format {format!r}; --format takes {', '.join(FORMATS)} (other files are known by their suffix)")
    if str(path) == STDIN:
        (doc,) = _read_stdin(format, strict=strict, actor_map=actor_map, problems=problems)
        return doc
    if format in CURATED_FORMATS:  # it names standard input's format; a file's name tells its own
        format = None
    if is_gdelt(path, format):
        reader = functools.partial(gdelt.read, strict=strict, actor_map=actor_map)
    elif is_acled(path, format):
        reader = functools.partial(acled.read, strict=strict, actor_map=actor_map)
    elif GDELT_OTHER.search(path.name):
        raise KgError("this is a GDELT mentions or GKG table; kg reads GDELT event files (*.export.CSV, *.export.CSV.zip)", path=str(path))
    elif path.suffix.lower() in _READERS:
        reader = functools.partial(_READERS[path.suffix.lower()], problems=problems)
    else:
        known = ", ".join([*_READERS, ".export.CSV", ".export.CSV.zip"])
        what = path.suffix or "files without a suffix"
        raise KgError(f"cannot read {what}; use one of {known} (or --format gdelt, --format acled)", path=str(path))
    return _read_as(path, reader, problems)


def _read_as(path: Path, reader: Callable[..., Document], problems: Problems) -> Document:
    """``reader(path)``, refusing a file with no record and naming the file in read errors."""
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


class _Spooled(type(Path())):  # type: ignore[misc]
    """Standard input copied to a file: opened at that file, named ``<stdin>`` in every message.

    The readers take a path, read it (some twice: ACLED's header check) and name it in their
    errors; this one opens the copy (``os.fspath``) but prints as ``<stdin>`` (``str``), so an
    error reads ``<stdin>:3: relation: ...`` and never shows the temporary file.
    """

    def __fspath__(self) -> str:
        return super().__str__()

    def __str__(self) -> str:
        return STDIN_NAME


def _read_stdin(format: str | None, **options) -> list[Document]:
    """The records of standard input, read as ``format`` (which it needs: it has no name)."""
    if format is None:
        raise KgError(f"standard input has no file name to tell its format by: give --format ({', '.join(FORMATS)})", path=STDIN_NAME)
    suffix = CURATED_FORMATS.get(format, ".csv")
    with tempfile.TemporaryDirectory(prefix="kg-stdin-") as folder:
        copy = Path(folder) / f"stdin{suffix}"
        with copy.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out)
        return read_documents(_Spooled(copy), format, **options)


def _blank(path: Path) -> bool:
    """Whether a file holds nothing but white space (read up to its first other byte): the
    readers would call a blank YAML file with a tab in it, or a blank CSV line, malformed."""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            if chunk.strip():
                return False
    return True
