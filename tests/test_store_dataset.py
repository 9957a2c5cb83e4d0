"""``kg sparql`` honours a query's own dataset (``FROM``, ``FROM NAMED``) on a real store:
under the union default graph Oxigraph ignored it, and a count ``FROM`` a graph that does
not exist answered every triple (issue 23)."""

from __future__ import annotations

import json

import pytest

from kg.loader import graph_iri
from tests.conftest import EXAMPLE_FILE, ROOT

GDELT_FILE = next((ROOT / "examples" / "gdelt-2019-10-24").glob("*.CSV"))


@pytest.fixture
def loaded(kg):
    for path in (EXAMPLE_FILE, GDELT_FILE):
        assert kg("load", str(path)).exit_code == 0
    return kg


def count(kg, query: str) -> int:
    result = kg("sparql", query, "--format", "json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.output)[0]["n"])


def test_from_a_graph_that_does_not_exist_counts_nothing(loaded):
    assert count(loaded, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") > 0
    assert count(loaded, "SELECT (COUNT(*) AS ?n) FROM <http://nonexistent/g> WHERE { ?s ?p ?o }") == 0


def test_from_a_loaded_file_counts_that_file_only(loaded):
    graph = graph_iri(EXAMPLE_FILE)
    in_graph = count(loaded, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    everything = count(loaded, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert 0 < in_graph < everything
    assert count(loaded, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}") == in_graph


def test_from_named_limits_the_graphs_a_graph_pattern_sees(loaded):
    graph = graph_iri(GDELT_FILE)
    result = loaded("sparql", f"SELECT DISTINCT ?g FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"g": str(graph)}]
    # without FROM, every graph (the files, the ontology, the store's own) is there
    result = loaded("sparql", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "json")
    assert len(json.loads(result.output)) >= 3


def test_prefixes_and_ask_work_with_a_dataset(loaded):
    graph = graph_iri(EXAMPLE_FILE)
    result = loaded("sparql", f"ASK FROM <{graph}> WHERE {{ actor:turkey kgo:backs actor:sna }}")
    assert result.exit_code == 0 and result.output.strip() == "true"
    result = loaded("sparql", f"ASK FROM <{graph_iri(GDELT_FILE)}> WHERE {{ actor:turkey kgo:backs actor:sna }}")
    assert result.exit_code == 0 and result.output.strip() == "false"
