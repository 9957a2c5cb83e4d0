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
from kg.store.common import MEMORY
from kg.store.folder import GATE_FILE, JOURNAL, LOAD_FILE_PREFIX, LOCK_FILE, open_oxigraph, remove_orphans
from kg.store.lock import StoreLock

#: What a failing Oxigraph write raises.
WRITE_ERRORS = (OSError, SyntaxError, RuntimeError, ValueError)


def replace_journaled(oxigraph: ox.Store, location: str, graphs: list[URIRef], nquads: Path) -> None:
    """Replace loaded graphs by the content of an N-Quads file, all or nothing even under
    ``kill -9`` (in memory, nothing outlives a crash: no journal there)."""
    if location == MEMORY:
        apply_replacement(oxigraph, graphs, nquads)
        return
    journal = write_journal(Path(location), graphs, nquads)
    try:
        drop(oxigraph, graphs)
    except WRITE_ERRORS:
        journal.unlink()  # the transaction failed: nothing was changed
        raise
    try:
        oxigraph.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
    except WRITE_ERRORS as err:
        raise KgError(
            f"bulk loading failed after the old content was removed: {err}; the next kg command on this store loads it again",
            path=location,
        ) from None
    journal.unlink()


def write_journal(folder: Path, graphs: list[URIRef], nquads: Path) -> Path:
    """Record a replacement durably: written whole, synced, then renamed into place."""
    entry = {"graphs": [str(g) for g in graphs], "nquads": nquads.name}
    return write_atomic(folder / JOURNAL, json.dumps(entry))


def apply_replacement(oxigraph: ox.Store, graphs: Iterable[URIRef | str], nquads: Path) -> None:
    """Drop the graphs, then bulk-load the file: running it again gives the same store."""
    drop(oxigraph, graphs)
    oxigraph.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)


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
