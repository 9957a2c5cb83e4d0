"""Where triples live: an rdflib ``Dataset`` over Oxigraph (via oxrdflib), on disk or in memory.

``open_store`` is the only place that knows which backend it opened; everything else
talks to ``KgStore``. Reads go through ``Dataset.query`` (executed by Oxigraph, with
user values passed as ``initBindings``, never pasted into the query text); writes are
single SPARQL updates executed by Oxigraph itself, which applies each as one transaction.

A store folder is shared by kg processes through a lock of our own (``StoreLock``):
Oxigraph's read-only opens take none, and one racing a writer can see an empty or partial
store. A read waits while a load writes, and a load waits while reads run (both bounded).
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import OWL, RDF

from kg.atomic import write_atomic
from kg.errors import KgError
from kg.model import ID_PATTERN, Actor, Source, Where
from kg.namespaces import ACTOR, BASE, KGO, META_GRAPH, ONTOLOGY_GRAPH, PREFIXES, SOURCE, WD, local_name
from kg.sparqltext import declares_dataset, to_ox, with_values

#: Layout version of a store; bumped when the RDF layout changes incompatibly.
FORMAT_VERSION = 2  # 2: statements carry kgo:dyad
STORE_NODE = URIRef(BASE + "store")
MEMORY = ":memory:"
#: From this many triples on, a load goes through Oxigraph's bulk loader (see replace_graphs).
BULK_TRIPLES = 200_000
#: Names of the temporary files a load leaves in the store folder if it is killed.
LOAD_FILE_PREFIX = "kg-load-"
#: A re-load in progress: the graphs it replaces and its N-Quads file (see ``_replace``).
JOURNAL = "kg-replace.json"
ORPHAN_PATTERNS = ("bulk-*.sst", LOAD_FILE_PREFIX + "*.nq", f".{JOURNAL}.*.tmp")  # the last: write_atomic's draft
#: Our own lock files (see ``StoreLock``); the folder of a store may hold them before CURRENT.
LOCK_FILE, GATE_FILE = "kg.lock", "kg.gate"
#: How long an open waits for other kg processes on the same store, in seconds ($KG_LOCK_WAIT).
LOCK_WAIT = 30.0
DEFAULT_LOCATION = ".kg"


PREFIX_TEXTS = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


class KgStore:
    """A kg store: the data graphs (one per loaded file), the ontology graph and a meta graph."""

    #: Large loads stream N-Quads to the bulk loader (``bulk_writer``); a remote store has none.
    streams_bulk_loads = True

    def __init__(self, dataset: Dataset, location: str, read_only: bool, lock: StoreLock | None = None) -> None:
        self.dataset = dataset
        self.location = location
        self.read_only = read_only
        self._lock = lock
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace)

    @property
    def _oxigraph(self) -> ox.Store:
        return self.dataset.store._inner

    # -- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None):
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
        projection reads every claim of a large store. (``RemoteStore`` reads them through
        ``query``.)
        """
        try:
            solutions = self._oxigraph.query(with_values(sparql, bindings or {}), use_default_graph_as_union=True, prefixes=PREFIX_TEXTS)
        except SyntaxError as err:
            raise KgError(f"SPARQL syntax error: {short_syntax_error(str(err))}") from None
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            yield {name: (None if term is None else term.value) for name, term in zip(names, solution, strict=True)}

    def has_actor(self, actor_id: str) -> bool:
        """Whether an actor with exactly this id is loaded (one index lookup, not all actors)."""
        query = "ASK { ?actor a ?type . ?type rdfs:subClassOf kgo:Actor }"
        return bool(self.query(query, {"actor": ACTOR[actor_id]}).askAnswer)

    def data_graphs(self) -> list[URIRef]:
        """The named graphs of loaded files (not the ontology or meta graphs)."""
        graphs = (URIRef(g.value) for g in self._oxigraph.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(g for g in graphs if g not in (ONTOLOGY_GRAPH, META_GRAPH))

    def actors(self) -> list[Actor]:
        """Every actor with its type, label and aliases (used to resolve names)."""
        rows = self.query(
            """SELECT ?actor ?type ?label ?wikidata
               (GROUP_CONCAT(DISTINCT ?alias; separator="\\u001f") AS ?aliases) WHERE {
                 ?actor a ?type . ?type rdfs:subClassOf kgo:Actor .
                 OPTIONAL { ?actor rdfs:label ?label }
                 OPTIONAL { ?actor skos:altLabel ?alias }
                 OPTIONAL { ?actor owl:sameAs ?wikidata FILTER STRSTARTS(STR(?wikidata), STR(wd:)) }
               } GROUP BY ?actor ?type ?label ?wikidata ORDER BY ?actor"""
        )
        actors = {}
        for row in rows:
            actor_id = local_name(row.actor, ACTOR)
            actors[actor_id] = Actor(
                id=actor_id,
                label=str(row.label or actor_id),
                type=local_name(row.type, str(KGO)),
                aliases=tuple(sorted(a for a in str(row.aliases or "").split("\x1f") if a)),
                wikidata=local_name(row.wikidata, WD) if row.wikidata else None,
                where=Where(self.location),
            )
        return list(actors.values())

    def sources(self, ids: Iterable[str] | None = None) -> list[Source]:
        """Every source, or only those of ``ids`` that exist: a small load into a store of
        200k sources reads the few it names (reading them all takes half a minute)."""
        values = ""
        if ids is not None:
            wanted = sorted(i for i in set(ids) if ID_PATTERN.match(i))  # anything else is no source id
            if not wanted:
                return []
            values = "VALUES ?source { " + " ".join(str(to_ox(SOURCE[i])) for i in wanted) + " }"
        rows = self.query(
            f"""SELECT ?source (SAMPLE(?t) AS ?title) (SAMPLE(?p) AS ?publisher) (SAMPLE(?u) AS ?url)
                      (SAMPLE(?d) AS ?date) WHERE {{ {values}
                 ?source a kgo:Source .
                 OPTIONAL {{ ?source dcterms:title ?t }} OPTIONAL {{ ?source dcterms:publisher ?p }}
                 OPTIONAL {{ ?source schema:url ?u }} OPTIONAL {{ ?source dcterms:date ?d }}
               }} GROUP BY ?source ORDER BY ?source"""
        )
        return [
            Source(
                id=local_name(row.source, SOURCE),
                title=str(row.title or ""),
                publisher=_str(row.publisher),
                url=_str(row.url),
                date=row.date.toPython() if row.date is not None else None,
                where=Where(self.location),
            )
            for row in rows
        ]

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
                self._update(" ;\n".join(parts))
            return
        with self.bulk_writer(graphs) as out:
            for graph, triples in graphs.items():
                name = graph.n3()
                out.writelines(f"{s.n3()} {p.n3()} {o.n3()} {name} .\n" for s, p, o in triples)

    @contextmanager
    def bulk_writer(self, graphs: Iterable[URIRef]) -> Iterator[TextIO]:
        """A file for the N-Quads of ``graphs``; when the block ends without an error, they
        replace those graphs through Oxigraph's bulk loader, all or nothing. An error in the
        block throws the file away and changes nothing.

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
            if set(self.data_graphs()) & set(graphs):
                self._replace(graphs, nquads)
            else:
                self._oxigraph.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError, RuntimeError, ValueError) as err:
            raise KgError(f"bulk loading failed, nothing was changed: {err}", path=self.location) from None
        finally:
            if folder is None or not (folder / JOURNAL).exists():  # else the journal still needs it
                nquads.unlink(missing_ok=True)

    def _replace(self, graphs: list[URIRef], nquads: Path) -> None:
        """Replace loaded graphs by the content of an N-Quads file, all or nothing even
        under ``kill -9``.

        Oxigraph's bulk loader only adds, so the old content goes first, in a transaction
        of its own. A journal written (and synced) before it names the graphs and the file:
        an open that finds it finishes the replacement (``_finish_replacement``), and no
        read can open the store in between (``StoreLock``). A crash thus leaves the old
        version (killed before the journal) or the new one, never neither.
        """
        if self.location == MEMORY:  # nothing outlives a crash there
            _apply_replacement(self._oxigraph, graphs, nquads)
            return
        journal = _write_journal(Path(self.location), graphs, nquads)
        try:
            _drop(self._oxigraph, graphs)
        except (OSError, SyntaxError, RuntimeError, ValueError):
            journal.unlink()  # the transaction failed: nothing was changed
            raise
        try:
            self._oxigraph.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError, RuntimeError, ValueError) as err:
            raise KgError(
                f"bulk loading failed after the old content was removed: {err}; the next kg command on this store loads it again",
                path=self.location,
            ) from None
        journal.unlink()

    def drop_graph(self, graph: URIRef) -> None:
        self.drop_graphs([graph])

    def drop_graphs(self, graphs: Iterable[URIRef]) -> None:
        """Remove these graphs, all in one transaction: a failure or a crash drops none."""
        self._writable()
        drops = [f"DROP SILENT GRAPH {to_ox(graph)}" for graph in sorted(set(graphs))]  # to_ox: checked IRIs
        if drops:
            self._update(" ;\n".join(drops))

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

    def install_ontology(self) -> None:
        """Keep the ontology graph and the format version current (cheap when they are)."""
        from kg.ontology import load_ontology

        ontology = load_ontology().graph
        version = ontology.value(URIRef(str(KGO).rstrip("#")), OWL.versionInfo)
        installed = self.query(
            "ASK { GRAPH ?g { ?o owl:versionInfo ?v } }", {"g": ONTOLOGY_GRAPH, "o": URIRef(str(KGO).rstrip("#")), "v": version}
        ).askAnswer
        if not installed:
            meta = [(STORE_NODE, RDF.type, KGO.Store), (STORE_NODE, KGO.formatVersion, Literal(FORMAT_VERSION))]
            self.replace_graphs({ONTOLOGY_GRAPH: set(ontology), META_GRAPH: meta})

    def format_version(self) -> int | None:
        rows = list(self.query("SELECT ?v ?g ?s WHERE { GRAPH ?g { ?s kgo:formatVersion ?v } }", {"g": META_GRAPH, "s": STORE_NODE}))
        return int(rows[0].v) if rows else None

    def close(self) -> None:
        """Release the store (and its lock) now, not whenever the garbage collector runs.

        pyoxigraph has no explicit close: the database closes when the last reference
        goes, and query result iterators held in rdflib's reference cycles keep one alive.
        """
        self.dataset.close()
        gc.collect()
        if self._lock is not None:  # only now: the writer's files are closed
            self._lock.release()
            self._lock = None


Store = KgStore  # placeholder: becomes the declared store interface (typing.Protocol)


def open_store(location: str | os.PathLike | None = None, *, read_only: bool = False) -> KgStore:
    """Open the store at ``location``: a folder (created on first write), ``:memory:``, or the
    URL of a SPARQL 1.1 server (``http(s)://...``, see ``kg.remote``).

    ``None`` means ``$KG_STORE`` or ``.kg`` in the current directory. A folder is locked
    (``StoreLock``) until ``close``: a read sees the store as before or after a load, never
    in between, and waits while one writes.
    """
    location = str(location or os.environ.get("KG_STORE") or DEFAULT_LOCATION)
    if location.startswith(("http://", "https://")):
        from kg.remote import open_remote

        return open_remote(location, read_only=read_only)
    if location == MEMORY:
        store = KgStore(Dataset(store=OxigraphStore(), default_union=True), MEMORY, read_only=False)
        store.install_ontology()
        return store
    path = Path(location)
    _check_folder(path, read_only)
    lock = _lock_for_reading(path) if read_only else StoreLock(path, exclusive=True)
    try:
        if not read_only:
            _finish_replacement(path)
            _remove_orphans(path)
        oxigraph = _open_oxigraph(path, read_only)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    store = KgStore(Dataset(store=OxigraphStore(store=oxigraph), default_union=True), location, read_only, lock)
    try:
        check_format(store, store.format_version())
        if not read_only:
            store.install_ontology()
    except BaseException:
        store.close()
        raise
    return store


@contextmanager
def read_snapshot(location: str | os.PathLike) -> Iterator[ox.Store]:
    """The pyoxigraph store of a store folder, read-only and locked as ``open_store`` does,
    for code that queries pyoxigraph directly (``kg serve``); the lock goes with the block."""
    store = open_store(location, read_only=True)
    try:
        yield store._oxigraph
    finally:
        store.close()


class StoreLock:
    """Our own lock on a store folder: shared by readers, exclusive for a writer.

    Oxigraph's read-only opens take no lock, and one that races a writer reading the
    folder's files (its open moving the write-ahead log into table files, a bulk load's
    ingestion, a compaction) can see an empty or partial store without any error: measured,
    half of the runs of a reader loop during a small ``kg load`` saw 0 quads. So a writer
    holds ``kg.lock`` exclusively for as long as it has the store open, and a reader holds
    it shared from before its open until it closes the store (an open snapshot stayed
    readable when a writer compacted its files away, but RocksDB opens table files lazily
    beyond 16 per column family when file handles are limited, so that is not promised).

    ``kg.gate`` keeps a steady stream of readers (``kg serve``) from keeping a writer out
    forever: a writer takes it exclusively before waiting for the readers to leave, a
    reader takes it shared only on its way in. Each wait is bounded by ``$KG_LOCK_WAIT``
    seconds (``LOCK_WAIT``) and said on stderr; the locks go when the process does.
    """

    def __init__(self, folder: Path, exclusive: bool) -> None:
        self.folder = folder
        self.exclusive = exclusive
        self._files: list[int] = []
        deadline = time.monotonic() + _lock_wait()
        try:
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            self._take(GATE_FILE, mode, deadline)
            self._take(LOCK_FILE, mode, deadline)
            if not exclusive:  # a reader is in: let the next writer queue up
                os.close(self._files.pop(0))
        except BaseException:
            self.release()
            raise

    def _take(self, name: str, mode: int, deadline: float) -> None:
        try:
            fd = os.open(self.folder / name, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise KgError(f"cannot lock the store: {err.strerror}", path=str(self.folder / name)) from None
        self._files.append(fd)
        said = False
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise self._busy() from None
                if not said:
                    print(f"kg: {self._waiting()} (up to {_lock_wait():g} s; KG_LOCK_WAIT)", file=sys.stderr, flush=True)
                    said = True
                time.sleep(0.05)

    def _waiting(self) -> str:
        if self.exclusive:
            return f"waiting for the other kg processes using {self.folder} (a load or reads) to finish"
        return f"waiting for a load into {self.folder} to finish"

    def _busy(self) -> KgError:
        if self.exclusive:
            message = "the store is in use by another kg process (a load, or a long read); try again when it ends"
        else:
            message = "the store is being written (a load is running); try again when it ends"
        return KgError(message, path=str(self.folder))

    def release(self) -> None:
        """Let the others in (closing the files releases their locks); idempotent."""
        while self._files:
            os.close(self._files.pop())


def _lock_wait() -> float:
    text = os.environ.get("KG_LOCK_WAIT")
    if text is None:
        return LOCK_WAIT
    try:
        wait = float(text)
    except ValueError:
        wait = -1.0
    if not 0 <= wait < float("inf"):
        raise KgError(f"KG_LOCK_WAIT must be a number of seconds, not {text!r}")
    return wait


def _lock_for_reading(path: Path) -> StoreLock | None:
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
        _remove_orphans(path, reading=True)
    return lock


def _finish_interrupted_load(path: Path) -> None:
    """For a reader that found a re-load's journal: finish it as a writer would, or refuse
    (the store without the files of that load is no answer)."""
    try:
        lock = StoreLock(path, exclusive=True)
    except KgError as err:
        raise KgError(f"a load into this store was interrupted and must be finished before it can be read: {err}", path=str(path)) from None
    try:
        _finish_replacement(path)
    finally:
        lock.release()


def _write_journal(folder: Path, graphs: list[URIRef], nquads: Path) -> Path:
    """Record a replacement durably: written whole, synced, then renamed into place."""
    entry = {"graphs": [str(g) for g in graphs], "nquads": nquads.name}
    return write_atomic(folder / JOURNAL, json.dumps(entry))


def _apply_replacement(oxigraph: ox.Store, graphs: Iterable[URIRef | str], nquads: Path) -> None:
    """Drop the graphs, then bulk-load the file: running it again gives the same store."""
    _drop(oxigraph, graphs)
    oxigraph.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)


def _drop(oxigraph: ox.Store, graphs: Iterable[URIRef | str]) -> None:
    drops = [f"DROP SILENT GRAPH {ox.NamedNode(str(graph))}" for graph in graphs]
    if drops:
        oxigraph.update(" ;\n".join(drops))  # one transaction


def _finish_replacement(folder: Path) -> None:
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
    oxigraph = _open_oxigraph(folder, read_only=False)
    try:
        _apply_replacement(oxigraph, graphs, nquads)
    except (OSError, SyntaxError, RuntimeError, ValueError) as err:
        return str(err)
    finally:
        del oxigraph
        gc.collect()
    return None


def check_format(store: KgStore, version: int | None) -> None:
    """Refuse a store whose layout this kg cannot read: newer, or older with data in it."""
    if version is not None and version > FORMAT_VERSION:
        raise KgError(f"this store has format version {version}; this kg reads up to {FORMAT_VERSION}: upgrade kg", path=store.location)
    if version is not None and version < FORMAT_VERSION and store.data_graphs():
        raise KgError(
            f"this store has format version {version}, from an older kg; this one needs {FORMAT_VERSION}: "
            "make it again (remove it, then kg load your files)",
            path=store.location,
        )


def _remove_orphans(path: Path, reading: bool = False) -> None:
    """Delete what a killed load left behind (its N-Quads file, the bulk loader's
    ``bulk-*.sst`` files): nothing references them, and they can be hundreds of MiB.

    Safe because the caller holds the store's lock (write or read): no kg writer is alive.
    A reader without the right to delete them says they are there instead."""
    left = []
    for pattern in ORPHAN_PATTERNS:
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


def _check_folder(path: Path, read_only: bool) -> None:
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


def _open_oxigraph(path: Path, read_only: bool) -> ox.Store:
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


def short_syntax_error(message: str, shift: int = 0) -> str:
    """Oxigraph's syntax error, short: where and what, without the list of every token it
    expected (hundreds of characters over several lines). ``shift`` moves first-line columns
    back by the text a caller put before the user's query (a remote store's prefixes)."""

    def column(match: re.Match) -> str:
        number = int(match.group(1))
        return f"error at 1:{number - shift}" if number > shift else match.group(0)

    first = message.splitlines()[0] if message else message
    first = re.sub(r"error at 1:(\d+)", column, first)
    return re.sub(r":? expected one of .*", ": unexpected text or end of query", first)


def _str(value: object) -> str | None:
    return str(value) if value is not None else None
