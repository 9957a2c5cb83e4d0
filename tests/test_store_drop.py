"""``Store.drop_graphs``: several files dropped in one transaction, all or none."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from kg.errors import KgError
from kg.loader import graph_iri, load
from kg.store import open_store
from tests.conftest import EXAMPLE_FILE, ROOT, snapshot

GDELT_FILE = next((ROOT / "examples" / "gdelt-2019-10-24").glob("*.CSV"))


@pytest.fixture
def disk_store(tmp_path):
    store = open_store(tmp_path / "store")
    load(store, [EXAMPLE_FILE, GDELT_FILE])
    yield store
    store.close()


def test_drop_graphs_removes_every_graph_named(disk_store):
    disk_store.drop_graphs([graph_iri(EXAMPLE_FILE), graph_iri(GDELT_FILE), URIRef("file:///never/loaded.yaml")])
    assert disk_store.data_graphs() == []
    assert disk_store.format_version() is not None  # the store's own graphs stay


def test_drop_graphs_drops_none_when_one_cannot_be_dropped(disk_store):
    before = snapshot(disk_store)
    with pytest.raises(KgError, match="not a valid RDF term"):
        disk_store.drop_graphs([graph_iri(EXAMPLE_FILE), URIRef("file:///a b>c")])
    assert snapshot(disk_store) == before


def test_drop_graph_still_drops_one(disk_store):
    disk_store.drop_graph(graph_iri(GDELT_FILE))
    assert disk_store.data_graphs() == [graph_iri(EXAMPLE_FILE)]


def test_dropping_nothing_changes_nothing(disk_store):
    before = snapshot(disk_store)
    disk_store.drop_graphs([])
    assert snapshot(disk_store) == before
