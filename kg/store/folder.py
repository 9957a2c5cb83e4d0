"""A store folder on disk: the files kg keeps beside Oxigraph's, and opening the folder.

Besides Oxigraph's own files (``CURRENT``, table and log files) a folder may hold our
lock files (``kg.store.lock``), a re-load's journal and its N-Quads file
(``kg.store.journal``), what kg derived from the data (``kg.store.kept``), and what a
killed load left behind (``remove_orphans``).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.store.common import MEMORY

#: Names of the temporary files a load leaves in the store folder if it is killed.
LOAD_FILE_PREFIX = "kg-load-"
#: A re-load in progress: the graphs it replaces and its N-Quads file (see ``kg.store.journal``).
JOURNAL = "kg-replace.json"
ORPHAN_PATTERNS = ("bulk-*.sst", LOAD_FILE_PREFIX + "*.nq", f".{JOURNAL}.*.tmp")  # the last: write_atomic's draft
#: What kg derives from the data and keeps beside it (``kg.store.kept``), and the drafts of
#: those files a killed reader leaves: only a writer removes them, as no reader is drafting.
KEPT_PREFIX = "kg-kept-"
KEPT_DRAFTS = f".{KEPT_PREFIX}*.tmp"
#: Our own lock files (see ``kg.store.lock.StoreLock``); a folder may hold them before CURRENT.
LOCK_FILE, GATE_FILE = "kg.lock", "kg.gate"


def check_folder(path: Path, read_only: bool) -> None:
    """Refuse what is no store folder (a file, a folder of other files), or, to read, no
    store yet; to write, make the folder (for the lock files)."""
    if path.exists() and not path.is_dir():
        raise KgError("not a kg store: this is a file, not a folder", path=str(path))
    if read_only and not (path / "CURRENT").exists():
        raise KgError("no kg store here yet; load data first with `kg load FILE`", path=str(path))
    others = path.is_dir() and any(p.name not in (LOCK_FILE, GATE_FILE) for p in path.iterdir())
    if others and not (path / "CURRENT").exists():
        raise KgError("not a kg store: the folder holds other files", path=str(path))
    if not read_only:
        try:
            path.mkdir(parents=True, exist_ok=True)  # for the lock files
        except OSError as err:
            raise KgError(f"cannot make the store folder: {err.strerror}", path=str(path)) from None


def new_store_folder(location: str) -> tuple[Path, bool] | None:
    """Where a first write would make a store: the folder, and whether the folder exists
    already; ``None`` when a store is there (or ``location`` is no folder: a URL, ``:memory:``)."""
    if location.startswith(("http://", "https://")) or location == MEMORY:
        return None
    folder = Path(location)
    return None if (folder / "CURRENT").exists() else (folder, folder.exists())


def discard_new_store(folder: Path, existed: bool) -> None:
    """Undo the store a failed first write made (``kg load nofile``): leave the folder as it
    was, gone or empty, not a store that looks loaded but holds nothing."""
    if not existed:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def open_oxigraph(path: Path, read_only: bool) -> ox.Store:
    """Oxigraph's store on the folder; a read-only open that races a writer's manifest
    switch is retried."""
    for attempt in range(5):
        try:
            return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as err:
            if "lock" in str(err).lower():
                raise KgError(
                    "the store is in use by another kg process (a load is running); try again when it ends", path=str(path)
                ) from None
            if not read_only or attempt == 4:
                raise KgError(f"cannot open the store: {err}", path=str(path)) from None
        except RuntimeError as err:  # a read-only open can race a writer's manifest switch: retry
            if attempt == 4:
                raise KgError(f"cannot open the store (damaged?): {err}", path=str(path)) from None
        time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def remove_orphans(path: Path, reading: bool = False) -> None:
    """Delete what a killed load left behind (its N-Quads file, the bulk loader's
    ``bulk-*.sst`` files): nothing references them, and they can be hundreds of MiB.

    Safe because the caller holds the store's lock (write or read): no kg writer is alive.
    A reader without the right to delete them says they are there instead."""
    left = []
    for pattern in ORPHAN_PATTERNS + (() if reading else (KEPT_DRAFTS,)):
        for orphan in path.glob(pattern):
            try:
                orphan.unlink(missing_ok=True)
            except OSError:
                left.append(orphan)
    if left and reading:
        size = sum(p.stat().st_size for p in left if p.exists()) / 2**20
        print(
            f"kg: {len(left)} temporary files of a killed load ({size:.0f} MiB) are in {path}; the next kg load removes them",
            file=sys.stderr,
        )
    elif left:
        raise KgError(f"cannot remove the temporary files of a killed load: {', '.join(p.name for p in left)}", path=str(path))
