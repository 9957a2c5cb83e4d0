"""What kg derives from a store's data, kept beside it for exactly one write of that data.

Reading every claim out of Oxigraph takes minutes at a million assertions, every source a
quarter of a minute; an analysis that follows another should not pay it again. So the
result of such a read is kept in a file in the store folder (``kg-kept-NAME.json``, one
JSON array a column: see ``Layout``), headed by the ``write_id`` of the data it was read
from; a load that replaces the whole store keeps what it wrote the same way, without reading
it back (``kept_after_write``). It is used only while the store still has that id: every
write gives the data a new one (``kg.store.reads.keep_counts``), and a killed write leaves
none, so a kept file is never older than the data it answers for. The values read last are
also kept in the process (an analysis that follows another, the map's second selection). A remote store vouches for no
id (other clients change its data), so nothing is kept for it; a store in memory keeps
nothing on disk.

The files hold JSON, not pickles: a store folder may come from someone else, and reading
it must not run their code.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TextIO, TypeVar

from kg.atomic import atomic_writer
from kg.errors import KgError
from kg.store.common import MEMORY
from kg.store.folder import KEPT_PREFIX
from kg.store.interface import Store

T = TypeVar("T")


@dataclass(frozen=True)
class Layout(Generic[T]):
    """How values of one kind are kept: one JSON array per column, not one per value.

    A column is decoded in one call and converted with one ``map`` over it, each distinct
    value once (``shared``): at a million claims, about 5 s against 11 s row by row, and
    one string per actor id, one date object per day, however many claims name them.
    """

    columns: tuple[str, ...]
    dump: Callable[[Sequence[T], str], list]  # a column as JSON values
    load: Callable[[str, list], list]  # the inverse, for one column
    make: Callable[[list[list]], list[T]]  # the values, from their columns in ``columns`` order


#: What this process read last, by name and store location: (the data's write id, the values).
_last_read: dict[tuple[str, str], tuple[str, list]] = {}


def read_per_write(store: Store, name: str, layout: Layout[T], read: Callable[[], list[T]]) -> list[T]:
    """``read()``, called once per write of the store's data: after that answered from this
    process's memory, or from the file kept as ``name`` in the store folder (in ``layout``).
    Returns a list of the caller's own; the values themselves are shared, so immutable."""
    write = store.write_id()
    if write is None:  # a remote store, or a killed write: nothing vouches for a copy
        return read()
    last = _last_read.get((name, store.location))
    if last is None or last[0] != write:
        values = read_kept(store, name, write, layout)
        if values is None:
            values = read()
            keep(store, name, write, layout, values)
        last = _last_read[name, store.location] = (write, values)
    return list(last[1])


@contextmanager
def kept_after_write(store: Store, name: str, layout: Layout[T], values: Sequence[T]) -> Iterator[None]:
    """Keep ``values`` as ``name`` for the data a write in this block makes, by the writer
    that knows them: a load of a whole store need not read them back out of it.

    Their columns are written now, to a draft beside the kept files, so that the caller can
    free them before the write's heaviest part (the bulk loader); when the block ends
    without an error, the draft is headed with the write's id (known only then) and kept.
    No draft outlives the block (one a killed writer left, the next writer removes)."""
    path = kept_path(store, name)
    draft = None if path is None else _draft(path, layout, values)
    del values  # not held by this frame through the block
    try:
        yield
        if draft is not None:
            with suppress(KgError, OSError):  # the write is done: keeping it is a saving, not a promise
                _head(store, name, layout, path, draft)
    finally:
        if draft is not None:
            draft.unlink(missing_ok=True)


def _head(store: Store, name: str, layout: Layout, path: Path, draft: Path) -> None:
    """Keep ``draft`` as ``name``, headed with the id of the data the store now holds."""
    write = store.write_id()
    if write is not None:
        with atomic_writer(path, "w") as kept, draft.open(encoding="utf-8") as columns:
            kept.write(json.dumps(_header(name, write, layout)) + "\n")
            shutil.copyfileobj(columns, kept, 1 << 20)


