"""``kg serve``: a store folder, read-only, over the SPARQL 1.1 Protocol.

A small WSGI application (``kg.serve.app``) served by waitress (``kg.serve.server``; a
well-kept, pure-Python HTTP server):

- ``GET``/``POST /sparql`` (also ``/query``) with ``query=`` (URL or form-encoded) or an
  ``application/sparql-query`` body, plus ``default-graph-uri`` / ``named-graph-uri``;
  without them the default graph is the union of all graphs, as in ``kg sparql``, unless
  the query names its own dataset (``FROM``, ``FROM NAMED``), and the project's prefixes
  (``kgo:``, ``actor:``, ...) are predeclared;
- content negotiation (``kg.serve.protocol``): SPARQL JSON, XML, CSV, TSV results;
  Turtle, N-Triples, JSON-LD, RDF/XML graphs (``Accept``; JSON / Turtle when the client
  names nothing we have);
- read-only by construction: there is no update endpoint, and an ``update=`` parameter
  or ``application/sparql-update`` body is refused;
- no federation: a query that uses ``SERVICE`` is refused before it runs, so the
  endpoint cannot be made to send requests into the network it sits in;
- only for its own names: a request whose ``Host`` names another host is refused (421),
  so a web page whose domain is pointed at 127.0.0.1 (DNS rebinding) cannot read the
  store through a visitor's browser; bytes that are not UTF-8 are refused (400), never
  replaced, so no query runs that the client did not send;
- every query runs in a child process that opens the store read-only through the store
  interface and is killed at the timeout (``kg.serve.queries``: Oxigraph cannot cancel a
  query in process); results bigger than the size limit are refused rather than cut, so
  no client mistakes a part for the whole;
- a query is *expensive* once it has run ``cheap_seconds`` (a query's cost cannot be
  known before it runs); at most ``max_queries`` expensive queries run at once, at a
  lower CPU priority, and a query that turns expensive while that many are is stopped and
  refused (503 with ``Retry-After``). Younger queries have places of their own, so a
  cheap query is answered while the expensive limit is reached; past those places a
  short line, past the line 503 at once. The server has threads for every place and
  the line, and to spare, so the page and every refusal are answered at once however
  busy the queries keep it (``kg.serve.places.QueryPlaces``);
- ``GET /``: a page with a query box and example queries (``kg.serve.page``).

Each query sees the store as it is when the query starts, so a ``kg load`` while serving
shows up in the next query.
"""

from __future__ import annotations

from kg.serve.app import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, SparqlApp, default_max_queries
from kg.serve.places import DEFAULT_CHEAP_SECONDS, Busy, QueryPlace, QueryPlaces
from kg.serve.protocol import LOOPBACK_NAMES, WILDCARD_HOSTS, Answer, accepted, allowed_hosts, host_name, negotiate, parse_form
from kg.serve.queries import QueryProcess, evaluate
from kg.serve.server import DEFAULT_HOST, DEFAULT_PORT, Server, check_location, log_to_stderr, make_server, serve

__all__ = [
    "DEFAULT_CHEAP_SECONDS",
    "DEFAULT_HOST",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "LOOPBACK_NAMES",
    "WILDCARD_HOSTS",
    "Answer",
    "Busy",
    "QueryPlace",
    "QueryPlaces",
    "QueryProcess",
    "Server",
    "SparqlApp",
    "accepted",
    "allowed_hosts",
    "check_location",
    "default_max_queries",
    "evaluate",
    "host_name",
    "log_to_stderr",
    "make_server",
    "negotiate",
    "parse_form",
    "serve",
]
