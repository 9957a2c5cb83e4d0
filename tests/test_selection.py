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
from kg.projection import all_claims, claims_by_edge, select_claims
from kg.query import match, why
from kg.selection import Selection
from kg.store import open_store
from tests.conftest import EXAMPLE_FILE, write
from tests.statements import claim as stated
from tests.statements import stored

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


#: Partial dates on the edges of months and years: each holds from the first day of its start's
#: period (valid_from, or else the date reported) to the last day of its valid_until's period.
PARTIAL = [
    stated("a backs b", "s", "2023-05", valid_until="2023-05"),  # May 2023
    stated("a opposes c", "s", "2022"),  # from 1 January 2022
    stated("b negotiates-with c", "s", "2023-01-10", valid_from="2022-11", valid_until="2023"),  # Nov 2022 to 2023
    stated("d militarily-backs a", "s", "2024-03-01", valid_from="2024-02", valid_until="2024-02"),  # February of a leap year
    stated("d mediates b c", "s", "2023-12-05", valid_until="2023-12"),  # to the last day of a year
    stated("c fights a", "s", "2023-05-31", valid_until="2023-06-15"),  # a whole date, for comparison
    stated("c clashes-with d", "s", "2023-03", valid_until="2023-04"),  # March and April; c and d oppose each other
]
PARTIAL_ACTORS = {"a": "State", "b": "State", "c": "State", "d": "Organization"}


def loaded(*paths):
    store = open_store(":memory:")
    load(store, list(paths))
    return store


@pytest.fixture(scope="module")
def edges_store(tmp_path_factory):
    return loaded(write(tmp_path_factory.mktemp("edges") / "edges.yaml", EDGES))


@pytest.fixture(scope="module")
def partial_store():
    return stored(open_store(":memory:"), PARTIAL_ACTORS, PARTIAL)


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


@pytest.mark.parametrize("name", ["edges_store", "partial_store", "generated_store", "example"])
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


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2023-04-30", {"a opposes", "b negotiates-with", "c clashes-with"}),
        ("2023-05-01", {"a backs", "a opposes", "b negotiates-with"}),
        ("2023-05-31", {"a backs", "a opposes", "b negotiates-with", "c fights"}),
        ("2023-06-01", {"a opposes", "b negotiates-with", "c fights"}),
        ("2023-12-31", {"a opposes", "b negotiates-with", "d mediates"}),
        ("2024-01-01", {"a opposes"}),
        ("2024-01-31", {"a opposes"}),
        ("2024-02-01", {"a opposes", "d militarily-backs"}),
        ("2024-02-29", {"a opposes", "d militarily-backs"}),
        ("2024-03-01", {"a opposes"}),
        ("2022-10-31", {"a opposes"}),
        ("2022-11-01", {"a opposes", "b negotiates-with"}),
        ("2021-12-31", set()),
    ],
)
def test_partial_dates_cover_their_whole_period(partial_store, day, expected):
    texts = {claim.statement: " ".join(claim.text().split()[:2]) for claim in all_claims(partial_store)}
    kept = agreeing(partial_store, Selection(as_of=dt.date.fromisoformat(day)))
    assert {texts[s] for s in kept} == expected


STANCED = [
    stated("a backs b", "s1"),
    stated("a backs b", "s2", stance="denied", said_by="a"),
    stated("c backs b", "s2", stance="alleged", said_by_text="witnesses"),
    stated("c opposes a", "s1", "2023-05", stance="alleged", valid_until="2023-05"),
    stated("d mediates b c", "s1", stance="denied"),
]


@pytest.mark.parametrize(
    "stances, expected",
    [
        (("asserted",), {"a backs b asserted"}),
        (("alleged",), {"c backs b alleged", "c opposes a alleged"}),
        (("denied",), {"a backs b denied", "d mediates b, c denied"}),
        (("asserted", "alleged"), {"a backs b asserted", "c backs b alleged", "c opposes a alleged"}),
        (
            ("alleged", "asserted", "denied"),
            {"a backs b asserted", "c backs b alleged", "c opposes a alleged", "a backs b denied", "d mediates b, c denied"},
        ),
    ],
)
def test_both_forms_keep_the_same_stances(stances, expected):
    store = stored(open_store(":memory:"), PARTIAL_ACTORS, STANCED)
    texts = {claim.statement: f"{claim.text()} {claim.stance}" for claim in all_claims(store)}
    assert {texts[s] for s in agreeing(store, Selection(stances=stances))} == expected
    in_may = {texts[s] for s in agreeing(store, Selection(as_of=dt.date(2023, 5, 31), stances=stances))}
    assert ("c opposes a alleged" in in_may) is ("alleged" in stances)
    assert not agreeing(store, Selection(as_of=dt.date(2023, 6, 1), stances=stances)) & {s for s, t in texts.items() if "opposes" in t}


def test_an_unknown_stance_is_refused():
    with pytest.raises(KgError, match="'fact' is not a stance") as raised:
        Selection(stances=("asserted", "fact"))
    assert raised.value.field == "--stance"
    with pytest.raises(KgError, match="no stance"):
        Selection(stances=())


def family_pairs(store, selection: Selection, family: str) -> set[tuple[str, str]]:
    """The projection's edges of one family: each mediator of a joint mediation, both ways
    round for a claim of a symmetric relation (``clashes-with``)."""
    pairs = {(s, o) for s, o, f in claims_by_edge(select_claims(store, selection)) if f == family}
    if load_ontology().families[family].symmetric:  # match answers both ways round
        pairs |= {(b, a) for a, b in pairs}
    return pairs


@pytest.mark.parametrize("name", ["example", "generated_store", "partial_store"])
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


def test_data_without_stances_answers_as_facts(edges_store):
    """No claim has a stance: every one is asserted, whether the store is asked or not."""
    every = [(r["a"], r["b"]) for r in match(edges_store, ["?a backs ?b"])]
    with_stance = match(edges_store, ["?a backs ?b"], Selection(stances=("asserted", "alleged")))
    assert [(r["a"], r["b"], r["stance"]) for r in with_stance] == [(a, b, "asserted") for a, b in every] and every
    assert match(edges_store, ["?a backs ?b"], Selection(stances=("alleged", "denied"))) == []
    assert by_sparql(edges_store, Selection(stances=("alleged", "denied"))) == set()  # the full form agrees
