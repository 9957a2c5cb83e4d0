"""The store interface: what the rest of kg may ask of a store, whichever backend holds it.

``Store`` is a ``typing.Protocol``: ``kg.store.oxigraph.OxigraphStore`` (a folder or
memory, embedded) and ``kg.store.remote.RemoteStore`` (a SPARQL 1.1 server) implement it
without inheriting anything from each other, and code above the store layer (loader,
queries, projection, validation, export, serve) uses only these members, so each of them
works on either backend. It is ``runtime_checkable``: ``isinstance(x, Store)`` checks that
``x`` has every member (not their signatures; ``tests/test_store_interface.py`` does).

Everything lives in named graphs: one per loaded file (its ``file://`` IRI), the
ontology graph and the meta graph. Reads run over their union unless a query names its
own dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Protocol, TextIO, runtime_checkable

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.query import Result

from kg.model import Actor, Source
from kg.output import Progress

#: What ``Store.results`` answers: pyoxigraph's solutions or boolean, or a graph's triples.
Results = ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]


@runtime_checkable
class Store(Protocol):
    """A kg store: the data graphs (one per loaded file), the ontology graph and a meta graph.

    A context manager: ``with open_store(...) as store:`` closes it (and releases a
    folder's lock) when the block ends.

    Examples
    --------
    >>> from kg.store import open_store
    >>> with open_store(":memory:") as store:
    ...     isinstance(store, Store), store.has_actor("turkey"), store.data_graphs()
    (True, False, [])
    """

    #: Where the store is: a folder, ``:memory:`` or a server's URL (for messages and ``kg info``).
    location: str
    #: Opened for reading only: every write raises ``KgError``.
    read_only: bool
    #: Whether large loads should stream N-Quads to ``bulk_writer`` (faster than
    #: ``replace_graphs`` on this backend) rather than build triples.
    streams_bulk_loads: bool

    # -- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Result:
        """Run SPARQL over the union of all graphs (or the dataset the query names); the
        answer as rdflib gives it (``.type``, ``.askAnswer``, ``.graph``, ``.vars``, rows).
        ``bindings`` are bound values (rdflib terms), never pasted into the query text."""
        ...

    def texts(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Iterator[dict[str, str | None]]:
        """SELECT rows as plain lexical strings (None when unbound): the fast way for bulk reads."""
        ...

    def solutions(self, sparql: str, bindings: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        """SELECT rows as pyoxigraph terms (None when unbound), without rdflib conversion."""
        ...

    def results(self, sparql: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> Results:
        """A query as the SPARQL Protocol runs it (``kg serve``): the project's prefixes
        predeclared, over the union of all graphs unless the query or ``default_graphs``
        / ``named_graphs`` (IRIs, which override the query's) name a dataset; pyoxigraph
        objects ready to ``serialize``. Syntax and evaluation errors raise ``KgError``;
        some only come while the answer is read (``OSError``, ``RuntimeError``)."""
        ...

    def quads(self, graph: URIRef | str | None = None) -> list[ox.Quad]:
        """Every quad of one named graph, or of every named graph (``None``)."""
        ...

    def data_graphs(self) -> list[URIRef]:
        """The named graphs of loaded files (not the ontology or meta graphs), sorted."""
        ...

    def has_actor(self, actor_id: str) -> bool:
        """Whether an actor with exactly this id is loaded (one lookup, not all actors)."""
        ...

    def actors(self) -> list[Actor]:
        """Every actor with its type, label and aliases (used to resolve names)."""
        ...

    def sources(self, ids: Iterable[str] | None = None) -> list[Source]:
        """Every source, or only those of ``ids`` that exist."""
        ...

    def format_version(self) -> int | None:
        """The layout version the store was written with (None: nothing written yet)."""
        ...

    def counts(self) -> dict:
        """What the store holds: ``actors`` by type, ``assertions`` by relation, ``sources``,
        ``first_date`` and ``last_date`` reported (``kg.store.reads.count``). The embedded
        store keeps them from its last write (milliseconds instead of a second at 1M)."""
        ...

    def write_id(self) -> str | None:
        """An id of the data as the last write left it: a new one with every write, so equal
        ids mean equal data. None when the store cannot vouch for one: a remote store (other
        clients change its data), an embedded one whose last write was killed."""
        ...

    # -- writing --------------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[tuple]]) -> None:
        """Replace the content of each named graph by its (rdflib) triples, all or nothing."""
        ...

    def bulk_writer(self, graphs: Iterable[URIRef], progress: Progress | None = None) -> AbstractContextManager[TextIO]:
        """A text file for the N-Quads of ``graphs``; when the block ends without an error
        they replace those graphs, all or nothing (an error in the block changes nothing).
        ``progress(label, total)``, if given, is called once writing to the store starts and
        its bar updated as it goes (megabytes, or requests to a server).
        The lines must be valid N-Quads: the embedded store's bulk loader does not check
        them again (the loader writes them from checked terms)."""
        ...

    def drop_graphs(self, graphs: Iterable[URIRef]) -> None:
        """Remove these graphs, all or none."""
        ...

    def drop_graph(self, graph: URIRef) -> None:
        """Remove one graph."""
        ...

    def install_ontology(self) -> None:
        """Keep the ontology graph and the format version current (cheap when they are)."""
        ...

    # -- the store's lifetime -------------------------------------------------------------------

    def close(self) -> None:
        """Release the store (a folder's lock, a server's connections) now."""
        ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...
