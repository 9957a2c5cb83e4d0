"""The store interface: both backends implement every member of ``kg.store.Store`` with a
compatible signature, and answer the interface's reads and writes alike on the same data.

The backends are real: Oxigraph in memory and in a folder, and for the remote store
``oxigraph serve`` and Virtuoso on 127.0.0.1 (``tests/servers.py``).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from kg.errors import KgError
from kg.loader import graph_iri, load
from kg.namespaces import ACTOR, KGO, ONTOLOGY_GRAPH
from kg.store import MEMORY, OxigraphStore, RemoteStore, Store, open_store
from kg.store.remote import open_remote
from tests.conftest import EXAMPLE_FILE, ROOT, write
from tests.servers import OxigraphServer, VirtuosoServer

IMPLEMENTATIONS = [OxigraphStore, RemoteStore]
#: The members a store must have as attributes (set per instance or on the class).
DATA_MEMBERS = ["location", "read_only", "streams_bulk_loads"]


def protocol_methods() -> dict[str, inspect.Signature]:
    """The methods ``Store`` declares, with their signatures (its own, not ``object``'s)."""
    return {
        name: inspect.signature(member)
        for name, member in vars(Store).items()
        if callable(member) and (not name.startswith("_") or name in ("__enter__", "__exit__"))
    }


def test_the_protocol_declares_what_the_rest_of_kg_uses():
    declared = set(protocol_methods()) | set(Store.__annotations__)
    used = {"query", "texts", "solutions", "results", "quads", "data_graphs", "has_actor", "actors", "sources", "format_version"}
    used |= {"replace_graphs", "bulk_writer", "drop_graphs", "drop_graph", "install_ontology", "close", "__enter__", "__exit__"}
    assert used | set(DATA_MEMBERS) <= declared
    assert set(Store.__annotations__) == set(DATA_MEMBERS)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", sorted(protocol_methods()))
def test_each_method_has_a_compatible_signature(implementation, name):
    """Every parameter of the protocol's method, with its kind and default; anything more
    the implementation takes must be optional. No inheritance: each class defines it."""
    assert Store not in implementation.__mro__ and name in vars(implementation), f"{implementation.__name__} lacks {name}"
    wanted = protocol_methods()[name].parameters
    got = inspect.signature(getattr(implementation, name)).parameters
    for parameter in wanted.values():
        assert parameter.name in got, f"{implementation.__name__}.{name} lacks {parameter.name}"
        mine = got[parameter.name]
        assert mine.kind == parameter.kind, (name, parameter.name)
        assert mine.default == parameter.default, (name, parameter.name)
    extra = [p for p in got.values() if p.name not in wanted and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    assert all(p.default is not p.empty for p in extra), (name, extra)


def test_the_check_sees_a_missing_or_incompatible_member():
    """The checks above can fail: a class without ``quads`` is no ``Store``, and a ``quads``
    that takes its graph as a required keyword does not fit the protocol's signature."""

    class Partial:
        def quads(self, *, graph):
            return []

    assert not isinstance(Partial(), Store)
    wanted = protocol_methods()["quads"].parameters["graph"]
    assert inspect.signature(Partial.quads).parameters["graph"].kind != wanted.kind


# -- the same data on every backend ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with OxigraphServer() as running:
        yield running


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")) as running:
        yield running


@pytest.fixture(scope="module", params=["memory", "folder", "oxigraph", "virtuoso"])
def loaded(request, tmp_path_factory):
    """The Ain Issa example in each backend, opened writable."""
    if request.param == "memory":
        store = open_store(MEMORY)
    elif request.param == "folder":
        store = open_store(tmp_path_factory.mktemp("folder") / "store")
    else:
        store = open_remote(request.getfixturevalue("server" if request.param == "oxigraph" else "virtuoso").url)
    load(store, [EXAMPLE_FILE])
    yield store
    store.close()


@pytest.fixture(scope="module")
def reference():
    store = open_store(MEMORY)
    load(store, [EXAMPLE_FILE])
    return store


def blanked(quads: list[ox.Quad]) -> list[str]:
    """Quads as sorted N-Quads lines, blank node labels blanked (each store names its own)."""
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode() if quads else ""
    return sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", line) for line in text.splitlines())


def reads(store: Store) -> dict:
    """Every read of the interface, in comparable form."""
    graph = graph_iri(EXAMPLE_FILE)
    backers = "SELECT ?a ?b WHERE { ?a kgo:backs ?b } ORDER BY ?a ?b"
    results = store.results(backers)
    ask = store.results("ASK { actor:turkey kgo:backs actor:sna }")
    construct = store.results("CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }")
    return {
        "is a Store": isinstance(store, Store),
        "data_graphs": store.data_graphs(),
        "format_version": store.format_version(),
        "actors": store.actors(),
        "sources": store.sources(),
        "some sources": store.sources(["newarab-2020-12-29", "no-such-source", "not an id"]),
        "has_actor": [store.has_actor(name) for name in ("turkey", "Turkey", "nobody")],
        "query": [(str(row.a), str(row.b)) for row in store.query(backers)],
        "query bound": bool(store.query("ASK { ?a kgo:backs ?b }", {"a": ACTOR.turkey, "b": ACTOR.sna}).askAnswer),
        "query graph": sorted(store.query("CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }").graph),
        "texts": list(store.texts(backers)),
        "texts bound": list(store.texts("SELECT ?b WHERE { ?a kgo:backs ?b } ORDER BY ?b", {"a": ACTOR.turkey})),
        "solutions": store.solutions(backers),
        "results": results.serialize(format=ox.QueryResultsFormat.JSON),
        "results ask": ask.serialize(format=ox.QueryResultsFormat.JSON),
        "results graph": blanked([ox.Quad(t.subject, t.predicate, t.object) for t in construct]),
        "results dataset": store.results("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graphs=[str(ONTOLOGY_GRAPH)])
        .serialize(format=ox.QueryResultsFormat.CSV)
        .decode(),
        "quads of a file": blanked(store.quads(graph)),
        "quads of the ontology": blanked(store.quads(ONTOLOGY_GRAPH)),
        # the embedded store alone keeps its counts: other clients may change a server's data
        "quads": blanked([q for q in store.quads() if q.predicate != ox.NamedNode(str(KGO.counts))]),
        "counts": store.counts(),
        "quads of no graph": store.quads(URIRef("file:///never/loaded.yaml")),
    }


def test_every_backend_reads_like_the_embedded_one(loaded, reference):
    got, expected = reads(loaded), reads(reference)
    assert expected["is a Store"] and expected["has_actor"] == [True, False, False] and len(expected["quads"]) > 700
    assert expected["query bound"] and json.loads(expected["results ask"])["boolean"] is True
    for key in expected:
        assert got[key] == expected[key], key


def test_every_backend_refuses_a_bad_query_and_a_bad_graph_iri(loaded):
    with pytest.raises(KgError, match="syntax error|refused the query"):
        loaded.results("SELECT * WHERE { ?s ?p }")
    with pytest.raises(KgError, match="not a graph IRI"):
        loaded.results("ASK {}", default_graphs=["not an iri"])


# -- writes on every backend ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch():
    """A server of its own for the tests that write."""
    with OxigraphServer() as running:
        yield running


@pytest.fixture(scope="module")
def virtuoso_scratch(tmp_path_factory):
    """A Virtuoso of its own for the tests that write."""
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso-scratch")) as running:
        yield running


@pytest.fixture(params=["memory", "folder", "oxigraph", "virtuoso"])
def empty(request, tmp_path):
    """A fresh, writable store of each backend (the server emptied first)."""
    if request.param == "memory":
        store = open_store(MEMORY)
    elif request.param == "folder":
        store = open_store(tmp_path / "store")
    else:
        server = request.getfixturevalue("scratch" if request.param == "oxigraph" else "virtuoso_scratch")
        server.clear()
        store = open_remote(server.url)
    yield store
    store.close()


A, B = URIRef("file:///data/a.yaml"), URIRef("file:///data/b.yaml")
LINE = f"<{ACTOR}x> <{KGO}backs> <{ACTOR}y> <{A}> .\n"


def test_writes_replace_and_drop_graphs_alike(empty):
    ids = [empty.write_id()]
    empty.replace_graphs({A: {(ACTOR.x, KGO.backs, ACTOR.y)}, B: [(ACTOR.y, KGO.opposes, ACTOR.z)]})
    assert empty.data_graphs() == [A, B]
    ids.append(empty.write_id())
    empty.replace_graphs({A: [(ACTOR.x, KGO.opposes, Literal("z"))]})
    assert [(q.predicate.value, q.object.value) for q in empty.quads(A)] == [(str(KGO.opposes), "z")]
    ids.append(empty.write_id())
    with empty.bulk_writer([A, B]) as out:
        out.write(LINE)
    assert empty.data_graphs() == [A] and len(empty.quads(A)) == 1  # B was replaced by nothing
    ids.append(empty.write_id())
    empty.drop_graph(A)
    assert empty.data_graphs() == [] and empty.format_version() == 2
    ids.append(empty.write_id())
    # what is kept beside a store is valid for one write id: each write makes a new one; a
    # server vouches for none, as other clients may change its data
    remote = isinstance(empty, RemoteStore)
    assert ids[1:] == [None] * 4 if remote else None not in ids[1:] and len(set(ids[1:])) == 4


class Stop(Exception):
    """An error of the caller's, inside a bulk writer's block."""


def test_an_error_in_the_bulk_writer_changes_nothing(empty):
    empty.replace_graphs({A: [(ACTOR.x, KGO.backs, ACTOR.y)]})
    before = blanked(empty.quads())
    with pytest.raises(Stop), empty.bulk_writer([A]) as out:
        out.write(LINE.replace("<file:", "<other:"))
        raise Stop
    assert blanked(empty.quads()) == before


def test_the_remote_bulk_writer_refuses_what_is_no_quad_of_a_named_graph(scratch):
    with open_remote(scratch.url) as store:
        store.replace_graphs({A: [(ACTOR.x, KGO.backs, ACTOR.y)]})
        before = blanked(store.quads())
        for text in ("this is no N-Quads line\n", f"<{ACTOR}x> <{KGO}backs> <{ACTOR}z> .\n"):
            with pytest.raises(KgError, match="nothing was changed"), store.bulk_writer([A]) as out:
                out.write(text)
        assert blanked(store.quads()) == before


def test_a_read_only_store_refuses_every_write(tmp_path, scratch):
    folder = tmp_path / "store"
    with open_store(folder) as store:
        load(store, [EXAMPLE_FILE])
    open_remote(scratch.url).close()  # the ontology is there: the server is a kg store
    for store in (open_store(folder, read_only=True), open_remote(scratch.url, read_only=True)):
        with store:
            with pytest.raises(KgError, match="opened read-only"):
                store.replace_graphs({A: []})
            with pytest.raises(KgError, match="opened read-only"):
                store.drop_graphs([A])
            with pytest.raises(KgError, match="opened read-only"), store.bulk_writer([A]):
                pass


HOLDS = """
import sys
from kg.store import open_store
with open_store(sys.argv[1]) as store:
    print(len(store.data_graphs()), flush=True)
"""


def test_the_with_block_releases_a_folder_s_lock(tmp_path):
    """``close`` is what releases the lock: another process may write once the block ends."""
    folder = tmp_path / "store"
    with open_store(folder) as store:
        load(store, [write(tmp_path / "a.csv", "id,label,type\nzeta,Zeta,State\n")])
        busy = _other_writer(folder, wait="0.2")
        assert busy.returncode == 1 and "in use" in busy.stderr
    free = _other_writer(folder, wait="0.2")
    assert free.returncode == 0 and free.stdout == "1\n", free.stderr


def _other_writer(folder: Path, wait: str) -> subprocess.CompletedProcess:
    env = {"KG_LOCK_WAIT": wait, "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", HOLDS, str(folder)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


DOCUMENTED = [
    "kg.store",
    "kg.store.interface",
    "kg.store.common",
    "kg.store.http",
    "kg.store.answers",
    "kg.store.remote",
    "kg.store.staging",
]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_the_examples_in_the_docstrings(name):
    """pytest's ``--doctest-modules`` does not collect ``kg/store``: run its examples here."""
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
