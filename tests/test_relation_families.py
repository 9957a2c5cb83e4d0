"""The relations of ontology 1.6.0 (issue 16) in the analyses and in ``match``, through the real
loader, store and ``kg.api.Graph``: each counts as its family says (an ally or a comrade in arms
is backing both ways, a rival is an opponent both ways, a splinter is neither its parent's ally
nor its enemy, an affiliate or a merged group belongs to the other), a family returns its
sub-relations, and inverses answer. The shipped GDELT file gives the same claims with and
without the new relations.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph as RdfGraph
from rdflib import URIRef

import kg
from kg.analyse.signed import signed_graph
from kg.loader import load
from kg.ontology import load_ontology, ontology_path
from kg.projection import all_claims, select_claims
from kg.store import open_store
from tests.conftest import ROOT, write

GDELT = ROOT / "examples" / "gdelt-2019-10-24"
#: The forward relations ontology 1.6.0 added (commit 426c57a), and its new family.
ADDED_IN_1_6 = (
    "arms", "trains", "sends-troops", "supplies", "gives-base-access", "gives-safe-haven", "shares-intelligence",
    "funds", "allied-with", "fights-alongside", "defence-pact-with", "offence-pact-with", "neutrality-pact-with",
    "non-aggression-pact-with", "consultation-pact-with", "rival-of", "affiliate-of", "merged-into", "splinter-of",
    "descends-from",
)  # fmt: skip


def graph_of(tmp_path: Path, *claims: str) -> kg.Graph:
    """An in-memory ``kg.Graph`` holding the short-form claims, one State per word of the claims
    that is not a relation (actors are single letters)."""
    actors = sorted({word for claim in claims for word in claim.split() if len(word) == 1})
    lines = ["sources: {s: {title: Test, date: 2020-01-01}}", "actors:", *(f"  {a}: State" for a in actors), "assertions:"]
    lines += [f"  - {claim}" for claim in claims]
    graph = kg.open(":memory:")
    graph.load(write(tmp_path / "g.yaml", "\n".join(lines) + "\n"))
    return graph


def signs(graph: kg.Graph) -> dict[frozenset[str], int]:
    """The sign of each pair of actors the camps are decided on."""
    return {frozenset((a, b)): sign for a, b, sign in signed_graph(claims(graph)).edges(data="sign")}


def claims(graph: kg.Graph) -> list:
    """Every claim the graph's selection keeps, as the analyses read them."""
    with graph._store() as store:
        return select_claims(store)


def edges(graph: kg.Graph) -> set[tuple[str, str, str, int]]:
    """(subject, family, object, sign) of every edge of the projection."""
    return {(u, family, v, sign) for u, v, family, sign in graph.project().edges(keys=True, data="sign")}


def answers(graph: kg.Graph, pattern: str) -> set[str]:
    table = graph.match(pattern)
    return set(table.column(table.columns[0]))


# -- camps and balance ----------------------------------------------------------------------------


def test_allies_and_comrades_in_arms_share_a_camp_and_back_each_other_both_ways(tmp_path):
    graph = graph_of(tmp_path, "a allied-with b", "c fights-alongside d", "a rival-of c")
    assert {(a, "backs", b, 1) for a, b in ["ab", "ba", "cd", "dc"]} <= edges(graph)
    assert signs(graph)[frozenset("ab")] == signs(graph)[frozenset("cd")] == 1
    blocs = graph.blocs()
    assert blocs.camps == [["a", "b"], ["c", "d"]] and blocs.frustrated == []


def test_alliances_and_rivalries_are_signed_ties_in_balance(tmp_path):
    """a-b and b-c allied (stated either way round), a-c rivals: the friend of my friend is my
    enemy, an unbalanced triad; pacts and comradeship among three are balanced."""
    unbalanced = graph_of(tmp_path, "a allied-with b", "c allied-with b", "a rival-of c").balance()
    (triad,) = unbalanced.unbalanced
    assert (triad.actors, triad.signs) == (("a", "b", "c"), (1, 1, -1))
    assert {claim.relation for claim in triad.claims} == {"allied-with", "rival-of"}
    balanced = graph_of(tmp_path, "a defence-pact-with b", "c fights-alongside b", "a non-aggression-pact-with c").balance()
    assert (balanced.triads, balanced.balanced) == (1, 1)


