"""A remote SPARQL server as the store: the same answers as the embedded store, and clear faults.

The servers are real, on free ports of 127.0.0.1, neither configured for kg: ``oxigraph
serve`` (``pip install oxigraph``, no union default graph) and OpenLink Virtuoso 7 (Debian's
``virtuoso-opensource``, answering at most 1,000 rows); the faults come from small
misbehaving servers on 127.0.0.1 (``tests/servers.py``).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from kg.cli import main
from kg.errors import KgError
from kg.loader import graph_iri, load
from kg.namespaces import ACTOR, KGO, META_GRAPH
from kg.query import info, match, sparql, why
from kg.selection import Selection
from kg.sparqltext import sparql_code, with_values
from kg.store import FORMAT_VERSION, open_store
from kg.store.http import Endpoint
from kg.store.remote import open_remote, with_prefixes
from kg.store.staging import RECORD, RECORD_GRAPH, STAGING
from tests.conftest import EXAMPLE, EXAMPLE_FILE, snapshot, write
from tests.servers import FakeEndpoint, OxigraphServer, Relay, VirtuosoServer, free_port

SECRET = "s3cret-pa55word"


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """Virtuoso for the tests that write (each empties it first: see ``server``)."""
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")) as running:
        yield running


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request):
    """An empty server on 127.0.0.1: a fresh Oxigraph server (in memory), or the module's Virtuoso emptied."""
    if request.param == "oxigraph":
        with OxigraphServer() as running:
            yield running
    else:
        running = request.getfixturevalue("virtuoso")
        running.clear()
        yield running


def _loaded(kind: str, tmp_path: Path, request):
    if kind == "memory":
        store = open_store(":memory:")
    elif kind == "disk":
        store = open_store(tmp_path / "store")
    else:
        server = (OxigraphServer() if kind == "oxigraph" else VirtuosoServer(tmp_path / "virtuoso")).start()
        request.addfinalizer(server.stop)
        store = open_remote(server.url)
    request.addfinalizer(store.close)
    load(store, [EXAMPLE_FILE])
    return store


@pytest.fixture(scope="module", params=["memory", "disk", "oxigraph", "virtuoso"])
def any_store(request, tmp_path_factory):
    """The Ain Issa example loaded into each kind of store: memory, disk and two servers."""
    return _loaded(request.param, tmp_path_factory.mktemp(request.param), request)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, request):
    """The embedded (in-memory) store: what every kind of store must answer."""
    return _loaded("memory", tmp_path_factory.mktemp("ref"), request)


def server_snapshot(server: OxigraphServer | VirtuosoServer) -> list[str]:
    """The server's quads in the form of ``conftest.snapshot`` (blank node labels blanked),
    without the remote store's record of its graphs (the embedded store needs none); there
    must be no staging graph left."""
    lines = [line for line in server.nquads() if not line.endswith(f"<{RECORD_GRAPH}> .")]
    assert not [line for line in lines if f"<{STAGING}" in line], "a staging graph is left"
    return sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", line) for line in lines)


def cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def one_error_line(result) -> str:
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.stderr and result.stderr.startswith("Error: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


# -- the same answers on every store --------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, variable, expected",
    [
        ("?who backs sna", "who", {"turkey"}),
        ("Moscow backs ?x", "x", {"syrian-government"}),
        ("?who mediates ?party", "who", {"russia"}),
        ("?x negotiates-with turkey", "x", {"russia", "iran"}),
        ("ypg opposed-by ?x", "x", {"turkey", "sna"}),
        ("?x part-of russia", "x", {"russian-military-police", "russian-defence-ministry"}),
    ],
)
def test_article_questions_on_every_store(any_store, pattern, variable, expected):
    """Inverses (opposed-by), symmetry (negotiates-with) and roll-up (fights -> opposes) are
    materialised at load time, so a server that does no reasoning answers them too."""
    assert {row[variable] for row in match(any_store, [pattern])} == expected


def test_filters_bind_dates_and_decimals_on_every_store(any_store):
    early = Selection(as_of=__import__("datetime").date(2018, 6, 1))
    assert match(any_store, ["?who backs sna"], early) == []
    assert {r["x"] for r in match(any_store, ["?x fights ?y"], early)} == {"turkey"}
    strict = Selection(min_confidence=0.75)
    assert {r["x"] for r in match(any_store, ["turkey opposes ?x"], strict)} == {"ypg", "islamic-state"}


