"""The re-load journal (``kg-replace.json``): replacing loaded graphs all or nothing, even
under ``kill -9``, and what an open does with a journal a killed load left.

Oxigraph's bulk loader only adds, so a re-load drops the old content first, in a
transaction of its own. The journal, written and synced before that drop, names the
graphs and the N-Quads file of the new content: an open that finds it finishes the
replacement (``finish_replacement``), and no read can open the store in between
(``kg.store.lock.StoreLock``). A crash thus leaves the old version (killed before the
journal) or the new one, never neither.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from kg.atomic import write_atomic
from kg.errors import KgError
from kg.output import Progress
from kg.store.common import MEMORY
from kg.store.folder import GATE_FILE, JOURNAL, LOAD_FILE_PREFIX, LOCK_FILE, open_oxigraph, remove_orphans
from kg.store.lock import StoreLock

MEGABYTE = 1 << 20
#: The megabytes of N-Quads one bulk-load call takes (see ``load_nquads``), unless
#: ``$KG_LOAD_CHUNK_MB`` says otherwise: the bulk loader's memory grows with it.
CHUNK_MB = 64

#: What a failing Oxigraph write raises.
WRITE_ERRORS = (OSError, SyntaxError, RuntimeError, ValueError)


def replace_journaled(
    oxigraph: ox.Store, location: str, graphs: list[URIRef], nquads: Path, replacing: bool, progress: Progress | None = None
) -> None:
    """Write the content of an N-Quads file in place of ``graphs``, all or nothing even under
    ``kill -9`` (in memory, nothing outlives a crash: no journal there).

    The file goes in in chunks (``load_nquads``), each its own commit, so the journal covers
    first loads too: a crash part-way is finished by the next open. An error part-way
    removes what the chunks wrote: for a first load (``replacing`` false) that is the
    store as it was."""
    chunk = chunk_megabytes()  # a bad setting is refused before anything changes
    journal = write_journal(Path(location), graphs, nquads) if location != MEMORY else None
    try:
        if replacing:
            drop(oxigraph, graphs)
    except WRITE_ERRORS:
        if journal is not None:
            journal.unlink()  # the transaction failed: nothing was changed
        raise
    try:
        load_nquads(oxigraph, nquads, progress, chunk)
    except WRITE_ERRORS as err:
        if replacing:
            raise KgError(
                f"bulk loading failed after the old content was removed: {err}; the next kg command on this store loads it again",
                path=location,
            ) from None
        drop(oxigraph, graphs)  # the chunks written so far: then the store is as it was
        if journal is not None:
            journal.unlink()
        raise
    if journal is not None:
        journal.unlink()


def load_nquads(oxigraph: ox.Store, nquads: Path, progress: Progress | None = None, chunk_mb: int | None = None) -> None:
    """Bulk-load an N-Quads file ``chunk_mb`` megabytes (by default ``chunk_megabytes()``) at
    a time, reporting megabytes to ``progress``.

    Why chunks: Oxigraph's bulk loader holds a whole call's quads in memory (about 1 GB per
    million quads) and reads its input long before it writes, so one call can neither stay
    small nor say how far it got. Chunks of 64 MB keep it under 200 MB and make a real
    progress bar, and are no slower; the many table files they leave make lookups about
    four times slower until ``optimize`` compacts them, which a load of several chunks does.
    """
    size = nquads.stat().st_size
    chunk = min((chunk_mb or chunk_megabytes()) * MEGABYTE, size + 1)  # never a buffer larger than the file
    megabytes = -(-size // MEGABYTE)
    bar = progress(f"writing {megabytes:,} MB of N-Quads to the store", megabytes) if progress and megabytes > 1 else None
    done = chunks = 0
    with nquads.open("rb") as handle:
        while block := handle.read(chunk):
            block += handle.readline()  # to the end of the quad the chunk cut
            oxigraph.bulk_load(input=block, format=ox.RdfFormat.N_QUADS, lenient=True)
            chunks += 1
            if bar is not None:
                now = min(megabytes, -(-handle.tell() // MEGABYTE))
                bar.update(now - done)
                done = now
    if chunks > 1:
        oxigraph.optimize()


def chunk_megabytes() -> int:
    """``$KG_LOAD_CHUNK_MB``, or ``CHUNK_MB``: the N-Quads one bulk-load call takes.

    >>> chunk_megabytes() == int(os.environ.get("KG_LOAD_CHUNK_MB", CHUNK_MB))
    True
    """
    value = os.environ.get("KG_LOAD_CHUNK_MB", str(CHUNK_MB))
    if not value.isdigit() or int(value) < 1:
        raise KgError(f"KG_LOAD_CHUNK_MB is a whole number of megabytes, at least 1, not {value!r}")
    return int(value)


def write_journal(folder: Path, graphs: list[URIRef], nquads: Path) -> Path:
    """Record a replacement durably: written whole, synced, then renamed into place."""
    entry = {"graphs": [str(g) for g in graphs], "nquads": nquads.name}
    return write_atomic(folder / JOURNAL, json.dumps(entry))


def apply_replacement(oxigraph: ox.Store, graphs: Iterable[URIRef | str], nquads: Path) -> None:
    """Drop the graphs, then bulk-load the file: running it again gives the same store."""
    drop(oxigraph, graphs)
    load_nquads(oxigraph, nquads)


def drop(oxigraph: ox.Store, graphs: Iterable[URIRef | str]) -> None:
    """Drop the graphs in one transaction."""
    drops = [f"DROP SILENT GRAPH {ox.NamedNode(str(graph))}" for graph in graphs]
    if drops:
        oxigraph.update(" ;\n".join(drops))


def finish_replacement(folder: Path) -> None:
    """Finish a re-load that a killed kg left journaled (the caller holds the write lock)."""
    journal = folder / JOURNAL
    if not journal.exists():
        return
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
        graphs, name = [str(g) for g in entry["graphs"]], str(entry["nquads"])
        if Path(name).name != name or not name.startswith(LOAD_FILE_PREFIX):
            raise ValueError(f"not a load file name: {name!r}")
        nquads = folder / name
        if not nquads.is_file():
            raise ValueError(f"its file {name} is gone")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise KgError(f"the journal of an interrupted load is damaged ({err}); make the store again", path=str(journal)) from None
    print(f"kg: finishing a load into {folder} that was interrupted ({len(graphs)} files)", file=sys.stderr, flush=True)
    for stale in folder.glob("bulk-*.sst"):  # the killed bulk load's: hundreds of MiB
        stale.unlink(missing_ok=True)
    failure = _replay(folder, graphs, nquads)
    if failure is not None:
        raise KgError(f"could not finish an interrupted load: {failure}", path=str(folder))
    journal.unlink()
    nquads.unlink(missing_ok=True)


def _replay(folder: Path, graphs: list[str], nquads: Path) -> str | None:
    """Apply a journaled replacement in a store opened for it alone; the error, if any.

    The store is closed before this returns, even on an error (an exception's traceback
    would keep it open, and its lock, after ours was released)."""
    oxigraph = open_oxigraph(folder, read_only=False)
    try:
        apply_replacement(oxigraph, graphs, nquads)
    except WRITE_ERRORS as err:
        return str(err)
    finally:
        del oxigraph
        gc.collect()
    return None


def lock_for_reading(path: Path) -> StoreLock | None:
    """A reader's lock, after finishing what a killed kg left behind (no writer is alive
    when a reader holds the lock): an interrupted re-load, temporary files.

    None when the lock files cannot be made (a store on a read-only medium, or someone
    else's folder): no kg can be writing through them then."""
    lockable = all((path / name).exists() for name in (GATE_FILE, LOCK_FILE)) or os.access(path, os.W_OK)
    lock = StoreLock(path, exclusive=False) if lockable else None
    if (path / JOURNAL).exists():
        if lock is not None:
            lock.release()
        _finish_interrupted_load(path)
        lock = StoreLock(path, exclusive=False) if lockable else None
    if lock is not None:
        remove_orphans(path, reading=True)
    return lock


def _finish_interrupted_load(path: Path) -> None:
    """For a reader that found a re-load's journal: finish it as a writer would, or refuse
    (the store without the files of that load is no answer)."""
    try:
        lock = StoreLock(path, exclusive=True)
    except KgError as err:
        raise KgError(f"a load into this store was interrupted and must be finished before it can be read: {err}", path=str(path)) from None
    try:
        finish_replacement(path)
    finally:
        lock.release()
