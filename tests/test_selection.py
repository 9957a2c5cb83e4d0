"""One ``Selection``, two forms: the SPARQL one (``kg match``, ``kg why``) and the Python one (the
projection, hence the analyses, the map and the exports) keep the same assertions, on the example,
on generated data and on hand-made date and confidence edges."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from bench.generate import generate
from kg.errors import KgError
from kg.loader import load
from kg.ontology import load_ontology
from kg.projection import all_claims, select_claims
from kg.query import match, why
from kg.selection import Selection
from kg.store import open_store
from tests.conftest import EXAMPLE_FILE, write

DAY = dt.timedelta(days=1)

#: Each claim sits on an edge of the rules: holding from its report date, ending the day
#: another starts, a one-day validity, confidences equal to the minima asked.
EDGES = """\
sources: {s: {title: Edges, date: 2020-01-01}}
actors: {a: State, b: State, c: State, d: Organization}
assertions:
  - {claim: a backs b, date: 2020-01-10, confidence: 0.5}
  - {claim: a opposes c, date: 2020-01-02, valid_from: 2019-05-01, valid_until: 2019-12-31, confidence: 0.8}
  - {claim: b negotiates-with c, date: 2019-01-01, valid_until: 2020-01-10, confidence: 0.8}
  - {claim: d militarily-backs a, date: 2020-01-10, valid_from: 2020-01-10, valid_until: 2020-01-10, confidence: 1}
  - {claim: "d mediates b, c", date: 2019-06-01, confidence: 0.75}
"""


def loaded(*paths):
    store = open_store(":memory:")
    load(store, list(paths))
    return store


@pytest.fixture(scope="module")
def edges_store(tmp_path_factory):
    return loaded(write(tmp_path_factory.mktemp("edges") / "edges.yaml", EDGES))


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory):
    data = generate(400, seed=3)
    return loaded(write(tmp_path_factory.mktemp("generated") / "generated.yaml", yaml.safe_dump(data, sort_keys=False)))


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return loaded(EXAMPLE_FILE)


def by_sparql(store, selection: Selection) -> set[str]:
    """The statements the SPARQL form keeps, over every relation."""
    found = selection.sparql("?st", load_ontology().relations)
    return {row["st"] for row in store.texts(f"SELECT ?st WHERE {{\n{found.text}\n}}", found.bindings)}


def by_python(store, selection: Selection) -> set[str]:
    return {claim.statement for claim in all_claims(store) if selection.keeps(claim)}


def agreeing(store, selection: Selection) -> set[str]:
    kept = by_python(store, selection)
    assert by_sparql(store, selection) == kept, selection
    return kept


def boundary_selections(claim) -> list[tuple[Selection, bool]]:
    """Selections on the edges of one claim, each with whether it must keep that claim."""
    cases = [(Selection(as_of=claim.start), True), (Selection(as_of=claim.start - DAY), False)]
    cases += [(Selection(min_confidence=claim.confidence), True), (Selection(claim.start, claim.confidence, (claim.family,)), True)]
    if claim.valid_until is not None:
        cases += [(Selection(as_of=claim.valid_until), True), (Selection(as_of=claim.valid_until + DAY), False)]
    if claim.confidence < 1:
        cases.append((Selection(min_confidence=round(claim.confidence + 0.005, 3)), False))
    return cases


@pytest.mark.parametrize("name", ["edges_store", "generated_store", "example"])
def test_both_forms_keep_the_same_assertions_on_every_edge(request, name):
    store = request.getfixturevalue(name)
    claims = all_claims(store)
    assert agreeing(store, Selection()) == {c.statement for c in claims}
    for claim in claims[:: max(1, len(claims) // 25)]:
        for selection, keeps in boundary_selections(claim):
            assert (claim.statement in agreeing(store, selection)) is keeps, (claim, selection)


@pytest.mark.parametrize(
    "selection, expected",
    [
        (Selection(as_of=dt.date(2020, 1, 10)), {"a backs b", "b negotiates-with c", "d militarily-backs a", "d mediates b, c"}),
        (Selection(as_of=dt.date(2020, 1, 11)), {"a backs b", "d mediates b, c"}),
        (Selection(as_of=dt.date(2019, 12, 31)), {"a opposes c", "b negotiates-with c", "d mediates b, c"}),
        (Selection(min_confidence=0.8), {"a opposes c", "b negotiates-with c", "d militarily-backs a"}),
        (Selection(relations=("backed-by",)), {"a backs b", "d militarily-backs a"}),
        (Selection(relations=("militarily-backs", "mediates")), {"d militarily-backs a", "d mediates b, c"}),
        (Selection(dt.date(2020, 1, 10), 0.75, ("backs", "mediates")), {"d militarily-backs a", "d mediates b, c"}),
    ],
)
def test_hand_made_edges(edges_store, selection, expected):
    texts = {claim.statement: claim.text() for claim in all_claims(edges_store)}
    assert {texts[s] for s in agreeing(edges_store, selection)} == expected


def family_pairs(store, selection: Selection, family: str) -> set[tuple[str, str]]:
    pairs = {(c.subject, o) for c in select_claims(store, selection) if c.family == family for o in c.objects}
    if load_ontology().families[family].symmetric:  # match answers both ways round
        pairs |= {(b, a) for a, b in pairs}
    return pairs


@pytest.mark.parametrize("name", ["example", "generated_store"])
def test_match_answers_what_the_projection_keeps(request, name):
    """End to end: ``match`` (SPARQL over statements) and ``select_claims`` (Python) agree, family by family."""
    store = request.getfixturevalue(name)
    days = sorted({c.start for c in all_claims(store)})
    selections = [Selection(as_of=day) for day in days[:: max(1, len(days) // 6)]]
    selections += [Selection(min_confidence=0.9), Selection(dt.date(2020, 12, 28), 0.85)]
    selections.append(Selection(relations=("militarily-backs", "fights")))
    for selection in selections:
        for family in load_ontology().families:
            rows = match(store, [f"?a {family} ?b"], selection)
            assert {(r["a"], r["b"]) for r in rows} == family_pairs(store, selection, family), (selection, family)


def test_relations_narrow_a_pattern_in_match_and_why(example):
    assert match(example, ["turkey backs ?x"]) == [{"x": "sna"}]
    assert match(example, ["turkey backs ?x"], Selection(relations=("politically-backs",))) == []
    assert {r["relation"] for r in why(example, "Moscow", "backs", "Syrian regime", Selection(relations=("politically-backs",)))} == {
        "politically-backs"
    }


def test_match_and_why_refuse_a_focus(example):
    with pytest.raises(KgError, match="no focus") as raised:
        match(example, ["?x backs sna"], Selection(focus="turkey"))
    assert raised.value.field == "--focus"
    with pytest.raises(KgError, match="no focus"):
        why(example, "turkey", "backs", "sna", Selection(focus="turkey"))


def test_an_unknown_relation_is_refused_by_both_forms(example):
    selection = Selection(relations=("befriends",))
    with pytest.raises(KgError, match="unknown relation 'befriends'"):
        select_claims(example, selection)
    with pytest.raises(KgError, match="unknown relation 'befriends'"):
        match(example, ["?x backs ?y"], selection)
