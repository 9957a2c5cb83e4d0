"""A kg store on a remote SPARQL 1.1 server: Oxigraph server, Apache Jena Fuseki, GraphDB, ...

``RemoteStore`` is a ``KgStore`` whose primitives (``query``, ``replace_graphs``,
``drop_graphs``, ``data_graphs``, ``close``) speak the SPARQL 1.1 Protocol over HTTP;
everything else (``actors``, ``sources``, ``install_ontology``, the queries of
``kg.query`` and ``kg.projection``) runs unchanged on top of them, so every command
gives the same answers as on the embedded store. Inference needs nothing from the
server: the loader materialises it (inverses, roll-ups, symmetric mirrors).

Where this differs from rdflib's ``SPARQLStore``, on purpose:

- every request has a connect timeout and a total deadline, and every failure (refused
  connection, HTTP error, HTML instead of results, a timeout) is one ``KgError`` line;
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

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result

from kg import __version__
from kg.errors import KgError
from kg.namespaces import KGO, META_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kg.sparqltext import sparql_code, to_ox, with_values
from kg.store import STORE_NODE, KgStore, check_format, short_syntax_error

DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_BATCH = 50_000
T = TypeVar("T")

#: What we ask for: SELECT/ASK results as JSON, CONSTRUCT/DESCRIBE graphs as N-Triples.
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, application/sparql-results+xml;q=0.5"
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # the old N-Triples media type
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


# -- configuration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach a SPARQL server; built from the store URL and the environment."""

    query_url: str
    update_url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    batch: int = DEFAULT_BATCH

    @classmethod
    def from_location(cls, location: str, environ: Mapping[str, str] | None = None) -> Endpoint:
        """``http://host:7878`` -> query ``http://host:7878/query``, update ``.../update``, unless
        ``KG_QUERY_URL`` / ``KG_UPDATE_URL`` say otherwise."""
        env = os.environ if environ is None else environ
        base = _check_url(location, "--store").rstrip("/")
        user, password = env.get("KG_STORE_USER") or None, env.get("KG_STORE_PASSWORD") or None
        if bool(user) != bool(password):
            raise KgError("set both KG_STORE_USER and KG_STORE_PASSWORD, or neither", field="KG_STORE_USER")
        return cls(
            query_url=_check_url(env.get("KG_QUERY_URL") or base + "/query", "KG_QUERY_URL"),
            update_url=_check_url(env.get("KG_UPDATE_URL") or base + "/update", "KG_UPDATE_URL"),
            user=user,
            password=password,
            timeout=_positive(env, "KG_STORE_TIMEOUT", DEFAULT_TIMEOUT, float),
            connect_timeout=_positive(env, "KG_STORE_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT, float),
            batch=_positive(env, "KG_STORE_BATCH", DEFAULT_BATCH, int),
        )


def _check_url(url: str, name: str) -> str:
    """An http(s) URL with a host and no credentials in it (they would be echoed in messages)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError(f"not an http(s) URL of a SPARQL endpoint: {_public(url)!r}", field=name)
    if parts.username or parts.password:
        raise KgError("put credentials in KG_STORE_USER and KG_STORE_PASSWORD, not in the URL", field=name)
    return url


def _public(url: str) -> str:
    """A URL without any user:password part, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl()


def _positive(env: Mapping[str, str], name: str, default, kind):
    text = env.get(name)
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise KgError(f"expected a positive {'number' if kind is float else 'whole number'}, got {text!r}", field=name)
    return value


# -- HTTP -----------------------------------------------------------------------------------------


class _Failed(Exception):
    """A request that did not succeed; ``reason`` is one line, safe to show (no credentials)."""

    def __init__(self, reason: str, status: int | None = None, maybe_applied: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.status, self.maybe_applied = reason, status, maybe_applied


class _Http:
    """POSTs with a connect timeout and a total deadline; HTTP errors raise ``_Failed``."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        auth = httpx.BasicAuth(endpoint.user, endpoint.password) if endpoint.user else None
        timeout = httpx.Timeout(endpoint.timeout, connect=endpoint.connect_timeout)
        self.client = httpx.Client(timeout=timeout, auth=auth, headers={"User-Agent": f"actorgraph-kg/{__version__}"})

    def post(self, url: str, **request) -> tuple[str, bytes]:
        """The answer's media type (lower case, no parameters) and body."""
        deadline = time.monotonic() + self.endpoint.timeout
        try:
            with self.client.stream("POST", url, **request) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("deadline")
        except httpx.ConnectTimeout:
            raise _Failed(f"no connection within {self.endpoint.connect_timeout:g} s (KG_STORE_CONNECT_TIMEOUT)") from None
        except httpx.ConnectError as err:
            raise _Failed(f"cannot connect ({_reason(err)}): is the server running?") from None
        except httpx.TimeoutException:
            raise _Failed(f"no complete answer within {self.endpoint.timeout:g} s (KG_STORE_TIMEOUT)", maybe_applied=True) from None
        except httpx.HTTPError as err:
            raise _Failed(f"the connection failed ({_reason(err)})", maybe_applied=True) from None
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.is_success:
            return media_type, bytes(body)
        reason = _http_error(response, media_type, bytes(body))
        if self.endpoint.password:  # a server may echo what it was sent: never pass that on
            reason = reason.replace(self.endpoint.password, "***")
        raise _Failed(reason, status=response.status_code)

    def close(self) -> None:
        self.client.close()


def _reason(err: Exception) -> str:
    return _one_line(str(err) or type(err).__name__)


def _http_error(response: httpx.Response, media_type: str, body: bytes) -> str:
    status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    if response.status_code in (401, 403):
        return f"{status}: access refused; set KG_STORE_USER and KG_STORE_PASSWORD to an account with access"
    if 300 <= response.status_code < 400:
        return f"{status}: the server redirects to {_public(response.headers.get('location', '?'))!r}; give that URL"
    if media_type.startswith("text/plain") and body.strip():
        return f"{status}: {_one_line(body.decode('utf-8', 'replace'))}"
    return status


def _one_line(text: str, limit: int = 300) -> str:
    """A server's message made safe for one terminal line: no control characters, bounded."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- SPARQL text ----------------------------------------------------------------------------------


def with_prefixes(query: str) -> str:
    """The project's prefixes declared before the query, on the query's first line (so the
    server's error positions keep their line numbers), except those the query declares."""
    code = sparql_code(query)
    declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", code)}
    prologue = " ".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items() if prefix not in declared)
    return f"{prologue} {query}"


def to_rdflib(term: object):
    """A pyoxigraph term as the rdflib term the embedded store gives (oxrdflib's conversion).

    A server may answer what kg never stores, such as an RDF-star triple term: ``_Unexpected``."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise _Unexpected(f"the server answered a {type(term).__name__} term, which kg does not use")


def _ntriples(triples: Iterable[tuple]) -> list[str]:
    """Triples as N-Triples lines (valid inside ``INSERT DATA``), in a stable order."""
    ox_triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]
    text = ox.serialize(ox_triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8") if ox_triples else ""
    return sorted(text.splitlines())


def _replace(graph: URIRef, lines: list[str]) -> str:
    return f"DROP SILENT GRAPH {to_ox(graph)} ;\n" + _insert(graph, lines)


def _insert(graph: URIRef, lines: list[str]) -> str:
    body = "\n".join(lines)
    return f"INSERT DATA {{ GRAPH {to_ox(graph)} {{\n{body}\n}} }}"


# -- what the server answered ---------------------------------------------------------------------


class _Unexpected(Exception):
    """A well-formed answer that is not what the query asks for; ``reason`` says what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _keyword(words: str) -> str:
    """A pattern for SPARQL keywords, not parts of prefixed names (``ask:x``) or variables."""
    return rf"(?<![\w:?$@-])(?:{words})(?![\w:-])"


def query_form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these keywords outside strings and IRIs."""
    found = re.search("(?i)" + _keyword("SELECT|ASK|CONSTRUCT|DESCRIBE"), sparql_code(sparql))
    return found.group(0).upper() if found else None


_PROJECTION_TOKEN = re.compile("(?i)" + _keyword(r"AS\s+[?$](\w+)") + r"|[?$](\w+)|[(){*]|" + _keyword("WHERE|FROM"))


def projection(sparql: str) -> list[str] | None:
    """The variables the (outer) SELECT of a query names, ``None`` for ``SELECT *`` or no
    SELECT: each ``?x`` outside parentheses and each ``AS ?x``, up to WHERE, FROM or ``{``."""
    code = sparql_code(sparql)
    select = re.search("(?i)" + _keyword("SELECT"), code)
    if select is None:
        return None
    names, depth = [], 0
    for token in _PROJECTION_TOKEN.finditer(code, select.end()):
        text = token.group(0)
        if token.group(1) or (token.group(2) and depth == 0):
            names.append(token.group(1) or token.group(2))
        elif text in "()":
            depth += 1 if text == "(" else -1
        elif depth == 0 and text == "*":
            return None
        elif depth == 0 and not token.group(2):  # "{", WHERE or FROM: the projection ends
            break
    return names


def _check_answer(sparql: str, parsed: ox.QuerySolutions | ox.QueryBoolean | None) -> None:
    """Refuse a well-formed answer that does not fit the query (``parsed`` None: a graph):
    true/false to a SELECT, solutions without a variable the query names, and so on.
    Callers index rows by the variables they asked for; a server that answers others
    must give one clear line, not a ``KeyError`` deep inside kg."""
    form = query_form(sparql)
    got = "a graph" if parsed is None else "true/false" if isinstance(parsed, ox.QueryBoolean) else "solutions"
    wanted = {"SELECT": "solutions", "ASK": "true/false", "CONSTRUCT": "a graph", "DESCRIBE": "a graph"}.get(form or "")
    if wanted and got != wanted:
        article = "an" if form == "ASK" else "a"
        raise _Unexpected(f"the server answered {got} to {article} {form} query, which asks for {wanted}")
    if got == "solutions":
        answered = {variable.value for variable in parsed.variables}
        missing = [name for name in dict.fromkeys(projection(sparql) or ()) if name not in answered]
        if missing:
            shown = ", ".join("?" + name for name in missing)
            raise _Unexpected(f"the server's answer lacks {shown}, which the query asks for (it answered {_variables(answered)})")


def _variables(names: Iterable[str]) -> str:
    shown = ", ".join("?" + _one_line(name, 40) for name in sorted(names)[:5])
    return shown or "no variables"


def _quad(row: Mapping[str, object]) -> ox.Quad | None:
    """The quad of a ``?s ?p ?o ?g`` row, or None if a part is unbound or of the wrong kind."""
    s, p, o, g = (row.get(name) for name in "spog")
    resources = (ox.NamedNode, ox.BlankNode)
    if isinstance(s, resources) and isinstance(p, ox.NamedNode) and isinstance(o, (*resources, ox.Literal)) and isinstance(g, resources):
        return ox.Quad(s, p, o, g)
    return None


# -- the store ------------------------------------------------------------------------------------


class RemoteStore(KgStore):
    """A ``KgStore`` on a SPARQL 1.1 query + update endpoint pair."""

    streams_bulk_loads = False  # loads go as SPARQL updates, in batches when large

    def __init__(self, endpoint: Endpoint, location: str, read_only: bool) -> None:
        # No rdflib Dataset here: the primitives below are all a KgStore needs.
        self.endpoint = endpoint
        self.location = location
        self.read_only = read_only
        self._http = _Http(endpoint)

    @property
    def dataset(self):
        raise NotImplementedError("a remote store has no local rdflib Dataset: use query() or the quad reader")

    # -- reading --------------------------------------------------------------------------------

    def texts(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Iterator[dict[str, str | None]]:
        """SELECT rows as lexical strings, as the embedded store gives them."""
        result = self.query(sparql, bindings)
        names = [str(v) for v in result.vars]
        for row in result:
            yield {name: (None if row[name] is None else str(row[name])) for name in names}

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Result:
        """Run SPARQL on the server over the union of all graphs; ``bindings`` are bound values."""
        media_type, body = self._ask(sparql, bindings)
        result = self._read(media_type, lambda: _result(sparql, media_type, body))
        if result is None:
            raise KgError(
                f"the server answered with {media_type or 'no media type'}, not SPARQL results: is this a SPARQL query endpoint? "
                "(set KG_QUERY_URL)",
                path=self._query_url,
            )
        return result

    def solutions(self, sparql: str, bindings: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        """SELECT rows as pyoxigraph terms (no rdflib conversion: for bulk reads)."""
        media_type, body = self._ask(sparql, bindings, accept="application/sparql-results+json")
        if media_type not in RESULT_FORMATS:
            raise KgError(f"the server answered with {media_type or 'no media type'}, not SPARQL results", path=self._query_url)
        return self._read(media_type, lambda: _solutions(sparql, media_type, body))

    def _read(self, media_type: str, read: Callable[[], T]) -> T:
        """``read()``, its errors about the server's answer made one line naming the server.

        The error is raised outside the ``except``, so that it keeps nothing of the answer
        alive: pyoxigraph's results may only be freed by the thread that made them.
        """
        try:
            return read()
        except (SyntaxError, ValueError) as err:
            reason = f"the server's answer is not valid {media_type}: {_one_line(str(err), 120)}"
        except _Unexpected as err:
            reason = err.reason
        raise KgError(reason, path=self._query_url)

    def _ask(self, sparql: str, bindings, accept: str = ACCEPT) -> tuple[str, bytes]:
        query = with_values(sparql, bindings or {})
        text = with_prefixes(query)
        try:
            return self._http.post(self.endpoint.query_url, data={"query": text}, headers={"Accept": accept})
        except _Failed as failure:
            if failure.status == 400:
                reason = short_syntax_error(failure.reason, len(text) - len(query))
                raise KgError(f"the server refused the query: {reason}", path=self._query_url) from None
            raise KgError(f"query failed: {failure.reason}", path=self._query_url) from None

    @property
    def _query_url(self) -> str:
        return _public(self.endpoint.query_url)

    def data_graphs(self) -> list[URIRef]:
        """The named graphs of loaded files (not the ontology or meta graphs)."""
        rows = self.solutions("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        graphs = (URIRef(row["g"].value) for row in rows if isinstance(row["g"], ox.NamedNode))
        return sorted(g for g in graphs if g not in (ONTOLOGY_GRAPH, META_GRAPH))

    @property
    def _oxigraph(self) -> RemoteQuads:
        """Read-only quad access for code that reads quads straight from Oxigraph (exports)."""
        return RemoteQuads(self)

    # -- writing --------------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[tuple]]) -> None:
        """Replace the content of each named graph: one update request (one transaction) when
        the load has at most ``KG_STORE_BATCH`` triples, else batches per graph."""
        self._writable()
        plan = [(graph, _ntriples(triples)) for graph, triples in graphs.items()]
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
                except _Failed as failure:
                    raise KgError(_batch_failure(failure, plan, index, number, len(parts), size), path=self._update_url) from None

    def drop_graph(self, graph: URIRef) -> None:
        self.drop_graphs([graph])

    def drop_graphs(self, graphs: Iterable[URIRef]) -> None:
        """Remove named graphs in one update request: the server drops all of them or none."""
        self._writable()
        drops = [f"DROP SILENT GRAPH {to_ox(graph)}" for graph in graphs]
        if drops:
            self._update(" ;\n".join(drops))

    def _update(self, update: str) -> None:
        """One SPARQL update request: the server applies it as one transaction."""
        try:
            self._http.post(self.endpoint.update_url, content=update.encode("utf-8"), headers=_UPDATE_HEADERS)
        except _Failed as failure:
            outcome = "it may or may not have been applied: run the command again" if failure.maybe_applied else "nothing was changed"
            raise KgError(f"writing to the store failed, {outcome}: {failure.reason}", path=self._update_url) from None

    @property
    def _update_url(self) -> str:
        return _public(self.endpoint.update_url)

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
            raise KgError(f"the server's kg format version is {_one_line(str(named), 80)}, not a whole number", path=self._query_url)
        check_format(self, int(named.value))

    def close(self) -> None:
        self._http.close()


_UPDATE_HEADERS = {"Content-Type": "application/sparql-update; charset=utf-8"}


def _result(sparql: str, media_type: str, body: bytes) -> Result | None:
    """The server's answer as the rdflib ``Result`` the embedded store returns (None: not a
    SPARQL answer at all)."""
    if media_type in RESULT_FORMATS:
        parsed = ox.parse_query_results(body, RESULT_FORMATS[media_type])
        _check_answer(sparql, parsed)
        if isinstance(parsed, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(parsed)
            return result
        result = Result("SELECT")
        result.vars = [Variable(v.value) for v in parsed.variables]
        result.bindings = [{var: to_rdflib(value) for var, value in zip(result.vars, solution, strict=True)} for solution in parsed]
        return result
    if media_type in GRAPH_FORMATS:
        _check_answer(sparql, None)
        result = Result("CONSTRUCT")
        result.graph = Graph()
        for quad in ox.parse(body, GRAPH_FORMATS[media_type]):
            result.graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return result
    return None


def _solutions(sparql: str, media_type: str, body: bytes) -> list[dict[str, object]]:
    parsed = ox.parse_query_results(body, RESULT_FORMATS[media_type])
    _check_answer(sparql, parsed)
    names = [v.value for v in parsed.variables]
    return [dict(zip(names, solution, strict=True)) for solution in parsed]


def _batch_failure(failure: _Failed, plan: list, index: int, number: int, parts: int, size: int) -> str:
    """Say what a failed batched load wrote: the files done, the one cut short, the files not started."""
    from kg.query import file_label

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


class RemoteQuads:
    """The slice of ``pyoxigraph.Store`` that exports read, answered by the server."""

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> list[ox.Quad]:  # noqa: A002
        """Quads of named graphs matching the pattern (``None`` matches anything)."""
        if isinstance(graph_name, ox.DefaultGraph):
            raise ValueError("a kg store keeps everything in named graphs")
        bound = {
            name: to_rdflib(term) for name, term in zip("spog", (subject, predicate, object, graph_name), strict=True) if term is not None
        }
        rows = self.store.solutions("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", bound)
        quads = [_quad(row) for row in rows]
        if None in quads:
            raise KgError(
                "the server answered a quad with a part unbound or of the wrong kind (a literal subject or graph, ...)",
                path=self.store._query_url,
            )
        return quads

    def named_graphs(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(str(g)) for g in (*self.store.data_graphs(), ONTOLOGY_GRAPH, META_GRAPH)]

    def dump(self, format: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> bytes:  # noqa: A002
        """Every quad (all named graphs) in a quad format, as ``pyoxigraph.Store.dump`` gives."""
        return ox.serialize(self.quads_for_pattern(), format=format)


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