def test_why_on_every_store(any_store):
    rows = why(any_store, "turkey", "backs", "sna")
    assert {r["confidence"] for r in rows} == {0.95, 0.9} and {r["date"] for r in rows} == {"2020-12-29"}


def test_every_store_answers_like_the_embedded_one(any_store, reference):
    """match, why, info, actors, claims, analytics, the map's data and raw SPARQL: equal."""
    from kg.analyse import reports
    from kg.projection import all_claims
    from kg.selection import Selection
    from kg.view import page_data

    def answers(store):
        summary = info(store)
        summary.pop("store")
        return {
            "info": summary,
            "actors": store.actors(),
            "sources": store.sources(),
            "match": match(store, ["?a backs ?b", "?b opposes ?c"], evidence=True),
            "filtered": match(store, ["?a opposes ?b"], Selection(__import__("datetime").date(2020, 12, 31), 0.8)),
            "why": why(store, "Syrian regime", "backed-by", "Moscow"),
            "claims": all_claims(store),
            "blocs": reports.blocs(store).rows,
            "chains": reports.chains(store, "turkey").rows,
            "path": reports.path(store, "iran", "ypg").rows,
            "view": page_data(store, Selection(), "t"),
            "select": sparql(store, "SELECT ?a ?b WHERE { ?a kgo:backs ?b } ORDER BY ?a ?b"),
            "ask": sparql(store, "ASK { actor:turkey kgo:opposes actor:ypg }").answer,
            "construct": sorted(sparql(store, "CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }").graph),
            "graphs": store.data_graphs(),
            "version": store.format_version(),
        }

    got, expected = answers(any_store), answers(reference)
    for key in expected:
        assert got[key] == expected[key], key


@pytest.mark.parametrize("fmt", ["nt", "turtle", "trig", "nquads", "graphml", "csv"])
def test_exports_are_byte_identical_on_every_store(any_store, reference, fmt):
    export = pytest.importorskip("kg.export")
    assert export.export(any_store, fmt) == export.export(reference, fmt)


def test_a_remote_load_writes_exactly_what_the_embedded_store_holds(server):
    embedded = open_store(":memory:")
    load(embedded, [EXAMPLE_FILE])
    remote = open_remote(server.url)
    load(remote, [EXAMPLE_FILE])
    load(remote, [EXAMPLE_FILE])  # loading again replaces
    assert server_snapshot(server) == snapshot(embedded) == snapshot(remote)
    remote.close()


# -- the CLI on a remote store --------------------------------------------------------------------

CLI_COMMANDS = [
    ["actors", "--format", "csv"],
    ["match", "?who backs sna"],
    ["match", "?a backs ?b", "?b opposes ypg", "--format", "json"],
    ["match", "Moscow backs ?x", "--evidence"],
    ["match", "?x negotiates-with turkey", "--as-of", "2018-01-01"],
    ["match", "turkey opposes ?x", "--min-confidence", "0.8"],
    ["why", "turkey", "backs", "sna"],
    ["why", "Syrian regime", "backed-by", "Moscow", "--format", "json"],
    ["sparql", "SELECT ?who WHERE { ?who kgo:backs actor:sna }"],
    ["sparql", "ASK { actor:turkey kgo:backs actor:sna }"],
    ["analyse", "blocs"],
    ["analyse", "balance", "--format", "json"],
    ["analyse", "chains", "Ankara"],
    ["analyse", "centrality"],
    ["path", "iran", "ypg"],
    ["validate"],
    ["validate", "--format", "turtle"],
    ["validate", str(EXAMPLE_FILE), "--format", "json"],
]


