"""``kg.export``: every format round-trips, other tools read it unchanged, bytes are stable, writes are atomic."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import networkx as nx
import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from kg.cli import main
from kg.errors import KgError
from kg.export import RDF_FORMATS, export, export_to, rdf_bytes
from kg.loader import load
from kg.namespaces import ACTOR, KGO, ONTOLOGY_GRAPH
from kg.ontology import normalise
from kg.projection import project
from kg.rules import portable_graph
from kg.selection import Selection
from kg.store import open_store
from tests.conftest import EXAMPLE_FILE, ROOT, write
from tests.servers import OxigraphServer

OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
QUAD_FORMATS = {"trig", "nquads"}
#: Formats ``kg load`` reads back (by suffix).
LOADABLE = {"turtle": ".ttl", "nt": ".nt", "json-ld": ".jsonld", "xml": ".rdf", "trig": ".trig", "nquads": ".nq"}

#: Hand-made hostile data: quotes, newlines, markup, non-Latin scripts, a mediation, inverses.
NASTY = {
    "sources": {
        "src-1": {"title": 'He said "no" & <b>left</b>', "url": "https://example.org/a?b=1&c=%3C2%3E", "date": "2021-03-04"},
        "src-2": {"title": "Пресс-релиз — 新闻稿 — بيان", "publisher": "O'Reilly \\ backslash"},
    },
    "actors": {
        "alpha": {"label": "Alpha «état»", "type": "State", "aliases": ["Ἄλφα", "α'β\"γ", "<script>x</script>"]},
        "beta": {"label": "بيتا", "type": "ArmedGroup", "description": "line one\nline two\ttabbed"},
        "gamma": {"label": "伽马 & co", "type": "Organization"},
    },
    "assertions": [
        {"claim": "alpha backs beta", "source": "src-1", "quote": 'She said: "they\'re <i>allies</i>"\nnext line', "confidence": 0.5},
        {
            "subject": "gamma",
            "relation": "mediates",
            "objects": ["alpha", "beta"],
            "source": ["src-1", "src-2"],
            "date": "2021-03-05",
            "valid_from": "2021-01-01",
            "valid_until": "2021-12-31",
            "note": "a note with ]]> and --> in it",
        },
        {"claim": "beta backed-by alpha", "source": "src-2", "date": "2021-04-01", "confidence": 1},
        {"claim": "alpha negotiates-with gamma", "source": "src-2", "date": "2021-04-02"},
        {"claim": "beta fights gamma", "source": "src-2", "date": "2021-04-03", "confidence": "0.25"},
    ],
}


@pytest.fixture
def nasty_store(tmp_path):
    store = open_store(":memory:")
    load(store, [write(tmp_path / "nasty.yaml", yaml.safe_dump(NASTY, allow_unicode=True))])
    return store


def data_quads(store) -> set[str]:
    """Every quad of the loaded files' graphs, as N-Quads lines, each graph as exports name it."""
    lines = set()
    for graph in store.data_graphs():
        for quad in store.quads(graph):
            lines.add(f"{quad.subject} {quad.predicate} {quad.object} <{portable_graph(quad.graph_name.value)}> .")
    return lines


def triples_of(quads: set[str]) -> set[str]:
    """Drop the graph name: what a single-graph format must hold."""
    # data_quads' lines all end with their graph: cut at its " <" (the last one: a literal
    # before it may hold " <" too, which a pattern from the left took for the graph)
    return {line[: line.rindex(" <")] + " ." for line in quads}


def parsed(data: bytes, fmt: str) -> set[str]:
    """What pyoxigraph reads from an export, as N-Quads (or N-Triples) lines."""
    found = set()
    for quad in ox.parse(data, format=OX_FORMATS[fmt]):
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else f" {quad.graph_name}"
        found.add(f"{quad.subject} {quad.predicate} {quad.object}{graph} .")
    return found


def assert_round_trip(store, fmt: str) -> None:
    data = rdf_bytes(store, fmt)
    expected = data_quads(store)
    assert parsed(data, fmt) == (expected if fmt in QUAD_FORMATS else triples_of(expected))


