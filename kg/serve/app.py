"""The WSGI application of ``kg serve``: the Host check, routes, the protocol's checks, then
one query in a child process (``kg.serve.queries``) if a place is free (``kg.serve.places``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from kg.serve.page import PAGE_POLICY, page
from kg.serve.places import DEFAULT_CHEAP_SECONDS, Busy, QueryPlaces
from kg.serve.protocol import (
    ALLOWED_METHODS,
    FORM,
    LOOPBACK_NAMES,
    MAX_QUERY_BYTES,
    Answer,
    accepted,
    check_host,
    cors_headers,
    parse_form,
    respond,
    service_description,
    text,
)
from kg.serve.queries import QueryProcess
from kg.sparqltext import uses_service

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 10_000_000


def default_max_queries() -> int:
    """Expensive queries at once unless told: one per CPU (each is a busy process), at least 2."""
    return max(2, os.cpu_count() or 1)


class SparqlApp:
    """The WSGI application for the store at ``location`` (any location ``open_store`` takes)."""

    def __init__(
        self,
        location: str,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_queries: int | None = None,
        hosts: frozenset[str] = frozenset(LOOPBACK_NAMES),
        cheap_seconds: float = DEFAULT_CHEAP_SECONDS,
        cors: str | None = None,
    ) -> None:
        self.location, self.timeout, self.max_bytes, self.hosts = location, timeout, max_bytes, hosts
        self.places = QueryPlaces(max_queries or default_max_queries(), timeout, cheap_seconds)
        self.cors = cors  # the origin (or "*") whose pages may read answers in a browser

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer = self.route(environ)
        answer = replace(answer, headers=answer.headers + cors_headers(self.cors, environ))
        if environ["REQUEST_METHOD"] == "HEAD":  # the GET answer's headers, its length, no body
            length = str(len(answer.body))
            answer = replace(answer, body=b"", headers=(*answer.headers, ("Content-Length", length)))
        return respond(start_response, answer)

    def route(self, environ: dict) -> Answer:
        path, method = environ.get("PATH_INFO") or "/", environ["REQUEST_METHOD"]
        refusal = check_host(environ.get("HTTP_HOST"), self.hosts)
        if refusal:
            return refusal
        try:
            params = parse_form(environ.get("QUERY_STRING", "").encode("latin-1"))  # WSGI strings carry bytes as latin-1
            if method == "OPTIONS":
                return Answer(204, "text/plain", b"", (("Allow", ALLOWED_METHODS),))
            if path == "/" and method in ("GET", "HEAD"):
                body = page(params.get("query", [""])[0])
                return Answer(200, "text/html; charset=utf-8", body, (("Content-Security-Policy", PAGE_POLICY),))
            if path not in ("/sparql", "/query"):
                return text(404, "not found: the SPARQL endpoint is /sparql (read-only)")
            if method not in ("GET", "HEAD", "POST"):
                return text(405, "use GET or POST", (("Allow", ALLOWED_METHODS),))
            if method in ("GET", "HEAD") and not params:  # the endpoint itself: what it is
                return service_description(environ, accepted(environ.get("HTTP_ACCEPT")))
            return self.answer(environ, method, params)
        except UnicodeDecodeError:
            return text(400, "the request is not UTF-8: the query string, its %-escapes and the body must be UTF-8 text")

    def answer(self, environ: dict, method: str, params: dict[str, list[str]]) -> Answer:
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        query = params.get("query", [None])[0]
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_QUERY_BYTES:
                return text(413, f"the request is larger than {MAX_QUERY_BYTES} bytes")
            body = environ["wsgi.input"].read(length)
            if content_type == "application/sparql-update":
                return text(403, "this endpoint is read-only: SPARQL Update is not accepted")
            if content_type == "application/sparql-query":
                query = body.decode("utf-8")
            elif content_type == FORM:
                for name, values in parse_form(body).items():
                    params.setdefault(name, []).extend(values)
                query = params.get("query", [None])[0]
            else:
                return text(415, "POST a form (query=...) or an application/sparql-query body")
        if "update" in params:
            return text(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if not query:
            return text(400, "give a SPARQL query: /sparql?query=... (or see / for a query page)")
        if len(query.encode("utf-8")) > MAX_QUERY_BYTES:
            return text(413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
        if uses_service(query):
            return text(403, "federated queries (SERVICE) are not allowed on this endpoint")
        ranges = accepted(environ.get("HTTP_ACCEPT"))
        graphs = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
        try:
            return self.run(self.location, query, *graphs, ranges, self.max_bytes)
        except Busy as busy:
            return text(503, f"{busy}; try again in {busy.retry_after} s", (("Retry-After", str(busy.retry_after)),))

    def run(self, *args) -> Answer:
        """``evaluate(*args)`` in a child process, in a starting place and, once it has run
        ``cheap_seconds``, an expensive one at a lower priority; stopped at the timeout."""
        with self.places.place() as place, QueryProcess(*args) as process:
            answer = process.answer(within=min(self.places.cheap_seconds, self.timeout))
            if answer is None and time.monotonic() < place.deadline:
                self.places.promote(place)
                process.lower_priority()
                answer = process.answer(within=place.deadline - time.monotonic())
            return answer or text(503, f"the query ran longer than {self.timeout:g} s (the limit of this endpoint) and was stopped")
