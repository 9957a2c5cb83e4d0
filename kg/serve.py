"""``kg serve``: a store folder, read-only, over the SPARQL 1.1 Protocol.

A small WSGI application served by waitress (a well-kept, pure-Python HTTP server):

- ``GET``/``POST /sparql`` (also ``/query``) with ``query=`` (URL or form-encoded) or an
  ``application/sparql-query`` body, plus ``default-graph-uri`` / ``named-graph-uri``;
  without them the default graph is the union of all graphs, as in ``kg sparql``, and
  the project's prefixes (``kgo:``, ``actor:``, ...) are predeclared;
- content negotiation: SPARQL JSON, XML, CSV, TSV results; Turtle, N-Triples, JSON-LD,
  RDF/XML graphs (``Accept``; JSON / Turtle when the client names nothing we have);
- read-only by construction: there is no update endpoint, and an ``update=`` parameter
  or ``application/sparql-update`` body is refused;
- no federation: a query that uses ``SERVICE`` is refused before it runs, so the
  endpoint cannot be made to send requests into the network it sits in;
- every query runs in a child process that opens the store read-only and is killed at
  the timeout (Oxigraph cannot cancel a query in process); results bigger than the
  size limit are refused rather than cut, so no client mistakes a part for the whole;
- ``GET /``: a page with a query box and example queries.

Each query sees the store as it is when the query starts, so a ``kg load`` while serving
shows up in the next query.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import multiprocessing
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox

from kg.errors import KgError
from kg.namespaces import PREFIXES
from kg.sparqltext import uses_service
from kg.store import short_syntax_error

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 10_000_000
MAX_QUERY_BYTES = 100_000
THREADS = 4

#: Media types we answer with, by result kind; the first of each is the default.
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
}
PREFIX_MAP = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


# -- content negotiation --------------------------------------------------------------------------


def accepted(header: str | None) -> list[str]:
    """Media ranges of an ``Accept`` header, most wanted first (``q=0`` dropped)."""
    ranges = []
    for position, item in enumerate((header or "").split(",")):
        kind, *params = [part.strip() for part in item.split(";")]
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if kind and quality > 0:
            ranges.append((-quality, position, kind.lower()))
    return [kind for _, _, kind in sorted(ranges)]


def negotiate(ranges: list[str], types: dict[str, object]) -> tuple[str, object]:
    """The media type to answer with: the client's first range that we have, else our default."""
    for wanted in ranges:
        if wanted in types:
            return wanted, types[wanted]
        if wanted.endswith("/*"):
            family = wanted[:-1]
            for media_type, fmt in types.items():
                if wanted == "*/*" or media_type.startswith(family):
                    return media_type, fmt
    default = next(iter(types))
    return default, types[default]


# -- refusing what a read-only, non-federating endpoint must not do ------------------------------


# -- running one query in a child process ---------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    media_type: str
    body: bytes