def _draft(path: Path, layout: Layout[T], values: Sequence[T]) -> Path | None:
    """The columns of ``values``, written to a draft that a writer opening the store
    removes if a kill left it (``kg.store.folder.KEPT_DRAFTS``; None: the folder cannot be written)."""
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with draft.open("w", encoding="utf-8") as out:
            _write_columns(out, layout, values)
    except OSError:
        draft.unlink(missing_ok=True)
        return None
    return draft


def shared(values: list, convert: Callable[[Hashable], object] = sys.intern) -> list:
    """``convert`` of each of ``values`` (None stays None), called once per distinct value
    and its result shared: one string per actor id (``sys.intern``, also across columns),
    one date per day. A value that cannot be a dict key raises TypeError (a damaged file)."""
    table = {value: convert(value) for value in set(values) if value is not None}
    table[None] = None
    return list(map(table.__getitem__, values))


def slotted(cls: type[T], columns: list[list]) -> list[T]:
    """Objects of the slotted dataclass ``cls``, from one column per field in field order.

    Set slot by slot, one ``map`` per column: a frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__``, and at a million claims took twice as long. Only
    for a class whose ``__init__`` does nothing else (no ``__post_init__``)."""
    if len({len(column) for column in columns}) > 1:
        raise ValueError("columns of unequal length")
    made = list(map(object.__new__, [cls] * (len(columns[0]) if columns else 0)))
    for name, column in zip(cls.__slots__, columns, strict=True):
        deque(map(getattr(cls, name).__set__, made, column), maxlen=0)
    return made


def kept_path(store: Store, name: str) -> Path | None:
    """Where ``name`` is kept for ``store``: a file in its folder (None: no folder)."""
    if store.location == MEMORY or store.location.startswith(("http://", "https://")):
        return None
    return Path(store.location) / f"{KEPT_PREFIX}{name}.json"


def read_kept(store: Store, name: str, write: str, layout: Layout[T]) -> list[T] | None:
    """The values kept as ``name`` from the data of write ``write``, in ``layout`` (None:
    nothing kept for that write or in that layout, or a file that cannot be read: the caller
    reads the store again)."""
    path = kept_path(store, name)
    if path is None or not path.exists():
        return None
    try:
        with path.open(encoding="utf-8") as kept:
            if json.loads(kept.readline()) != _header(name, write, layout):
                return None
            columns = [layout.load(column, _array(kept.readline())) for column in layout.columns]  # each converted as read
            if kept.read(1):
                return None
            return layout.make(columns)
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):  # damaged: no answer
        return None


def _array(line: str) -> list:
    values = json.loads(line)
    if not isinstance(values, list):
        raise ValueError("not a column")
    return values


def keep(store: Store, name: str, write: str, layout: Layout[T], values: Sequence[T]) -> None:
    """Keep ``values`` as ``name``, read from the data of write ``write``, in ``layout``:
    one column at a time, never all of them as JSON values at once. Not where the store has
    no folder, or where the folder cannot be written (a store on read-only media)."""
    path = kept_path(store, name)
    if path is None:
        return
    try:
        with atomic_writer(path, "w") as kept:
            kept.write(json.dumps(_header(name, write, layout)) + "\n")
            _write_columns(kept, layout, values)
    except KgError:
        pass  # keeping is a saving, not a promise: the next read reads the store again


def _write_columns(out: TextIO, layout: Layout[T], values: Sequence[T]) -> None:
    for column in layout.columns:
        out.write(json.dumps(layout.dump(values, column), ensure_ascii=False, separators=(",", ":")) + "\n")


def _header(name: str, write: str, layout: Layout) -> dict:
    return {"kept": name, "write": write, "layout": "columns", "columns": list(layout.columns)}
