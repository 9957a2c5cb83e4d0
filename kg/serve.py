"""``kg serve``: a store folder, read-only, over the SPARQL 1.1 Protocol.

A small WSGI application served by waitress (a well-kept, pure-Python HTTP server):

- ``GET``/``POST /sparql`` (also ``/query``) with ``query=`` (URL or form-encoded) or an
  ``application/sparql-query`` body, plus ``default-graph-uri`` / ``named-graph-uri``;
  without them the default graph is the union of all graphs, as in ``kg sparql``, unless
  the query names its own dataset (``FROM``, ``FROM NAMED``), and the project's prefixes
  (``kgo:``, ``actor:``, ...) are predeclared;
- content negotiation: SPARQL JSON, XML, CSV, TSV results; Turtle, N-Triples, JSON-LD,
  RDF/XML graphs (``Accept``; JSON / Turtle when the client names nothing we have);
- read-only by construction: there is no update endpoint, and an ``update=`` parameter
  or ``application/sparql-update`` body is refused;
- no federation: a query that uses ``SERVICE`` is refused before it runs, so the
  endpoint cannot be made to send requests into the network it sits in;
- only for its own names: a request whose ``Host`` names another host is refused (421),
  so a web page whose domain is pointed at 127.0.0.1 (DNS rebinding) cannot read the
  store through a visitor's browser; bytes that are not UTF-8 are refused (400), never
  replaced, so no query runs that the client did not send;
- every query runs in a child process that opens the store read-only and is killed at
  the timeout (Oxigraph cannot cancel a query in process); results bigger than the
  size limit are refused rather than cut, so no client mistakes a part for the whole;
- a query is *expensive* once it has run ``cheap_seconds`` (a query's cost cannot be
  known before it runs); at most ``max_queries`` expensive queries run at once, at a
  lower CPU priority, and a query that turns expensive while that many are is stopped and
  refused (503 with ``Retry-After``). Younger queries have places of their own, so a
  cheap query is answered while the expensive limit is reached; past those places a
  short line, past the line 503 at once. The server has threads for every place and
  the line, and to spare, so the page and every refusal are answered at once however
  busy the queries keep it (see ``QueryPlaces``);
- ``GET /``: a page with a query box and example queries (``kg.serve_page``).

Each query sees the store as it is when the query starts, so a ``kg load`` while serving
shows up in the next query.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox

from kg.errors import KgError
from kg.namespaces import PREFIXES
from kg.serve_page import PAGE_POLICY, page
from kg.sparqltext import declares_dataset, uses_service
from kg.store import read_snapshot, short_syntax_error

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_CHEAP_SECONDS = 1.0
DEFAULT_MAX_BYTES = 10_000_000
MAX_QUERY_BYTES = 100_000
#: Server threads beyond one per query place and place in line: they answer the page,
#: refusals and errors while every place is taken.
SPARE_THREADS = 4
#: The niceness of a query once it is expensive: cheap queries, at the server's own
#: priority, then get nearly all of a CPU however many expensive ones run.
EXPENSIVE_NICENESS = 10
#: Names that reach a server on this machine's loopback address; a Host header may give them.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
#: Listening on every address: clients may name the machine anything, so only
#: ``LOOPBACK_NAMES`` and ``--allow-host`` names are answered.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
FORM = "application/x-www-form-urlencoded"

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


def default_max_queries() -> int:
    """Expensive queries at once unless told: one per CPU (each is a busy process), at least 2."""
    return max(2, os.cpu_count() or 1)


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


# -- running one query in a child process ---------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


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
    """Run one query on the store folder, read-only, and serialise the answer as negotiated.

    The default graph is the union of all graphs, as in ``kg sparql``, unless the query
    names its own dataset (``FROM``/``FROM NAMED``: Oxigraph honours it only without the
    union option) or ``default_graphs`` do (the protocol's, which override the query's).
    """
    try:
        with read_snapshot(location) as store:  # locked: never a store half-way through a load
            return _evaluate(store, query, default_graphs, named_graphs, ranges, max_bytes)
    except KgError as err:
        return _text(503, f"the store cannot be read right now: {err}")


def _evaluate(store: ox.Store, query: str, default_graphs: list[str], named_graphs: list[str], ranges: list[str], max_bytes: int) -> Answer:
    union = not default_graphs and not declares_dataset(query)
    options = {"prefixes": PREFIX_MAP, "use_default_graph_as_union": union}
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


class QueryProcess:
    """``evaluate`` in a child process, killed when the ``with`` block ends if still running:
    Oxigraph cannot cancel a query in process, and a process can be killed."""

    def __init__(self, *args) -> None:
        context = multiprocessing.get_context("forkserver")
        self._receiver, sender = context.Pipe(duplex=False)
        self._child = context.Process(target=_child, args=(sender, *args), daemon=True)
        self._child.start()
        sender.close()

    def __enter__(self) -> QueryProcess:
        return self

    def __exit__(self, *exc) -> None:
        self._receiver.close()
        if self._child.is_alive():
            self._child.kill()
        self._child.join()

    def answer(self, within: float) -> Answer | None:
        """The answer if it comes within ``within`` seconds, else None."""
        try:
            return self._receiver.recv() if self._receiver.poll(max(0.0, within)) else None
        except EOFError:
            return _text(500, "the query process ended without an answer")

    def lower_priority(self) -> None:
        """Let every other process on the machine, cheap queries first, go before this one.

        The query runs in the child's main thread, whose niceness this sets (on Linux,
        niceness is per thread). A child that has just ended, or a system that does not
        allow it, leaves the query at the server's priority: it is still bounded in time.
        """
        try:
            os.setpriority(os.PRIO_PROCESS, self._child.pid, EXPENSIVE_NICENESS)
        except (OSError, AttributeError):
            pass


# -- how many queries run at once -----------------------------------------------------------------


class Busy(Exception):
    """No place for one more query; ask again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass(eq=False)  # each place is itself: two may have the same deadline