# -- RDF: round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_every_rdf_format_holds_every_triple_of_the_example(example_store, fmt):
    data = rdf_bytes(example_store, fmt)
    assert len(parsed(data, fmt)) == len(data_quads(example_store)) > 300
    assert_round_trip(example_store, fmt)


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_hostile_text_survives_every_rdf_format(nasty_store, fmt):
    assert_round_trip(nasty_store, fmt)


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_rdflib_reads_every_format_as_the_same_graph(nasty_store, fmt):
    from rdflib import Dataset, Graph
    from rdflib.compare import isomorphic

    data = rdf_bytes(nasty_store, fmt)
    rdflib_format = {"turtle": "turtle", "nt": "nt", "json-ld": "json-ld", "xml": "xml", "trig": "trig", "nquads": "nquads"}[fmt]
    expected = Graph().parse(data="\n".join(triples_of(data_quads(nasty_store))), format="nt")
    if fmt in QUAD_FORMATS:
        dataset = Dataset()
        dataset.parse(data=data, format=rdflib_format)
        graphs = [g for g in dataset.graphs() if len(g)]
        assert len(graphs) == len(nasty_store.data_graphs()) == 1
        assert isomorphic(graphs[0], expected)
    else:
        assert isomorphic(Graph().parse(data=data, format=rdflib_format), expected)


@pytest.mark.parametrize("fmt", list(LOADABLE))
def test_kg_loads_its_own_export_back_unchanged(example_store, tmp_path, fmt):
    path = tmp_path / f"export{LOADABLE[fmt]}"
    path.write_bytes(rdf_bytes(example_store, fmt))
    fresh = open_store(":memory:")
    load(fresh, [path])
    assert triples_of(data_quads(fresh)) == triples_of(data_quads(example_store))


def test_quad_formats_keep_each_file_in_its_named_graph(example_store, tmp_path):
    second = write(tmp_path / "more.yaml", "actors:\n  x: {label: X, type: State}\n")
    load(example_store, [second])
    graphs = {quad.graph_name.value for quad in ox.parse(rdf_bytes(example_store, "trig"), format=ox.RdfFormat.TRIG)}
    assert graphs == {portable_graph(str(g)) for g in example_store.data_graphs()} and len(graphs) == 2
    single = parsed(rdf_bytes(example_store, "turtle"), "turtle")
    assert single == triples_of(data_quads(example_store))  # a dataset as Turtle: every triple, none lost


def test_the_ontology_is_left_out_unless_asked_for(example_store):
    without = rdf_bytes(example_store, "nquads").decode()
    with_ontology = rdf_bytes(example_store, "nquads", include_ontology=True).decode()
    assert str(ONTOLOGY_GRAPH) not in without
    assert f"<{ONTOLOGY_GRAPH}> ." in with_ontology
    assert "kgo:backs a owl:ObjectProperty" in rdf_bytes(example_store, "turtle", include_ontology=True).decode()


# -- RDF: readable and stable ------------------------------------------------------------------------


def test_turtle_uses_the_project_prefixes(example_store):
    text = rdf_bytes(example_store, "turtle").decode()
    header = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert header[:4] == [
        "@prefix kgo: <https://w3id.org/actorgraph/ontology#> .",
        "@prefix actor: <https://w3id.org/actorgraph/actor/> .",
        "@prefix source: <https://w3id.org/actorgraph/source/> .",
        "@prefix stmt: <https://w3id.org/actorgraph/statement/> .",
    ]
    assert "actor:turkey a kgo:State ;" in text
    assert re.search(r"kgo:backs actor:sna\b", text)
    body = text.split("\n\n", 1)[1]
    # Every one of our IRIs is written with a prefix, except dyads: "turkey/sna" cannot be a local name.
    assert not re.search(r"<https://w3id.org/actorgraph/(?!dyad/[a-z0-9._-]+/[a-z0-9._-]+>)", body)
    assert "kgo:dyad <https://w3id.org/actorgraph/dyad/turkey/sna>" in text


EXPORT_ALL = """
import sys
from kg.export import FORMATS, export
from kg.loader import load
from kg.store import open_store
store = open_store(":memory:")
load(store, [sys.argv[1]])
for fmt in FORMATS:
    for part, data in sorted(export(store, fmt).items()):
        open(f"{sys.argv[2]}/{fmt}{part}", "wb").write(data)
for fmt in ("turtle", "json-ld", "trig"):  # the ontology's blank nodes get new ids in every new store
    open(f"{sys.argv[2]}/{fmt}-ontology", "wb").write(export(store, fmt, include_ontology=True)[""])
"""


