"""What kg derives from a store's data, kept beside it for exactly one write of that data.

Reading every claim out of Oxigraph takes minutes at a million assertions, every source a
quarter of a minute; an analysis that follows another should not pay it again. So the
result of such a read is kept in a file in the store folder (``kg-kept-NAME.json``, one
JSON array a line), headed by the ``write_id`` of the data it was read from. It is used
only while the store still has that id: every write gives the data a new one
(``kg.store.reads.keep_counts``), and a killed write leaves none, so a kept file is never
older than the data it answers for. The values read last are also kept in the process (an
analysis that follows another, the map's second selection). A remote store vouches for no
id (other clients change its data), so nothing is kept for it; a store in memory keeps
nothing on disk.

The files hold JSON, not pickles: a store folder may come from someone else, and reading
it must not run their code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from kg.atomic import atomic_writer
from kg.errors import KgError
from kg.store.common import MEMORY
from kg.store.folder import KEPT_PREFIX
from kg.store.interface import Store

T = TypeVar("T")


#: What this process read last, by name and store location: (the data's write id, the values).
_last_read: dict[tuple[str, str], tuple[str, list]] = {}


def read_per_write(
    store: Store,
    name: str,
    columns: list[str],
    read: Callable[[], list[T]],
    as_row: Callable[[T], list],
    reader: Callable[[], Callable[[list], T]],
) -> list[T]:
    """``read()``, called once per write of the store's data: after that answered from this
    process's memory, or from the file kept as ``name`` in the store folder (``as_row`` of
    each value, in ``columns``; ``reader()`` makes the inverse of ``as_row`` for one file).
    Returns a list of the caller's own; the values themselves are shared, so immutable."""
    write = store.write_id()
    if write is None:  # a remote store, or a killed write: nothing vouches for a copy
        return read()
    last = _last_read.get((name, store.location))
    if last is None or last[0] != write:
        values = read_kept(store, name, write, columns, reader())
        if values is None:
            values = read()
            keep(store, name, write, columns, map(as_row, values))
        last = _last_read[name, store.location] = (write, values)
    return list(last[1])


def kept_path(store: Store, name: str) -> Path | None:
    """Where ``name`` is kept for ``store``: a file in its folder (None: no folder)."""
    if store.location == MEMORY or store.location.startswith(("http://", "https://")):
        return None
    return Path(store.location) / f"{KEPT_PREFIX}{name}.json"


def read_kept(store: Store, name: str, write: str, columns: list[str], make: Callable[[list], T]) -> list[T] | None:
    """``make`` of each row kept as ``name`` from the data of write ``write``, in ``columns``
    (None: nothing kept for that write or in those columns, or a file that cannot be read:
    the caller reads the store again)."""
    path = kept_path(store, name)
    if path is None or not path.exists():
        return None
    try:
        with path.open(encoding="utf-8") as kept:
            if json.loads(kept.readline()) != _header(name, write, columns):
                return None
            return [make(json.loads(line)) for line in kept]  # row by row: never all the rows as lists at once
    except (OSError, ValueError, TypeError, KeyError, IndexError):  # damaged: no answer
        return None


def keep(store: Store, name: str, write: str, columns: list[str], rows: Iterable[list]) -> None:
    """Keep ``rows`` (lists of JSON values, in ``columns``) as ``name``, read from the data of
    write ``write``: one JSON array a line. Not where the store has no folder, or where the
    folder cannot be written (a store on read-only media)."""
    path = kept_path(store, name)
    if path is None:
        return
    try:
        with atomic_writer(path, "w") as kept:
            kept.write(json.dumps(_header(name, write, columns)) + "\n")
            kept.writelines(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows)
    except KgError:
        pass  # keeping is a saving, not a promise: the next read reads the store again


def _header(name: str, write: str, columns: list[str]) -> dict:
    return {"kept": name, "write": write, "columns": columns}
