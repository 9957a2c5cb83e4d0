"""The journal of a re-load (``kg-replace.json``): an open that finds one finishes the
replacement before anything reads the store, and refuses clearly when it cannot."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib.namespace import RDF, RDFS

from kg import store as store_module
from kg.loader import graph_iri
from kg.namespaces import ACTOR, KGO
from tests.conftest import EXAMPLE_FILE, snapshot, write


@pytest.fixture
def loaded(kg, store_dir):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    return store_dir


def interrupt(store_dir, graph: str, new_content: str) -> None:
    """The store as a re-load killed between its two steps leaves it: the journal and its
    N-Quads file written, the old content of the graph dropped, the new not yet loaded."""
    nquads = store_dir / (store_module.LOAD_FILE_PREFIX + "test.nq")
    nquads.write_text(new_content, encoding="utf-8")
    (store_dir / store_module.JOURNAL).write_text(json.dumps({"graphs": [graph], "nquads": nquads.name}), encoding="utf-8")
    oxigraph = ox.Store(str(store_dir))
    oxigraph.update(f"DROP GRAPH <{graph}>")
    del oxigraph


@pytest.mark.parametrize("command", [["actors", "--format", "json"], ["load", str(EXAMPLE_FILE)]])
def test_the_next_open_finishes_an_interrupted_re_load(kg, loaded, command):
    graph = str(graph_iri(EXAMPLE_FILE))
    new = f'<{ACTOR}newcomer> <{RDF.type}> <{KGO}State> <{graph}> .\n<{ACTOR}newcomer> <{RDFS.label}> "Newcomer" <{graph}> .\n'
    interrupt(loaded, graph, new)
    result = kg(*command)
    assert result.exit_code == 0, result.output
    if command[0] == "actors":  # the new version of the file, not the store without it
        assert [actor["id"] for actor in json.loads(result.stdout)] == ["newcomer"]
        assert "interrupted" in result.stderr
    assert not (loaded / store_module.JOURNAL).exists()
    assert not list(loaded.glob(store_module.LOAD_FILE_PREFIX + "*"))


def test_a_damaged_journal_is_refused_by_name(kg, loaded):
    (loaded / store_module.JOURNAL).write_text("{not json", encoding="utf-8")
    before = snapshot(loaded)
    for command in (["info"], ["load", str(EXAMPLE_FILE)]):
        result = kg(*command)
        assert result.exit_code == 1 and "journal of an interrupted load is damaged" in result.output
        assert store_module.JOURNAL in result.output
    assert snapshot(loaded) == before


def test_a_journal_names_only_a_load_file_in_the_store(kg, loaded, tmp_path):
    outside = write(tmp_path / "elsewhere.nq", "")
    (loaded / store_module.JOURNAL).write_text(json.dumps({"graphs": [], "nquads": str(outside)}), encoding="utf-8")
    result = kg("info")
    assert result.exit_code == 1 and "damaged" in result.output
    assert outside.exists()