def test_exporting_twice_gives_the_same_bytes(tmp_path):
    """Two processes with different hash seeds (set and dict orders differ), fresh stores each."""
    from kg.export import FORMATS

    for seed in ("1", "2"):
        (tmp_path / seed).mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", EXPORT_ALL, str(EXAMPLE_FILE), str(tmp_path / seed)], check=True, cwd=ROOT, env=env)
    names = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert len(names) == len(FORMATS) + 1 + 3  # csv is two files; three with the ontology
    for name in names:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_json_ld_reads_as_plain_json_with_the_shipped_context(example_store):
    import json

    document = json.loads(rdf_bytes(example_store, "json-ld"))
    shipped = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == shipped["@context"]
    nodes = {node["id"]: node for node in document["@graph"]}
    turkey = nodes["actor:turkey"]
    assert turkey["type"] == "State" and turkey["label"] == "Turkey" and turkey["sameAs"] == "wd:Q43"
    assert "actor:sna" in turkey["backs"] and "Ankara" in turkey["aliases"]
    claim = next(n for n in nodes.values() if n.get("type") == "Assertion" and n["relation"] == "kgo:mediates")
    # kgo:subject is a set since a joint mediation names several mediators (ontology 1.5.0)
    assert claim["subject"] == ["actor:russia"] and claim["object"] == ["actor:sna", "actor:ypg"]
    assert claim["sources"] == ["source:newarab-2020-12-29"] and re.fullmatch(r"\d{4}-\d\d-\d\d", claim["dateReported"])
    assert nodes["source:newarab-2020-12-29"]["title"].startswith("Russia sends reinforcements")


def test_xml_formats_refuse_text_xml_cannot_carry(tmp_path):
    """The loader refuses control characters; data written by other tools may still hold them."""
    from kg.model import Actor, actor_triples

    store = open_store(":memory:")
    store.replace_graphs({URIRef("urn:other-tool"): set(actor_triples(Actor("a", "bell \a here", "State")))})
    with pytest.raises(KgError, match=r"U\+0007.*turtle"):
        rdf_bytes(store, "xml")
    assert "\\u0007" in rdf_bytes(store, "nt").decode()  # N-Triples escapes it


# -- RDF: selections -------------------------------------------------------------------------------


def test_a_selection_exports_its_claims_with_their_edges_actors_and_sources(example_store, tmp_path):
    selection = Selection(as_of=dt.date(2018, 6, 1))
    data = rdf_bytes(example_store, "turtle", selection=selection)
    graph = ox.Store()
    graph.load(data, format=ox.RdfFormat.TURTLE)
    statements = {r["s"].value for r in graph.query("SELECT ?s WHERE { ?s a kgo:Assertion }", prefixes={"kgo": str(KGO)})}
    from kg.projection import select_claims

    assert statements == {c.statement for c in select_claims(example_store, selection)} and statements
    edges = {(q.predicate.value, q.object.value) for q in graph.quads_for_pattern(ox.NamedNode(ACTOR["turkey"]), None, None)}
    assert (str(KGO.negotiatesWith), str(ACTOR["russia"])) in edges and (str(KGO.fights), str(ACTOR["ypg"])) in edges
    assert (str(KGO.backs), str(ACTOR["sna"])) not in edges  # the article's claims hold from December 2020 on
    path = tmp_path / "selected.ttl"
    path.write_bytes(data)
    load(open_store(":memory:"), [path])  # every edge in it has its statement: kg accepts it


def test_truthy_only_has_edges_and_actors_but_no_provenance(example_store):
    text = rdf_bytes(example_store, "nt", truthy_only=True).decode()
    assert f"<{KGO.Assertion}>" not in text and f"<{KGO.Source}>" not in text and "/statement/" not in text
    assert f"<https://w3id.org/actorgraph/actor/turkey> <{KGO.backs}> <https://w3id.org/actorgraph/actor/sna> ." in text
    selected = rdf_bytes(example_store, "nt", truthy_only=True, selection=Selection(focus="sna", depth=1)).decode()
    assert "/statement/" not in selected and "/actor/sna>" in selected and "/actor/lavrov>" not in selected


def test_a_focus_names_an_actor_by_alias_and_unknown_ones_are_errors(example_store):
    assert rdf_bytes(example_store, "nt", selection=Selection(focus="Ankara", depth=0)) == b""  # no claim has turkey alone
    with pytest.raises(KgError, match="unknown actor"):
        rdf_bytes(example_store, "nt", selection=Selection(focus="atlantis"))


