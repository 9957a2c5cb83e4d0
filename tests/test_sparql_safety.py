"""A user's SPARQL must not make this machine call another: ``kg sparql`` refuses SERVICE and
updates however they are spelt, decided on the query's tokens (kg.sparqltext).

Each trick is run against a real listener on 127.0.0.1 that must receive nothing. The same
tricks, run straight on Oxigraph, do reach the listener: that is the proof that each one is a
federated query to the engine, not only to the check.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.sparqltext import _service_in_parse_tree, declares_dataset, is_update, tokens, uses_service
from tests.conftest import EXAMPLE, ROOT


class Listener:
    """A TCP socket on 127.0.0.1, on a port the OS chooses, that records every connection made
    to it (its first bytes) and closes it at once, so that a client that does connect fails
    fast instead of waiting for an answer."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        port = self.server.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}/"
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._accept_waiting(0)  # a connection that arrived as the thread stopped counts too
        self.server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._accept_waiting(0.05)

    def _accept_waiting(self, timeout: float) -> None:
        ready, _, _ = select.select([self.server], [], [], timeout)
        if ready:
            connection, _ = self.server.accept()
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(200))
                except OSError:
                    self.received.append(b"")


# (name, query; {url} is the listener's SPARQL URL and {base} its root, whether Oxigraph 0.5
# itself federates the query: checked on Oxigraph in test_each_trick_is_a_federated_query)
TRICKS = [
    ("escaped # in a prefixed name", r"PREFIX ex: <http://ex/> SELECT * WHERE { BIND(ex:a\# AS ?v) SERVICE <{url}> { ?x ?y ?z } }", True),
    ("escaped . in a prefixed name", r"PREFIX ex: <http://ex/> SELECT * WHERE { BIND(ex:a\. AS ?v) SERVICE <{url}> { ?x ?y ?z } }", True),
    (
        "a line that rdflib and Oxigraph read differently",
        "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ?p ex:a\\# , ex:b . SERVICE <{url}> {?x ?y ?z} . ?s ?p ex:c\n, ex:d }",
        True,
    ),
    ("lower case and SILENT", "select * where { service silent <{url}> { ?s ?p ?o } }", True),
    ("mixed case, a comment before the IRI", "SELECT * WHERE { SeRvIcE # here\n <{url}> { ?s ?p ?o } }", True),
    ("a variable as the endpoint", "SELECT * WHERE { BIND(<{url}> AS ?u) SERVICE ?u { ?x ?y ?z } }", False),  # other engines
    ("a comment that opens a long string", 'SELECT * WHERE { # """\nSERVICE <{url}> { ?x ?y ?z } # """\n}', True),
    ("a # inside a multi-line string", 'SELECT * WHERE { BIND("""a # not a comment\nb""" AS ?t) SERVICE <{url}> { ?x ?y ?z } }', True),
    ("a \\u escape of the S", r"SELECT * WHERE { \u0053ERVICE <{url}> { ?x ?y ?z } }", False),
    ("a \\U escape of the S", r"SELECT * WHERE { \U00000053ERVICE <{url}> { ?x ?y ?z } }", False),
    ("in a sub-query", "SELECT * WHERE { ?s ?p ?o { SELECT * WHERE { SERVICE <{url}> { ?a ?b ?c } } } }", True),
    ("in FILTER EXISTS", "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?a ?b ?c } } }", True),
    ("in ORDER BY", "SELECT * WHERE { ?s ?p ?o } ORDER BY (EXISTS { SERVICE <{url}> { ?a ?b ?c } })", True),
    ("in OPTIONAL in a CONSTRUCT", "CONSTRUCT { ?a ?b ?c } WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?a ?b ?c } } }", True),
    # Oxigraph reads a keyword without a word boundary
    ("SERVICESILENT run together", "SELECT * WHERE { SERVICESILENT<{url}>{ ?a ?b ?c } }", True),
    ("a keyword glued to true", "SELECT * WHERE { ?s ?p trueSERVICE <{url}> { ?a ?b ?c } }", True),
    ("a keyword glued to a number", "SELECT * WHERE { ?s ?p 1SERVICE <{url}> { ?a ?b ?c } }", True),
    ("SERVICE:x read as SERVICE and :x", "PREFIX : <{base}> SELECT * WHERE { SERVICE:x{ ?a ?b ?c } }", True),
    # a prefixed name that Oxigraph reads otherwise than the grammar
    ("a local part that is not a valid IRI", "PREFIX ex: <http://h:> SELECT * WHERE { ?s ?p ex:SERVICE<{url}>{ ?a ?b ?c } }", True),
    ("the same, declared PREFIXex:", "PREFIXex:<http://h:> SELECT * WHERE { ?s ?p ex:SERVICE<{url}>{ ?a ?b ?c } }", True),
    ("a predeclared prefix declared again", "PREFIX schema: <http://h:> SELECT * WHERE { ?s ?p schema:Service<{url}>{ ?a ?b ?c } }", True),
    ("a second # in a fragment", r"PREFIX ex: <http://ex/#> PREFIX : <{base}> SELECT * WHERE { ?s ?p ex:SERVICE:x\# { ?a ?b ?c } }", True),
    ("a local part with two dots", "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ?p ex:a.b.SERVICE <{url}> { ?a ?b ?c } }", True),
    # text that Oxigraph reads as something else than a string or an IRI
    ("less than, not an IRI", "BASE <{base}> SELECT * WHERE { FILTER(1<2)SERVICE<sparql>#>\n{ ?a ?b ?c } }", True),
    (
        "a long string with an escape of no character",
        'SELECT * WHERE { VALUES ?x { """ " } SERVICE <{url}> { ?a ?b ?c } # \\uD800 """ }\n}',
        True,
    ),
]