class _Capped:
    """A binary writer that stops taking bytes past ``limit`` (pyoxigraph serialises into it)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.size, self.overflow = limit, [], 0, False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.overflow = True
            raise OSError("result too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def evaluate(location: str, query: str, default_graphs: list[str], named_graphs: list[str], ranges: list[str], max_bytes: int) -> Answer:
    """Run one query on the store folder, read-only, and serialise the answer as negotiated."""
    try:
        store = ox.Store.read_only(location)
    except (OSError, RuntimeError) as err:
        return _text(503, f"the store cannot be read right now (is a load running?): {err}")
    options = {"prefixes": PREFIX_MAP, "use_default_graph_as_union": not default_graphs}
    try:
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
        result = store.query(query, **options)
    except ValueError as err:
        return _text(400, f"not a graph IRI: {err}")
    except SyntaxError as err:
        return _text(400, f"SPARQL syntax error: {short_syntax_error(str(err))}")
    except (OSError, RuntimeError) as err:
        return _text(400, f"query failed: {err}")
    media_type, fmt = negotiate(ranges, GRAPH_TYPES if isinstance(result, ox.QueryTriples) else RESULT_TYPES)
    out = _Capped(max_bytes)
    try:
        result.serialize(out, fmt)
    except (OSError, RuntimeError) as err:
        if out.overflow:
            message = f"the result is larger than {max_bytes} bytes (the limit of this endpoint): add a LIMIT or select less"
            return _text(400, message)
        return _text(400, f"query failed: {err}")
    return Answer(200, media_type, b"".join(out.parts))


def _child(conn, *args) -> None:
    conn.send(evaluate(*args))
    conn.close()


def run_with_timeout(timeout: float, *args) -> Answer:
    """``evaluate`` in a child process, killed if it runs past ``timeout`` seconds."""
    context = multiprocessing.get_context("forkserver")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, *args), daemon=True)
    child.start()
    sender.close()
    try:
        if receiver.poll(timeout):
            return receiver.recv()
        return _text(503, f"the query ran longer than {timeout:g} s (the limit of this endpoint) and was stopped")
    except EOFError:
        return _text(500, "the query process ended without an answer")
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


# -- the WSGI application -------------------------------------------------------------------------


class SparqlApp:
    """The WSGI application: routes, protocol checks, then one query in a child process."""

    def __init__(self, location: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.location, self.timeout, self.max_bytes = location, timeout, max_bytes

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO") or "/", environ["REQUEST_METHOD"]
        if path == "/" and method in ("GET", "HEAD"):
            answer = Answer(200, "text/html; charset=utf-8", page(parse_qs(environ.get("QUERY_STRING", "")).get("query", [""])[0]))
            return _respond(start_response, answer, {"Content-Security-Policy": PAGE_POLICY})
        if path not in ("/sparql", "/query"):
            return _respond(start_response, _text(404, "not found: the SPARQL endpoint is /sparql (read-only)"))
        if method not in ("GET", "POST"):
            return _respond(start_response, _text(405, "use GET or POST"), {"Allow": "GET, POST"})
        return _respond(start_response, self.answer(environ, method))

    def answer(self, environ: dict, method: str) -> Answer:
        params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        query = params.get("query", [None])[0]
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_QUERY_BYTES:
                return _text(413, f"the request is larger than {MAX_QUERY_BYTES} bytes")
            body = environ["wsgi.input"].read(length).decode("utf-8", "replace")
            if content_type == "application/sparql-update":
                return _text(403, "this endpoint is read-only: SPARQL Update is not accepted")
            if content_type == "application/sparql-query":
                query = body
            elif content_type == "application/x-www-form-urlencoded":
                form = parse_qs(body, keep_blank_values=True)
                for name, values in form.items():
                    params.setdefault(name, []).extend(values)
                query = params.get("query", [None])[0]
            else:
                return _text(415, "POST a form (query=...) or an application/sparql-query body")
        if "update" in params:
            return _text(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if not query:
            return _text(400, "give a SPARQL query: /sparql?query=... (or see / for a query page)")
        if len(query.encode("utf-8")) > MAX_QUERY_BYTES:
            return _text(413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
        if uses_service(query):
            return _text(403, "federated queries (SERVICE) are not allowed on this endpoint")
        ranges = accepted(environ.get("HTTP_ACCEPT"))
        graphs = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
        return run_with_timeout(self.timeout, self.location, query, *graphs, ranges, self.max_bytes)


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 413: "Content Too Large"}
REASONS |= {415: "Unsupported Media Type", 500: "Internal Server Error", 503: "Service Unavailable"}


def _respond(start_response: Callable, answer: Answer, headers: dict | None = None) -> list[bytes]:
    media_type = answer.media_type
    if media_type.startswith("text/") and "charset" not in media_type:
        media_type += "; charset=utf-8"
    extra = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", **(headers or {})}
    start_response(
        f"{answer.status} {REASONS.get(answer.status, '')}".rstrip(),
        [("Content-Type", media_type), ("Content-Length", str(len(answer.body))), *extra.items()],
    )
    return [answer.body]


# -- the page at / --------------------------------------------------------------------------------

EXAMPLES = {
    "Who backs whom": "SELECT ?backer ?backed WHERE { ?backer kgo:backs ?backed } ORDER BY ?backer ?backed",
    "Who opposes whom": "SELECT ?a ?b WHERE { ?a kgo:opposes ?b } ORDER BY ?a ?b",
    "Claims with their sources": (
        "SELECT ?subject ?relation ?object ?title ?quote WHERE {\n"
        "  ?st a kgo:Assertion ; kgo:subject ?subject ; kgo:relation ?relation ; kgo:object ?object ;\n"
        "      prov:wasDerivedFrom ?source .\n"
        "  OPTIONAL { ?source dcterms:title ?title } OPTIONAL { ?st kgo:quote ?quote }\n"
        "} ORDER BY ?subject LIMIT 100"
    ),
    "Actors by type": (
        "SELECT ?type (COUNT(DISTINCT ?actor) AS ?actors) WHERE {\n"
        "  ?actor a ?type . ?type rdfs:subClassOf kgo:Actor\n} GROUP BY ?type ORDER BY DESC(?actors)"
    ),
    "The opposition network (a graph)": "CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }",
}

SCRIPT = (
    "const PREFIXES = "
    + json.dumps(PREFIX_MAP)
    + """;