def test_every_command_answers_the_same_on_a_remote_store(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    disk = str(tmp_path / "store")
    loaded = [cli("--store", where, "load", str(EXAMPLE)) for where in (disk, server.url)]
    assert loaded[0].exit_code == 0 and loaded[0].output == loaded[1].output
    for command in CLI_COMMANDS:
        on_disk, remote = cli("--store", disk, *command), cli("--store", server.url, *command)
        assert remote.exit_code == 0 and remote.output == on_disk.output, command
    syntax = [cli("--store", where, "sparql", "SELECT * WHERE { ?s ?p }").stderr for where in (disk, server.url)]
    assert "error at 1:25: unexpected text or end of query" in syntax[0]
    if server.name == "virtuoso":  # its own words, without the query it echoes
        assert syntax[1].endswith("SP030: SPARQL compiler, line 1: syntax error at '}' before '}'\n"), syntax[1]
    else:
        assert "error at 1:25: unexpected text" in syntax[1]
    infos = [json.loads(cli("--store", where, "info", "--format", "json").output) for where in (disk, server.url)]
    assert infos[1].pop("store") == server.url and infos[0].pop("store") == disk and infos[0] == infos[1]
    construct = "CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }"
    graphs = [cli("--store", where, "sparql", construct, "--format", "nt").output for where in (disk, server.url)]
    assert sorted(graphs[0].splitlines()) == sorted(graphs[1].splitlines()) and graphs[0]
    pages = []
    for where, name in ((disk, "disk.html"), (server.url, "remote.html")):
        assert cli("--store", where, "view", "-o", name).exit_code == 0
        pages.append((tmp_path / name).read_bytes())
    assert pages[0] == pages[1]
    dropped = cli("--store", server.url, "drop", str(EXAMPLE_FILE))
    assert dropped.exit_code == 0 and "files: 0" in cli("--store", server.url, "info").output


def test_kg_store_environment_variable_selects_the_server(server):
    assert cli("load", str(EXAMPLE_FILE), env={"KG_STORE": server.url}).exit_code == 0
    result = cli("match", "?who backs sna", env={"KG_STORE": server.url + "/"})
    assert result.exit_code == 0 and "turkey" in result.output


def test_custom_query_and_update_urls(server):
    """Fuseki and GraphDB name their endpoints differently: KG_QUERY_URL / KG_UPDATE_URL."""
    env = {"KG_QUERY_URL": server.query_url, "KG_UPDATE_URL": server.update_url}
    assert cli("--store", "http://127.0.0.1:1/elsewhere", "load", str(EXAMPLE_FILE), env=env).exit_code == 0
    nowhere = urlsplit(server.url)._replace(path="/nowhere").geturl()
    wrong = cli("--store", server.url, "info", env={"KG_QUERY_URL": nowhere})
    assert "HTTP 404" in one_error_line(wrong)


def test_a_read_only_command_on_an_empty_server_says_so(server):
    assert "no kg data on this server yet" in one_error_line(cli("--store", server.url, "info"))


def test_a_server_with_a_union_default_graph_answers_the_same(tmp_path):
    """kg names the graphs of every query, so the server's own default graph changes nothing."""
    folder = str(tmp_path / "store")
    with OxigraphServer(union=True) as union:
        for where in (folder, union.url):
            assert cli("--store", where, "load", str(EXAMPLE_FILE)).exit_code == 0
        everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?p != kgo:counts) }"  # the folder alone keeps counts
        for command in (["match", "?who backs sna"], ["analyse", "blocs"], ["sparql", everything]):
            answers = [cli("--store", where, *command) for where in (folder, union.url)]
            assert answers[1].exit_code == 0 and answers[1].output == answers[0].output, command


def test_bad_settings_are_one_line_errors(server):
    assert "KG_STORE_TIMEOUT" in one_error_line(cli("--store", server.url, "info", env={"KG_STORE_TIMEOUT": "soon"}))
    assert "KG_STORE_BATCH" in one_error_line(cli("--store", server.url, "info", env={"KG_STORE_BATCH": "-3"}))
    assert "not an http(s) URL" in one_error_line(cli("--store", "http://", "info"))
    leaked = one_error_line(cli("--store", f"http://alice:{SECRET}@127.0.0.1:{free_port()}", "info"))
    assert "KG_STORE_USER" in leaked and SECRET not in leaked


# -- bound values are values ----------------------------------------------------------------------


def test_bound_values_are_never_query_text(server):
    store = open_remote(server.url)
    load(store, [EXAMPLE_FILE])
    before = server_snapshot(server)
    hostile = 'x" } } ; DROP ALL ; SELECT * WHERE { "\\\n\u00e9 \\u0022'
    rows = list(store.query("SELECT ?v ?x WHERE { BIND(STR(?v) AS ?x) }", {"v": Literal(hostile)}))
    assert [str(r.v) for r in rows] == [hostile]
    if server.name != "virtuoso":  # Virtuoso 7.2's STR() of a query's non-ASCII string answers "?" (stored strings are fine)
        assert [str(r.x) for r in rows] == [hostile]
    assert store.query("ASK { ?a ?r ?b }", {"a": ACTOR.turkey, "r": KGO.backs, "b": ACTOR.sna}).askAnswer
    with pytest.raises(KgError, match="not a valid RDF term"):
        store.query("ASK { ?a ?p ?o }", {"a": URIRef("https://w3id.org/actorgraph/actor/x> } ; DROP ALL ; #")})
    store.close()
    assert server_snapshot(server) == before