def test_a_rival_is_an_opponent_both_ways(tmp_path):
    graph = graph_of(tmp_path, "a rival-of b", "c allied-with a")
    assert {("a", "opposes", "b", -1), ("b", "opposes", "a", -1)} <= edges(graph)
    assert signs(graph)[frozenset("ab")] == -1
    assert graph.blocs().camps == [["a", "c"], ["b"]]


def test_a_splinter_is_not_in_its_parents_camp(tmp_path):
    """Were splinter-of a backing, s-p-q would be an unbalanced triad and s would join p."""
    graph = graph_of(tmp_path, "s splinter-of p", "p allied-with q", "s rival-of q")
    assert ("s", "descends-from", "p", 0) in edges(graph)
    assert frozenset("sp") not in signs(graph)
    assert graph.blocs().camps == [["p", "q"], ["s"]]
    assert graph.balance().triads == 0


def test_a_splinter_is_not_its_parents_enemy_either(tmp_path):
    """Were splinter-of an opposition, s and p, both allied with q, would be a contradiction."""
    graph = graph_of(tmp_path, "s splinter-of p", "s allied-with q", "p allied-with q")
    blocs = graph.blocs()
    assert blocs.camps == [["p", "q", "s"]] and blocs.frustrated == []
    assert frozenset("sp") not in signs(graph)


def test_affiliates_and_merged_groups_join_the_other_camp(tmp_path):
    graph = graph_of(tmp_path, "m merged-into p", "f affiliate-of p", "p rival-of r")
    assert {("m", "part-of", "p", 1), ("f", "part-of", "p", 1)} <= edges(graph)
    assert graph.blocs().camps == [["f", "m", "p"], ["r"]]


# -- match: families, symmetry, inverses ----------------------------------------------------------


@pytest.fixture
def typed(tmp_path) -> kg.Graph:
    graph = graph_of(
        tmp_path,
        "a arms y",
        "b funds y",
        "c allied-with y",
        "y allied-with e",  # symmetric: e backs y too
        "d defence-pact-with y",
        "g fights-alongside y",
        "r rival-of y",
        "y rival-of q",
        "x opposes y",
        "s splinter-of p",
        "m merged-into p",
        "f affiliate-of p",
    )
    yield graph
    graph.close()


def test_a_family_returns_its_sub_relations(typed):
    assert answers(typed, "?x backs y") == {"a", "b", "c", "d", "e", "g"}
    assert answers(typed, "?x militarily-backs y") == {"a"}
    assert answers(typed, "?x financially-backs y") == {"b"}
    assert answers(typed, "?x opposes y") == {"r", "q", "x"}
    assert answers(typed, "?x allied-with y") == {"c", "d", "e", "g"}
    assert answers(typed, "?x defence-pact-with y") == {"d"}
    assert answers(typed, "?x part-of p") == {"m", "f"}
    assert answers(typed, "?x descends-from p") == {"s"}


def test_symmetric_relations_hold_both_ways_round(typed):
    assert answers(typed, "?x rival-of y") == {"r", "q"}
    assert answers(typed, "y allied-with ?x") == {"c", "d", "e", "g"}
    assert answers(typed, "?x splinter-of s") == set() and answers(typed, "?x merged-into m") == set()


def test_inverses_answer(typed):
    assert answers(typed, "p has-splinter ?x") == {"s"}
    assert answers(typed, "p absorbed ?x") == {"m"}
    assert answers(typed, "p has-affiliate ?x") == {"f"}
    assert answers(typed, "p ancestor-of ?x") == {"s"}
    assert answers(typed, "p has-part ?x") == {"m", "f"}
    assert answers(typed, "y backed-by ?x") == answers(typed, "?x backs y")


