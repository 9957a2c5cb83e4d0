"""Where triples live: an rdflib ``Dataset`` over Oxigraph (via oxrdflib), on disk or in memory.

``open_store`` is the only place that knows which backend it opened; everything else
talks to ``KgStore``. Reads go through ``Dataset.query`` (executed by Oxigraph, with
user values passed as ``initBindings``, never pasted into the query text); writes are
single SPARQL updates executed by Oxigraph itself, which applies each as one transaction.
"""

from __future__ import annotations

import gc
import os
import re
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

from kg.errors import KgError
from kg.model import ID_PATTERN, Actor, Source, Where
from kg.namespaces import ACTOR, BASE, KGO, META_GRAPH, ONTOLOGY_GRAPH, PREFIXES, SOURCE, WD, local_name
from kg.sparqltext import to_ox, with_values

#: Layout version of a store; bumped when the RDF layout changes incompatibly.
FORMAT_VERSION = 2  # 2: statements carry kgo:dyad
STORE_NODE = URIRef(BASE + "store")
MEMORY = ":memory:"
#: From this many triples on, a load goes through Oxigraph's bulk loader (see replace_graphs).
BULK_TRIPLES = 200_000
#: Names of the temporary files a load leaves in the store folder if it is killed.
LOAD_FILE_PREFIX = "kg-load-"
ORPHAN_PATTERNS = ("bulk-*.sst", LOAD_FILE_PREFIX + "*.nq")
DEFAULT_LOCATION = ".kg"


PREFIX_TEXTS = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


class KgStore:
    """A kg store: the data graphs (one per loaded file), the ontology graph and a meta graph."""

    #: Large loads stream N-Quads to the bulk loader (``bulk_writer``); a remote store has none.
    streams_bulk_loads = True

    def __init__(self, dataset: Dataset, location: str, read_only: bool) -> None:
        self.dataset = dataset
        self.location = location
        self.read_only = read_only
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace)

    @property
    def _oxigraph(self) -> ox.Store:
        return self.dataset.store._inner

    # -- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None):
        """Run SPARQL in Oxigraph over the union of all graphs; ``bindings`` are bound values."""
        try:
            return self.dataset.query(with_values(sparql, bindings or {}))
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

        Re-loading files already loaded first removes their old content in a transaction of
        its own: a crash between the two leaves them unloaded (loading again repairs it).
        The file sits in the store folder, so a killed load leaves it where the next
        writer removes it. ``lenient``: the loader builds every IRI from checked ids, and
        skipping Oxigraph's re-validation saves a sixth of the bulk load.
        """
        self._writable()
        folder = Path(self.location) if self.location != MEMORY else None
        out = tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix=LOAD_FILE_PREFIX, suffix=".nq", dir=folder, delete=False)
        try:
            with out:
                yield out.file  # the file itself: the wrapper's write costs as much again per line
            loaded = set(self.data_graphs()) & set(graphs)
            if loaded:
                self._update(" ;\n".join(f"DROP SILENT GRAPH {graph.n3()}" for graph in sorted(loaded)))
            self._oxigraph.bulk_load(path=out.name, format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError, RuntimeError, ValueError) as err:
            raise KgError(f"bulk loading failed, nothing was changed: {err}", path=self.location) from None
        finally:
            Path(out.name).unlink(missing_ok=True)

    def drop_graph(self, graph: URIRef) -> None:
        self._writable()
        self._update(f"DROP SILENT GRAPH {graph.n3()}")

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


def open_store(location: str | os.PathLike | None = None, *, read_only: bool = False) -> KgStore:
    """Open the store at ``location``: a folder (created on first write), ``:memory:``, or the
    URL of a SPARQL 1.1 server (``http(s)://...``, see ``kg.remote``).

    ``None`` means ``$KG_STORE`` or ``.kg`` in the current directory. Read-only opens
    take no lock, so queries work while a load is writing.
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
    oxigraph = _open_oxigraph(path, read_only)
    store = KgStore(Dataset(store=OxigraphStore(store=oxigraph), default_union=True), location, read_only)
    check_format(store, store.format_version())
    if not read_only:
        _remove_orphans(path)
        store.install_ontology()
    return store


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


def _remove_orphans(path: Path) -> None:
    """Delete what a killed load left behind (its N-Quads file, the bulk loader's
    ``bulk-*.sst`` files): nothing references them, and they can be hundreds of MiB.
    Safe because the caller holds the store's write lock."""
    for pattern in ORPHAN_PATTERNS:
        for orphan in path.glob(pattern):
            orphan.unlink(missing_ok=True)


def _check_folder(path: Path, read_only: bool) -> None:
    if path.exists() and not path.is_dir():
        raise KgError("not a kg store: this is a file, not a folder", path=str(path))
    if read_only and not (path / "CURRENT").exists():
        raise KgError("no kg store here yet; load data first with `kg load FILE`", path=str(path))
    if path.is_dir() and any(path.iterdir()) and not (path / "CURRENT").exists():
        raise KgError("not a kg store: the folder holds other files", path=str(path))


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