def test_values_open_the_where_group():
    query = '# a { comment\nSELECT ?a (GROUP_CONCAT(?n; separator="{") AS ?x) ?_b0 WHERE { ?a <urn:p> ?_b0 }'
    bound = with_values(query, {"_b0": Literal(1)})
    expected = ' WHERE { VALUES (?_b0) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }  ?a <urn:p> ?_b0 }'
    assert bound == query.split(" WHERE")[0] + expected
    assert with_values("ASK { ?s ?p ?o }", {"s": URIRef("urn:x")}) == "ASK { VALUES (?s) { (<urn:x>) }  ?s ?p ?o }"
    with pytest.raises(ValueError):
        with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": URIRef("urn:x")})


def test_prefixes_keep_line_numbers_and_the_query_s_own_declarations():
    text = with_prefixes("PREFIX kgo: <urn:mine#>\nSELECT * WHERE { ?s kgo:p ?o }")
    assert text.count("\n") == 1 and text.count("PREFIX kgo:") == 1 and "PREFIX actor: <https://w3id.org/actorgraph/actor/>" in text


def test_sparql_code_blanks_strings_iris_and_comments():
    query = 'SELECT * WHERE { ?s <urn:SERVICE> \'SERVICE\' . # SERVICE\n ?s ?p """a\nSERVICE""" }'
    code = sparql_code(query)
    assert len(code) == len(query) and code.split() == "SELECT * WHERE { ?s . ?s ?p }".split()
    assert "SERVICE" in sparql_code(r"SELECT * WHERE { \u0053ERVICE <urn:x> {} }", decode=True)


# -- faults: one clear line, a non-zero exit, never a hang ----------------------------------------


def test_a_server_that_is_down():
    message = one_error_line(cli("--store", f"http://127.0.0.1:{free_port()}", "info"))
    assert "cannot connect" in message and "is the server running?" in message


@pytest.mark.parametrize(
    "status, content_type, body, expected",
    [
        (500, "text/plain", b"boom: disk full\n\x1b[31mred\x1b[0m", "HTTP 500 Internal Server Error: boom: disk full"),
        (500, "text/html", b"<html><body><h1>Internal error</h1>" + b"x" * 5000 + b"</body></html>", "HTTP 500 Internal Server Error"),
        (200, "text/html", b"<!doctype html><title>Welcome to nginx</title>", "not SPARQL results"),
        (200, "application/sparql-results+json", b'{"head": {"vars": ["x"]}, "results": ', "not valid application/sparql-results+json"),
        (302, "text/plain", b"", "redirects"),
    ],
)
def test_a_server_that_answers_nonsense(status, content_type, body, expected):
    with FakeEndpoint(status, content_type, body) as fake:
        message = one_error_line(cli("--store", fake.url, "match", "?who backs sna"))
    assert expected in message and "<html" not in message and "\x1b" not in message


def test_a_server_that_hangs_is_cut_at_the_timeout():
    with FakeEndpoint(delay=30) as fake:
        started = time.monotonic()
        message = one_error_line(cli("--store", fake.url, "info", env={"KG_STORE_TIMEOUT": "0.5"}))
        assert time.monotonic() - started < 5
    assert "no complete answer within 0.5 s" in message


def test_a_failed_update_says_nothing_was_changed(server):
    assert cli("--store", server.url, "load", str(EXAMPLE_FILE)).exit_code == 0
    before = server_snapshot(server)
    with FakeEndpoint(500, "text/plain", b"read-only dataset") as fake:
        env = {"KG_QUERY_URL": server.query_url, "KG_UPDATE_URL": fake.url + "/update"}
        message = one_error_line(cli("--store", server.url, "load", str(EXAMPLE_FILE), env=env))
    assert "writing to the store failed, nothing was changed: HTTP 500" in message and "read-only dataset" in message
    assert server_snapshot(server) == before


