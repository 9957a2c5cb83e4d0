"""kg on OpenLink Virtuoso 7 (Debian's ``virtuoso-opensource``), as a new user would run it:
no configuration for kg but update rights, and a row limit (``ResultSetMaxRows``) far below
the data, so that every answer past it is paged; the same answers as the embedded store.

The general remote tests run on Virtuoso as well (``tests/test_remote.py``,
``tests/test_store_interface.py``); these are Virtuoso's own: every example, more claims
than the server answers rows, graph answers it may cut, digest authentication.
"""

from __future__ import annotations

import collections

import pytest
from click.testing import CliRunner

from bench.generate import generate, write_csv
from kg.analyse import reports
from kg.cli import main
from kg.errors import KgError
from kg.loader import load
from kg.projection import all_claims
from kg.query import info, match, sparql
from kg.store import open_store
from kg.store.remote import open_remote
from tests.conftest import EVERY_EXAMPLE, EXAMPLE_FILE
from tests.servers import VirtuosoServer

COMMANDS = [
    ["info"],
    ["actors", "--format", "csv"],
    ["match", "?a backs ?b", "--format", "json"],
    ["match", "?a fights ?b", "--as-of", "2023-05-01"],
    ["why", "turkey", "backs", "sna", "--as-of", "2021-01-01", "--format", "json"],
    ["why", "Syrian regime", "backed-by", "Moscow", "--min-confidence", "0.5"],
    ["why", "rsf", "clashes-with", "sudan-mil", "--as-of", "2023-04-20", "--format", "json"],  # ACLED events
    ["why", "australia", "fights", "italy", "--format", "json"],  # GDELT events
    ["analyse", "blocs"],
    ["analyse", "balance"],
    ["analyse", "centrality"],
    ["analyse", "contested"],
    ["analyse", "chains", "Ankara"],
    ["path", "iran", "ypg"],
    ["validate"],
    *(["export", "--format", fmt, "-o", "-"] for fmt in ("nt", "trig", "graphml", "gexf")),
    ["export", "--format", "trig", "--ontology", "-o", "-"],
]


def cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """Virtuoso answering at most 1,000 rows, emptied by each test that writes."""
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")) as running:
        yield running


def test_every_example_answers_alike_on_virtuoso(virtuoso, tmp_path):
    """Every example (curated, typed relations, ACLED, GDELT: blank nodes in the ontology, 3,000
    triples in one file, more than 1,000 quads in every export) loads, and every command answers
    as on a folder, byte for byte."""
    virtuoso.clear()
    folder = str(tmp_path / "store")
    for where in (folder, virtuoso.url):
        loaded = cli("--store", where, "load", *EVERY_EXAMPLE)
        assert loaded.exit_code == 0, loaded.output
    for command in COMMANDS:
        on_disk, remote = cli("--store", folder, *command), cli("--store", virtuoso.url, *command)
        assert remote.exit_code == on_disk.exit_code == 0, (command, remote.output)
        assert remote.output.replace(virtuoso.url, "S") == on_disk.output.replace(folder, "S"), command
    for where in (folder, virtuoso.url):
        assert cli("--store", where, "drop", "examples/gdelt-2019-10-24/20191024143000.export.CSV").exit_code == 0
    infos = [cli("--store", where, "info").output.replace(where, "S") for where in (folder, virtuoso.url)]
    assert infos[0] == infos[1] and "20191024143000" not in infos[1]


@pytest.fixture(scope="module")
def twelve_thousand(tmp_path_factory):
    """12,000 claims in the embedded store and in a Virtuoso as Debian configures it (at most
    10,000 rows per answer, 10,000 sorted rows): every projection is paged, past both limits."""
    folder = tmp_path_factory.mktemp("twelve-thousand")
    write_csv(generate(12_000), folder / "data")
    embedded = open_store(":memory:")
    load(embedded, [folder / "data"])
    with VirtuosoServer(folder / "virtuoso", max_rows=10_000) as server, open_remote(server.url) as remote:
        load(remote, [folder / "data"])
        yield embedded, remote
    embedded.close()


def test_more_claims_than_the_server_answers_rows_give_the_same_analyses(twelve_thousand):
    """Every analysis reads the same projection of the claims (``all_claims``): the claims, and
    analyses of each kind on them, equal the embedded store's."""
    embedded, remote = twelve_thousand
    hubs = list(dict.fromkeys(row["actor"] for row in reports.centrality(embedded).rows))[:2]

    def answers(store):
        return {
            "claims": all_claims(store),
            "blocs": reports.blocs(store).rows,
            "path": reports.path(store, *hubs).rows,
            "actors": store.actors(),
            "sources": store.sources(),
            "info": {key: value for key, value in info(store).items() if key != "store"},
            "match": match(store, ["?a fights ?b", "?b backs ?c"]),
        }

    got, expected = answers(remote), answers(embedded)
    assert len(expected["claims"]) == 12_000 and len(expected["match"]) > 10_000 and expected["path"]
    for key in expected:
        assert got[key] == expected[key], key


def test_a_paged_answer_keeps_the_query_s_order_and_its_duplicates(twelve_thousand):
    embedded, remote = twelve_thousand
    ordered = "SELECT ?st ?c WHERE { ?st kgo:confidence ?c } ORDER BY DESC(?c) ?st"
    assert sparql(remote, ordered).rows == sparql(embedded, ordered).rows
    relations = "SELECT ?r WHERE { ?st kgo:relation ?r }"  # 12,000 rows, a few distinct ones
    counted = [collections.Counter(row["r"] for row in sparql(store, relations).rows) for store in (remote, embedded)]
    assert counted[0] == counted[1] and sum(counted[0].values()) >= 12_000


def test_a_graph_answer_the_server_may_have_cut_is_refused(virtuoso):
    """Virtuoso cuts CONSTRUCT answers at its row limit too, and says nothing: kg finds the limit."""
    virtuoso.clear()
    embedded = open_store(":memory:")
    load(embedded, [EXAMPLE_FILE])
    with open_remote(virtuoso.url) as store:
        load(store, [EXAMPLE_FILE])
        everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"  # 1,200 triples
        with pytest.raises(KgError, match="answers at most 1000 rows .* may be cut short: kg shows no partial answer"):
            sparql(store, everything)
        opposing = "CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }"
        assert sorted(sparql(store, opposing).graph) == sorted(sparql(embedded, opposing).graph) != []


def test_updates_through_digest_authentication(virtuoso):
    """Virtuoso's ``/sparql-auth`` asks for digest authentication; a basic attempt is told so."""
    virtuoso.clear()
    digest = {"KG_STORE_USER": "dba", "KG_STORE_PASSWORD": "dba", "KG_STORE_AUTH": "digest"}
    assert cli("--store", virtuoso.auth_url, "load", str(EXAMPLE_FILE), env=digest).exit_code == 0
    assert "turkey" in cli("--store", virtuoso.auth_url, "match", "?who backs sna", env=digest).output
    basic = cli("--store", virtuoso.auth_url, "info", env={**digest, "KG_STORE_AUTH": "basic"})
    assert basic.exit_code == 1 and "access refused" in basic.stderr and "KG_STORE_AUTH=digest" in basic.stderr
    assert "dba" not in basic.stderr.replace(virtuoso.auth_url, "")