const short = (term) => {
  if (term.type !== "uri") return term.value;
  for (const [prefix, namespace] of Object.entries(PREFIXES)) {
    if (term.value.startsWith(namespace)) return prefix + ":" + term.value.slice(namespace.length);
  }
  return term.value;
};
const form = document.getElementById("form"), out = document.getElementById("out"), box = document.getElementById("query");
for (const button of document.querySelectorAll("button[data-query]")) {
  button.addEventListener("click", () => { box.value = button.dataset.query; });
}
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  out.replaceChildren();
  const accept = document.getElementById("accept").value;
  const response = await fetch("sparql", {method: "POST", headers: {"Accept": accept},
                                          body: new URLSearchParams({query: box.value})});
  const text = await response.text();
  const type = response.headers.get("Content-Type") || "";
  if (response.ok && type.startsWith("application/sparql-results+json")) {
    const data = JSON.parse(text);
    if ("boolean" in data) { out.textContent = String(data.boolean); return; }
    const table = document.createElement("table"), head = table.insertRow();
    for (const name of data.head.vars) { const th = document.createElement("th"); th.textContent = name; head.appendChild(th); }
    for (const row of data.results.bindings) {
      const tr = table.insertRow();
      for (const name of data.head.vars) { tr.insertCell().textContent = row[name] ? short(row[name]) : ""; }
    }
    out.appendChild(table);
  } else {
    const pre = document.createElement("pre");
    pre.textContent = response.ok ? text : `HTTP ${response.status}: ${text}`;
    out.appendChild(pre);
  }
});
"""
)
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; }
textarea { width: 100%; font-family: monospace; font-size: 0.95em; }
table { border-collapse: collapse; margin-top: 1em; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; max-width: 40em; }
pre { background: #f6f6f6; padding: 0.5em; overflow: auto; }
"""


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


#: The page runs its one inline script and style and nothing else, and talks only to this server.
PAGE_POLICY = f"default-src 'none'; script-src {_digest(SCRIPT)}; style-src {_digest(STYLE)}; connect-src 'self'; form-action 'self'"


def page(query: str = "") -> bytes:
    """The query page; ``query`` (from ``/?query=...``) fills the box, escaped."""
    buttons = "\n".join(
        f'<button type="button" data-query="{html.escape(text)}">{html.escape(name)}</button>' for name, text in EXAMPLES.items()
    )
    prefixes = " ".join(f"{prefix}:" for prefix in PREFIXES)
    initial = query or next(iter(EXAMPLES.values()))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>actorgraph SPARQL endpoint</title><style>{STYLE}</style></head>
<body>
<h1>actorgraph SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 at <code>/sparql</code> (GET or POST). The default graph is the union of all loaded files;
prefixes {html.escape(prefixes)} are predeclared. No updates, no <code>SERVICE</code>.</p>
<p>Examples: {buttons}</p>
<form id="form" method="post" action="sparql">
<textarea id="query" name="query" rows="12" spellcheck="false">{html.escape(initial)}</textarea>
<p><label>Answer as <select id="accept">
<option value="application/sparql-results+json, text/turtle;q=0.9">table (graphs as Turtle)</option>
<option value="text/csv, text/turtle;q=0.9">CSV</option>
<option value="application/sparql-results+xml, application/rdf+xml;q=0.9">XML</option>
<option value="text/tab-separated-values, application/n-triples;q=0.9">TSV / N-Triples</option>
<option value="application/sparql-results+json, application/ld+json;q=0.9">JSON / JSON-LD</option>
</select></label> <button type="submit">Run</button></p>
</form>
<div id="out"></div>
<script>{SCRIPT}</script>
</body></html>
""".encode()


# -- serving --------------------------------------------------------------------------------------


def check_location(location: str | None) -> str:
    """The store folder to serve: it must exist and hold a kg store."""
    import os

    from kg.store import DEFAULT_LOCATION, MEMORY, open_store

    location = str(location or os.environ.get("KG_STORE") or DEFAULT_LOCATION)
    if location == MEMORY:
        raise KgError("a :memory: store is empty; serve a store folder", path=location)
    if location.startswith(("http://", "https://")):
        raise KgError("this store is a SPARQL server already: point SPARQL clients at it", path=location)
    open_store(location, read_only=True).close()  # the usual errors: no store here, not a store, damaged
    return str(Path(location).resolve())


def make_server(
    location: str | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
):
    """A waitress server for the store (not yet running): call ``.run()``, and ``.close()`` to stop.

    ``port=0`` picks a free port (``.effective_port``).
    """
    return _listen(SparqlApp(check_location(location), timeout, max_bytes), host, port)


def _listen(app: SparqlApp, host: str, port: int):
    import waitress

    multiprocessing.get_context("forkserver").set_forkserver_preload(["kg.serve"])
    try:
        return waitress.create_server(
            app, host=host, port=port, threads=THREADS, ident="actorgraph", max_request_body_size=MAX_QUERY_BYTES, channel_timeout=60
        )
    except OSError as err:
        raise KgError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(
    location: str | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve until interrupted (Ctrl-C); ``echo`` gets the address line (and a warning when
    listening beyond this machine)."""
    app = SparqlApp(check_location(location), timeout, max_bytes)
    server = _listen(app, host, port)
    url = f"http://{f'[{host}]' if ':' in host else host}:{server.effective_port}"
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo(f"warning: listening on {host}: anyone who can reach this address can read the whole store")
    echo(f"serving {app.location} read-only: SPARQL endpoint {url}/sparql, query page {url}/ (Ctrl-C to stop)")
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