def test_an_update_url_that_is_no_update_endpoint_is_caught(server):
    """Some servers answer a good update with 200 and an HTML page, so a web page answering
    200 to anything must not pass for a successful load: kg checks the data arrived."""
    with FakeEndpoint(200, "text/html", b"<html>Welcome</html>") as page:
        env = {"KG_QUERY_URL": server.query_url, "KG_UPDATE_URL": page.url + "/update"}
        message = one_error_line(cli("--store", server.url, "load", str(EXAMPLE_FILE), env=env))
    assert "the data is not there" in message


def test_credentials_are_sent_and_never_shown(caplog):
    caplog.set_level(logging.DEBUG)
    env = {"KG_STORE_USER": "alice", "KG_STORE_PASSWORD": SECRET, "KG_STORE_TIMEOUT": "2"}
    with FakeEndpoint(401, "text/plain", f"bad password {SECRET}? no".encode()) as fake:
        refused = cli("--store", fake.url, "match", "?who backs sna", env=env)
        authorization = fake.requests[0][2]["Authorization"]
    assert authorization == "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()
    assert "access refused" in one_error_line(refused)
    assert SECRET not in refused.output + refused.stderr + caplog.text
    with FakeEndpoint(500, "text/plain", f"you sent Basic alice:{SECRET}".encode()) as echoing:
        echoed = one_error_line(cli("--store", echoing.url, "info", env=env))
    assert "you sent Basic alice:***" in echoed and SECRET not in echoed
    assert SECRET not in repr(Endpoint.from_location("http://127.0.0.1:1", env))
    half = cli("--store", "http://127.0.0.1:1", "info", env={"KG_STORE_USER": "alice"})
    assert "set both KG_STORE_USER and KG_STORE_PASSWORD" in one_error_line(half)


def big_load(folder: Path, files: int = 3, assertions: int = 40) -> list[Path]:
    """Files with enough triples to need several batches of KG_STORE_BATCH=100."""
    paths = []
    for number in range(files):
        actors = "".join(f"  - {{id: a{number}-{i}, label: Actor {number} {i}, type: ArmedGroup}}\n" for i in range(assertions + 1))
        claims = "".join(f"  - a{number}-{i} backs a{number}-{i + 1}\n" for i in range(assertions))
        source = f"  - {{id: s{number}, title: Report {number}, date: 2021-01-0{number + 1}}}\n"
        text = f"sources:\n{source}actors:\n{actors}assertions:\n{claims}"
        paths.append(write(folder / f"part{number}.yaml", text))
    return paths


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_a_server_stopped_mid_load_changes_nothing_and_a_rerun_converges(kind, tmp_path):
    """A load in many requests is staged first: the server going away half-way changes
    nothing kg shows, and loading the same files again removes what was staged."""
    files = big_load(tmp_path / "data")
    reference = open_store(":memory:")
    load(reference, files)
    target = (OxigraphServer(location=tmp_path / "oxigraph") if kind == "oxigraph" else VirtuosoServer(tmp_path / "virtuoso")).start()
    try:
        open_remote(target.url).close()  # the ontology is in: the relay counts the load's own updates
        before = server_snapshot(target)
        with Relay(target, updates_before_stop=4) as relay:
            env = {"KG_STORE_BATCH": "100", "KG_STORE_TIMEOUT": "5"}
            message = one_error_line(cli("--store", relay.url, "load", str(tmp_path / "data"), env=env))
        assert "writing to the store failed, nothing was changed" in message and "(request 5 of " in message, message
        target.start()  # the same folder and port: the server is back
        shown = [line for line in target.nquads() if not line.endswith(f"<{RECORD_GRAPH}> .") and f"<{STAGING}" not in line]
        assert sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", line) for line in shown) == before
        assert "files: 0" in cli("--store", target.url, "info").output
        rerun = cli("--store", target.url, "load", str(tmp_path / "data"), env={"KG_STORE_BATCH": "100"})
        assert rerun.exit_code == 0, rerun.output
        assert server_snapshot(target) == snapshot(reference)
        assert cli("--store", target.url, "load", str(tmp_path / "data")).exit_code == 0  # and in one request
        assert server_snapshot(target) == snapshot(reference)
    finally:
        target.stop()


# -- well-formed answers that do not fit the question ---------------------------------------------

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
VERSION = {"type": "literal", "value": str(FORMAT_VERSION), "datatype": XSD_INTEGER}
FORMAT_OK = {"named": VERSION, "listed": {"type": "uri", "value": str(META_GRAPH)}}


