"""The embedded store: an rdflib ``Dataset`` over Oxigraph (via oxrdflib), in a folder or in memory.

Reads go through ``Dataset.query`` (executed by Oxigraph, with user values bound as a
``VALUES`` block, never pasted into the query text) or straight to pyoxigraph where
converting every value to an rdflib term would cost more than the query (``texts``,
``solutions``, ``results``, ``quads``); writes are single SPARQL updates executed by Oxigraph
itself, which applies each as one transaction, or Oxigraph's bulk loader.

A store folder is shared by kg processes through our lock (``kg.store.lock.StoreLock``):
Oxigraph's read-only opens take none, and one racing a writer can see an empty or partial
store. A read waits while a load writes, and a load waits while reads run (both bounded).
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox
from oxrdflib import OxigraphStore as OxrdflibStore
from rdflib import Dataset, URIRef
from rdflib.query import Result

from kg.errors import KgError
from kg.model import Actor, Source
from kg.namespaces import META_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kg.output import Progress
from kg.sparqltext import declares_dataset, to_ox, with_values
from kg.store import reads
from kg.store.common import MEMORY, PREFIX_TEXTS, check_format, short_syntax_error
from kg.store.folder import JOURNAL, LOAD_FILE_PREFIX, check_folder, open_oxigraph, remove_orphans
from kg.store.interface import Results
from kg.store.journal import WRITE_ERRORS, finish_replacement, lock_for_reading, replace_journaled
from kg.store.lock import StoreLock

#: From this many triples on, a write goes through Oxigraph's bulk loader (see replace_graphs).
BULK_TRIPLES = 200_000


class OxigraphStore:
    """A kg store in Oxigraph, embedded: a folder (locked until ``close``) or memory.

    ``dataset`` is the rdflib view of it, for code that wants rdflib's API; kg itself
    reads and writes through the ``kg.store.Store`` members only.
    """

    #: Large loads stream N-Quads to Oxigraph's bulk loader (``bulk_writer``).
    streams_bulk_loads = True

    def __init__(self, dataset: Dataset, location: str, read_only: bool, lock: StoreLock | None = None) -> None:
        self.dataset = dataset
        self.location = location
        self.read_only = read_only
        self._lock = lock
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace)

    def __repr__(self) -> str:
        return f"OxigraphStore({self.location!r}, read_only={self.read_only})"

    @property
    def _oxigraph(self) -> ox.Store:
        return self.dataset.store._inner

    # -- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Result:
        """Run SPARQL in Oxigraph over the union of all graphs; ``bindings`` are bound values.

        A query naming its own dataset (``FROM``, ``FROM NAMED``) runs over that dataset:
        Oxigraph ignores it under the union default graph, so a count ``FROM`` a graph that
        does not exist would answer every triple. (oxrdflib asks for the union when the
        graph it is given is ``__UNION__``, for none when it is a plain empty string.)
        """
        text = with_values(sparql, bindings or {})
        try:
            if declares_dataset(sparql):
                return self.dataset.store.query(text, initNs={}, initBindings={}, queryGraph="")
            return self.dataset.query(text)
        except SyntaxError as err:
            raise KgError(f"SPARQL syntax error: {short_syntax_error(str(err))}") from None
        except OSError as err:
            raise KgError(f"query failed: {err}") from None

    def texts(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Iterator[dict[str, str | None]]:
        """SELECT rows as plain lexical strings (None when unbound); ``bindings`` are bound values.

        Straight from pyoxigraph: converting every value to an rdflib term (what
        ``query`` does, through oxrdflib) costs several times the query itself when a
        projection reads every claim of a large store.
        """
        solutions = self._select(sparql, bindings)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            yield {name: (None if term is None else term.value) for name, term in zip(names, solution, strict=True)}

    def solutions(self, sparql: str, bindings: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        """SELECT rows as pyoxigraph terms (None when unbound)."""
        solutions = self._select(sparql, bindings)
        names = [v.value for v in solutions.variables]
        return [dict(zip(names, solution, strict=True)) for solution in solutions]

    def _select(self, sparql: str, bindings: Mapping[str, object] | None) -> ox.QuerySolutions:
        try:
            result = self._oxigraph.query(with_values(sparql, bindings or {}), use_default_graph_as_union=True, prefixes=PREFIX_TEXTS)
        except SyntaxError as err:
            raise KgError(f"SPARQL syntax error: {short_syntax_error(str(err))}") from None
        if not isinstance(result, ox.QuerySolutions):
            raise KgError("rows come from a SELECT query only")
        return result

    def results(self, sparql: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> Results:
        """The query as the SPARQL Protocol runs it, answered by pyoxigraph (see ``kg.store.Store``).

        The default graph is the union of all graphs unless the query names its own
        dataset (``FROM``/``FROM NAMED``: Oxigraph honours it only without the union
        option) or ``default_graphs`` do.
        """
        default_graphs, named_graphs = list(default_graphs), list(named_graphs)
        union = not default_graphs and not declares_dataset(sparql)
        options: dict[str, object] = {"prefixes": PREFIX_TEXTS, "use_default_graph_as_union": union}
        try:
            if default_graphs:
                options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
            if named_graphs:
                options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
            return self._oxigraph.query(sparql, **options)
        except ValueError as err:
            raise KgError(f"not a graph IRI: {err}") from None
        except SyntaxError as err:
            raise KgError(f"SPARQL syntax error: {short_syntax_error(str(err))}") from None
        except (OSError, RuntimeError) as err:
            raise KgError(f"query failed: {err}") from None

    def quads(self, graph: URIRef | str | None = None) -> list[ox.Quad]:
        """Every quad of one named graph, or of every named graph (``None``), straight from
        Oxigraph: converting 100k quads to rdflib terms and back costs seconds."""
        if graph is not None:
            return list(self._oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))))
        return [q for q in self._oxigraph.quads_for_pattern(None, None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)]

    def data_graphs(self) -> list[URIRef]:
        """The named graphs of loaded files (not the ontology or meta graphs)."""
        graphs = (URIRef(g.value) for g in self._oxigraph.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(g for g in graphs if g not in (ONTOLOGY_GRAPH, META_GRAPH))

    def has_actor(self, actor_id: str) -> bool:
        return reads.has_actor(self, actor_id)

    def actors(self) -> list[Actor]:
        return reads.actors(self)

    def sources(self, ids: Iterable[str] | None = None) -> list[Source]:
        return reads.sources(self, ids)

    def format_version(self) -> int | None:
        return reads.format_version(self)

    # -- writing --------------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[tuple]]) -> None:
        """Replace the content of each named graph, all graphs in one transaction.

        Large ones go through ``bulk_writer``: about ten times faster than a SPARQL update
        and still all-or-nothing, even under ``kill -9``.
        """
        self._writable()
        graphs = {graph: triples if isinstance(triples, (set, list)) else list(triples) for graph, triples in graphs.items()}
        if sum(len(triples) for triples in graphs.values()) < BULK_TRIPLES:
            parts = []
            for graph, triples in graphs.items():
                body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples)
                parts.append(f"DROP SILENT GRAPH {graph.n3()} ;\nINSERT DATA {{ GRAPH {graph.n3()} {{\n{body}\n}} }}")
            if parts:
                self._write_data(parts)
            return
        with self.bulk_writer(graphs) as out:
            for graph, triples in graphs.items():
                name = graph.n3()
                out.writelines(f"{s.n3()} {p.n3()} {o.n3()} {name} .\n" for s, p, o in triples)

    @contextmanager
    def bulk_writer(self, graphs: Iterable[URIRef], progress: Progress | None = None) -> Iterator[TextIO]:
        """A file for the N-Quads of ``graphs``; when the block ends without an error, they
        replace those graphs through Oxigraph's bulk loader, all or nothing. An error in the
        block throws the file away and changes nothing. ``progress`` gets the megabytes
        written to the store (``kg.store.journal.load_nquads``).

        The file sits in the store folder, so a killed load leaves it where the next open
        removes it. ``lenient``: the loader builds every IRI from checked ids, and skipping
        Oxigraph's re-validation saves a sixth of the bulk load.
        """
        self._writable()
        graphs = sorted(set(graphs))
        folder = Path(self.location) if self.location != MEMORY else None
        out = tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix=LOAD_FILE_PREFIX, suffix=".nq", dir=folder, delete=False)
        nquads = Path(out.name)
        try:
            with out:
                yield out.file  # the file itself: the wrapper's write costs as much again per line
                if folder is not None:
                    out.flush()
                    os.fsync(out.fileno())  # the journal will name it: it must outlive a crash
            replacing = bool(set(self.data_graphs()) & set(graphs))
            self._update(reads.FORGET_COUNTS)  # before the journal: a killed load leaves no counts
            replace_journaled(self._oxigraph, self.location, graphs, nquads, replacing, progress)
        except WRITE_ERRORS as err:
            raise KgError(f"bulk loading failed, nothing was changed: {err}", path=self.location) from None
        finally:
            if folder is None or not (folder / JOURNAL).exists():  # else the journal still needs it
                nquads.unlink(missing_ok=True)
        self._keep_counts()

    def drop_graph(self, graph: URIRef) -> None:
        self.drop_graphs([graph])

    def drop_graphs(self, graphs: Iterable[URIRef]) -> None:
        """Remove these graphs, all in one transaction: a failure or a crash drops none."""
        self._writable()
        drops = [f"DROP SILENT GRAPH {to_ox(graph)}" for graph in sorted(set(graphs))]  # to_ox: checked IRIs
        if drops:
            self._write_data(drops)

    def install_ontology(self) -> None:
        reads.install_ontology(self)

    def counts(self) -> dict:
        """The counts kept at the end of the last write, else counted now (``kg.store.reads.count``)."""
        return reads.stored_counts(self) or reads.count(self)

    def write_id(self) -> str | None:
        return reads.write_id(self)

    def _write_data(self, updates: list[str]) -> None:
        """Change data graphs in one transaction that also removes the kept counts (they go
        with the old data), then count the store anew."""
        self._update(" ;\n".join([reads.FORGET_COUNTS, *updates]))
        self._keep_counts()

    def _keep_counts(self) -> None:
        """After a write: count the store and keep the counts (``kg.store.reads.keep_counts``)."""
        self._update(reads.keep_counts(self))

    def _update(self, update: str) -> None:
        """Run a SPARQL update in Oxigraph itself, as one transaction.

        Not through ``Dataset.update``: on a union-default-graph Dataset oxrdflib declines
        the update and rdflib silently runs its own engine instead, which reorders the
        triples of an ``INSERT DATA`` in O(n^2) (200 assertions: 15 s) and is not atomic.
        """
        try:
            self._oxigraph.update(update)
        except (OSError, SyntaxError, RuntimeError) as err:
            raise KgError(f"writing to the store failed, nothing was changed: {err}", path=self.location) from None

    def _writable(self) -> None:
        if self.read_only:
            raise KgError("the store was opened read-only", path=self.location)

    # -- the store's lifetime -------------------------------------------------------------------

    def close(self) -> None:
        """Release the store (and its lock) now, not whenever the garbage collector runs.

        pyoxigraph has no explicit close: the database closes when the last reference
        goes, and query result iterators held in rdflib's reference cycles keep one alive.
        A writer collects them, since its database holds Oxigraph's own lock file; a reader's
        takes no lock, and a full collection walks every object alive (4 s after an
        analysis of 1M claims), so it is left to the collector's own time.
        """
        self.dataset.close()
        if not self.read_only:
            gc.collect()
        if self._lock is not None:  # only now: the writer's files are closed
            self._lock.release()
            self._lock = None

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_memory() -> OxigraphStore:
    """A new, empty store in memory, with the ontology installed."""
    store = OxigraphStore(Dataset(store=OxrdflibStore(), default_union=True), MEMORY, read_only=False)
    store.install_ontology()
    return store


def open_folder(location: str, read_only: bool) -> OxigraphStore:
    """The store in a folder (made on the first write), locked until ``close``.

    A writer first finishes a re-load a killed kg left journaled and removes its
    temporary files; so does a reader (``lock_for_reading``), if it may.
    """
    path = Path(location)
    check_folder(path, read_only)
    lock = lock_for_reading(path) if read_only else StoreLock(path, exclusive=True)
    try:
        if not read_only:
            finish_replacement(path)
            remove_orphans(path)
        oxigraph = open_oxigraph(path, read_only)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    store = OxigraphStore(Dataset(store=OxrdflibStore(store=oxigraph), default_union=True), location, read_only, lock)
    try:
        check_format(store, store.format_version())
        if not read_only:
            store.install_ontology()
    except BaseException:
        store.close()
        raise
    return store
