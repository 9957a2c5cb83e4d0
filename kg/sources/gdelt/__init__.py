"""GDELT 2.0 events: machine-coded who-did-what-to-whom, aggregated into sourced assertions.

An events file (``*.export.CSV``, or GDELT's zipped ``*.export.CSV.zip``) has one event per
line: 61 tab-separated columns, no header, every code a string with its leading zeros
(``040``, ``0874``). ``read`` turns it into a ``Document`` like every other reader, in
three steps, one module each:

- ``rows``: the file (plain or zipped, zip bombs refused from the header) and each row's
  fields, checked; a broken row is ``MALFORMED``.
- ``cameo``: what the codes mean: event codes -> relations of the ontology, actor codes ->
  actors of the CAMEO actor map (shipped, extended by a user's ``--actor-map``). A row the
  map does not cover is ``UNMAPPED``, never guessed.
- ``aggregate``: one assertion per (actor1, relation, actor2, month), its sources the
  articles, its confidence from the number of independent publishers.
- ``events``: what every event dataset's import shares (also ACLED's, ``kg.sources.acled``):
  collecting events by aggregate, counting skipped rows, the actors the claims name.

Skipped rows are counted by reason; with ``strict=True`` a ``MALFORMED`` row is an error
naming its line and column. A real file has one-actor events in about a third of its
rows, so ``strict`` is for files one makes or checks oneself.
"""

from __future__ import annotations

from pathlib import Path

from kg.sources.document import Document
from kg.sources.gdelt.aggregate import UNMAPPED, Aggregator, confidence, source_id
from kg.sources.gdelt.cameo import load_actor_map, relation_for
from kg.sources.gdelt.rows import MALFORMED, open_rows

__all__ = ["MALFORMED", "UNMAPPED", "confidence", "load_actor_map", "read", "relation_for", "source_id"]


def read(path: Path, *, strict: bool = False, actor_map: str | Path | None = None) -> Document:
    """Read a GDELT 2.0 events file (plain or zipped) into aggregated, sourced assertions.

    >>> example = Path(__file__).parents[3] / "examples" / "gdelt-2019-10-24" / "20191024143000.export.CSV"
    >>> doc = read(example)
    >>> doc.rows_read, doc.skipped["missing actor"], doc.ids_only
    (2111, 705, True)
    """
    actors = load_actor_map(actor_map)
    relation_for("04")  # read the CAMEO table now: an ontology error is not a row's fault
    job = Aggregator(path, actors, strict)
    with open_rows(path) as rows:
        for line, row in rows:
            job.add(line, row)
    return job.document()