# What the tricks need in the store to reach their SERVICE clause on Oxigraph.
TRICK_DATA = [
    "<http://h:>",
    "true",
    "1",
    "<http://ex/a.b>",
    "<http://ex/#>",
    "<http://ex/a#>",
    "<http://ex/b>",
    "<http://ex/c>",
    "<http://ex/d>",
]


def fill(template: str, listener: Listener) -> str:
    return template.replace("{url}", listener.base + "sparql").replace("{base}", listener.base)


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory) -> Path:
    """A real store made by ``kg load examples/ain-issa-2020/``."""
    folder = tmp_path_factory.mktemp("safety") / "store"
    result = CliRunner().invoke(main, ["--store", str(folder), "load", str(EXAMPLE)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def sparql(store_folder):
    def run(query: str):
        return CliRunner().invoke(main, ["--store", str(store_folder), "sparql", query], catch_exceptions=False)

    return run


@pytest.mark.parametrize("name, template, federates", TRICKS, ids=[t[0] for t in TRICKS])
def test_each_trick_is_refused_and_sends_nothing(sparql, name, template, federates):
    with Listener() as listener:
        result = sparql(fill(template, listener))
    assert result.exit_code == 1 and "SERVICE" in result.stderr and "Traceback" not in result.output
    assert listener.received == []


@pytest.mark.parametrize("name, template", [(t[0], t[1]) for t in TRICKS if t[2]], ids=[t[0] for t in TRICKS if t[2]])
def test_each_trick_is_a_federated_query(name, template):
    """Why each trick above is there: run without the check, Oxigraph calls the listener."""
    store = ox.Store()
    for term in TRICK_DATA:
        store.update(f"INSERT DATA {{ <http://s> <http://p> {term} }}")
    with Listener() as listener:
        try:
            result = store.query(fill(template, listener))
            list(result) if not isinstance(result, ox.QueryBoolean) else bool(result)
        except (OSError, RuntimeError):
            pass  # the listener hangs up; that it was called is what counts
    assert listener.received and listener.received[0].startswith(b"POST ")


LEGITIMATE = [
    ("SELECT ?x WHERE { BIND('SERVICE <{url}> { ?a ?b ?c }' AS ?x) } # SERVICE <{url}>", "SERVICE <"),
    ('SELECT ?x WHERE { BIND("""\nSERVICE <{url}> { }\n""" AS ?x) }', "SERVICE <"),
    ("PREFIX ex: <http://ex/> SELECT ?x WHERE { BIND(ex:SERVICE AS ?x) }", "http://ex/SERVICE"),
    ("SELECT ?x WHERE { BIND(<{url}#SERVICE> AS ?x) }", "#SERVICE"),
    ("SELECT ?x WHERE { BIND(schema:Service AS ?x) }", "schema:Service"),
    ("SELECT ?service WHERE { ?service a kgo:State ; rdfs:label 'Turkey' }", "actor:turkey"),
    ("SELECT ?x WHERE { VALUES ?x { 'service' } FILTER(?x != \"SERVICE\") } # SERVICE in a comment", "service"),
]


@pytest.mark.parametrize("template, expected", LEGITIMATE, ids=[t[0][:50] for t in LEGITIMATE])
def test_the_word_service_elsewhere_still_runs(sparql, template, expected):
    with Listener() as listener:
        result = sparql(fill(template, listener))
    assert result.exit_code == 0, result.output
    assert expected in result.stdout
    assert listener.received == []


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}>",
        "load silent <{url}> into graph <urn:g>",
        "# a comment\nPREFIX x: <urn:x> # INSERT\nBASE <{base}>\nLOAD <{url}>",
        r"\u004cOAD <{url}>",
        "PREFIXx:<urn:x>LOAD<{url}>",
        "INSERT DATA { actor:a kgo:backs actor:b }",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    ],
)
def test_updates_are_refused_however_spelt(sparql, template):
    with Listener() as listener:
        result = sparql(fill(template, listener))
    assert result.exit_code == 1 and "only reads" in result.stderr
    assert listener.received == []


