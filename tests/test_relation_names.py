"""A relation name means one relation or is an error: punctuation is not dropped.

``!backs``, ``^backs``, ``backs+`` and ``backs*`` used to answer as plain ``backs`` (the
name was folded to its letters), so "not backs" returned the backers. Now a character that
cannot be part of a relation name is an error naming it, in ``kg match``, ``kg why`` and in
data files (with file, line and field).
"""

from __future__ import annotations

import json

import pytest

from kg.errors import KgError
from kg.ontology import load_ontology
from tests.conftest import EXAMPLE, snapshot, write

GOOD = """\
sources:
  s1: {title: A report, date: 2021-01-02}
actors:
  alpha: {label: Alphaland, type: State}
  beta: {label: Beta Front, type: ArmedGroup}
assertions:
  - claim: alpha backs beta
    quote: Alpha arms Beta.
"""


@pytest.fixture
def loaded(kg, store_dir):
    assert kg("load", str(EXAMPLE)).exit_code == 0
    return snapshot(store_dir)


@pytest.mark.parametrize(
    "pattern, character", [("?x !backs sna", "!"), ("?x ^backs sna", "^"), ("?x backs+ sna", "+"), ("?x backs? sna", "?")]
)
def test_match_refuses_punctuation_in_a_relation(kg, loaded, pattern, character):
    result = kg("match", pattern)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stdout == ""
    assert f"{character!r} is not allowed in a relation name" in result.stderr


@pytest.mark.parametrize("relation, character", [("backs*", "*"), ("!backs", "!"), ("backsé", "é"), ("backs\t", "\t")])
def test_why_refuses_punctuation_in_a_relation(kg, loaded, relation, character):
    result = kg("why", "turkey", relation, "sna")
    assert result.exit_code == 1 and result.stdout == ""
    assert f"relation {relation!r}: {character!r} is not allowed" in result.stderr


@pytest.mark.parametrize("spelling", ["negotiates-with", "negotiatesWith", "'Negotiates with'", "negotiates_with", "NEGOTIATES-WITH"])
def test_today_s_spellings_still_work(kg, loaded, spelling):
    result = kg("match", f"?x {spelling} turkey", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"x": "iran"}, {"x": "russia"}]


def test_backed_by_in_other_spellings(kg, loaded):
    for spelling in ("backed-by", "Backed_By", "backedBy", "'backed by'"):
        result = kg("match", f"?x {spelling} turkey", "--format", "json")
        assert json.loads(result.stdout) == [{"x": "sna"}], spelling


# (file name, text, line, field): each data format refuses the character with where it is.
BAD_FILES = [
    ("claim.yaml", GOOD.replace("claim: alpha backs beta", "claim: alpha !backs beta"), 7, "claim", "!"),
    (
        "relation.yaml",
        GOOD.replace("claim: alpha backs beta", "subject: alpha\n    relation: backs+\n    object: beta"),
        7,
        "relation",
        "+",
    ),
    (
        "claim.json",
        '{"sources": {"s1": {"title": "R", "date": "2021-01-02"}}, "actors": {"alpha": {"label": "A", "type": "State"},\n'
        '"beta": {"label": "B", "type": "State"}}, "assertions": [\n{"claim": "alpha ^backs beta"}]}\n',
        3,
        "claim",
        "^",
    ),
    (
        "rows.csv",
        "subject,relation,object,source_title,date\nturkey,backs,sna,R,2020-01-01\nturkey,backs*,sna,R,2020-01-01\n",
        3,
        "relation",
        "*",
    ),
    ("claims.csv", "claim,source_title,date\nturkey backs sna,R,2020-01-01\nturkey backs? sna,R,2020-01-01\n", 3, "claim", "?"),
    (
        "long.yaml",
        GOOD.replace("claim: alpha backs beta", "claim: Alpha Republic !backs beta").replace(
            "type: State}", "type: State, aliases: [Alpha Republic]}", 1
        ),
        7,
        "claim",
        "!",
    ),
]


@pytest.mark.parametrize("name, text, line, field, character", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_data_files_refuse_punctuation_in_a_relation(kg, store_dir, loaded, tmp_path, name, text, line, field, character):
    path = write(tmp_path / name, text)
    result = kg("load", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    (error,) = result.stderr.strip().splitlines()
    assert error.startswith(f"Error: {path}:{line}: {field}: ")
    assert f"{character!r} is not allowed in a relation name" in error
    assert snapshot(store_dir) == loaded


def test_the_ontology_names_the_character():
    ontology = load_ontology()
    for name in ("backs", "Backed by", "negotiatesWith", "politically_backs", "part-of"):
        assert ontology.relation(name).iri in ontology.relations
    assert ontology.looks_like_relation("!backs") and ontology.looks_like_relation("part-of!")
    assert not ontology.looks_like_relation("backs") and not ontology.looks_like_relation("!nothing")


# -- names in other scripts -----------------------------------------------------------------------

SCRIPTS = """\
sources:
  s1: {title: A report, date: 2021-01-02}
actors:
  russia: {label: Russia, type: State, aliases: [Россия]}
  syria: {label: Syria, type: State, aliases: [سوريا]}
assertions:
  - claim: Россия backs سوريا
"""


def test_names_in_other_scripts_are_names_not_nothing(kg, store_dir, tmp_path):
    """Folded to nothing, every non-Latin name once matched whichever actor had one."""
    assert kg("load", str(write(tmp_path / "scripts.yaml", SCRIPTS))).exit_code == 0
    assert kg("match", "?x backs سوريا", "--format", "json").output.count('"russia"') == 1
    assert kg("match", "?x backs syria", "--format", "json").output.count('"russia"') == 1
    unknown = kg("match", "?x backs 中国")
    assert unknown.exit_code == 1 and "unknown actor '中国'" in unknown.stderr


@pytest.mark.parametrize(
    "typed, meant",
    [("support", "backs"), ("supports", "backs"), ("ally", "allied-with"), ("enemy", "opposes"), ("talks with", "negotiates-with")],
)
def test_an_unknown_relation_suggests_by_names_labels_and_synonyms(typed, meant):
    """``support`` once suggested ``has-part`` (closest by spelling only); the synonyms
    (skos:altLabel in kgo.ttl) point at what was meant."""
    with pytest.raises(KgError, match=f"unknown relation {typed!r}; did you mean {meant!r}"):
        load_ontology().relation(typed)


def test_a_synonym_is_suggested_never_taken_as_the_relation():
    with pytest.raises(KgError, match="did you mean 'backs'"):
        load_ontology().relation("supports")
