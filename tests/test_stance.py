"""What the questions answer once claims have stances: a denied claim never answers as fact, an
alleged one only when asked for; ``why`` lists every stance side by side; contested claims (a
denial, or the opposite relation from another source) are found and shown to ``blocs``; a joint
mediation answers for each mediator. Built on a real store (``tests.statements``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kg.analyse import reports
from kg.export import export
from kg.loader import load
from kg.projection import all_claims, contested_keys, project, select_claims, with_denials
from kg.query import match, why
from kg.selection import Selection
from kg.store import open_store
from tests.conftest import write
from tests.statements import claim, stored

ALLEGED = Selection(stances=("asserted", "alleged"))
DENIED = Selection(stances=("denied",))

ACTORS = {
    "uae": "State",
    "rsf": "ArmedGroup",
    "saf": "ArmedGroup",
    "saudi-arabia": "State",
    "united-states": "State",
    "jeddah-talks": "Process",
    "russia": "State",
    "wagner-group": "ArmedGroup",
    "egypt": "State",
    "eritrea": "State",
    "chad": "State",
}

CLAIMS = [
    # alleged by a UN panel, denied by the UAE: no fact either way
    claim("uae militarily-backs rsf", "un-panel", "2024-01", stance="alleged", said_by_text="UN panel of experts", note="panel report"),
    claim("uae backs rsf", "wam", "2024-01-20", stance="denied", said_by="uae"),
    # a fact one source states and another denies: contested
    claim("russia backs wagner-group", "reuters", quote="Moscow arms Wagner."),
    claim("russia backs wagner-group", "tass", stance="denied", said_by="russia", quote="Moscow denies it."),
    # a joint mediation within a process, hosted by one of the mediators
    claim("saudi-arabia+united-states mediates rsf saf", "aljazeera", "2023-05", process="jeddah-talks", host="saudi-arabia"),
    # backing and fighting between the same two actors, from two sources: contested, and they cancel out
    claim("eritrea backs saf", "reuters"),
    claim("eritrea fights saf", "aljazeera"),
    # a denial with nothing to contest, and an allegation alone
    claim("egypt backs rsf", "wam", stance="denied", said_by="egypt"),
    claim("chad backs rsf", "un-panel", stance="alleged", said_by_text="UN panel of experts"),
    # the sides of a war, so that camps and mediators between them exist
    claim("rsf fights saf", "reuters"),
]


@pytest.fixture(scope="module")
def sudan():
    return stored(open_store(":memory:"), ACTORS, CLAIMS)


def answers(table, column: str = "x") -> list[str]:
    return [row[column] for row in table]


def test_a_denied_or_alleged_claim_is_no_fact(sudan):
    assert answers(match(sudan, ["?x backs rsf"])) == []
    assert answers(match(sudan, ["?x backs rsf"], Selection(min_confidence=0))) == []  # over statements too
    assert answers(match(sudan, ["?x backs wagner-group"])) == ["russia"]  # asserted once: a fact, contested
    assert sudan.query("ASK { actor:uae kgo:backs actor:rsf }").askAnswer is False
    assert sudan.query("ASK { actor:egypt ?p actor:rsf }").askAnswer is False
    assert {c.stance for c in select_claims(sudan)} == {"asserted"}


def test_allegations_answer_only_when_asked_for_and_say_so(sudan):
    table = match(sudan, ["?x backs rsf"], ALLEGED)
    assert table.columns == ["x", "stance"]
    assert list(table) == [{"x": "chad", "stance": "alleged"}, {"x": "uae", "stance": "alleged"}]
    assert list(match(sudan, ["?x backs wagner-group"], ALLEGED)) == [{"x": "russia", "stance": "asserted"}]
    assert match(sudan, ["?x backs rsf"]).columns == ["x"]  # the default output is unchanged


def test_denials_answer_only_when_asked_for(sudan):
    table = match(sudan, ["?x backs ?y"], DENIED)
    assert [(r["x"], r["y"], r["stance"]) for r in table] == [
        ("egypt", "rsf", "denied"),
        ("russia", "wagner-group", "denied"),
        ("uae", "rsf", "denied"),
    ]


def test_a_row_stands_as_its_weakest_pattern(sudan):
    """Two patterns: an asserted link and an alleged one make an alleged answer."""
    table = match(sudan, ["?x backs rsf", "rsf fights ?y"], ALLEGED)
    assert list(table) == [{"x": "chad", "y": "saf", "stance": "alleged"}, {"x": "uae", "y": "saf", "stance": "alleged"}]


def test_why_lists_every_stance_side_by_side(sudan):
    rows = why(sudan, "uae", "backs", "rsf")
    assert [(r["stance"], r["said_by"], r["source"], r["date"]) for r in rows] == [
        ("alleged", "UN panel of experts", "un-panel", "2024-01"),
        ("denied", "uae", "wam", "2024-01-20"),
    ]
    assert rows[0]["relation"] == "militarily-backs" and rows[0]["note"] == "panel report"
    assert [r["stance"] for r in why(sudan, "russia", "backs", "wagner-group")] == ["asserted", "denied"]
    assert why(sudan, "uae", "backs", "rsf", ALLEGED) == rows  # why shows denials whatever the stances
    assert why(sudan, "uae", "backs", "rsf", Selection(as_of=dt.date(2024, 1, 15))).column("stance") == ["alleged"]


def test_evidence_rows_carry_stance_and_note(sudan):
    rows = match(sudan, ["?x militarily-backs rsf"], ALLEGED, evidence=True)
    assert [(r["x"], r["stance"], r["said_by"], r["note"]) for r in rows] == [("uae", "alleged", "UN panel of experts", "panel report")]
    rows = match(sudan, ["?x backs wagner-group"], evidence=True)
    assert [(r["stance"], r["quote"]) for r in rows] == [("asserted", "Moscow arms Wagner.")]  # the answer's evidence only


def test_a_joint_mediation_answers_for_each_mediator(sudan):
    expected = ["saudi-arabia", "united-states"]
    assert answers(match(sudan, ["?m mediates saf"]), "m") == expected
    assert answers(match(sudan, ["?m mediates saf"], Selection(min_confidence=0.5)), "m") == expected
    assert answers(match(sudan, ["united-states mediates ?p"]), "p") == ["rsf", "saf"]
    for mediator in expected:
        (row,) = why(sudan, mediator, "mediates", "saf")
        assert row["claim"] == "saudi-arabia, united-states mediates rsf, saf"
        assert (row["process"], row["host"], row["date"]) == ("jeddah-talks", "saudi-arabia", "2023-05")
    (joint,) = [c for c in all_claims(sudan) if c.relation == "mediates"]
    assert (joint.subjects, joint.process, joint.host, joint.date_precision) == (tuple(expected), "jeddah-talks", "saudi-arabia", "month")
    graph = project(sudan)
    assert sorted((u, v) for u, v, family in graph.edges(keys=True) if family == "mediates") == [
        ("saudi-arabia", "rsf"),
        ("saudi-arabia", "saf"),
        ("united-states", "rsf"),
        ("united-states", "saf"),
    ]
    assert all(graph[m][p]["mediates"]["assertions"] == [joint.statement] for m in expected for p in ("rsf", "saf"))


def test_analyses_count_a_joint_mediation_once_per_mediator(sudan):
    bridging = [r for r in reports.centrality(sudan).scores if r.kind == "mediator"]
    assert [(r.actor, r.score) for r in bridging] == [("saudi-arabia", 2), ("united-states", 2)]
    assert all(r.claims[0].relation == "mediates" for r in bridging)
    assert reports.path(sudan, "saudi-arabia", "united-states").rows == [
        {"length": 2, "path": "saudi-arabia —mediates→ rsf ←mediates— united-states"},
        {"length": 2, "path": "saudi-arabia —mediates→ saf ←mediates— united-states"},
    ]


def test_analyses_never_rest_on_a_denial(sudan):
    assert reports.path(sudan, "egypt", "rsf").paths == []
    assert reports.path(sudan, "uae", "rsf").paths == []
    assert [p.text() for p in reports.path(sudan, "uae", "rsf", ALLEGED).paths] == ["uae —backs→ rsf"]
    backers = {r.actor: r.score for r in reports.centrality(sudan).scores if r.kind == "backer"}
    assert backers == {"eritrea": 1, "russia": 1}
    backers = {r.actor: r.score for r in reports.centrality(sudan, ALLEGED).scores if r.kind == "backer"}
    assert backers == {"chad": 1, "eritrea": 1, "russia": 1, "uae": 1}
    camps = reports.blocs(sudan).camps
    assert not any({"uae", "rsf"} <= set(camp) or {"egypt", "rsf"} <= set(camp) for camp in camps)
    assert any({"uae", "rsf"} <= set(camp) for camp in reports.blocs(sudan, ALLEGED).camps)


def test_contested_claims_of_both_kinds(sudan):
    result = reports.contested(sudan)
    assert result.rows == [
        {"claim": "eritrea backs saf", "contested_by": "eritrea opposes saf", "for": "reuters", "against": "aljazeera"},
        {"claim": "russia backs wagner-group", "contested_by": "denial", "for": "reuters", "against": "tass (denied, said by russia)"},
    ]
    denial = result.contests[1]
    assert [c.quote for c in denial.claims] == ["Moscow arms Wagner."] and [c.quote for c in denial.against] == ["Moscow denies it."]
    evidence = result.sections["evidence"][1]
    assert [(r["claim"], r["side"], r["stance"], r["stated"]) for r in evidence] == [
        ("eritrea backs saf", "for", "asserted", "eritrea backs saf"),
        ("eritrea backs saf", "against", "asserted", "eritrea fights saf"),
        ("russia backs wagner-group", "for", "asserted", "russia backs wagner-group"),
        ("russia backs wagner-group", "against", "denied", "russia backs wagner-group"),
    ]
    assert json.loads(json.dumps(result.summary))["contested"] == result.rows
    assert "<table>" in result._repr_html_()


def test_allegations_are_contested_when_they_count(sudan):
    rows = reports.contested(sudan, ALLEGED).rows
    assert [r["claim"] for r in rows] == ["eritrea backs saf", "russia backs wagner-group", "uae backs rsf"]
    assert rows[2]["for"] == "un-panel (alleged, said by UN panel of experts)"
    assert rows[2]["against"] == "wam (denied, said by uae)"


def test_contested_keys_mark_the_edges_for_the_map(sudan):
    assert contested_keys(with_denials(sudan)) == {
        ("eritrea", "backs", "saf"),
        ("eritrea", "opposes", "saf"),
        ("russia", "backs", "wagner-group"),
    }
    assert contested_keys(select_claims(sudan)) == {("eritrea", "backs", "saf"), ("eritrea", "opposes", "saf")}  # no denials given
    assert ("uae", "backs", "rsf") in contested_keys(with_denials(sudan, ALLEGED))


def test_one_source_telling_of_a_change_is_no_contest(store):
    """Backing and opposing from the same source (a relation that changed) contradicts nothing."""
    stored(
        store, {"a": "State", "b": "State", "c": "State"}, [claim("a backs b", "s1"), claim("a opposes b", "s1"), claim("c backs b", "s2")]
    )
    assert reports.contested(store).contests == []


def test_a_symmetric_claim_is_contested_both_ways_round(store):
    actors = {"a": "State", "b": "State"}
    stored(
        store,
        actors,
        [
            claim("b backs a", "s1"),
            claim("a clashes-with b", "s2"),
            claim("b negotiates-with a", "s1"),
            claim("a negotiates-with b", "s3", stance="denied"),
        ],
    )
    rows = reports.contested(store).rows
    assert [(r["claim"], r["contested_by"]) for r in rows] == [("a negotiates-with b", "denial"), ("b backs a", "b opposes a")]


def test_blocs_say_which_links_rest_on_contested_claims(sudan):
    result = reports.blocs(sudan)
    rows = result.sections["contested"][1]
    assert [(r["a"], r["b"], r["counted_as"], r["contested"]) for r in rows] == [
        ("eritrea", "saf", "cancelled out", "eritrea backs saf against eritrea opposes saf"),
        ("russia", "wagner-group", "allies", "russia backs wagner-group, denied"),
    ]
    camp = result.contested[1].camps[0]
    assert camp is not None and result.summary["contested"][1]["camps"] == f"{camp} / {camp}"  # one camp: counted as allies
    assert [c.stance for c in result.contested[1].claims] == ["asserted", "denied"]


def test_exports_carry_no_denial_as_fact(sudan):
    network = export(sudan, "csv")["relations"].decode()
    assert "uae" not in network and "egypt" not in network
    chosen = export(sudan, "turtle", selection=Selection(min_confidence=0))[""].decode()
    assert "kgo:Denied" not in chosen and "kgo:Alleged" not in chosen and "actor:jeddah-talks" in chosen
    alleged = export(sudan, "turtle", selection=Selection(min_confidence=0, stances=("asserted", "alleged")))[""].decode()
    assert "kgo:Alleged" in alleged and "kgo:Denied" not in alleged
    assert "actor:uae kgo:backs" not in alleged and "actor:uae a kgo:State" in alleged


def test_a_mutual_claim_answers_both_ways_round(store):
    """``a clashes-with b`` is stated once and opposes both ways round (a symmetric sub-relation of opposes)."""
    stored(store, {"a": "State", "b": "State", "c": "State"}, [claim("a clashes-with b", "s1"), claim("c fights a", "s1")])
    everything = Selection(min_confidence=0)  # over the statements
    assert answers(match(store, ["?x opposes a"], everything)) == ["b", "c"]
    assert answers(match(store, ["b opposes ?x"], everything)) == ["a"]
    assert answers(match(store, ["?x opposes c"], everything)) == []  # fights is one way
    assert [row["claim"] for row in why(store, "b", "opposes", "a")] == ["a clashes-with b"]
    assert [row["claim"] for row in why(store, "a", "opposed-by", "b")] == ["a clashes-with b"]
    assert why(store, "c", "opposed-by", "a") == []  # a does not oppose c
    assert sorted((u, v) for u, v, family in project(store).edges(keys=True) if family == "opposes") == [("a", "b"), ("b", "a"), ("c", "a")]


LOADED = """\
sources:
  un: {title: Panel report, date: 2024-01-15}
  wam: {title: Statement, date: 2024-01-20}
  press: {title: Talks, date: 2023-06-10}
