"""A kg store on a remote SPARQL 1.1 server: Oxigraph server, Apache Jena Fuseki, GraphDB, ...

``RemoteStore`` implements the ``kg.store.Store`` interface over the SPARQL 1.1 Protocol
(``kg.store.http``); the reads every backend shares (``actors``, ``sources``, the
ontology's upkeep: ``kg.store.reads``) and the queries of ``kg.query`` and
``kg.projection`` run unchanged on top of it, so every command gives the same answers as
on the embedded store. Inference needs nothing from the server: the loader materialises
it (inverses, roll-ups, symmetric mirrors).

Where this differs from rdflib's ``SPARQLStore``, on purpose:

- every request has a connect timeout and a total deadline, and every failure (refused
  connection, HTTP error, HTML instead of results, a timeout, an answer that does not
  fit the query: ``kg.store.answers``) is one ``KgError`` line;
- bound values are sent as a ``VALUES`` block of N-Triples terms serialised by pyoxigraph
  (which rejects malformed IRIs), never as text pasted from a source;
- credentials come from the environment only, and no message ever contains them.

Writes: one update request replaces all the graphs of a load (atomic on Oxigraph,
Fuseki and GraphDB). A load bigger than ``KG_STORE_BATCH`` triples goes in batches
per graph; if one fails the error says which files were written, partly written and
not written, and loading the same files again converges (statement ids are content
hashes and each graph's first batch drops what the file loaded before). Afterwards one
query checks that the data arrived: a success status alone proves little.

Configuration (environment):

``KG_QUERY_URL`` / ``KG_UPDATE_URL``
    The endpoints; default ``STORE/query`` and ``STORE/update`` (Oxigraph server).
``KG_STORE_USER`` / ``KG_STORE_PASSWORD``
    HTTP basic authentication.
``KG_STORE_TIMEOUT`` / ``KG_STORE_CONNECT_TIMEOUT``
    Seconds a request may take in all (default 60), and to connect (default 5).
``KG_STORE_BATCH``
    Triples per update request (default 50000); smaller loads are one request.

The server must show the union of its named graphs as the default graph, as the
embedded store does (``oxigraph serve --union-default-graph``, Fuseki's
``tdb2:unionDefaultGraph``; GraphDB does by default); ``open_remote`` checks it.
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
from kg.sparqltext import sparql_code, to_ox, with_values
from kg.store import reads
from kg.store.answers import ACCEPT, RESULT_FORMATS, Unexpected, protocol_results, quad, rdflib_result, solution_rows
from kg.store.common import STORE_NODE, check_format, file_label, short_syntax_error
from kg.store.http import Endpoint, Failed, Http, one_line, public
from kg.store.interface import Results

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

    def __repr__(self) -> str:
        return f"RemoteStore({self.location!r}, read_only={self.read_only})"

    # -- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Result:
        """Run SPARQL on the server over the union of all graphs; ``bindings`` are bound values."""
        media_type, body = self._ask(sparql, bindings)
        result = self._read(media_type, lambda: rdflib_result(sparql, media_type, body))
        if result is None:
            raise self._not_sparql(media_type)
        return result

    def texts(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Iterator[dict[str, str | None]]:
        """SELECT rows as lexical strings, as the embedded store gives them."""
        for row in self.solutions(sparql, bindings):
            yield {name: (None if term is None else term.value) for name, term in row.items()}

    def solutions(self, sparql: str, bindings: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        """SELECT rows as pyoxigraph terms (no rdflib conversion: for bulk reads)."""
        media_type, body = self._ask(sparql, bindings, accept="application/sparql-results+json")
        if media_type not in RESULT_FORMATS:
            raise KgError(f"the server answered with {media_type or 'no media type'}, not SPARQL results", path=self._query_url)
        return self._read(media_type, lambda: solution_rows(sparql, media_type, body))

    def results(self, sparql: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> Results:
        """The query as the SPARQL Protocol runs it, answered by the server (see ``kg.store.Store``);
        the dataset parameters go to the server as the protocol's."""
        dataset = {"default-graph-uri": list(default_graphs), "named-graph-uri": list(named_graphs)}
        try:
            for iri in (*dataset["default-graph-uri"], *dataset["named-graph-uri"]):
                ox.NamedNode(iri)
        except ValueError as err:
            raise KgError(f"not a graph IRI: {err}") from None
        media_type, body = self._ask(sparql, None, params={name: iris for name, iris in dataset.items() if iris})
        answer = self._read(media_type, lambda: protocol_results(sparql, media_type, body))
        if answer is None:
            raise self._not_sparql(media_type)
        return answer

    def quads(self, graph: URIRef | str | None = None) -> list[ox.Quad]:
        """Every quad of one named graph, or of every named graph (``None``)."""
        bound = {} if graph is None else {"g": URIRef(str(graph))}
        quads = [quad(row) for row in self.solutions("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", bound)]
        if None in quads:
            raise KgError(
                "the server answered a quad with a part unbound or of the wrong kind (a literal subject or graph, ...)",
                path=self._query_url,
            )
        return quads

    def data_graphs(self) -> list[URIRef]:
        """The named graphs of loaded files (not the ontology or meta graphs)."""
        rows = self.solutions("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        graphs = (URIRef(row["g"].value) for row in rows if isinstance(row["g"], ox.NamedNode))
        return sorted(g for g in graphs if g not in (ONTOLOGY_GRAPH, META_GRAPH))

    def has_actor(self, actor_id: str) -> bool:
        return reads.has_actor(self, actor_id)

    def actors(self) -> list[Actor]:
        return reads.actors(self)

    def sources(self, ids: Iterable[str] | None = None) -> list[Source]:
        return reads.sources(self, ids)

    def format_version(self) -> int | None:
        return reads.format_version(self)

    def _ask(self, sparql: str, bindings, accept: str = ACCEPT, params: Mapping[str, list[str]] | None = None) -> tuple[str, bytes]:
        query = with_values(sparql, bindings or {})
        text = with_prefixes(query)
        try:
            return self._http.post(self.endpoint.query_url, data={"query": text, **(params or {})}, headers={"Accept": accept})
        except Failed as failure:
            if failure.status == 400:
                reason = short_syntax_error(failure.reason, len(text) - len(query))
                raise KgError(f"the server refused the query: {reason}", path=self._query_url) from None
            raise KgError(f"query failed: {failure.reason}", path=self._query_url) from None

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
        """Replace the content of each named graph: one update request (one transaction) when
        the load has at most ``KG_STORE_BATCH`` triples, else batches per graph."""
        self._writable()
        plan = [(graph, _ntriples(ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples)) for graph, triples in graphs.items()]
        self._write(plan)

    @contextmanager
    def bulk_writer(self, graphs: Iterable[URIRef]) -> Iterator[TextIO]:
        """A file for the N-Quads of ``graphs``; when the block ends without an error they
        replace those graphs as ``replace_graphs`` does (an error in the block changes nothing)."""
        self._writable()
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="kg-load-", suffix=".nq") as out:
            yield out.file
            out.flush()
            try:
                triples = _triples_by_graph(out.name, graphs)
            except (SyntaxError, ValueError) as err:
                raise KgError(f"bulk loading failed, nothing was changed: {err}", path=self.location) from None
        self._write([(graph, _ntriples(group)) for graph, group in triples.items()])

    def _write(self, plan: list[tuple[URIRef, list[str]]]) -> None:
        if not plan:
            return
        if sum(len(lines) for _, lines in plan) <= self.endpoint.batch:
            self._update(" ;\n".join(_replace(graph, lines) for graph, lines in plan))
        else:
            self._write_in_batches(plan)
        self._check_written([graph for graph, lines in plan if lines])

    def _check_written(self, graphs: list[URIRef]) -> None:
        """Servers answer updates differently (204, or 200 with an HTML page), so a URL that is no
        update endpoint at all can look like success: check that the graphs are there."""
        if not graphs:
            return
        values = " ".join(str(to_ox(graph)) for graph in graphs)
        rows = self.solutions(f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}")
        if rows:
            raise KgError(
                "the server accepted the update but the data is not there: is KG_UPDATE_URL the SPARQL update endpoint?",
                path=self._update_url,
            )

    def _write_in_batches(self, plan: list[tuple[URIRef, list[str]]]) -> None:
        size = self.endpoint.batch
        for index, (graph, lines) in enumerate(plan):
            parts = [lines[start : start + size] for start in range(0, len(lines), size)] or [[]]
            for number, part in enumerate(parts, 1):
                update = _replace(graph, part) if number == 1 else _insert(graph, part)
                try:
                    self._http.post(self.endpoint.update_url, content=update.encode("utf-8"), headers=_UPDATE_HEADERS)
                except Failed as failure:
                    raise KgError(_batch_failure(failure, plan, index, number, len(parts), size), path=self._update_url) from None

    def drop_graph(self, graph: URIRef) -> None:
        self.drop_graphs([graph])

    def drop_graphs(self, graphs: Iterable[URIRef]) -> None:
        """Remove named graphs in one update request: the server drops all of them or none."""
        self._writable()
        drops = [f"DROP SILENT GRAPH {to_ox(graph)}" for graph in graphs]
        if drops:
            self._update(" ;\n".join(drops))

    def install_ontology(self) -> None:
        reads.install_ontology(self)

    def _update(self, update: str) -> None:
        """One SPARQL update request: the server applies it as one transaction."""
        try:
            self._http.post(self.endpoint.update_url, content=update.encode("utf-8"), headers=_UPDATE_HEADERS)
        except Failed as failure:
            outcome = "it may or may not have been applied: run the command again" if failure.maybe_applied else "nothing was changed"
            raise KgError(f"writing to the store failed, {outcome}: {failure.reason}", path=self._update_url) from None

    def _writable(self) -> None:
        if self.read_only:
            raise KgError("the store was opened read-only", path=self.location)

    @property
    def _update_url(self) -> str:
        return public(self.endpoint.update_url)

    # -- the store's lifetime -------------------------------------------------------------------

    def check_dataset(self, required: bool) -> None:
        """Check the format version and that the default graph is the union of the named graphs.

        ``required``: a store with no kg data yet is an error (read-only commands).
        """
        rows = self.solutions(
            f"""SELECT ?named ?union WHERE {{
                  OPTIONAL {{ GRAPH {to_ox(META_GRAPH)} {{ {to_ox(STORE_NODE)} {to_ox(KGO.formatVersion)} ?named }} }}
                  OPTIONAL {{ {to_ox(STORE_NODE)} {to_ox(KGO.formatVersion)} ?union }} }}"""
        )
        named = rows[0]["named"] if rows else None  # both variables are there: solutions() checks
        if named is None:
            if required:
                raise KgError("no kg data on this server yet; load data first with `kg --store URL load FILE`", path=self.location)
            return
        if rows[0]["union"] is None:
            raise KgError(
                "the server's default graph is not the union of its named graphs, which kg needs: start Oxigraph with "
                "`oxigraph serve --union-default-graph`, set tdb2:unionDefaultGraph in Fuseki (see the README)",
                path=self.location,
            )
        if not (isinstance(named, ox.Literal) and re.fullmatch(r"[0-9]{1,9}", named.value)):
            raise KgError(f"the server's kg format version is {one_line(str(named), 80)}, not a whole number", path=self._query_url)
        check_format(self, int(named.value))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_remote(location: str, *, read_only: bool = False, environ: Mapping[str, str] | None = None) -> RemoteStore:
    """Open the kg store on the SPARQL server at ``location`` (``http(s)://...``).

    Writable opens install the ontology graph (as on the embedded store); every open checks
    that the server answers, speaks SPARQL, shows the union default graph and holds a
    format this kg reads. Read-only opens of a server without kg data are an error.
    """
    endpoint = Endpoint.from_location(location, environ)
    store = RemoteStore(endpoint, location.rstrip("/"), read_only)
    try:
        if not read_only:
            store.check_dataset(required=False)
            store.install_ontology()
        store.check_dataset(required=read_only)
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