@pytest.mark.parametrize(
    "template",
    [
        "SELECT (COUNT(*) AS ?n) FROM <{url}> WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "DESCRIBE <{url}>",
        "CONSTRUCT { <{url}> ?p ?o } WHERE { <{url}> ?p ?o }",
        "ASK { FILTER(isIRI(IRI('{url}'))) }",
    ],
)
def test_no_other_operation_of_a_query_fetches_an_iri(sparql, template):
    """FROM, FROM NAMED, DESCRIBE and IRI() name IRIs: Oxigraph looks them up in the store only."""
    with Listener() as listener:
        result = sparql(fill(template, listener))
    assert result.exit_code == 0, result.output
    assert listener.received == []


# -- the check itself: no false alarms on ordinary queries -----------------------------------------

ORDINARY = [
    *(path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples").rglob("*.rq"))),
    "SELECT ?who WHERE { ?who kgo:backs actor:sna }",
    "SELECT ?a ?b WHERE { ?a kgo:opposes ?b FILTER(?a != ?b && STR(?a) < STR(?b)) } ORDER BY ?a LIMIT 10",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?o<3 || ?o>=5) }",
    "SELECT ?s WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Service> }",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?p IN (<http://a/#x>, <http://b/#y>)) }",
    "SELECT ?p ?o WHERE { VALUES (?p ?o) { (<http://a/p> <http://a/o>) (rdf:type kgo:State) } ?s ?p ?o }",
    "SELECT ?s WHERE { ?s (kgo:backs|^kgo:backedBy)+/rdfs:label ?l . ?s kgo:partOf* ?w }",
    "SELECT ?s (COUNT(DISTINCT ?o) AS ?n) (GROUP_CONCAT(?l; SEPARATOR=', ') AS ?ls) WHERE { ?s ?p ?o OPTIONAL { ?o rdfs:label ?l } } "
    "GROUP BY ?s HAVING (COUNT(?o) > 1)",
    "ASK { ?s kgo:confidence ?c FILTER(?c >= 0.5e0 && ?c <= 1.0 && ?c > -.5) }",
    "CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }",
    "DESCRIBE actor:turkey",
    "PREFIX ex: <http://example.org/ns#> SELECT * WHERE { ?s ex:a\\#b ?o ; ex:c\\.d 'x'@en-GB , \"y\"^^xsd:string , '''z''' }",
    "SELECT * WHERE { ?s ?p ?o MINUS { ?s a kgo:Person } FILTER NOT EXISTS { ?s rdfs:label 'x' } } # trailing\n",
    'SELECT * WHERE { [] ?p [ ?q _:b1 ] . ?s ?p ( 1 2.5 "three" ) } OFFSET 2',
    "SELECT * WHERE { ?s ?p ?o . BIND(IF(BOUND(?o), 'yes', 'no') AS ?b) BIND(<http://x/f>(?o) AS ?f) }",
]


