"""The typed-relations example answers what its sources say, through the library and the CLI.

Expectations are derived from the example's own claims (read with the loader's reader) and from
the ontology's roll-ups, so that the tests say what a family, an inverse or a symmetric relation
must return for any claim the file holds, not what one run printed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kg.analyse.reports import blocs, contested
from kg.loader import load
from kg.model import Assertion, last_day
from kg.ontology import load_ontology
from kg.query import match, why
from kg.selection import Selection
from kg.sources import read_document
from kg.store import Store, open_store
from tests.conftest import ROOT

FOLDER = ROOT / "examples" / "typed-relations"
FILE = FOLDER / "typed-relations.yaml"
ONTOLOGY = load_ontology()
#: The relations ontology 1.6.0 added (issue 16), forward names.
NEW_RELATIONS = {
    "arms", "trains", "sends-troops", "supplies", "gives-base-access", "gives-safe-haven", "shares-intelligence",
    "funds", "allied-with", "fights-alongside", "defence-pact-with", "offence-pact-with", "neutrality-pact-with",
    "non-aggression-pact-with", "consultation-pact-with", "rival-of", "affiliate-of", "merged-into", "splinter-of",
}  # fmt: skip
BOTH = ("asserted", "alleged")


@pytest.fixture(scope="module")
def claims() -> list[Assertion]:
    return read_document(FILE).assertions


@pytest.fixture(scope="module")
def relations_store() -> Store:
    """An in-memory store holding the example (module-wide: the tests only read it)."""
    store = open_store(":memory:")
    load(store, [FILE])
    return store


def rolls_up(relation: str, family: str) -> bool:
    """Whether ``relation`` is ``family`` or one of its sub-relations, by the ontology."""
    return ONTOLOGY.relation(relation).iri in ONTOLOGY.narrower(ONTOLOGY.relation(family).iri)


def expected_pairs(claims: list[Assertion], family: str, stances: tuple[str, ...] = ("asserted",)) -> set[tuple[str, str]]:
    """(subject, object) of every claim of these stances rolling up to ``family``; a symmetric
    relation holds both ways."""
    pairs = set()
    for claim in claims:
        if claim.stance in stances and rolls_up(claim.relation, family):
            for obj in claim.objects:
                pairs.add((claim.subject, obj))
                if ONTOLOGY.relation(claim.relation).symmetric:
                    pairs.add((obj, claim.subject))
    return pairs


def family_of(relation: str) -> str:
    return ONTOLOGY.family(ONTOLOGY.relation(relation)).name


def links(claim: Assertion, a: str, b: str) -> bool:
    """Whether the claim links ``a`` to ``b`` in that direction (either way if symmetric)."""
    ends = {(claim.subject, claim.objects)}
    if ONTOLOGY.relation(claim.relation).symmetric:
        ends.add((claim.objects[0], (claim.subject,)))
    return (a, (b,)) in ends


def pairs(rows: list[dict], a: str = "a", b: str = "b") -> set[tuple[str, str]]:
    return {(row[a], row[b]) for row in rows}


def holds(claim: Assertion, day: dt.date) -> bool:
    """The example's reading of validity: from valid_from (else the date reported) to the last
    day of valid_until's period."""
    start = claim.valid_from or claim.date
    end = last_day(claim.valid_until, claim.valid_until_precision) if claim.valid_until else None
    return start is not None and start <= day and (end is None or day <= end)


def test_the_example_uses_five_new_relations_each_claim_quoting_a_cited_source(claims):
    document = read_document(FILE)
    used = {claim.relation for claim in claims} & NEW_RELATIONS
    assert len(used) >= 5, used
    cited = {source.id: source for source in document.sources}
    for claim in claims:
        assert claim.quote and len(claim.quote) > 40, claim
        assert set(claim.sources) <= set(cited), claim
    assert all(source.title and source.publisher and source.url for source in cited.values())
    assert {claim.stance for claim in claims} == {"asserted", "alleged", "denied"}


@pytest.mark.parametrize("family", ["backs", "opposes", "allied-with", "part-of", "descends-from"])
def test_a_family_returns_its_sub_relations_claims(relations_store, claims, family):
    expected = expected_pairs(claims, family)
    assert expected, f"the example has no asserted claim under {family}"
    assert pairs(match(relations_store, [f"?a {family} ?b"])) == expected