class QueryPlace:
    """One query's place: *starting* until it has run ``cheap_seconds``, then *expensive*."""

    deadline: float
    expensive: bool = False


class QueryPlaces:
    """How many queries run at once, by how long they have run.

    A query's cost cannot be known before it runs, so every query starts in a *starting*
    place, and one that runs past ``cheap_seconds`` needs an *expensive* place to go on:

    - at most ``limit`` expensive queries at once; one more is stopped and refused
      (``Busy``, retry when the first of them reaches its deadline, as each is killed
      there), rather than queued: a queued query would hold a server thread, and enough
      of them would leave none for the page or for a client that only needs to hear "busy";
    - ``2 * limit`` starting places, separate from those, so cheap queries are answered
      while every expensive place is taken; two per expensive place keep the CPUs busy
      while queries wait for their process and store to open, and bound the processes at
      ``3 * limit``;
    - a query that finds every starting place taken waits in line (FIFO, at most two
      rounds of places long): each place is free within ``cheap_seconds`` (plus the
      moment it takes to stop a process) whatever its query does, so a burst of cheap
      queries is answered rather than refused. It waits at most three rounds (one to
      spare), and a query that finds the line full is refused at once.

    Every holder of a place or of a place in line holds a server thread: ``threads`` of them.
    """

    def __init__(self, limit: int, timeout: float, cheap_seconds: float = DEFAULT_CHEAP_SECONDS) -> None:
        self.limit, self.timeout, self.cheap_seconds = limit, timeout, cheap_seconds
        self.starting_limit = 2 * limit
        self.line_limit = 2 * self.starting_limit
        self.line_wait = (self.line_limit // self.starting_limit + 1) * cheap_seconds
        self.threads = limit + self.starting_limit + self.line_limit
        self.starting = 0
        self._expensive: list[QueryPlace] = []
        self._line: list[object] = []
        self._changed = threading.Condition()

    @property
    def expensive(self) -> int:
        return len(self._expensive)

    @property
    def waiting(self) -> int:
        return len(self._line)

    @contextmanager
    def place(self) -> Iterator[QueryPlace]:
        """Hold a starting place while the block runs (``promote`` it when the query turns
        expensive); ``Busy`` if none is free in time."""
        self._take_starting_place()
        place = QueryPlace(deadline=time.monotonic() + self.timeout)
        try:
            yield place
        finally:
            with self._changed:
                if place.expensive:
                    self._expensive.remove(place)
                else:
                    self.starting -= 1
                self._changed.notify_all()

    def promote(self, place: QueryPlace) -> None:
        """Move a query that has run ``cheap_seconds`` to an expensive place; ``Busy`` if
        every one is taken (it keeps its starting place until it leaves)."""
        with self._changed:
            if len(self._expensive) >= self.limit:
                first_free = min(other.deadline for other in self._expensive) - time.monotonic()
                message = (
                    f"the endpoint is busy: {len(self._expensive)} queries that run longer than {self.cheap_seconds:g} s"
                    f" are running, its limit, and this one ran longer too"
                )
                raise Busy(message, first_free)
            self.starting -= 1
            place.expensive = True
            self._expensive.append(place)
            self._changed.notify_all()

    def _take_starting_place(self) -> None:
        with self._changed:
            if self.starting < self.starting_limit and not self._line:
                self.starting += 1
                return
            if len(self._line) >= self.line_limit:
                raise Busy(self._busy_starting(), self.cheap_seconds)
            me = object()
            self._line.append(me)
            try:
                my_turn = lambda: self._line[0] is me and self.starting < self.starting_limit  # noqa: E731
                if not self._changed.wait_for(my_turn, timeout=self.line_wait):
                    raise Busy(self._busy_starting(), self.cheap_seconds)
                self.starting += 1
            finally:
                self._line.remove(me)
                self._changed.notify_all()

    def _busy_starting(self) -> str:
        return f"the endpoint is busy: {self.starting} queries are starting and {len(self._line)} waiting, its limit"


# -- what a request must be -----------------------------------------------------------------------


def host_name(value: str) -> str:
    """The name in a ``Host`` header or an ``--allow-host`` value: lower case, no port, no brackets.

    The port is not compared: the names are what DNS rebinding changes, and an SSH tunnel
    (``ssh -L 9000:localhost:7878``) legitimately changes the port.
    """
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:  # name:port (a bare IPv6 address has more colons)
        return value.partition(":")[0]
    return value


def allowed_hosts(host: str, allow: Iterable[str] = ()) -> frozenset[str]:
    """The names a request's ``Host`` header may give: the loopback names, the address
    listened on (unless that is every address), and ``allow`` (``*``: any name at all)."""
    names = {*LOOPBACK_NAMES, *(host_name(name) for name in allow)}
    if host not in WILDCARD_HOSTS:
        names.add(host_name(host))
    return frozenset(names)


def parse_form(data: bytes) -> dict[str, list[str]]:
    """A query string or form body as parameters.

    Bytes that are not UTF-8, raw or %-escaped, raise ``UnicodeDecodeError``: replacing
    them (``parse_qs``'s default) would run a query the client did not send.
    """
    return parse_qs(data.decode("utf-8"), keep_blank_values=True, errors="strict")


# -- the WSGI application -------------------------------------------------------------------------


class SparqlApp:
    """The WSGI application: the Host check, routes, protocol checks, then one query in a
    child process if a place is free (``QueryPlaces``)."""

    def __init__(
        self,
        location: str,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_queries: int | None = None,
        hosts: frozenset[str] = frozenset(LOOPBACK_NAMES),
        cheap_seconds: float = DEFAULT_CHEAP_SECONDS,
    ) -> None:
        self.location, self.timeout, self.max_bytes, self.hosts = location, timeout, max_bytes, hosts
        self.places = QueryPlaces(max_queries or default_max_queries(), timeout, cheap_seconds)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return _respond(start_response, self.route(environ))

    def route(self, environ: dict) -> Answer:
        path, method = environ.get("PATH_INFO") or "/", environ["REQUEST_METHOD"]
        refusal = self.check_host(environ.get("HTTP_HOST"))
        if refusal:
            return refusal
        try:
            params = parse_form(environ.get("QUERY_STRING", "").encode("latin-1"))  # WSGI strings carry bytes as latin-1
            if path == "/" and method in ("GET", "HEAD"):
                text = page(params.get("query", [""])[0])
                return Answer(200, "text/html; charset=utf-8", text, (("Content-Security-Policy", PAGE_POLICY),))
            if path not in ("/sparql", "/query"):
                return _text(404, "not found: the SPARQL endpoint is /sparql (read-only)")
            if method not in ("GET", "POST"):
                return _text(405, "use GET or POST", (("Allow", "GET, POST"),))
            return self.answer(environ, method, params)
        except UnicodeDecodeError:
            return _text(400, "the request is not UTF-8: the query string, its %-escapes and the body must be UTF-8 text")

    def check_host(self, header: str | None) -> Answer | None:
        """A refusal unless the ``Host`` header names this server (see ``allowed_hosts``)."""
        if not header:
            return _text(400, "the request has no Host header")
        name = host_name(header)
        if "*" in self.hosts or name in self.hosts:
            return None
        message = f"this server does not answer for the host {name[:100]!r}: start kg serve with --allow-host {name[:100]} to allow it"
        return _text(421, message)

    def answer(self, environ: dict, method: str, params: dict[str, list[str]]) -> Answer:
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        query = params.get("query", [None])[0]
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_QUERY_BYTES:
                return _text(413, f"the request is larger than {MAX_QUERY_BYTES} bytes")
            body = environ["wsgi.input"].read(length)
            if content_type == "application/sparql-update":
                return _text(403, "this endpoint is read-only: SPARQL Update is not accepted")
            if content_type == "application/sparql-query":
                query = body.decode("utf-8")
            elif content_type == FORM:
                for name, values in parse_form(body).items():
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
        try:
            return self.run(self.location, query, *graphs, ranges, self.max_bytes)
        except Busy as busy:
            return _text(503, f"{busy}; try again in {busy.retry_after} s", (("Retry-After", str(busy.retry_after)),))

    def run(self, *args) -> Answer:
        """``evaluate(*args)`` in a child process, in a starting place and, once it has run
        ``cheap_seconds``, an expensive one at a lower priority; stopped at the timeout."""
        with self.places.place() as place, QueryProcess(*args) as process:
            answer = process.answer(within=min(self.places.cheap_seconds, self.timeout))
            if answer is None and time.monotonic() < place.deadline:
                self.places.promote(place)
                process.lower_priority()
                answer = process.answer(within=place.deadline - time.monotonic())
            return answer or _text(503, f"the query ran longer than {self.timeout:g} s (the limit of this endpoint) and was stopped")


def _text(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), headers)


REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 413: "Content Too Large"}
REASONS |= {415: "Unsupported Media Type", 421: "Misdirected Request", 500: "Internal Server Error", 503: "Service Unavailable"}


def _respond(start_response: Callable, answer: Answer) -> list[bytes]:
    media_type = answer.media_type
    if media_type.startswith("text/") and "charset" not in media_type:
        media_type += "; charset=utf-8"
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", **dict(answer.headers)}
    start_response(
        f"{answer.status} {REASONS.get(answer.status, '')}".rstrip(),
        [("Content-Type", media_type), ("Content-Length", str(len(answer.body))), *headers.items()],
    )
    return [answer.body]


# -- serving --------------------------------------------------------------------------------------


def check_location(location: str | None) -> str:
    """The store folder to serve: it must exist and hold a kg store."""
    from kg.store import DEFAULT_LOCATION, MEMORY, open_store

    location = str(location or os.environ.get("KG_STORE") or DEFAULT_LOCATION)
    if location == MEMORY:
        raise KgError("a :memory: store is empty; serve a store folder", path=location)
    if location.startswith(("http://", "https://")):
        raise KgError("this store is a SPARQL server already: point SPARQL clients at it", path=location)
    open_store(location, read_only=True).close()  # the usual errors: no store here, not a store, damaged
    return str(Path(location).resolve())