def _ntriples(triples: Iterable[ox.Triple]) -> list[str]:
    """Triples as N-Triples lines (valid inside ``INSERT DATA``), in a stable order."""
    triples = list(triples)
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
    return sorted(text.splitlines())


def _triples_by_graph(nquads: str, graphs: Iterable[URIRef]) -> dict[URIRef, list[ox.Triple]]:
    """The triples of an N-Quads file by graph, with an empty list for each of ``graphs``."""
    triples: dict[URIRef, list[ox.Triple]] = {graph: [] for graph in sorted(set(graphs))}
    for q in ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS):
        if not isinstance(q.graph_name, ox.NamedNode):
            raise ValueError(f"a quad outside a named graph: {q}")
        triples.setdefault(URIRef(q.graph_name.value), []).append(ox.Triple(q.subject, q.predicate, q.object))
    return triples


def _replace(graph: URIRef, lines: list[str]) -> str:
    return f"DROP SILENT GRAPH {to_ox(graph)} ;\n" + _insert(graph, lines)


def _insert(graph: URIRef, lines: list[str]) -> str:
    body = "\n".join(lines)
    return f"INSERT DATA {{ GRAPH {to_ox(graph)} {{\n{body}\n}} }}"


def _batch_failure(failure: Failed, plan: list, index: int, number: int, parts: int, size: int) -> str:
    """Say what a failed batched load wrote: the files done, the one cut short, the files not started."""

    def names(graphs: list) -> str:
        shown = ", ".join(file_label(graph) for graph, _ in graphs[:3])
        return (shown + (f" and {len(graphs) - 3} more" if len(graphs) > 3 else "")) or "none"

    current = file_label(plan[index][0])
    cut = "may or may not have been written" if failure.maybe_applied else "was not written"
    partly = f"parts 1-{number - 1} of {parts} written, part {number} {cut}" if number > 1 else f"part 1 of {parts} {cut}"
    return (
        f"writing to the store failed ({failure.reason}); the load had more than KG_STORE_BATCH={size} triples, so it went "
        f"in batches: written: {names(plan[:index])}; {current}: {partly}; not written: {names(plan[index + 1 :])}. "
        "Load the same files again to complete it"
    )