def test_allegations_join_a_family_when_asked_for(relations_store, claims):
    facts = pairs(match(relations_store, ["?a backs ?b"]))
    both = pairs(match(relations_store, ["?a backs ?b"], Selection(stances=BOTH)))
    assert both == expected_pairs(claims, "backs", BOTH)
    alleged_only = both - facts
    assert ("iran", "houthis") in alleged_only and ("irgc-qf", "houthis") in alleged_only


def test_a_relation_variable_gives_each_claims_own_relation_and_family(relations_store, claims):
    rows = match(relations_store, ["north-korea ?r russia"])
    expected = {claim.relation for claim in claims if claim.stance == "asserted" and links(claim, "north-korea", "russia")}
    assert {row["r"] for row in rows} == expected
    assert {"sends-troops", "fights-alongside", "defence-pact-with", "consultation-pact-with", "allied-with"} <= expected
    assert all(row["r_family"] == family_of(row["r"]) for row in rows)


@pytest.mark.parametrize("inverse", ["has-affiliate", "absorbed", "has-splinter", "ancestor-of", "has-part", "backed-by"])
def test_an_inverse_answers_for_the_forward_claims(relations_store, claims, inverse):
    forward = ONTOLOGY.relations[ONTOLOGY.relation(inverse).inverse_of].name
    expected = {(b, a) for a, b in expected_pairs(claims, forward)}
    assert expected
    assert pairs(match(relations_store, [f"?a {inverse} ?b"])) == expected


def test_symmetric_relations_answer_from_either_end(relations_store, claims):
    symmetric = [c for c in claims if c.stance == "asserted" and ONTOLOGY.relation(c.relation).symmetric]
    assert {c.relation for c in symmetric} >= {"allied-with", "rival-of", "defence-pact-with", "consultation-pact-with", "fights-alongside"}
    for claim in symmetric:
        (obj,) = claim.objects
        assert claim.subject in {row["x"] for row in match(relations_store, [f"{obj} {claim.relation} ?x"])}, claim


def test_a_splinter_descends_from_its_parent_but_neither_backs_nor_opposes_it(relations_store):
    assert pairs(match(relations_store, ["?a descends-from ?b"])) >= {("islamic-state", "al-qaeda"), ("hurras-al-din", "hts")}
    for family in ("backs", "opposes", "part-of"):
        assert ("islamic-state", "al-qaeda") not in pairs(match(relations_store, [f"?a {family} ?b"]))


@pytest.mark.parametrize("day", ["2014-01-01", "2015-06-01", "2016-07-28", "2016-07-29", "2017-06-01", "2018-03-01", "2024-01-01"])
def test_validity_dates_hold_under_as_of(relations_store, claims, day):
    when = dt.date.fromisoformat(day)
    for pattern, family, end in (("?a part-of al-qaeda", "part-of", "al-qaeda"), ("?a descends-from ?b", "descends-from", None)):
        facts = [c for c in claims if c.stance == "asserted" and rolls_up(c.relation, family) and end in (None, c.objects[0])]
        expected = {claim.subject for claim in facts if holds(claim, when)}
        rows = match(relations_store, [pattern], Selection(as_of=when))
        assert {row["a"] for row in rows} == expected, (pattern, day)


def test_why_quotes_every_claim_with_its_stance_and_process(relations_store, claims):
    for claim in claims:
        (obj,) = claim.objects
        rows = why(relations_store, claim.subject, claim.relation, obj)
        assert all(rolls_up(row["relation"], claim.relation) for row in rows), claim
        same = [row for row in rows if row["quote"] == claim.quote and row["relation"] == claim.relation]
        assert len(same) == 1, claim
        assert same[0]["stance"] == claim.stance and same[0]["process"] == claim.process, claim


def test_why_through_a_family_and_an_inverse(relations_store, claims):
    rows = why(relations_store, "houthis", "backed-by", "iran")
    expected = {(c.relation, c.stance) for c in claims if links(c, "iran", "houthis") and rolls_up(c.relation, "backs")}
    assert expected == {("arms", "alleged"), ("militarily-backs", "alleged"), ("backs", "denied")}
    assert {(row["relation"], row["stance"]) for row in rows} == expected
    treaty = why(relations_store, "north-korea", "defence-pact-with", "russia")
    assert treaty and {row["process"] for row in treaty} == {"russia-dprk-treaty"}


