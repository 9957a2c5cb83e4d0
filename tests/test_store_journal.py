"""The journal of a re-load (``kg-replace.json``): an open that finds one finishes the
replacement before anything reads the store, and refuses clearly when it cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.namespace import RDF, RDFS

from kg import store as store_module
from kg.errors import KgError
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


def nquads_file(path, graph: str, count: int) -> Path:
    """``count`` quads in ``graph``, about 120 bytes each."""
    lines = (f'<{ACTOR}a{i}> <{RDFS.label}> "actor number {i} with a longer label" <{graph}> .\n' for i in range(count))
    path.write_text("".join(lines), encoding="utf-8")
    return path


class Bars:
    """A progress factory as the CLI passes one: records each bar's label, total and updates."""

    def __init__(self) -> None:
        self.started: list[tuple[str, int]] = []
        self.updates: list[int] = []

    def __call__(self, label: str, total: int) -> Bars:
        self.started.append((label, total))
        return self

    def update(self, n: int) -> None:
        self.updates.append(n)


def test_a_bulk_load_goes_in_by_chunks_and_reports_each_megabyte(tmp_path, monkeypatch):
    from kg.store.journal import load_nquads

    graph = "file:///data/a.csv"
    nquads = nquads_file(tmp_path / "a.nq", graph, 50_000)  # about 6 MB
    megabytes = -(-nquads.stat().st_size // (1 << 20))
    whole, chunked = ox.Store(), ox.Store()
    whole.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    bars = Bars()
    load_nquads(chunked, nquads, bars, chunk_mb=1)
    assert bars.started == [(f"writing {megabytes:,} MB of N-Quads to the store", megabytes)]
    assert len(bars.updates) >= megabytes - 1 and sum(bars.updates) == megabytes and all(n >= 0 for n in bars.updates)
    assert sorted(map(str, chunked)) == sorted(map(str, whole)) and len(chunked) == 50_000  # no quad cut or lost at a chunk edge


def test_a_first_load_failing_part_way_leaves_the_store_as_it_was(tmp_path):
    from kg.store.journal import replace_journaled

    store_dir = tmp_path / "store"
    oxigraph = ox.Store(str(store_dir))
    oxigraph.add(
        ox.Quad(ox.NamedNode(f"{ACTOR}kept"), ox.NamedNode(str(RDFS.label)), ox.Literal("Kept"), ox.NamedNode("file:///kept.yaml"))
    )
    graph = "file:///data/a.csv"
    nquads = nquads_file(store_dir / (store_module.LOAD_FILE_PREFIX + "a.nq"), graph, 30_000)
    with nquads.open("a", encoding="utf-8") as handle:
        handle.write("<not a quad\n")  # the last chunk fails, after the first ones are in
    with pytest.raises(SyntaxError):
        replace_journaled(oxigraph, str(store_dir), [graph], nquads, replacing=False)
    assert [str(q.object) for q in oxigraph] == ['"Kept"'] and not (store_dir / store_module.JOURNAL).exists()


def test_a_bad_chunk_size_is_refused_before_anything_changes(loaded, monkeypatch):
    before = snapshot(loaded)
    monkeypatch.setenv("KG_LOAD_CHUNK_MB", "lots")
    graph = graph_iri(EXAMPLE_FILE)
    with store_module.open_store(str(loaded)) as store:
        with pytest.raises(KgError, match="KG_LOAD_CHUNK_MB is a whole number of megabytes, at least 1, not 'lots'"):
            with store.bulk_writer([graph]) as out:
                out.write(f'<{ACTOR}x> <{RDFS.label}> "X" <{graph}> .\n')
    assert snapshot(loaded) == before
