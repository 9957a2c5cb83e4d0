"""Analytics on hand-checkable graphs (loaded through the real loader and store) and on the
Ain Issa example: camps, frustration, balance, chains, paths, centrality."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from kg.analyse import reports
from kg.analyse.blocs import frustration, signed_blocs
from kg.loader import load
from kg.projection import project
from kg.selection import Selection
from tests.conftest import EXAMPLE, write


def graph_file(tmp_path, claims: list[str], name: str = "g.yaml"):
    """A YAML file with one State per letter used and the given short-form claims."""
    actors = sorted({word for claim in claims for word in claim.split() if len(word) == 1})
    lines = ["sources: {s: {title: Test, date: 2020-01-01}}", "actors:"]
    lines += [f"  {a}: State" for a in actors]
    lines += ["assertions:"] + [f"  - {claim}" for claim in claims]
    return write(tmp_path / name, "\n".join(lines) + "\n")


def loaded(store, tmp_path, claims):
    load(store, [graph_file(tmp_path, claims)])
    return store


def camps_of(store) -> list[set[str]]:
    return [set(c) for c in reports.blocs(store).summary["camps"]]


def test_balanced_two_camp_graph_has_no_frustration(store, tmp_path):
    loaded(store, tmp_path, ["a backs b", "b backs c", "d backs e", "a opposes d", "c fights e", "b condemns e"])
    assert camps_of(store) == [{"a", "b", "c"}, {"d", "e"}]
    assert reports.blocs(store).summary["frustration"] == 0
    assert reports.balance(store).summary["ratio"] == 1.0


def test_contradicting_claim_is_reported_with_its_claims(store, tmp_path):
    loaded(store, tmp_path, ["a backs b", "c backs d", "a opposes c", "a opposes d", "b opposes c", "b backs d"])
    report = reports.blocs(store)
    assert [set(c) for c in report.summary["camps"]] == [{"a", "b"}, {"c", "d"}]
    (problem,) = report.summary["frustrated"]
    assert (problem["a"], problem["b"], problem["problem"], problem["claims"]) == ("b", "d", "allies in different camps", "b backs d")


def test_blocs_are_deterministic(store, tmp_path):
    loaded(store, tmp_path, ["a backs b", "b opposes c", "c backs d", "d opposes a", "a opposes c", "b backs d"])
    first = reports.blocs(store).summary
    assert all(reports.blocs(store).summary == first for _ in range(3))


def test_single_unbalanced_triad_is_found(store, tmp_path):
    loaded(store, tmp_path, ["a backs b", "b opposes c", "a backs c"])
    summary = reports.balance(store).summary
    assert (summary["triads"], summary["balanced"], summary["ratio"]) == (1, 0, 0.0)
    (triad,) = summary["unbalanced"]
    assert triad["actors"] == "a b c"
    assert triad["claims"] == "a backs b; b opposes c; a backs c"


def test_chains_on_a_chain_graph(store, tmp_path):
    loaded(store, tmp_path, ["a backs b", "b militarily-backs c", "c backs d", "x backs a", "d opposes a"])
    rows = reports.chains(store, "b").rows
    assert [(r["direction"], r["actor"], r["steps"], r["path"]) for r in rows] == [
        ("backs", "c", 1, "b → c"),
        ("backs", "d", 2, "b → c → d"),
        ("backed-by", "a", 1, "a → b"),  # as support flows: a backs b (issue 19: was "b → a")
        ("backed-by", "x", 2, "x → a → b"),
    ]


def test_paths_show_relations_and_directions(store, tmp_path):
    loaded(store, tmp_path, ["a backs b", "c backs b", "c negotiates-with d", "a opposes e", "e opposes f", "d fights f"])
    rows = reports.path(store, "a", "d").rows
    assert [r["path"] for r in rows] == ["a —backs→ b ←backs— c —negotiates-with— d", "a —opposes→ e —opposes→ f ←opposes— d"]
    assert reports.path(store, "d", "a", limit=1).rows == [{"length": 3, "path": "d —negotiates-with— c —backs→ b ←backs— a"}]


def test_signed_blocs_on_a_plain_networkx_graph():
    g = nx.Graph()
    for u, v, sign in [("a", "b", 1), ("b", "c", 1), ("x", "y", 1), ("a", "x", -1), ("c", "y", -1)]:
        g.add_edge(u, v, sign=sign, weight=1, edges=[], assertions=[])
    camps = signed_blocs(g)
    assert camps == [{"a", "b", "c"}, {"x", "y"}]
    assert frustration(g, camps) == []


# -- the Ain Issa example ---------------------------------------------------------------------


def camp_with(camps, actor):
    return next(c for c in camps if actor in c)


def test_example_camps(example_store):
    camps = camps_of(example_store)
    assert {"turkey", "sna"} <= camp_with(camps, "turkey")
    assert {"russia", "syrian-government"} <= camp_with(camps, "russia")
    assert "ypg" not in camp_with(camps, "turkey") and "ypg" not in camp_with(camps, "russia")
    assert camp_with(camps, "russia") != camp_with(camps, "turkey")


def test_example_russia_mediator_bridges_camps(example_store):
    rows = reports.centrality(example_store).rows
    mediators = [r for r in rows if r["kind"] == "mediator"]
    assert [m["actor"] for m in mediators] == ["russia"]
    brokers = [r["actor"] for r in rows if r["kind"] == "broker"]
    assert brokers[0] == "russia"


def test_example_paths_and_chains(example_store):
    rows = reports.path(example_store, "iran", "ypg", Selection(relations=("participates-in", "opposes"))).rows
    assert rows == [{"length": 3, "path": "iran —participates-in→ astana-process ←participates-in— turkey —opposes→ ypg"}]
    assert [r["actor"] for r in reports.chains(example_store, "Ankara").rows] == ["sna"]


def test_projection_keeps_evidence_on_edges(example_store):
    graph = project(example_store)
    edge = graph["sna"]["ypg"]["opposes"]
    assert edge["relations"] == ["condemns", "fights"] and edge["sign"] == -1 and len(edge["assertions"]) == 2
    assert graph["russia"]["turkey"]["negotiates-with"]["symmetric"]
    early = project(example_store, Selection(as_of=__import__("datetime").date(2018, 1, 1)))
    assert not early.has_edge("turkey", "sna")


@pytest.mark.parametrize(
    "command",
    [["analyse", "blocs"], ["analyse", "balance"], ["analyse", "centrality"], ["analyse", "chains", "turkey"], ["path", "iran", "ypg"]],
)
def test_cli_formats(kg, command):
    kg("load", str(EXAMPLE))
    for fmt in ("table", "csv", "json"):
        result = kg(*command, "--format", fmt)
        assert result.exit_code == 0, result.output
    assert json.loads(kg(*command, "--format", "json").stdout)
    result = kg(*command, "--focus", "nobody")
    assert result.exit_code == 1 and "unknown actor 'nobody'" in result.stderr


# -- results as data --------------------------------------------------------------------------


def test_contradiction_names_its_claims(store, tmp_path):
    loaded(store, tmp_path, ["a backs b", "c backs d", "a opposes c", "a opposes d", "b opposes c", "b backs d"])
    (problem,) = reports.blocs(store).frustrated
    assert (problem.a, problem.b, problem.camps, problem.sign, problem.edges) == ("b", "d", (1, 2), 1, (("b", "backs", "d"),))
    (claim,) = problem.claims
    assert (claim.text(), claim.sources, claim.confidence) == ("b backs d", ("s",), 1.0)


def test_results_name_the_claims_behind_each_answer(example_store):
    triads = reports.balance(example_store).unbalanced
    assert all({c.family for c in t.claims} <= {"backs", "opposes", "part-of", "represents"} for t in triads)
    (chain,) = reports.chains(example_store, "turkey").chains
    assert chain.path == ("turkey", "sna") and {c.text() for c in chain.claims} == {"turkey backs sna"} and len(chain.claims) == 2
    (path,) = reports.path(example_store, "iran", "ypg", Selection(relations=("participates-in", "opposes"))).paths
    texts = [c.text() for c in path.claims]  # step by step; the last step's edge rolls up two claims
    assert texts[:2] == ["iran participates-in astana-process", "turkey participates-in astana-process"]
    assert sorted(texts[2:]) == ["turkey fights ypg", "turkey opposes ypg"]
    scores = {(r.kind, r.actor): r for r in reports.centrality(example_store).scores}
    assert {c.text() for c in scores[("mediator", "russia")].claims} == {"russia mediates sna, ypg"}
    assert all(c.family == "backs" and c.subject == "turkey" for c in scores[("backer", "turkey")].claims)
    assert any(c.subject != "russia" for c in scores[("broker", "russia")].claims)  # a broker's claims go both ways


def test_results_render_as_tables(example_store):
    result = reports.blocs(example_store)
    table = result.table()
    assert table.columns == ["camp", "actor", "label", "type"] and list(table) == result.rows
    page = result._repr_html_()
    assert "<th>camp</th>" in page and "<td>Sergei Lavrov</td>" in page and "<h4>frustration: 0</h4>" in page
    frame = reports.chains(example_store, "turkey").to_pandas()
    assert list(frame.columns) == ["direction", "actor", "steps", "path"] and frame["path"].tolist() == ["turkey → sna"]