def results(names: list[str], *rows: dict) -> bytes:
    """A SPARQL 1.1 JSON results document (well-formed, whatever it says)."""
    return json.dumps({"head": {"vars": names}, "results": {"bindings": list(rows)}}).encode()


class OddEndpoint:
    """A SPARQL endpoint on 127.0.0.1 answering valid JSON results that need not fit the query.

    The format check that every open sends gets ``check`` (by default a good answer, so the
    store opens), the read of the store's record of its graphs gets ``record`` (by default
    an empty one); every other query gets ``body``. ``queries`` records what was asked.
    """

    def __init__(self, body: bytes = b"", check: bytes | None = None, record: bytes | None = None) -> None:
        self.body, self.check = body, check if check is not None else results(["named", "listed"], FORMAT_OK)
        self.record = record if record is not None else results(["g", "stage", "target", "switched"])
        self.queries: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
                query = parse_qs(self.rfile.read(length).decode("utf-8")).get("query", [""])[0]
                owner.queries.append(query)
                answer = owner.check if "formatVersion" in query else owner.record if str(RECORD_GRAPH) in query else owner.body
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> OddEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


IRI = {"type": "uri", "value": "urn:x"}
TEXT = {"type": "literal", "value": "x"}


@pytest.mark.parametrize(
    "check, expected",
    [
        (results(["x"], {"x": TEXT}), "the server's answer lacks ?named, ?listed, which the query asks for (it answered ?x)"),
        (results(["named"], {"named": FORMAT_OK["named"]}), "lacks ?listed"),
        (results(["named", "listed"], {"named": IRI, "listed": IRI}), "the server's kg format version is <urn:x>, not a whole number"),
        (results(["named", "listed"], {"named": {"type": "literal", "value": "2.5e99"}, "listed": TEXT}), "not a whole number"),
        (json.dumps({"head": {}, "boolean": True}).encode(), "the server answered true/false to a SELECT query, which asks for solutions"),
    ],
    ids=["other-variable", "one-variable-missing", "iri-version", "non-integer-version", "boolean"],
)
def test_an_odd_answer_to_the_format_check_is_one_line_naming_the_server(check, expected):
    with OddEndpoint(check=check) as odd:
        message = one_error_line(cli("--store", odd.url, "info"))
    assert message.startswith(f"Error: {odd.url}/query: ") and expected in message, message


@pytest.mark.parametrize(
    "body, call, expected",
    [
        # an export reads quads: a literal subject, an unbound graph
        (results(list("spog"), {"s": TEXT, "p": IRI, "o": IRI, "g": IRI}), lambda store: store.quads(), "of the wrong kind"),
        (results(list("spog"), {"s": IRI, "p": IRI, "o": IRI}), lambda store: store.quads("urn:x"), "unbound"),
        # an ASK answered with solutions would otherwise read as "no"
        (results(["x"]), lambda store: store.has_actor("turkey"), "answered solutions to an ASK query, which asks for true/false"),
        (json.dumps({"head": {}, "boolean": False}).encode(), lambda store: store.actors(), "answered true/false to a SELECT query"),
        (results(["x"], {"x": IRI}), lambda store: store.actors(), "lacks ?actor, ?type, ?label, ?wikidata, ?aliases"),
        # an RDF-star triple term, valid JSON results but nothing kg stores
        (
            results(["who"], {"who": {"type": "triple", "value": {"subject": IRI, "predicate": IRI, "object": IRI}}}),
            lambda store: list(store.query("SELECT ?who WHERE { ?who ?p ?o }")),
            "the server answered a Triple term, which kg does not use",
        ),
    ],
    ids=["literal-subject", "unbound-graph", "solutions-to-ask", "boolean-to-select", "actors-as-x", "triple-term"],
)
def test_well_formed_answers_that_do_not_fit_the_query_are_clear_errors(body, call, expected):
    """Every place that indexes into a server's answer: a clear KgError naming the server, never
    a KeyError, AttributeError or TypeError from inside kg, and never a silent wrong answer."""
    with OddEndpoint(body) as odd:
        store = open_remote(odd.url, read_only=True)
        try:
            with pytest.raises(KgError) as raised:
                call(store)
        finally:
            store.close()
    assert raised.value.path == f"{odd.url}/query" and expected in str(raised.value), str(raised.value)