class Server:
    """A waitress server for one store, not yet running: ``run()`` serves in this thread
    until Ctrl-C or ``stop()``; ``start()`` serves from a background thread.

    ``stop()`` ends it in an order that leaves no thread behind. Waitress's own
    ``close()`` closes its wake-up pipe but leaves the worker threads running, and a worker
    that finishes a request afterwards writes its wake-up byte into whatever has reused the
    pipe's file descriptor number: in the tests, the next server's connection, whose client
    then read ``xHTTP/1.1 200 OK``.
    """

    def __init__(self, app: SparqlApp, host: str, port: int) -> None:
        self.app = app
        self.waitress = _listen(app, host, port)
        self.host, self.port = self.waitress.effective_host, self.waitress.effective_port
        self._loop: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{f'[{self.host}]' if ':' in self.host else self.host}:{self.port}"

    def run(self) -> None:
        """Serve until ``stop()`` or Ctrl-C (on which waitress lets the running requests end)."""
        self._loop = threading.current_thread()
        try:
            self.waitress.run()
        finally:
            self._loop = None
            self._close_all()

    def start(self) -> Server:
        thread = threading.Thread(target=self.run, name=f"kg serve :{self.port}", daemon=True)
        self._loop = thread
        thread.start()
        return self

    def stop(self) -> None:
        """No new connections; the running requests end (a query by its timeout, after its
        wait in line); then every socket and the wake-up pipe are closed by the thread that
        polls them, which ends."""
        self.waitress.accepting = False
        self.waitress.task_dispatcher.shutdown(timeout=self.app.places.line_wait + self.app.timeout + 5)
        loop = self._loop
        if loop is not None and loop is not threading.current_thread() and loop.is_alive():
            self.waitress.trigger.pull_trigger(self._close_all)
            loop.join()
        else:
            self._close_all()

    def _close_all(self) -> None:
        for channel in list(self.waitress.active_channels.values()):
            channel.close()
        self.waitress.close()  # the listening socket and the wake-up pipe; the loop then ends