# -- network formats -------------------------------------------------------------------------------


EDGE_ATTRIBUTES = ("relation", "sign", "sources", "confidence", "first_date", "last_date")


# networkx reads no GEXF that mixes directed and undirected edges (Gephi does): it reads the
# GEXF of the families without a symmetric one, and the GraphML of everything
ONE_WAY = Selection(relations=("backs", "opposes", "mediates", "part-of", "participates-in", "represents"))


@pytest.mark.parametrize("fmt, read, selection", [("graphml", nx.read_graphml, Selection()), ("gexf", nx.read_gexf, ONE_WAY)])
def test_networkx_reads_graphml_and_gexf_with_their_attributes(example_store, fmt, read, selection):
    expected = project(example_store, selection)
    graph = read(io.BytesIO(export(example_store, fmt, selection=selection)[""]))
    assert set(graph.nodes) == {actor.id for actor in example_store.actors()}  # every actor, also one with no claim
    for node, data in expected.nodes(data=True):
        assert graph.nodes[node]["label"] == data["label"] and graph.nodes[node]["type"] == data["type"]
    got = {(s, o, d["relation"]): d for s, o, d in graph.edges(data=True)}
    assert len(got) == expected.number_of_edges()
    for subject, obj, data in expected.edges(data=True):
        edge = got[(subject, obj, data["relation"])]
        assert {k: edge[k] for k in EDGE_ATTRIBUTES} == {k: data[k] for k in EDGE_ATTRIBUTES}
    assert got[("turkey", "sna", "backs")]["sign"] == 1 and got[("sna", "ypg", "opposes")]["sign"] == -1


def test_graphml_edges_have_ids_of_their_own(example_store):
    graph = nx.read_graphml(io.BytesIO(export(example_store, "graphml")[""]), force_multigraph=True)
    ids = [key for _, _, key in graph.edges(keys=True)]
    assert len(ids) == len(set(ids)) == project(example_store).number_of_edges()
    assert "turkey backs sna" in ids


def test_gexf_draws_as_the_map_does_and_marks_symmetric_edges_undirected(example_store):
    from xml.etree import ElementTree

    from kg.view import FAMILY_STYLES, TYPES

    gexf = "{http://www.gexf.net/1.2draft}"
    viz = "{http://www.gexf.net/1.2draft/viz}"
    root = ElementTree.fromstring(export(example_store, "gexf")[""])
    types = {actor.id: actor.type for actor in example_store.actors()}
    nodes = {node.get("id"): node for node in root.iter(gexf + "node")}
    assert set(nodes) == set(types)
    for actor, node in nodes.items():
        colour = node.find(viz + "color")
        assert "#{:02x}{:02x}{:02x}".format(*(int(colour.get(c)) for c in "rgb")) == TYPES[types[actor]]["color"]
        assert float(node.find(viz + "size").get("value")) >= 10
    expected = {(s, o, family): data for s, o, family, data in project(example_store).edges(keys=True, data=True)}
    edges = list(root.iter(gexf + "edge"))
    assert len({edge.get("id") for edge in edges}) == len(edges) == len(expected)
    for edge in edges:
        subject, family, obj = edge.get("id").split(" ")
        data = expected[(subject, obj, family)]
        assert edge.get("type") == ("undirected" if family == "negotiates-with" else "directed")
        assert int(edge.get("weight")) == data["sources"]
        colour = edge.find(viz + "color")
        assert "#{:02x}{:02x}{:02x}".format(*(int(colour.get(c)) for c in "rgb")) == FAMILY_STYLES[family]["color"]


def test_csv_writes_actors_and_relations_for_kumu_and_gephi(example_store, tmp_path):
    paths = export_to(example_store, "csv", tmp_path / "ain-issa.csv")
    assert [p.name for p in paths] == ["ain-issa-actors.csv", "ain-issa-relations.csv"]
    actors = list(csv.DictReader(paths[0].open(encoding="utf-8")))
    relations = list(csv.DictReader(paths[1].open(encoding="utf-8")))
    assert list(actors[0]) == ["ID", "Label", "Type"]  # Kumu: ID first; Gephi: Id (any case)
    assert list(relations[0])[:4] == ["From", "To", "Source", "Target"]  # Kumu: From, To first; Gephi: Source, Target
    expected = project(example_store)
    assert len(actors) == len(example_store.actors()) and len(relations) == expected.number_of_edges()
    row = next(r for r in relations if (r["From"], r["To"], r["Label"]) == ("russia", "turkey", "negotiates-with"))
    assert row["Type"] == "Undirected" and row["Kind"] == "negotiates-with" and row["sign"] == "0"
    assert {a["ID"] for a in actors} == {actor.id for actor in example_store.actors()}  # also one with no claim