# -- GDELT: the new relations change nothing ------------------------------------------------------

CLAIM_EDGES = """
import json, sys
import kg
from kg.loader import load
from kg.ontology import load_ontology
from kg.projection import all_claims, select_claims
from kg.store import open_store
store = open_store(":memory:")
load(store, [sys.argv[1]])
edges = sorted({(s, c.family, o) for c in all_claims(store) for s, o in c.pairs})
relations = sorted(r.name for r in load_ontology().relations.values())
print(json.dumps({"package": kg.__file__, "relations": relations, "edges": edges}))
"""


def without_new_relations() -> RdfGraph:
    """kgo.ttl less every triple naming a relation ontology 1.6.0 added, or the inverse of one."""
    ontology = load_ontology()
    added = {ontology.relation(name) for name in ADDED_IN_1_6}
    gone = {r.iri for r in added} | {r.inverse for r in added if r.inverse is not None}
    graph = RdfGraph()
    graph.parse(ontology_path("kgo.ttl"), format="turtle")
    for triple in list(graph):
        if any(isinstance(term, URIRef) and term in gone for term in triple):
            graph.remove(triple)
    return graph


def test_the_shipped_gdelt_file_gives_the_same_claims_without_the_new_relations(tmp_path):
    """The whole import (CAMEO codes to relations, inference, projection) run by a copy of the
    package whose ontology lacks the 1.6.0 relations, in a child process: the (subject,
    family, object) of every claim is the same as with them."""
    package = tmp_path / "site" / "kg"
    shutil.copytree(Path(kg.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    without_new_relations().serialize(package / "ontology" / "kgo.ttl", format="turtle")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(package.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.run(
        [sys.executable, "-c", CLAIM_EDGES, str(GDELT)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert child.returncode == 0, child.stderr
    before = json.loads(child.stdout)
    assert Path(before["package"]).parent == package
    assert not set(ADDED_IN_1_6) & set(before["relations"]) and {"backs", "opposes"} <= set(before["relations"])
    store = open_store(":memory:")
    load(store, [GDELT])
    now = sorted({(s, c.family, o) for c in all_claims(store) for s, o in c.pairs})
    assert [tuple(edge) for edge in before["edges"]] == now
    assert {family for _, family, _ in now} >= {"backs", "opposes"}


def test_a_symmetric_claim_under_a_one_way_family_counts_once_in_the_camps(tmp_path):
    """``a allied-with b`` stands behind both a→b and b→a backing edges; counted on each, one
    alliance outweighed one opposition from another source (weight 2 against 1)."""
    import kg as library
    from kg.analyse.signed import signed_graph

    graph = library.open(":memory:")
    data = tmp_path / "tie.yaml"
    data.write_text(
        "sources:\n  s1: {title: One, date: 2024-01-01}\n  s2: {title: Two, date: 2024-01-02}\n"
        "actors:\n  a: {label: A, type: State}\n  b: {label: B, type: State}\n"
        "assertions:\n  - {claim: a allied-with b, source: s1}\n  - {claim: a opposes b, source: s2}\n",
        encoding="utf-8",
    )
    graph.load(str(data))
    signed = signed_graph(claims(graph))
    assert not signed.has_edge("a", "b")  # one source each way: they cancel out


def test_a_claim_naming_a_source_twice_counts_it_once():
    import datetime as dt

    from kg.projection import Claim

    day = dt.date(2023, 5, 1)
    backs = Claim("s1", "a", "backs", "backs", ("b",), ("x", "x"), 0.8, day)
    opposes = Claim("s2", "a", "opposes", "opposes", ("b",), ("y",), 0.8, day)
    assert not signed_graph([backs, opposes]).has_edge("a", "b")  # one source each: they cancel out