def test_a_denial_contests_the_family_it_denies(relations_store, claims):
    def contested_keys(stances: tuple[str, ...]) -> set[tuple[str, str, str]]:
        keys = set()
        for denial in (c for c in claims if c.stance == "denied"):
            subject, family, obj = denial.subject, family_of(denial.relation), denial.objects[0]
            made = [c for c in claims if c.stance in stances and family_of(c.relation) == family and links(c, subject, obj)]
            if made:
                keys.add((subject, family, obj))
        return keys

    for stances in (("asserted",), BOTH):
        found = contested(relations_store, Selection(stances=stances)).contests
        assert {(c.subject, c.family, c.object) for c in found} == contested_keys(stances), stances
        assert all(c.kind == "denied" and {claim.stance for claim in c.against} == {"denied"} for c in found)
    assert ("north-korea", "backs", "russia") in contested_keys(("asserted",))
    assert ("iran", "backs", "houthis") in contested_keys(BOTH) - contested_keys(("asserted",))


def test_camps_read_each_tie_by_its_family(relations_store):
    def camp_of(result) -> dict[str, int | None]:
        return {member.actor: member.camp for member in result.members}

    in_2020 = camp_of(blocs(relations_store, Selection(as_of=dt.date(2020, 7, 1))))
    assert in_2020["hurras-al-din"] == in_2020["al-qaeda"] is not None  # an affiliate is part of it
    assert in_2020["jabhat-al-nusra"] == in_2020["hts"] is not None  # merged into HTS in 2017
    assert in_2020["hts"] != in_2020["hurras-al-din"]  # rivals
    assert in_2020["islamic-state"] is None  # a splinter decides no camp
    assert in_2020["north-korea"] == in_2020["russia"] is not None  # allies since 1948
    in_2015 = camp_of(blocs(relations_store, Selection(as_of=dt.date(2015, 1, 1))))
    assert in_2015["jabhat-al-nusra"] == in_2015["al-qaeda"] is not None  # al-Qaeda's affiliate until July 2016


def test_shared_actors_agree_with_the_other_examples():
    others = [ROOT / "examples" / "ain-issa-2020" / "ain-issa.yaml", ROOT / "examples" / "sudan-2025" / "sudan-quad.yaml"]

    def described(path: Path) -> dict[str, tuple]:
        return {a.id: (a.label, a.type, a.aliases, a.wikidata) for a in read_document(path).actors}

    mine, shared = described(FILE), 0
    for path in others:
        theirs = described(path)
        for actor in set(mine) & set(theirs):
            shared += 1
            assert theirs[actor] == mine[actor], actor
    assert shared >= 4  # russia, iran, islamic-state, astana-process, saudi-arabia
    store = open_store(":memory:")
    reports = load(store, [*others, FILE])
    assert [report.warnings for report in reports] == [[], [], []]
    assert match(store, ["?x participates-in astana-process"])  # one astana-process, from Ain Issa
    assert {row["x"] for row in match(store, ["?x fights islamic-state"])} == {"turkey", "sna"}


def test_cli_answers_for_the_example(kg, claims):
    result = kg("load", str(FOLDER))
    assert result.exit_code == 0, result.output
    assert f"{len(claims)} assertions" in result.stdout
    allies = json.loads(kg("match", "?a allied-with ?b", "--format", "json").stdout)
    assert {(row["a"], row["b"]) for row in allies} == expected_pairs(claims, "allied-with")
    result = kg("match", "?x ?r houthis", "--stance", "asserted,alleged", "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "x,r,r_family,stance" and "irgc-qf,trains,backs,alleged" in lines
    rows = json.loads(kg("why", "north-korea", "sends-troops", "russia", "--format", "json").stdout)
    expected = {(c.stance, c.quote) for c in claims if (c.subject, c.relation, c.objects) == ("north-korea", "sends-troops", ("russia",))}
    assert {(row["stance"], row["quote"]) for row in rows} == expected
    assert {row["stance"] for row in rows} == {"asserted", "alleged", "denied"}
    assert {row["said_by"] for row in rows} == {None, "rutte", "north-korea"}  # "Pyongyang" is North Korea's alias
    result = kg("validate", str(FOLDER))
    assert result.exit_code == 0 and "no problems" in result.stdout
