"""``kg serve``: a real waitress server on 127.0.0.1, queried with SPARQLWrapper and plain HTTP."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.errors import KgError
from kg.loader import load
from kg.query import sparql
from kg.serve import accepted, evaluate, make_server, negotiate
from kg.sparqltext import uses_service
from kg.store import open_store
from tests.conftest import EXAMPLE_FILE, snapshot
from tests.servers import FakeEndpoint

FORM = "application/x-www-form-urlencoded"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's, as for kg view
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
BACKERS = "SELECT ?who ?whom WHERE { ?who kgo:backs ?whom } ORDER BY ?who ?whom"
OPPOSITION = "CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }"
#: Four copies of every triple joined: about 700^4 rows to count, far past any timeout.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A store folder holding the Ain Issa example."""
    path = tmp_path_factory.mktemp("serve") / "store"
    store = open_store(path)
    load(store, [EXAMPLE_FILE])
    store.close()
    return path


class Running:
    """``make_server`` run in a thread; ``.url`` is its address."""

    def __init__(self, folder, **options) -> None:
        self.server = make_server(str(folder), port=0, **options)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.close()


@pytest.fixture(scope="module")
def endpoint(folder):
    with Running(folder, timeout=1.5) as running:
        yield running


def get(url: str, accept: str | None = None, data: bytes | None = None, content_type: str | None = None) -> tuple[int, str, bytes]:
    headers = {k: v for k, v in (("Accept", accept), ("Content-Type", content_type)) if v}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


def query_url(endpoint: Running, query: str, path: str = "/sparql") -> str:
    return f"{endpoint.url}{path}?{urllib.parse.urlencode({'query': query})}"


def expected_rows(folder, query: str) -> list[dict]:
    store = open_store(folder, read_only=True)
    try:
        return sparql(store, query, compact=False).rows
    finally:
        store.close()


# -- answers --------------------------------------------------------------------------------------


def test_sparqlwrapper_gets_json(endpoint, folder):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(endpoint.url + "/sparql")
    client.setQuery(BACKERS)
    client.setReturnFormat(JSON)
    data = client.query().convert()
    rows = [{name: value["value"] for name, value in binding.items()} for binding in data["results"]["bindings"]]
    assert rows == expected_rows(folder, BACKERS) and rows


def test_sparqlwrapper_posts_and_asks(endpoint):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(endpoint.url + "/sparql")
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery("ASK { actor:turkey kgo:backs actor:sna }")
    assert client.query().convert()["boolean"] is True


def test_csv_by_accept_header(endpoint, folder):
    status, media_type, body = get(query_url(endpoint, BACKERS), accept="text/csv")
    assert status == 200 and media_type.startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(body.decode()))) == expected_rows(folder, BACKERS)


def test_turtle_by_accept_header(endpoint, folder):
    status, media_type, body = get(query_url(endpoint, OPPOSITION), accept="text/turtle")
    assert status == 200 and media_type.startswith("text/turtle")
    store = open_store(folder, read_only=True)
    expected = sparql(store, OPPOSITION).graph
    store.close()
    assert len(expected) > 3 and isomorphic(Graph().parse(data=body, format="turtle"), expected)


