"""``kg diff``: what changed between two dates, each change with the claims behind it."""

from __future__ import annotations

import json

import pytest

import kg
from tests.conftest import write

DATA = """\
sources:
  s: {title: S, date: 2024-06-01}
actors:
  a: {label: A, type: State}
  b: {label: B, type: ArmedGroup}
  c: {label: C, type: ArmedGroup}
  d: {label: D, type: State}
  e: {label: E, type: State}
  old: {label: Old Group, type: ArmedGroup}
  new: {label: New Group, type: ArmedGroup}
assertions:
  - {claim: a backs b, source: s, valid_from: 2018-01-01, valid_until: 2020-12-31}
  - {claim: a fights b, source: s, valid_from: 2021-03-01}
  - {claim: c allied-with d, source: s, valid_from: 2018-01-01, valid_until: 2020-06-30}
  - {claim: c allied-with e, source: s, valid_from: 2021-01-01}
  - {claim: d negotiates-with e, source: s, valid_from: 2018-01-01}
  - {claim: old fights a, source: s, valid_from: 2018-01-01, valid_until: 2019-12-31}
  - {claim: new fights d, source: s, valid_from: 2022-01-01}
"""


@pytest.fixture
def graph(tmp_path):
    graph = kg.open(str(tmp_path / "store"))
    graph.load(str(write(tmp_path / "data.yaml", DATA)))
    return graph


def kinds(result, kind: str) -> list[tuple]:
    return [(c.a, c.family, c.b, c.before, c.after) for c in result.changes if c.kind == kind]


def test_links_that_start_end_and_turn_and_actors_that_move_appear_and_vanish(graph):
    result = graph.diff("2019-06-01", "2023-01-01")
    # allied-with is symmetric: c allied-with e backs both ways round, as the map and the analyses count it
    started = [("a", "opposes", "b"), ("c", "backs", "e"), ("e", "backs", "c"), ("new", "opposes", "d")]
    assert kinds(result, "started") == [(*link, "", "holds") for link in started]
    ended = [("a", "backs", "b"), ("c", "backs", "d"), ("d", "backs", "c"), ("old", "opposes", "a")]
    assert kinds(result, "ended") == [(*link, "holds", "") for link in ended]
    assert kinds(result, "turned") == [("a", "", "b", "allied", "opposed")]
    assert kinds(result, "moved") == [("c", "", "", "d", "e")]  # its only camp-mate was d, now e
    assert [c.a for c in result.changes if c.kind == "appeared"] == ["new"]
    assert [c.a for c in result.changes if c.kind == "vanished"] == ["old"]
    for change in result.changes:  # every change rests on claims, of the date that shows it
        assert change.claims
    turned = next(c for c in result.changes if c.kind == "turned")
    assert {claim.relation for claim in turned.claims} == {"fights"}


def test_nothing_changes_between_two_dates_with_the_same_claims(graph):
    assert graph.diff("2022-01-02", "2024-01-01").changes == []


def test_a_focus_is_one_neighbourhood_over_both_dates(graph):
    result = graph.diff("2019-06-01", "2023-01-01", focus="b", depth=1)
    assert {c.a for c in result.changes} | {c.b for c in result.changes if c.b} <= {"a", "b", "old"}
    assert ("a", "backs", "b", "holds", "") in kinds(result, "ended")


def test_diff_on_the_command_line(tmp_path, kg):
    data = write(tmp_path / "data.yaml", DATA)
    assert kg("load", str(data)).exit_code == 0
    table = kg("diff", "--from", "2019-06-01", "--to", "2023-01-01")
    assert table.exit_code == 0 and table.output.startswith("from 2019-06-01 to 2023-01-01: ")
    found = json.loads(kg("diff", "--from", "2019-06-01", "--to", "2023-01-01", "--format", "json").output)
    turned = [c for c in found["changes"] if c["change"] == "turned"]
    assert len(turned) == 1 and turned[0]["statements"] and turned[0]["claims"] == len(turned[0]["statements"])
    assert kg("diff", "--from", "2023-01-01", "--to", "2019-06-01").exit_code == 1
    assert kg("diff", "--from", "2019-06-01", "--to", "2023-01-01", "--as-of", "2020-01-01").exit_code == 2
