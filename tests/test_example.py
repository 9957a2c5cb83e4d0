"""The Ain Issa example answers the questions the article answers, through the library and the CLI."""

from __future__ import annotations

import json

import pytest

from kg.query import info, match, why
from kg.selection import Selection
from tests.conftest import EXAMPLE, EXAMPLE_FILE


def answers(store, *patterns: str, selection: Selection | None = None) -> list[dict]:
    return match(store, list(patterns), selection or Selection())


def column(rows: list[dict], name: str) -> set[str]:
    return {row[name] for row in rows}


def test_the_example_is_big_enough(example_store):
    summary = info(example_store)
    assert sum(summary["actors"].values()) >= 12
    assert sum(summary["assertions"].values()) >= 15
    ids = {a.id for a in example_store.actors()}
    required = {"russia", "turkey", "iran", "syrian-government", "ypg", "sna", "islamic-state", "lavrov", "cavusoglu"}
    assert required | {"astana-process", "russian-military-police"} <= ids


@pytest.mark.parametrize(
    "pattern, variable, expected",
    [
        ("?who backs sna", "who", {"turkey"}),
        ("russia backs ?x", "x", {"syrian-government"}),
        ("Moscow backs ?x", "x", {"syrian-government"}),
        ("?who mediates ?party", "who", {"russia"}),
        ("?x negotiates-with turkey", "x", {"russia", "iran"}),
        ("?x opposes ypg", "x", {"turkey", "sna"}),
        ("ypg opposed-by ?x", "x", {"turkey", "sna"}),
        ("?x participates-in astana-process", "x", {"russia", "turkey", "iran"}),
        ("lavrov represents ?x", "x", {"russia"}),
        ("?x part-of russia", "x", {"russian-military-police", "russian-defence-ministry"}),
    ],
)
def test_article_questions(example_store, pattern, variable, expected):
    assert column(answers(example_store, pattern), variable) == expected


def test_patterns_join_on_shared_variables(example_store):
    rows = answers(example_store, "?a backs ?b", "?b fights ?c")
    assert {(r["a"], r["b"], r["c"]) for r in rows} == {("turkey", "sna", "ypg"), ("turkey", "sna", "islamic-state")}


def test_as_of_hides_claims_not_yet_made(example_store):
    early = Selection(as_of=__import__("datetime").date(2018, 6, 1))
    assert column(answers(example_store, "?x negotiates-with turkey", selection=early), "x") == {"russia", "iran"}
    assert column(answers(example_store, "?x fights ?y", selection=early), "x") == {"turkey"}
    assert answers(example_store, "?who backs sna", selection=early) == []


def test_min_confidence_drops_hedged_claims(example_store):
    strict = Selection(min_confidence=0.75)
    assert column(answers(example_store, "turkey opposes ?x", selection=strict), "x") == {"ypg", "islamic-state"}
    assert "russia" in column(answers(example_store, "turkey opposes ?x"), "x")


def test_filtered_and_unfiltered_match_agree_when_nothing_is_filtered(example_store):
    for pattern in ("?a backs ?b", "?a opposed-by ?b", "?a negotiates-with ?b", "?a mediated-by ?b"):
        assert answers(example_store, pattern) == answers(example_store, pattern, selection=Selection(min_confidence=0))


def test_why_gives_every_source_quote_and_confidence(example_store):
    rows = why(example_store, "turkey", "backs", "sna")
    assert len(rows) == 2  # one edge, two statements (two sentences of the article)
    assert {r["confidence"] for r in rows} == {0.95, 0.9}
    assert all(r["title"].startswith("Russia sends reinforcements") and r["date"] == "2020-12-29" for r in rows)
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    assert all(r["quote"][:40] in text for r in rows)


def test_why_follows_inverse_and_roll_up(example_store):
    rows = why(example_store, "Syrian regime", "backed-by", "Moscow")
    assert {r["relation"] for r in rows} == {"backs", "politically-backs"}
    assert {r["claim"] for r in rows} == {"russia backs syrian-government", "russia politically-backs syrian-government"}


def test_cli_answers_as_json(kg):
    assert kg("load", str(EXAMPLE)).exit_code == 0
    result = kg("match", "?who backs sna", "--format", "json")
    assert json.loads(result.stdout) == [{"who": "turkey"}]
    result = kg("match", "Moscow backs ?x", "--format", "csv")
    assert result.stdout.splitlines() == ["x", "syrian-government"]
    result = kg("why", "russia", "mediates", "ypg", "--format", "json")
    (row,) = json.loads(result.stdout)
    assert row["claim"] == "russia mediates sna, ypg" and "broker a ceasefire" in row["quote"]


def test_shipped_queries_run(kg):
    kg("load", str(EXAMPLE))
    queries = sorted((EXAMPLE / "queries").glob("*.rq"))
    assert queries
    for query in queries:
        result = kg("sparql", "-f", str(query), "--format", "json")
        assert result.exit_code == 0, (query, result.output)
        assert json.loads(result.stdout), query


def test_sparql_table_compacts_every_predeclared_prefix(kg):
    kg("load", str(EXAMPLE))
    result = kg("sparql", "SELECT DISTINCT ?p WHERE { actor:russia ?p ?o } ORDER BY ?p")
    assert result.exit_code == 0, result.output
    lines = result.stdout.split()
    assert {"rdf:type", "rdfs:label", "skos:altLabel", "owl:sameAs", "kgo:backs", "kgo:negotiatesWith"} <= set(lines)


def test_sparql_ask_and_construct(kg):
    kg("load", str(EXAMPLE))
    assert kg("sparql", "ASK { actor:turkey kgo:backs actor:sna }").stdout.strip() == "true"
    assert kg("sparql", "ASK { actor:sna kgo:backs actor:turkey }").stdout.strip() == "false"
    result = kg("sparql", "CONSTRUCT { ?a kgo:mediates ?b } WHERE { ?a kgo:mediates ?b }", "--format", "nt")
    actor, mediates = "https://w3id.org/actorgraph/actor/", "https://w3id.org/actorgraph/ontology#mediates"
    assert sorted(result.stdout.splitlines()) == [
        f"<{actor}russia> <{mediates}> <{actor}sna> .",
        f"<{actor}russia> <{mediates}> <{actor}ypg> .",
    ]
    result = kg("sparql", "SELECT ?x WHERE { ?x kgo:represents actor:russia }", "--format", "json")
    assert json.loads(result.stdout) == [{"x": "https://w3id.org/actorgraph/actor/lavrov"}]