@pytest.mark.parametrize(
    "query, accept, media_type, parse",
    [
        (BACKERS, "application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        (BACKERS, "text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        (BACKERS, None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (BACKERS, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (BACKERS, "text/csv;q=0.1, application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (OPPOSITION, "application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        (OPPOSITION, "application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        (OPPOSITION, "application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        (OPPOSITION, "application/sparql-results+json", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_content_negotiation(endpoint, query, accept, media_type, parse):
    status, got_type, body = get(query_url(endpoint, query), accept=accept)
    assert status == 200 and got_type.split(";")[0] == media_type
    if isinstance(parse, ox.RdfFormat):
        assert len(list(ox.parse(body, parse))) > 3
    else:
        assert len(list(ox.parse_query_results(body, parse))) >= 2


def test_post_forms_and_query_bodies(endpoint, folder):
    form = urllib.parse.urlencode({"query": BACKERS}).encode()
    for data, content_type in ((form, FORM), (BACKERS.encode(), "application/sparql-query")):
        status, _, body = get(endpoint.url + "/sparql", "application/sparql-results+json", data, content_type)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == len(expected_rows(folder, BACKERS))
    assert get(query_url(endpoint, BACKERS, path="/query"))[0] == 200  # Oxigraph's path works too


def test_dataset_parameters_pick_graphs(endpoint):
    ontology = "https://w3id.org/actorgraph/graph/ontology"
    url = (
        query_url(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?a kgo:backs ?b }")
        + "&"
        + urllib.parse.urlencode({"default-graph-uri": ontology})
    )
    assert json.loads(get(url)[2])["results"]["bindings"][0]["n"]["value"] == "0"


def test_syntax_errors_and_unknown_paths(endpoint):
    status, _, body = get(query_url(endpoint, "SELECT * WHERE { ?s ?p }"))
    assert status == 400 and body == b"SPARQL syntax error: error at 1:25: unexpected text or end of query\n"
    assert get(endpoint.url + "/sparql")[0] == 400
    assert get(endpoint.url + "/nowhere")[0] == 404


# -- what the endpoint refuses --------------------------------------------------------------------


def test_updates_are_refused_and_change_nothing(endpoint, folder):
    before = snapshot(folder)
    update = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } } ; DROP ALL"
    attempts = [
        get(
            endpoint.url + "/sparql",
            data=urllib.parse.urlencode({"update": update}).encode(),
            content_type="application/x-www-form-urlencoded",
        ),
        get(endpoint.url + "/sparql", data=update.encode(), content_type="application/sparql-update"),
        get(endpoint.url + "/sparql?" + urllib.parse.urlencode({"update": update})),
        get(endpoint.url + "/update", data=update.encode(), content_type="application/sparql-update"),
        get(query_url(endpoint, update)),
    ]
    assert [status for status, _, _ in attempts] == [403, 403, 403, 404, 400]
    assert b"read-only" in attempts[0][2]
    assert snapshot(folder) == before


SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "select * where { service silent <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z .SERVICE<{url}/sparql>{?s ?p ?o} }",
    "SELECT * WHERE { BIND(<{url}/sparql> AS ?u) # comment\n SeRvIcE ?u { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { FILTER(1<2)SERVICE<{url}/sparql>{?s ?p ?o} }",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_federated_queries_are_refused_and_send_nothing(endpoint, template):
    with FakeEndpoint(200, "application/sparql-results+json", b'{"head":{"vars":[]},"results":{"bindings":[]}}') as inside:
        status, _, body = get(query_url(endpoint, template.replace("{url}", inside.url)))
        assert status == 403 and b"SERVICE" in body
        assert inside.requests == []


def test_without_the_check_oxigraph_would_call_out(folder):
    """Why the check exists: the query engine itself federates to any URL it is given."""
    with FakeEndpoint(200, "application/sparql-results+json", b'{"head":{"vars":[]},"results":{"bindings":[]}}') as inside:
        evaluate(str(folder), SERVICE_QUERIES[0].replace("{url}", inside.url), [], [], [], 1000)
        assert len(inside.requests) == 1


def test_the_word_service_elsewhere_is_fine(endpoint):
    query = "SELECT ?service WHERE { BIND('SERVICE <http://127.0.0.1:1/>' AS ?service) } # SERVICE"
    assert get(query_url(endpoint, query))[0] == 200
    assert not uses_service("SELECT * WHERE { ?s schema:SERVICE ?service . ?service:x ?p _:service }")


def test_a_slow_query_is_cut_at_the_timeout(endpoint):
    started = time.monotonic()
    status, _, body = get(query_url(endpoint, ENDLESS))
    assert status == 503 and b"longer than 1.5 s" in body
    assert time.monotonic() - started < 5
    assert get(query_url(endpoint, BACKERS))[0] == 200  # and the endpoint still answers
    assert not [child for child in multiprocessing.active_children() if child.name != "SyncManager"]


def test_results_over_the_size_limit_are_refused(folder):
    with Running(folder, max_bytes=2000) as small:
        status, _, body = get(query_url(small, "SELECT * WHERE { ?s ?p ?o }"))
        assert status == 400 and b"larger than 2000 bytes" in body
        assert get(query_url(small, "ASK { ?s ?p ?o }"))[0] == 200


# -- the page, the defaults, the errors -----------------------------------------------------------


def test_the_page_has_a_query_box_and_escapes_what_it_echoes(endpoint):
    status, media_type, body = get(endpoint.url + "/")
    page = body.decode()
    assert status == 200 and media_type.startswith("text/html") and "<textarea" in page and "Who backs whom" in page
    hostile = "</textarea><script>alert(1)</script>"
    page = get(endpoint.url + "/?" + urllib.parse.urlencode({"query": hostile}))[2].decode()
    assert "<script>alert(1)" not in page and "&lt;/textarea&gt;&lt;script&gt;" in page
    with urllib.request.urlopen(endpoint.url + "/", timeout=10) as response:
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_listens_on_localhost_by_default(folder):
    server = make_server(str(folder), port=0)
    try:
        assert server.effective_host == "127.0.0.1"
    finally:
        server.close()


def test_stores_that_cannot_be_served(tmp_path):
    with pytest.raises(KgError, match="memory"):
        make_server(":memory:", port=0)
    with pytest.raises(KgError, match="SPARQL server already"):
        make_server("http://127.0.0.1:7878", port=0)
    with pytest.raises(KgError, match="no kg store here yet"):
        make_server(str(tmp_path / "none"), port=0)


def test_accept_headers():
    assert accepted("text/csv;q=0.5, application/json, */*;q=0") == ["application/json", "text/csv"]
    assert negotiate(["text/*"], {"application/x": 1, "text/y": 2}) == ("text/y", 2)
    assert negotiate(["image/png"], {"application/x": 1}) == ("application/x", 1)


@pytest.mark.skipif("serve" not in main.commands, reason="the `kg serve` command is not in kg/cli.py yet (handoff/issue-9.md)")
def test_the_kg_serve_command(folder):
    command = [sys.executable, "-m", "kg.cli", "--store", str(folder), "serve", "--port", "0", "--timeout", "2"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        line = process.stdout.readline()
        assert "read-only" in line and "http://127.0.0.1:" in line, line + process.stderr.read()
        url = line.split("SPARQL endpoint ")[1].split()[0].rstrip(",")
        status, _, body = get(f"{url}?{urllib.parse.urlencode({'query': BACKERS})}", accept="text/csv")
        assert status == 200 and b"turkey" in body
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0 and process.stderr.read() == ""


def test_the_page_runs_queries_in_a_browser_and_shows_results_as_text(endpoint):
    """Headless Chromium (as for ``kg view``): an example query fills a table, and a value
    that looks like HTML is shown as text, not run; the page keeps to its CSP."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it")
    hostile = "<img src=x onerror=\"document.title='pwned'\">"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(endpoint.url + "/")
        page.click("text=Who backs whom")
        page.click("button[type=submit]")
        page.wait_for_selector("table td")
        cells = page.locator("table td").all_inner_texts()
        page.fill("#query", f"SELECT ?x WHERE {{ BIND({json.dumps(hostile)} AS ?x) }}")
        page.click("button[type=submit]")
        page.wait_for_function("() => document.querySelector('td') && document.querySelector('td').textContent.startsWith('<img')")
        shown, images, title = page.locator("td").inner_text(), page.locator("#out img").count(), page.title()
        browser.close()
    assert ["actor:russia", "actor:syrian-government", "actor:turkey", "actor:sna"] == cells
    assert shown == hostile and images == 0 and title != "pwned" and errors == []