def test_an_odd_record_of_the_loaded_files_is_a_clear_error():
    """The loaded files (the store's record of its graphs), asked as ?g, answered as ?x."""
    with OddEndpoint(record=results(["x"], {"x": IRI})) as odd:
        store = open_remote(odd.url, read_only=True)
        try:
            with pytest.raises(KgError) as raised:
                store.data_graphs()
        finally:
            store.close()
    assert raised.value.path == f"{odd.url}/query" and "lacks ?g" in str(raised.value), str(raised.value)


def test_an_odd_answer_on_the_command_line_is_one_line():
    one_file = results(["g", "stage", "target", "switched"], {"g": IRI})
    with OddEndpoint(results(["x"], {"x": IRI}), record=one_file) as odd:
        message = one_error_line(cli("--store", odd.url, "sparql", "SELECT ?who WHERE { ?who kgo:backs actor:sna }"))
        assert "lacks ?who" in message and odd.url in message
        message = one_error_line(cli("--store", odd.url, "match", "?who backs sna"))  # first asks whether sna is an actor
        assert "answered solutions to an ASK query" in message
        message = one_error_line(cli("--store", odd.url, "export", "--format", "nquads", "-o", "-"))
        assert "lacks ?s, ?p, ?o, ?g" in message or "lacks ?g" in message, message


def test_the_projection_of_a_query():
    from kg.store.answers import projection, query_form

    assert projection("SELECT ?a $b (COUNT(DISTINCT ?c) AS ?n) (STR(?d) as $e) WHERE { ?a ?b ?c }") == ["a", "b", "n", "e"]
    assert projection('PREFIX x: <urn:SELECT?no> SELECT DISTINCT ?a{ ?a ?p "?b" }') == ["a"]
    assert projection("SELECT ?g FROM <urn:g> WHERE { ?g ?p ?o }") == ["g"]
    assert projection("SELECT * WHERE { ?s ?p ?o }") is None and projection("ASK { ?s ?p ?o }") is None
    assert projection("SELECT ?a WHERE { { SELECT ?b WHERE { ?b ?p ?a } } }") == ["a"]
    assert query_form("# SELECT\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") == "CONSTRUCT"
    tricky = "PREFIX ask: <urn:a#> PREFIX select: <urn:s#> SELECT ?ask (ask:f(?where) AS ?from) WHERE { ?ask select:p ?where }"
    assert query_form(tricky) == "SELECT" and projection(tricky) == ["ask", "from"]


def test_kg_drop_of_several_files_on_a_server_is_all_or_nothing(server, tmp_path):
    from kg.loader import drop_files

    store = open_remote(server.url)
    other = write(tmp_path / "other.csv", "id,label,type\nzeta,Zeta,State\n")
    load(store, [EXAMPLE_FILE, other])
    before = server_snapshot(server)
    never = write(tmp_path / "never.csv", "id,label,type\neta,Eta,State\n")
    with pytest.raises(KgError, match="nothing was dropped"):
        drop_files(store, [EXAMPLE_FILE, never])
    assert server_snapshot(server) == before
    drop_files(store, [EXAMPLE_FILE, other])
    assert store.data_graphs() == []
    store.close()


# -- staging, switching, and stores written before the record of graphs ---------------------------


def test_a_switch_the_server_did_but_answered_as_failed_is_sent_again(server):
    """Virtuoso applies the operations of an update one by one and keeps those done when one
    fails: the switch to the staged data is idempotent, and sent again at once."""
    reference = open_store(":memory:")
    load(reference, [EXAMPLE_FILE])
    open_remote(server.url).close()
    with Relay(server, fail_after=b"COPY SILENT GRAPH") as relay:
        loaded = cli("--store", relay.url, "load", str(EXAMPLE_FILE))
        assert loaded.exit_code == 0 and relay.fail_after is None, loaded.output  # it did fail once
    assert server_snapshot(server) == snapshot(reference)


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_a_server_gone_at_the_switch_says_so_and_a_rerun_converges(kind, tmp_path):
    reference = open_store(":memory:")
    load(reference, [EXAMPLE_FILE])
    target = (OxigraphServer(location=tmp_path / "oxigraph") if kind == "oxigraph" else VirtuosoServer(tmp_path / "virtuoso")).start()
    try:
        open_remote(target.url).close()
        with Relay(target, updates_before_stop=1) as relay:  # the example is staged in one request: then the switch
            message = one_error_line(cli("--store", relay.url, "load", str(EXAMPLE_FILE), env={"KG_STORE_TIMEOUT": "5"}))
        assert "writing to the store failed while switching the new data in" in message and "run the same command again" in message
        target.start()
        assert cli("--store", target.url, "load", str(EXAMPLE_FILE)).exit_code == 0
        assert server_snapshot(target) == snapshot(reference)
    finally:
        target.stop()