@pytest.mark.parametrize("query", ORDINARY, ids=range(len(ORDINARY)))
def test_ordinary_queries_are_not_taken_for_federated_ones(query):
    assert not uses_service(query) and not is_update(query)
    # With the word in a comment after it, the check reads every token of the query.
    assert not uses_service(query + "\n# SERVICE <http://127.0.0.1:1/> { }")


def test_rdflib_is_a_second_reading_not_the_only_one():
    """rdflib's parser finds SERVICE in nested groups, but cannot parse the issue's query at all
    (``ex:a\\#``): when it cannot parse, the tokens decide alone, and they refuse."""
    assert _service_in_parse_tree("SELECT * WHERE { ?s ?p ?o OPTIONAL { { SELECT * WHERE { SERVICE <urn:x> { ?a ?b ?c } } } } }")
    issue = r"PREFIX ex: <http://ex/> SELECT * WHERE { BIND(ex:a\# AS ?v) SERVICE <http://127.0.0.1:1/x> { ?x ?y ?z } }"
    assert not _service_in_parse_tree(issue)
    assert uses_service(issue)


def test_a_long_query_is_judged_quickly():
    """rdflib's parser needs about 16 s for this 100 KB query (it runs only up to
    PARSE_TREE_LIMIT characters); the tokens read it in about 0.1 s."""
    query = "SELECT * WHERE { ?s ?p ?a FILTER(" + "?a + " * 19_900 + "1 > 0) } # no SERVICE here"
    started = time.monotonic()
    assert not uses_service(query)
    assert time.monotonic() - started < 3


def test_tokens_follow_the_grammar_and_the_engine():
    text = 'PREFIX ex: <http://ex/> SELECT * { ?s ex:a\\# \'x\'\'\' , """multi\n# line""" . } # end'
    assert [(t.kind, t.text) for t in tokens(text)] == [
        ("word", "PREFIX"), ("pname", "ex:"), ("iri", "<http://ex/>"), ("word", "SELECT"), ("punct", "*"), ("punct", "{"),
        ("var", "?s"), ("pname", "ex:a\\#"), ("string", "'x'"), ("string", "''"), ("punct", ","),
        ("string", '"""multi\n# line"""'), ("punct", "."), ("punct", "}"), ("comment", "# end"),
    ]  # fmt: skip
    # A long string with an escape of no character is, to Oxigraph, "" and a new string.
    assert [t.text for t in tokens('"""a\\uD800"""')][:1] == ['""']


def test_datasets_are_seen_on_tokens():
    assert declares_dataset("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert declares_dataset("select*from named<urn:g>{}") and declares_dataset("SELECT * FROMNAMED<urn:g> {}")
    assert not declares_dataset("SELECT * WHERE { ?s ?p 'FROM' } # FROM <urn:g>")
    assert not declares_dataset("SELECT * WHERE { ?s <http://x/FROM> ?from }")
    assert declares_dataset("SELECT * FROM:g WHERE {}") and not declares_dataset("PREFIX fromage: <urn:f#> SELECT * { ?s fromage:x ?o }")
