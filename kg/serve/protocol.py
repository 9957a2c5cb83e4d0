"""The HTTP side of ``kg serve``: what a request must be (its Host, its bytes), content
negotiation, and answers as WSGI responses. No store and no query in here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs

import pyoxigraph as ox

#: The largest query (and request body) taken, in bytes.
MAX_QUERY_BYTES = 100_000
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


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, media type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def text(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    """A plain-text answer of one line.

    Examples
    --------
    >>> text(404, "not found").body
    b'not found\\n'
    """
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), headers)


# -- content negotiation --------------------------------------------------------------------------


def accepted(header: str | None) -> list[str]:
    """Media ranges of an ``Accept`` header, most wanted first (``q=0`` dropped).

    Examples
    --------
    >>> accepted("text/csv;q=0.5, application/json, */*;q=0")
    ['application/json', 'text/csv']
    """
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


def negotiate(ranges: list[str], types: dict[str, object]) -> tuple[str, object] | None:
    """The media type to answer with: the client's first range that we have, our default
    when it names none; None when it names only types we do not have (406).

    Examples
    --------
    >>> types = {"application/json": "json", "text/csv": "csv"}
    >>> negotiate([], types), negotiate(["text/*"], types), negotiate(["image/png"], types)
    (('application/json', 'json'), ('text/csv', 'csv'), None)
    """
    for wanted in ranges:
        if wanted in types:
            return wanted, types[wanted]
        if wanted.endswith("/*"):
            family = wanted[:-1]
            for media_type, fmt in types.items():
                if wanted == "*/*" or media_type.startswith(family):
                    return media_type, fmt
    if ranges:
        return None
    default = next(iter(types))
    return default, types[default]


# -- what a request must be -----------------------------------------------------------------------


def host_name(value: str) -> str:
    """The name in a ``Host`` header or an ``--allow-host`` value: lower case, no port, no brackets.

    The port is not compared: the names are what DNS rebinding changes, and an SSH tunnel
    (``ssh -L 9000:localhost:7878``) legitimately changes the port.

    Examples
    --------
    >>> [host_name(value) for value in ("[::1]:7878", "fe80::1", "Example.org:80")]
    ['::1', 'fe80::1', 'example.org']
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


def check_host(header: str | None, hosts: frozenset[str]) -> Answer | None:
    """A refusal unless the ``Host`` header names this server (see ``allowed_hosts``)."""
    if not header:
        return text(400, "the request has no Host header")
    name = host_name(header)
    if "*" in hosts or name in hosts:
        return None
    message = f"this server does not answer for the host {name[:100]!r}: start kg serve with --allow-host {name[:100]} to allow it"
    return text(421, message)


def parse_form(data: bytes) -> dict[str, list[str]]:
    """A query string or form body as parameters.

    Bytes that are not UTF-8, raw or %-escaped, raise ``UnicodeDecodeError``: replacing
    them (``parse_qs``'s default) would run a query the client did not send.
    """
    return parse_qs(data.decode("utf-8"), keep_blank_values=True, errors="strict")


# -- browsers and the endpoint itself -------------------------------------------------------------

ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"


def cors_headers(cors: str | None, environ: dict) -> tuple[tuple[str, str], ...]:
    """The CORS headers letting a page of origin ``cors`` (``*``: any) read the answers.

    Off by default: a page on another origin (a YASGUI page) then cannot read the store in
    its visitors' browsers. A request from another origin gets no permission, which the
    browser enforces; a preflight (``OPTIONS`` with ``Access-Control-Request-Method``)
    learns the methods and headers a query may use.

    Examples
    --------
    >>> cors_headers("https://yasgui.example", {"HTTP_ORIGIN": "https://yasgui.example", "REQUEST_METHOD": "GET"})
    (('Access-Control-Allow-Origin', 'https://yasgui.example'), ('Vary', 'Origin'))
    >>> cors_headers("https://yasgui.example", {"HTTP_ORIGIN": "https://evil.example", "REQUEST_METHOD": "GET"})
    ()
    """
    origin = environ.get("HTTP_ORIGIN")
    if cors is None or origin is None or cors not in ("*", origin):
        return ()
    headers: tuple[tuple[str, str], ...] = (("Access-Control-Allow-Origin", cors), ("Vary", "Origin"))
    if environ["REQUEST_METHOD"] == "OPTIONS":
        allow = (("Access-Control-Allow-Methods", ALLOWED_METHODS), ("Access-Control-Allow-Headers", "Accept, Content-Type"))
        headers += (*allow, ("Access-Control-Max-Age", "600"))
    return headers


#: The endpoint's SPARQL 1.1 Service Description, for clients that read one (``{url}``: its URL).
SERVICE_DESCRIPTION = """\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .

[] a sd:Service ;
    sd:endpoint <{url}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat formats:SPARQL_Results_JSON , formats:SPARQL_Results_XML , formats:SPARQL_Results_CSV ,
        formats:SPARQL_Results_TSV , formats:Turtle , formats:N-Triples , formats:JSON-LD , formats:RDF_XML .
"""


def service_description(environ: dict, ranges: list[str]) -> Answer:
    """What the endpoint is, asked of its URL without a query: Turtle (or N-Triples)."""
    scheme, host, path = environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", ""), environ.get("PATH_INFO", "/sparql")
    turtle = SERVICE_DESCRIPTION.format(url=f"{scheme}://{host}{path}")
    media_type, _ = negotiate(ranges, {"text/turtle": None, "application/n-triples": None}) or ("text/turtle", None)
    if media_type == "application/n-triples":
        from rdflib import Graph  # rdflib only when a client asks for N-Triples of this

        return Answer(200, media_type, Graph().parse(data=turtle, format="turtle").serialize(format="nt").encode())
    return Answer(200, "text/turtle", turtle.encode("utf-8"))


# -- answering ------------------------------------------------------------------------------------

REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 413: "Content Too Large"}
REASONS |= {415: "Unsupported Media Type", 421: "Misdirected Request", 500: "Internal Server Error", 503: "Service Unavailable"}
REASONS |= {204: "No Content", 406: "Not Acceptable"}


def respond(start_response: Callable, answer: Answer) -> list[bytes]:
    """Send ``answer`` as the WSGI response (never sniffed, never cached)."""
    media_type = answer.media_type
    if media_type.startswith("text/") and "charset" not in media_type:
        media_type += "; charset=utf-8"
    headers = {"Content-Length": str(len(answer.body)), "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    headers |= dict(answer.headers)  # a HEAD answer gives the length of the body it leaves out
    start_response(f"{answer.status} {REASONS.get(answer.status, '')}".rstrip(), [("Content-Type", media_type), *headers.items()])
    return [answer.body]