def _update(server, update: str) -> None:
    request = urllib.request.Request(server.update_url, data=update.encode(), headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(request, timeout=30).close()


def test_staging_graphs_a_failed_clean_up_left_go_at_the_next_writable_open(server):
    store = open_remote(server.url)
    load(store, [EXAMPLE_FILE])
    store.close()
    reference = server_snapshot(server)
    stage, file = f"{STAGING}left/0", graph_iri(EXAMPLE_FILE)
    _update(server, f"INSERT DATA {{ GRAPH <{RECORD_GRAPH}> {{ <{stage}> <{RECORD.stages}> <{file}> ; <{RECORD.switched}> true }} "
                    f"GRAPH <{stage}> {{ <urn:x> <urn:y> <urn:z> }} }}")  # fmt: skip
    open_remote(server.url, read_only=True).close()
    assert any(f"<{stage}>" in line for line in server.nquads())  # a read changes nothing
    open_remote(server.url).close()
    assert server_snapshot(server) == reference  # no staging graph left


def test_a_store_written_before_the_record_of_graphs_is_read_and_then_recorded(tmp_path):
    """kg once needed a union default graph and kept no record of its graphs: such a store is
    read by listing its named graphs, and its first writable open records them."""
    folder = str(tmp_path / "store")
    with OxigraphServer(union=True) as old:
        for where in (folder, old.url):
            assert cli("--store", where, "load", str(EXAMPLE_FILE)).exit_code == 0
        _update(old, f"DROP GRAPH <{RECORD_GRAPH}>")
        for command in (["info"], ["match", "?who backs sna"], ["export", "--format", "nquads", "-o", "-"]):
            answers = [cli("--store", where, *command).output.replace(where, "S") for where in (folder, old.url)]
            assert answers[1] == answers[0], command
        assert not any(f"<{RECORD_GRAPH}>" in line for line in old.nquads())  # reads record nothing
        other = write(tmp_path / "other.csv", "id,label,type\nzeta,Zeta,State\n")
        for where in (folder, old.url):
            assert cli("--store", where, "load", str(other)).exit_code == 0
        recorded = [line for line in old.nquads() if line.endswith(f"<{RECORD_GRAPH}> .")]
        assert len(recorded) == 4  # the example, the other file, the ontology and meta graphs
        answers = [cli("--store", where, "info").output.replace(where, "S") for where in (folder, old.url)]
        assert answers[1] == answers[0]


def test_an_answer_cut_at_the_server_s_time_limit_is_refused():
    """Virtuoso's "anytime" queries answer what they found when the time limit struck, status
    200, and say so only in headers."""
    cut = {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results, query interrupted by result timeout."}
    with FakeEndpoint(200, "application/sparql-results+json", results(["named", "listed"], FORMAT_OK), headers=cut) as fake:
        message = one_error_line(cli("--store", fake.url, "info"))
    assert "the server answered only part of the query, cut at its time limit (S1TAT: RC...: Returning incomplete" in message
    assert "kg shows no partial answer" in message


def test_a_cut_answer_is_paged_and_a_server_paging_nothing_is_refused():
    """A server that cuts its answer (here at one row) is asked again page by page; one that
    answers every page alike would be asked for ever: one clear line instead."""
    capped = {"X-SPARQL-MaxRows": "1"}
    with FakeEndpoint(200, "application/sparql-results+json", results(["named", "listed"], FORMAT_OK), headers=capped) as fake:
        message = one_error_line(cli("--store", fake.url, "info"))
        pages = [parse_qs(body.decode())["query"][0] for _, _, _, body in fake.requests[1:3]]
    assert "the server cut its answer at 1 rows and answers each page alike (no OFFSET)" in message
    assert all(page.endswith(f"LIMIT 1 OFFSET {offset}") for page, offset in zip(pages, (0, 1), strict=True)), pages
