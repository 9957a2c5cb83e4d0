"""Everything about one actor: relation variables in patterns (``?x ?r saf``) and ``kg about``."""

from __future__ import annotations

import json

import pytest

import kg
from tests.conftest import EXAMPLE_FILE, write

DATA = """\
sources:
  s1: {title: One, date: 2024-01-10}
  s2: {title: Two, date: 2024-03-05}
actors:
  patron: {label: Patron, type: State, aliases: [The Patron]}
  proxy: {label: Proxy, type: ArmedGroup}
  rival: {label: Rival, type: ArmedGroup}
  talks: {label: Talks, type: Process}
  loner: {label: Loner, type: Person}
assertions:
  - {claim: patron arms proxy, source: s1}
  - {claim: patron arms proxy, source: s2}
  - {claim: patron funds proxy, source: s2, valid_from: 2023-06-01}
  - {claim: proxy clashes-with rival, source: s1}
  - {claim: rival negotiates-with patron, source: s2, process: talks}
  - {claim: proxy participates-in talks, source: s2}
  - {claim: rival backs proxy, source: s1, stance: denied}
"""


@pytest.fixture
def graph(tmp_path):
    graph = kg.open(str(tmp_path / "store"))
    graph.load(str(write(tmp_path / "data.yaml", DATA)))
    return graph


def test_a_relation_variable_binds_each_claims_own_relation_and_family(graph):
    rows = graph.match("patron ?r proxy")
    assert rows == [{"r": "arms", "r_family": "backs"}, {"r": "funds", "r_family": "backs"}]
    assert graph.match("?x ?r rival") == [  # symmetric relations hold either way round
        {"x": "patron", "r": "negotiates-with", "r_family": "negotiates-with"},
        {"x": "proxy", "r": "clashes-with", "r_family": "opposes"},
    ]
    assert graph.match("rival ?r ?y") == [
        {"y": "patron", "r": "negotiates-with", "r_family": "negotiates-with"},
        {"y": "proxy", "r": "clashes-with", "r_family": "opposes"},
    ]
    # only asserted claims are facts; the denial answers when denials are asked for
    assert graph.match("rival ?r proxy") == [{"r": "clashes-with", "r_family": "opposes"}]
    denied = graph.match("rival ?r proxy", stances=("denied",))
    assert [(row["r"], row["stance"]) for row in denied] == [("backs", "denied")]


def test_a_relation_variable_joins_and_takes_the_selection(graph):
    joined = graph.match("?a ?r proxy", "proxy ?s ?b")
    assert {"a": "patron", "r": "arms", "r_family": "backs", "s": "clashes-with", "s_family": "opposes", "b": "rival"} in [
        dict(row) for row in joined
    ]
    assert graph.match("patron ?r proxy", as_of="2023-12-31") == [{"r": "funds", "r_family": "backs"}]
    assert graph.match("patron ?r proxy", relations=("financially-backs",)) == [{"r": "funds", "r_family": "backs"}]
    evidence = graph.match("patron ?r proxy", evidence=True)
    assert sorted({(row["r"], row["source"]) for row in evidence}) == [("arms", "s1"), ("arms", "s2"), ("funds", "s2")]


def test_about_gives_the_actor_its_ties_by_family_camp_and_processes(graph):
    profile = graph.about("The Patron")
    assert (profile.actor, profile.label, profile.type, profile.aliases) == ("patron", "Patron", "State", ("The Patron",))
    rows = {(row["family"], row["direction"], row["relation"], row["other"]): row for row in profile.rows}
    assert list(rows) == [
        ("backs", "out", "arms", "proxy"),
        ("backs", "out", "funds", "proxy"),
        ("negotiates-with", "mutual", "negotiates-with", "rival"),
    ]
    arms = rows[("backs", "out", "arms", "proxy")]
    assert (arms["claims"], arms["sources"], arms["first"], arms["last"]) == (2, 2, "2024-01-10", "2024-03-05")
    assert rows[("backs", "out", "funds", "proxy")]["first"] == "2023-06-01"  # valid_from starts it
    assert profile.camp == ["proxy"] and profile.processes == ["talks"]
    assert graph.about("proxy").processes == ["talks"]  # participates-in
    loner = graph.about("loner")
    assert loner.rows == [] and loner.camp == [] and loner.processes == []


def test_about_on_the_command_line(kg, tmp_path):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    table = kg("about", "Ankara")
    assert table.exit_code == 0 and table.output.startswith("turkey: Turkey (State; also Ankara")
    profile = json.loads(kg("about", "Ankara", "--format", "json").output)
    backed = {row["other"] for row in profile["relations"] if row["family"] == "backs" and row["direction"] == "out"}
    assert backed == {row["x"] for row in json.loads(kg("match", "turkey backs ?x", "--format", "json").output)}
    assert kg("about", "nobody").exit_code == 1
    assert "about takes no focus" in kg("about", "ypg", "--focus", "sna").output


def test_about_writes_partial_dates_to_their_precision_and_keeps_processes_to_the_actors_own(tmp_path):
    graph = kg.open(str(tmp_path / "partial"))
    data = (
        "sources:\n  s: {title: S, date: 2021-05-01}\nactors:\n  x: {label: X, type: State}\n  y: {label: Y, type: ArmedGroup}\n"
        "  z: {label: Z, type: ArmedGroup}\n  astana: {label: Astana, type: Process}\n"
        "assertions:\n  - {claim: x backs y, source: s, date: 2020}\n"
        "  - {claim: x fights z, source: s, valid_from: 2019-03, process: astana}\n"
    )
    graph.load(str(write(tmp_path / "p.yaml", data)))
    rows = {row["other"]: row for row in graph.about("x").rows}
    assert (rows["y"]["first"], rows["y"]["last"]) == ("2020", "2020")
    assert rows["z"]["first"] == "2019-03"
    assert graph.about("x").processes == ["astana"] and graph.about("z").processes == []  # z is fought, not a party