def test_csv_into_a_folder_and_not_to_stdout(example_store, tmp_path):
    assert [p.name for p in export_to(example_store, "csv", tmp_path)] == ["actors.csv", "relations.csv"]
    with pytest.raises(KgError, match="RDF formats"):
        export(example_store, "gexf", truthy_only=True)
    with pytest.raises(KgError, match="unknown export format"):
        export(example_store, "dot")


def test_network_formats_follow_the_selection(example_store):
    graph = nx.read_graphml(io.BytesIO(export(example_store, "graphml", selection=Selection(relations=("opposes",)))[""]))
    assert {d["relation"] for _, _, d in graph.edges(data=True)} == {"opposes"}


# -- other tools ---------------------------------------------------------------------------------------


RAPPER = {"turtle": "turtle", "nt": "ntriples", "xml": "rdfxml"}


@pytest.mark.parametrize("fmt", list(RAPPER))
@pytest.mark.parametrize("data", ["example", "nasty"])
def test_rapper_parses_the_export_without_a_warning(example_store, nasty_store, tmp_path, fmt, data):
    rapper = shutil.which("rapper")
    assert rapper, "rapper is missing: apt-get install -y raptor2-utils (the test command does)"
    store = example_store if data == "example" else nasty_store
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(rdf_bytes(store, fmt))
    run = subprocess.run([rapper, "-i", RAPPER[fmt], "-c", str(path)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stderr.lower() and "error" not in run.stderr.lower(), run.stderr
    count = int(re.search(r"returned (\d+) triples", run.stderr).group(1))
    assert count == len(triples_of(data_quads(store)))


# -- atomic writes -------------------------------------------------------------------------------------


def test_a_failed_export_leaves_the_previous_file_as_it_was(example_store, tmp_path):
    target = tmp_path / "export.ttl"
    target.write_bytes(b"previous export\n")
    with pytest.raises(KgError):
        export_to(example_store, "turtle", target, selection=Selection(focus="atlantis"))
    with pytest.raises(KgError, match="cannot write"):
        export_to(example_store, "turtle", tmp_path / "no-such-folder" / "export.ttl")
    assert target.read_bytes() == b"previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.ttl"]


CHILD = """
import resource, signal, sys
from kg.export import export_to
from kg.loader import load
from kg.store import open_store
store = open_store(":memory:")
load(store, [sys.argv[1]])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past the limit fails with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
export_to(store, sys.argv[2], sys.argv[3])
"""


def test_an_export_that_fails_midway_leaves_the_previous_file(tmp_path):
    """A real process whose write fails after 4 KiB (file size limit): the old file stays, no debris."""
    target = tmp_path / "export.nt"
    target.write_bytes(b"previous export\n")
    run = subprocess.run([sys.executable, "-c", CHILD, str(EXAMPLE_FILE), "nt", str(target)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0 and "cannot write" in run.stderr, run.stderr
    assert target.read_bytes() == b"previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.nt"]


def test_a_killed_writer_leaves_the_previous_file(tmp_path):
    target = tmp_path / "page.html"
    target.write_bytes(b"previous\n")
    child = textwrap.dedent(
        """
        import sys, time
        from kg.atomic import atomic_writer
        with atomic_writer(sys.argv[1]) as handle:
            handle.write(b"half of the new content")
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", child, str(target)], stdout=subprocess.PIPE, cwd=ROOT)
    try:
        assert process.stdout.readline() == b"writing\n"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(10)
    assert target.read_bytes() == b"previous\n"
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert all(name.startswith(".page.html.") and name.endswith(".tmp") for name in leftovers)


def test_atomic_writes_keep_the_mode_of_the_file_they_replace(tmp_path):
    from kg.atomic import write_atomic

    target = tmp_path / "shared.ttl"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o640
    write_atomic(tmp_path / "fresh.ttl", b"x")
    assert (tmp_path / "fresh.ttl").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- generated data: load -> export -> load ------------------------------------------------------------

TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")),  # any script, markup and quote characters
        st.sampled_from(list("\"'<>&\\\n\t{}[]#@:") + ["\u200b", "\u202e", "é", "文", "ع", "ё"]),
    ),
    min_size=1,
    max_size=24,
)
RELATIONS = ["backs", "opposes", "fights", "condemns", "negotiates-with", "backed-by", "part-of", "militarily-backs"]


@st.composite
def datasets(draw) -> dict:
    count = draw(st.integers(2, 5))
    ids = [f"actor{i}x" for i in range(count)]
    actors = {}
    for actor_id in ids:
        label, aliases = draw(TEXT), draw(st.lists(TEXT, max_size=2))
        assume(all(normalise(name) not in {normalise(i) for i in ids} for name in [label, *aliases]))
        actors[actor_id] = {"label": label, "type": draw(st.sampled_from(["State", "ArmedGroup", "Person"])), "aliases": aliases}
    sources = {f"src{i}": {"title": draw(TEXT), "date": f"2020-0{i + 1}-15"} for i in range(draw(st.integers(1, 2)))}
    assertions = []
    for _ in range(draw(st.integers(1, 6))):
        subject, obj = draw(st.permutations(ids))[:2]
        assertions.append(
            {
                "subject": subject,
                "relation": draw(st.sampled_from(RELATIONS)),
                "object": obj,
                "source": draw(st.sampled_from(sorted(sources))),
                "quote": draw(TEXT),
                "confidence": draw(st.sampled_from([0, 0.1, 0.25, 0.5, 0.95, 1])),
            }
        )
    if count >= 3 and draw(st.booleans()):
        assertions.append({"subject": ids[0], "relation": "mediates", "objects": ids[1:3], "source": sorted(sources)[0]})
    return {"sources": sources, "actors": actors, "assertions": assertions}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(data=datasets())
def test_generated_datasets_round_trip_through_every_rdf_format(tmp_path, data):
    path = write(tmp_path / "generated.yaml", yaml.safe_dump(data, allow_unicode=True))
    store = open_store(":memory:")
    load(store, [path])
    for fmt in RDF_FORMATS:
        assert_round_trip(store, fmt)
    back = tmp_path / "back.ttl"
    back.write_bytes(rdf_bytes(store, "turtle"))
    fresh = open_store(":memory:")
    load(fresh, [back])
    assert triples_of(data_quads(fresh)) == triples_of(data_quads(store))


# -- on a remote store ----------------------------------------------------------------------------

REMOTE_EXPORTS = [
    ["--format", "turtle"],
    ["--format", "json-ld"],
    ["--format", "xml"],
    ["--format", "trig", "--ontology"],
    ["--format", "nquads", "--focus", "ypg"],
    ["--format", "nt", "--truthy-only", "--as-of", "2020-12-31"],
    ["--format", "gexf"],
    ["--format", "graphml", "--relation", "backs"],
]


@pytest.fixture(scope="module")
def disk_and_server(tmp_path_factory):
    """The Ain Issa example loaded by ``kg load`` into a store folder and into ``oxigraph serve``."""
    folder = tmp_path_factory.mktemp("export") / "store"
    with OxigraphServer() as server:
        for where in (str(folder), server.url):
            result = CliRunner().invoke(main, ["--store", where, "load", str(EXAMPLE_FILE)], catch_exceptions=False)
            assert result.exit_code == 0, result.output
        yield str(folder), server.url


@pytest.mark.parametrize("options", REMOTE_EXPORTS, ids=lambda options: " ".join(options[1:]))
def test_kg_export_gives_the_same_bytes_on_a_remote_store(disk_and_server, options):
    """Export reads the store through its interface only, so a SPARQL server serves it too."""
    runs = [CliRunner().invoke(main, ["--store", where, "export", *options, "-o", "-"]) for where in disk_and_server]
    assert runs[0].exit_code == runs[1].exit_code == 0, (runs[0].output, runs[1].output)
    assert runs[0].stdout_bytes == runs[1].stdout_bytes and len(runs[0].stdout_bytes) > 500


def test_kg_export_writes_csv_files_from_a_remote_store(disk_and_server, tmp_path):
    for where, name in zip(disk_and_server, ("disk", "remote"), strict=True):
        result = CliRunner().invoke(main, ["--store", where, "export", "--format", "csv", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    for part in ("actors", "relations"):
        assert (tmp_path / f"disk-{part}.csv").read_bytes() == (tmp_path / f"remote-{part}.csv").read_bytes()
