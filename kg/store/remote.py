"""A kg store on a remote SPARQL 1.1 server: Virtuoso, Oxigraph server, Apache Jena Fuseki, GraphDB, ...

``RemoteStore`` implements the ``kg.store.Store`` interface over the SPARQL 1.1 Protocol
(``kg.store.http``); the reads every backend shares (``actors``, ``sources``, the
ontology's upkeep: ``kg.store.reads``) and the queries of ``kg.query`` and
``kg.projection`` run unchanged on top of it, so every command gives the same answers as
on the embedded store. Inference needs nothing from the server: the loader materialises
it (inverses, roll-ups, symmetric mirrors).

No server configuration is needed: every query names its dataset, the graphs the store's
record shows (``default-graph-uri`` and ``named-graph-uri``, as the protocol says), so the
server's own default graph (empty on Oxigraph and Fuseki, every graph on Virtuoso) is never
read. A query naming its own dataset (``FROM``) runs over that.

Where this differs from rdflib's ``SPARQLStore``, on purpose:

- every request has a connect timeout and a total deadline, and every failure (refused
  connection, HTTP error, HTML instead of results, a timeout, an answer that does not
  fit the query: ``kg.store.answers``) is one ``KgError`` line;
- never a silent partial answer: a SELECT answer the server cut at its row limit
  (Virtuoso's ``X-SPARQL-MaxRows``) is asked again page by page, in a total order; a
  graph answer that may have been cut, or one cut at a time limit, is an error;
- bound values are sent as ``VALUES`` blocks of N-Triples terms serialised by pyoxigraph
  (which rejects malformed IRIs), one per variable (Virtuoso fails on a block of several
  compared in a ``COALESCE``), never as text pasted from a source;
- credentials come from the environment only, and no message ever contains them.

Writes go through staging graphs and a switch, all or nothing also when they take many
requests: see ``kg.store.staging``.

Configuration (environment):

``KG_QUERY_URL`` / ``KG_UPDATE_URL``
    The endpoints; default ``STORE/query`` and ``STORE/update`` (Oxigraph server, Fuseki),
    or ``STORE`` itself when it ends in ``/sparql`` (Virtuoso, Neptune).
``KG_STORE_USER`` / ``KG_STORE_PASSWORD`` / ``KG_STORE_AUTH``
    HTTP authentication, ``basic`` (the default) or ``digest`` (Virtuoso's ``/sparql-auth``).
``KG_STORE_TIMEOUT`` / ``KG_STORE_CONNECT_TIMEOUT``
    Seconds a request may take in all (default 60), and to connect (default 5).
``KG_STORE_BATCH``
    Triples per update request (default 50000).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO, TypeVar

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.query import Result

from kg.errors import KgError
from kg.model import Actor, Source
from kg.namespaces import KGO, META_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kg.output import Progress
from kg.sparqltext import declares_dataset, sparql_code, to_ox, with_values
from kg.store import answers, reads
from kg.store.answers import GRAPH_FORMATS, RESULT_FORMATS, Unexpected
from kg.store.common import STORE_NODE, check_format, short_syntax_error
from kg.store.http import Endpoint, Failed, Http, Reply, one_line, public
from kg.store.interface import Results
from kg.store.staging import RECORD, RECORD_GRAPH, RECORD_QUERY, STAGING, Load, Record, Writer

T = TypeVar("T")
_UPDATE_HEADERS = {"Content-Type": "application/sparql-update; charset=utf-8"}


class RemoteStore:
    """A kg store on a SPARQL 1.1 query + update endpoint pair (see the module's docstring)."""

    streams_bulk_loads = False  # loads go as SPARQL updates (in batches when large) either way

    def __init__(self, endpoint: Endpoint, location: str, read_only: bool) -> None:
        self.endpoint = endpoint
        self.location = location
        self.read_only = read_only
        self._http = Http(endpoint)
        self._writer = Writer(self._post, self._missing, endpoint.batch, endpoint.chunk, public(endpoint.update_url))
        self._record: Record | None = None  # read when first needed (kg.store.staging)
        self._legacy = False  # written before the record existed: its graphs are listed by a scan
        self._cap: int | None = None  # the most rows the server answers, once it said so
        self._whole_below = 1  # graph answers of fewer triples than this are known whole

    def __repr__(self) -> str:
        return f"RemoteStore({self.location!r}, read_only={self.read_only})"

    # -- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Result:
        """Run SPARQL on the server over the store's graphs; ``bindings`` are bound values."""
        reply = self._answer(sparql, bindings)
        result = self._read(reply.media_type, lambda: answers.rdflib_result(sparql, reply.media_type, reply.body))
        if result is None:
            raise self._not_sparql(reply.media_type)
        return result

    def texts(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Iterator[dict[str, str | None]]:
        """SELECT rows as lexical strings, as the embedded store gives them."""
        for row in self.solutions(sparql, bindings):
            yield {name: (None if term is None else term.value) for name, term in row.items()}

    def solutions(self, sparql: str, bindings: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        """SELECT rows as pyoxigraph terms (no rdflib conversion: for bulk reads)."""
        return self._solutions(sparql, bindings)

    def _solutions(self, sparql: str, bindings: Mapping[str, object] | None = None, dataset: bool = True) -> list[dict[str, object]]:
        reply = self._answer(sparql, bindings, dataset=dataset)
        if reply.media_type not in RESULT_FORMATS:
            raise KgError(f"the server answered with {reply.media_type or 'no media type'}, not SPARQL results", path=self._query_url)
        return self._read(reply.media_type, lambda: answers.solution_rows(sparql, reply.media_type, reply.body))

    def results(self, sparql: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> Results:
        """The query as the SPARQL Protocol runs it, answered by the server (see ``kg.store.Store``);
        the dataset parameters go to the server as the protocol's (else the store's graphs)."""
        dataset = {"default-graph-uri": list(default_graphs), "named-graph-uri": list(named_graphs)}
        try:
            for iri in (*dataset["default-graph-uri"], *dataset["named-graph-uri"]):
                ox.NamedNode(iri)
        except ValueError as err:
            raise KgError(f"not a graph IRI: {err}") from None
        given = {name: iris for name, iris in dataset.items() if iris}
        reply = self._answer(sparql, None, params=given or None)
        answer = self._read(reply.media_type, lambda: answers.protocol_results(sparql, reply.media_type, reply.body))
        if answer is None:
            raise self._not_sparql(reply.media_type)
        return answer

    def quads(self, graph: URIRef | str | None = None) -> list[ox.Quad]:
        """Every quad of one graph of the store, or of all of them (``None``)."""
        bound = {} if graph is None else {"g": URIRef(str(graph))}
        quads = [answers.quad(row) for row in self.solutions("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", bound)]
        if None in quads:
            raise KgError(
                "the server answered a quad with a part unbound or of the wrong kind (a literal subject or graph, ...)",
                path=self._query_url,
            )
        return quads

    def data_graphs(self) -> list[URIRef]:
        """The named graphs of loaded files (not the ontology or meta graphs): the record's."""
        return sorted(g for g in self.record().shows if g not in (ONTOLOGY_GRAPH, META_GRAPH))

    def has_actor(self, actor_id: str) -> bool:
        return reads.has_actor(self, actor_id)

    def actors(self) -> list[Actor]:
        return reads.actors(self)

    def sources(self, ids: Iterable[str] | None = None) -> list[Source]:
        return reads.sources(self, ids)

    def format_version(self) -> int | None:
        return reads.format_version(self)

    def counts(self) -> dict:
        """Counted now, every time: other clients of the server may change its data."""
        return reads.count(self)

    def write_id(self) -> str | None:
        """None: other clients of the server may change its data at any time."""
        return None

    def record(self) -> Record:
        """What the store's record graph says, read once (a store is a snapshot while open, as a
        folder is) and kept current by this store's own writes."""
        if self._record is None:
            if self._legacy:
                self._record = Record(shows=set(self._scan()))
            else:
                self._record = Record.from_rows(self._solutions(RECORD_QUERY, dataset=False))
        return self._record

    def _scan(self) -> list[URIRef]:
        """Every named graph but the record and staging ones: for a store written before the record."""
        rows = self._solutions("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False)
        graphs = (URIRef(row["g"].value) for row in rows if isinstance(row["g"], ox.NamedNode))
        return [g for g in graphs if g != RECORD_GRAPH and not g.startswith(STAGING)]

    # -- one answer, whole ----------------------------------------------------------------------

    def _answer(self, sparql: str, bindings, params: Mapping[str, list[str]] | None = None, dataset: bool = True) -> Reply:
        """The server's whole answer: over the store's graphs (unless the query or ``params`` name
        a dataset), a SELECT cut at the server's row limit asked again page by page."""
        query = _bind(sparql, bindings or {})
        text = with_prefixes(query)
        if params is None:
            params = self._dataset() if dataset and not declares_dataset(sparql) else {}
        reply = self._fetch(text, answers.accept(sparql), params, shift=len(text) - len(query))
        cap = answers.row_cap(reply)
        if cap is not None and answers.query_form(sparql) == "SELECT" and reply.media_type in RESULT_FORMATS:
            self._cap = cap
            if self._read(reply.media_type, lambda: answers.row_count(reply)) >= cap:
                reply = self._pages(text, reply, cap, params)
        if reply.media_type in GRAPH_FORMATS:
            self._check_graph_whole(reply)
        return reply

    def _fetch(self, text: str, accept: str, params: Mapping[str, list[str]], shift: int = 0) -> Reply:
        try:
            reply = self._http.post(self.endpoint.query_url, data={"query": text, **params}, headers={"Accept": accept})
        except Failed as failure:
            if failure.status == 400:
                reason = short_syntax_error(failure.reason, shift)
                raise KgError(f"the server refused the query: {reason}", path=self._query_url) from None
            raise KgError(f"query failed: {failure.reason}", path=self._query_url) from None
        self._read(reply.media_type, lambda: answers.check_complete(reply))
        if reply.media_type in ("application/sparql-results+json", "application/json"):
            return Reply(reply.media_type, self._read(reply.media_type, lambda: answers.standard_json(text, reply.body)), reply.headers)
        if reply.media_type in ("application/n-triples", "text/plain"):
            return Reply(reply.media_type, self._read(reply.media_type, lambda: answers.standard_ntriples(reply.body)), reply.headers)
        return reply

    def _pages(self, text: str, first: Reply, cap: int, params: Mapping[str, list[str]]) -> Reply:
        """The answer the server cut at ``cap`` rows, asked again ``cap`` rows at a time."""
        if first.media_type not in ("application/sparql-results+json", "application/json"):
            reason = f"the server cut its answer at {cap} rows and answered {first.media_type}, which kg cannot page"
            raise KgError(reason, path=self._query_url)
        parsed = self._read(first.media_type, lambda: ox.parse_query_results(first.body, RESULT_FORMATS[first.media_type]))
        variables = [variable.value for variable in parsed.variables]
        pages, offset = [], 0
        while True:
            page = self._fetch(answers.page_query(text, variables, cap, offset), answers.ACCEPT, params)
            if page.media_type != first.media_type:
                raise self._not_sparql(page.media_type)
            if pages and page.body == pages[-1].body:  # it would never end
                raise KgError(f"the server cut its answer at {cap} rows and answers each page alike (no OFFSET)", path=self._query_url)
            pages.append(page)
            if self._read(page.media_type, lambda page=page: answers.row_count(page)) < cap:
                return answers.merged_pages(pages, variables)
            offset += cap

    def _check_graph_whole(self, reply: Reply) -> None:
        """Refuse a CONSTRUCT or DESCRIBE answer the server may have cut at its row limit, which
        it does not say for graphs: a probe of as many rows finds the limit."""
        triples = self._read(reply.media_type, lambda: sum(1 for _ in ox.parse(reply.body, GRAPH_FORMATS[reply.media_type])))
        if self._cap is None and triples >= self._whole_below:
            probe = self._fetch(answers.cap_probe(triples + 1), answers.ACCEPT, {})
            self._cap = answers.row_cap(probe)
            if self._cap is None:
                self._whole_below = triples + 1
        if self._cap is not None and triples >= self._cap:
            raise KgError(
                f"the server answers at most {self._cap} rows (Virtuoso: ResultSetMaxRows) and this graph has that many triples, "
                "so it may be cut short: kg shows no partial answer; ask with SELECT (kg pages those) or for fewer triples",
                path=self._query_url,
            )

    def _dataset(self) -> dict[str, list[str]]:
        graphs = self.record().dataset()
        return {"default-graph-uri": graphs, "named-graph-uri": graphs}

    def _read(self, media_type: str, read: Callable[[], T]) -> T:
        """``read()``, its errors about the server's answer made one line naming the server.

        The error is raised outside the ``except``, so that it keeps nothing of the answer
        alive: pyoxigraph's results may only be freed by the thread that made them.
        """
        try:
            return read()
        except (SyntaxError, ValueError) as err:
            reason = f"the server's answer is not valid {media_type}: {one_line(str(err), 120)}"
        except Unexpected as err:
            reason = err.reason
        raise KgError(reason, path=self._query_url)

    def _not_sparql(self, media_type: str) -> KgError:
        return KgError(
            f"the server answered with {media_type or 'no media type'}, not SPARQL results: is this a SPARQL query endpoint? "
            "(set KG_QUERY_URL)",
            path=self._query_url,
        )

    @property
    def _query_url(self) -> str:
        return public(self.endpoint.query_url)

    # -- writing --------------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[tuple]]) -> None:
        """Replace the content of each named graph, all or nothing (``kg.store.staging``)."""
        self._writable()
        triples = {graph: (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in group) for graph, group in graphs.items()}
        self._writer.write(Load.of(triples), self.record())

    @contextmanager
    def bulk_writer(self, graphs: Iterable[URIRef], progress: Progress | None = None) -> Iterator[TextIO]:
        """A file for the N-Quads of ``graphs``; when the block ends without an error they
        replace those graphs as ``replace_graphs`` does (an error in the block changes nothing);
        ``progress`` counts the update requests sent."""
        self._writable()
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="kg-load-", suffix=".nq") as out:
            yield out.file
            out.flush()
            try:
                triples = _triples_by_graph(out.name, graphs)
            except (SyntaxError, ValueError) as err:
                raise KgError(f"bulk loading failed, nothing was changed: {err}", path=self.location) from None
        self._writer.write(Load.of(triples), self.record(), progress)

    def drop_graph(self, graph: URIRef) -> None:
        self.drop_graphs([graph])

    def drop_graphs(self, graphs: Iterable[URIRef]) -> None:
        """Remove named graphs (and what unfinished loads staged for them) in one update request."""
        self._writable()
        self._writer.drop(graphs, self.record())

    def install_ontology(self) -> None:
        reads.install_ontology(self)

    def _missing(self, graphs: list[URIRef]) -> list[URIRef]:
        """Those of ``graphs`` that hold no triple on the server."""
        values = " ".join(str(to_ox(graph)) for graph in graphs)
        query = f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
        return [URIRef(row["g"].value) for row in self._solutions(query, dataset=False) if isinstance(row["g"], ox.NamedNode)]

    def _post(self, update: str) -> None:
        self._http.post(self.endpoint.update_url, content=update.encode("utf-8"), headers=_UPDATE_HEADERS)

    def _writable(self) -> None:
        if self.read_only:
            raise KgError("the store was opened read-only", path=self.location)

    @property
    def _update_url(self) -> str:
        return public(self.endpoint.update_url)

    # -- the store's lifetime -------------------------------------------------------------------

    def check_dataset(self, required: bool) -> None:
        """Check the format version, and whether the store has its record of graphs.

        ``required``: a store with no kg data yet is an error (read-only commands).
        """
        rows = self._solutions(
            f"""SELECT ?named ?listed WHERE {{
                  OPTIONAL {{ GRAPH {to_ox(META_GRAPH)} {{ {to_ox(STORE_NODE)} {to_ox(KGO.formatVersion)} ?named }} }}
                  OPTIONAL {{ GRAPH {to_ox(RECORD_GRAPH)} {{ {to_ox(STORE_NODE)} {to_ox(RECORD.shows)} ?listed }} }} }} LIMIT 1""",
            dataset=False,
        )
        named = rows[0]["named"] if rows else None  # both variables are there: solutions() checks
        if named is None:
            if required:
                raise KgError("no kg data on this server yet; load data first with `kg --store URL load FILE`", path=self.location)
            return
        if not (isinstance(named, ox.Literal) and re.fullmatch(r"[0-9]{1,9}", named.value)):
            raise KgError(f"the server's kg format version is {one_line(str(named), 80)}, not a whole number", path=self._query_url)
        self._legacy = rows[0]["listed"] is None
        check_format(self, int(named.value))

    def tidy(self) -> None:
        """On a writable open: record the graphs of a store written before the record existed,
        and drop staging graphs that were switched in but not dropped."""
        if self._legacy:
            self._writer.adopt(self.record())
            self._legacy = False
        self._writer.tidy(self.record())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_remote(location: str, *, read_only: bool = False, environ: Mapping[str, str] | None = None) -> RemoteStore:
    """Open the kg store on the SPARQL server at ``location`` (``http(s)://...``).

    Writable opens install the ontology graph (as on the embedded store) and tidy up after
    interrupted loads; every open checks that the server answers, speaks SPARQL and holds a
    format this kg reads. Read-only opens of a server without kg data are an error.
    """
    endpoint = Endpoint.from_location(location, environ)
    store = RemoteStore(endpoint, location.rstrip("/"), read_only)
    try:
        store.check_dataset(required=read_only)
        if not read_only:
            store.tidy()
            store.install_ontology()
    except BaseException:
        store.close()
        raise
    return store


# -- SPARQL text ----------------------------------------------------------------------------------


def with_prefixes(query: str) -> str:
    """The project's prefixes declared before the query, on the query's first line (so the
    server's error positions keep their line numbers), except those the query declares.

    Examples
    --------
    >>> with_prefixes("PREFIX kgo: <urn:mine#>\\nASK {}").count("PREFIX kgo:")
    1
    """
    code = sparql_code(query)
    declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", code)}
    prologue = " ".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items() if prefix not in declared)
    return f"{prologue} {query}"


def _bind(query: str, bindings: Mapping[str, object]) -> str:
    """Bound values as one ``VALUES`` block per variable: the same one row as a block of all
    of them, which Virtuoso 7 cannot compile when a ``COALESCE`` compares one of them
    ("ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED")."""
    for name, value in reversed(list(bindings.items())):
        query = with_values(query, {name: value})
    return query


def _triples_by_graph(nquads: str, graphs: Iterable[URIRef]) -> dict[URIRef, list[ox.Triple]]:
    """The triples of an N-Quads file by graph, with an empty list for each of ``graphs``."""
    triples: dict[URIRef, list[ox.Triple]] = {graph: [] for graph in sorted(set(graphs))}
    for q in ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS):
        if not isinstance(q.graph_name, ox.NamedNode):
            raise ValueError(f"a quad outside a named graph: {q}")
        triples.setdefault(URIRef(q.graph_name.value), []).append(ox.Triple(q.subject, q.predicate, q.object))
    return triples
