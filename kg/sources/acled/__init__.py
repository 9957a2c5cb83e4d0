"""ACLED events: human-coded battles, strikes and agreements, aggregated into sourced assertions.

An ACLED export (CSV, one header row, one event per row, notes quoted) is read into a
``Document`` like every other file, in three steps, one module each:

- ``rows``: the header (ACLED's column names; a file is known as ACLED's by them) and each
  row's fields, checked; a broken row is ``MALFORMED``.
- ``mapping``: what event types and actor names mean: event types -> relations
  (``kg/ontology/acled-events.yaml``), names -> actors (``kg/ontology/acled-actors.yaml``,
  over the CAMEO actor map, extended by a user's ``--actor-map``). A row the mappings do not
  cover is skipped and counted, never guessed.
- ``aggregate``: one assertion per (subject, relation, object, month), resting on its event
  ids, with counts, fatalities, sources and notes; the collecting it shares with the GDELT
  import (``kg.sources.gdelt.events``).

Skipped rows are counted by reason; with ``strict=True`` a ``MALFORMED`` row is an error
naming its file, line and column.
"""

from __future__ import annotations

from pathlib import Path

from kg.sources.acled.aggregate import ASSOCIATED_UNMAPPED, UNMAPPED, Aggregator, confidence, source_id
from kg.sources.acled.mapping import event_rules, load_actors
from kg.sources.acled.rows import MALFORMED, REQUIRED, is_acled_header, open_rows
from kg.sources.document import Document

__all__ = [
    "ASSOCIATED_UNMAPPED",
    "MALFORMED",
    "REQUIRED",
    "UNMAPPED",
    "confidence",
    "is_acled",
    "load_actors",
    "read",
    "source_id",
]

#: Bytes of a file's start read to tell an ACLED export by its header.
HEADER_BYTES = 1 << 16


def is_acled(path: Path) -> bool:
    """Whether a file starts with ACLED's header row (``REQUIRED`` columns, any order or case).

    >>> is_acled(Path(__file__).parents[3] / "examples" / "acled-sudan-2023" / "sudan-2023.csv")
    True
    """
    with path.open("rb") as handle:
        start = handle.read(HEADER_BYTES)
    first = start.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return is_acled_header(first)


def read(path: Path, *, strict: bool = False, actor_map: str | Path | None = None) -> Document:
    """Read an ACLED export into aggregated, sourced assertions.

    >>> doc = read(Path(__file__).parents[3] / "examples" / "acled-sudan-2023" / "sudan-2023.csv")
    >>> doc.rows_read, doc.ids_only, doc.skipped["protests"]
    (40, True, 3)
    """
    actors = load_actors(actor_map)
    event_rules()  # read the event mapping now: an error in it is not a row's fault
    job = Aggregator(path, actors, strict)
    with open_rows(path) as (header, rows):
        for line, fields in rows:
            job.add(line, fields, len(header))
    return job.document()
