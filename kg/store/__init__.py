"""Where triples live: the ``Store`` interface and its two backends, chosen by ``open_store``.

- ``Store`` (``kg.store.interface``): what the rest of kg may ask of a store, a
  ``typing.Protocol``;
- ``OxigraphStore`` (``kg.store.oxigraph``): Oxigraph embedded, in a folder (locked by
  ``kg.store.lock``, re-loads journaled by ``kg.store.journal``) or in memory;
- ``RemoteStore`` (``kg.store.remote``): a SPARQL 1.1 server, over HTTP (``kg.store.http``).

``open_store`` is the only place that knows which backend it opened; everything else
talks to ``Store``. The remote backend is imported when first used: its HTTP client costs
every other command a tenth of a second.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from kg.store.common import DEFAULT_LOCATION, FORMAT_VERSION, MEMORY, STORE_NODE, check_format, file_label, short_syntax_error
from kg.store.folder import GATE_FILE, JOURNAL, LOAD_FILE_PREFIX, LOCK_FILE
from kg.store.interface import Results, Store
from kg.store.lock import LOCK_WAIT, StoreLock
from kg.store.oxigraph import BULK_TRIPLES, OxigraphStore, open_folder, open_memory

if TYPE_CHECKING:
    from kg.store.remote import RemoteStore

__all__ = [
    "BULK_TRIPLES",
    "DEFAULT_LOCATION",
    "FORMAT_VERSION",
    "GATE_FILE",
    "JOURNAL",
    "LOAD_FILE_PREFIX",
    "LOCK_FILE",
    "LOCK_WAIT",
    "MEMORY",
    "STORE_NODE",
    "OxigraphStore",
    "RemoteStore",
    "Results",
    "Store",
    "StoreLock",
    "check_format",
    "file_label",
    "open_store",
    "store_location",
    "short_syntax_error",
]


def store_location(location: str | os.PathLike | None = None) -> str:
    """The store a location means: itself, else ``$KG_STORE``, else ``.kg`` here."""
    return str(location or os.environ.get("KG_STORE") or DEFAULT_LOCATION)


def open_store(location: str | os.PathLike | None = None, *, read_only: bool = False) -> Store:
    """Open the store at ``location``: a folder (created on first write), ``:memory:``, or the
    URL of a SPARQL 1.1 server (``http(s)://...``, see ``kg.store.remote``).

    ``None`` means ``$KG_STORE`` or ``.kg`` in the current directory. A folder is locked
    (``StoreLock``) until ``close``: a read sees the store as before or after a load, never
    in between, and waits while one writes, so a store opened read-only is a snapshot for
    as long as it is open. Use it as a context manager to close it.

    Examples
    --------
    >>> with open_store(":memory:") as store:
    ...     store.data_graphs(), store.format_version()
    ([], 2)
    """
    location = store_location(location)
    if location.startswith(("http://", "https://")):
        from kg.store.remote import open_remote  # httpx: only for a server

        return open_remote(location, read_only=read_only)
    if location == MEMORY:
        return open_memory()
    return open_folder(location, read_only)


def __getattr__(name: str) -> object:
    """``kg.store.RemoteStore``, imported on first use (see the module's docstring)."""
    if name == "RemoteStore":
        from kg.store.remote import RemoteStore

        return RemoteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