def make_server(
    location: str | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_queries: int | None = None,
    allow_hosts: Iterable[str] = (),
    cheap_seconds: float = DEFAULT_CHEAP_SECONDS,
) -> Server:
    """A server for the store, not yet running. ``port=0`` picks a free port (``.port``);
    ``max_queries`` (expensive queries at once) defaults to ``default_max_queries()``."""
    hosts = allowed_hosts(host, allow_hosts)
    app = SparqlApp(check_location(location), timeout, max_bytes, max_queries, hosts, cheap_seconds)
    return Server(app, host, port)


def _listen(app: SparqlApp, host: str, port: int):
    """A waitress server on one socket, bound here: waitress given a name such as
    ``localhost`` would listen on each of its addresses, behind a different kind of server."""
    import waitress

    multiprocessing.get_context("forkserver").set_forkserver_preload(["kg.serve"])
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.create_server(address, family=family)
    except OSError as err:
        raise KgError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    threads = app.places.threads + SPARE_THREADS
    options = {"ident": "actorgraph", "max_request_body_size": MAX_QUERY_BYTES, "channel_timeout": 60}
    return waitress.create_server(app, sockets=[sock], threads=threads, **options)


def log_to_stderr() -> None:
    """Waitress's warnings and errors as ``kg serve: ...`` lines on stderr (once per process).

    Its "Task queue depth" warnings are left out (``waitress.queue`` set to ERROR): a request
    waiting a moment for a thread is expected (at start, or in a burst) and never waits
    long, since there are threads for every query place and place in line, and queries
    past them are refused at once. Unconfigured, Python's last-resort handler would print
    each of them bare on stderr.
    """
    logger = logging.getLogger("waitress")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("kg serve: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(
    location: str | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_queries: int | None = None,
    allow_hosts: Iterable[str] = (),
    echo: Callable[[str], None] = print,
    cheap_seconds: float = DEFAULT_CHEAP_SECONDS,
) -> None:
    """Serve until interrupted (Ctrl-C); ``echo`` gets the address line (and warnings when
    listening beyond this machine)."""
    server = make_server(location, host, port, timeout, max_bytes, max_queries, allow_hosts, cheap_seconds)
    if host not in LOOPBACK_NAMES:
        echo(f"warning: listening on {host}: anyone who can reach this address can read the whole store")
    if host in WILDCARD_HOSTS and not allow_hosts:
        echo("warning: only requests to 127.0.0.1, localhost or [::1] are answered: add --allow-host NAME for each name clients use")
    pages = f"SPARQL endpoint {server.url}/sparql, query page {server.url}/"
    places = server.app.places
    limits = f"queries running past {places.cheap_seconds:g} s: {places.limit} at once"
    echo(f"serving {server.app.location} read-only ({limits}): {pages} (Ctrl-C to stop)")
    log_to_stderr()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        server.run()
    except KeyboardInterrupt:  # a second Ctrl-C while the running requests end
        pass