actors: {uae: State, rsf: ArmedGroup, saf: ArmedGroup, saudi-arabia: State, united-states: State, jeddah-talks: Process}
assertions:
  - {claim: uae backs rsf, source: un, stance: alleged, said_by: UN panel of experts}
  - {claim: uae backs rsf, source: wam, stance: denied, said_by: uae}
  - subject: [saudi-arabia, united-states]
    relation: mediates
    objects: [saf, rsf]
    source: press
    process: jeddah-talks
    date: 2023-05
    valid_until: 2023-06
"""


def test_the_loader_and_the_read_side_agree_on_facts(store, tmp_path):
    """Through the real loader: only an asserted claim makes direct edges, one per mediator."""
    load(store, [write(tmp_path / "sudan.yaml", LOADED)])
    assert store.query("ASK { actor:uae ?p actor:rsf }").askAnswer is False
    assert store.query("ASK { actor:rsf kgo:backedBy actor:uae }").askAnswer is False
    assert match(store, ["?x backs rsf"]) == [] and answers(match(store, ["?x backs rsf"], ALLEGED)) == ["uae"]
    assert [r["stance"] for r in why(store, "uae", "backs", "rsf")] == ["alleged", "denied"]
    for selection in (Selection(), Selection(as_of=dt.date(2023, 5, 1)), Selection(as_of=dt.date(2023, 6, 30))):
        assert answers(match(store, ["?m mediates saf"], selection), "m") == ["saudi-arabia", "united-states"]
    assert match(store, ["?m mediates saf"], Selection(as_of=dt.date(2023, 7, 1))) == []
    assert match(store, ["?m mediates saf"], Selection(as_of=dt.date(2023, 4, 30))) == []
    assert [r["date"] for r in why(store, "united-states", "mediates", "rsf")] == ["2023-05"]
