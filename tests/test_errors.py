"""Every mistake a user can make in a data file: one clear line naming file, line and field,
exit status 1, no traceback, and the store exactly as it was."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLE_FILE, snapshot, write

GOOD = """\
sources:
  s1: {title: A report, date: 2021-01-02}
actors:
  alpha: {label: Alphaland, type: State, aliases: [Alpha Republic, Beta Front]}
  beta: {label: Beta Front, type: ArmedGroup}
assertions:
  - claim: alpha backs beta
    quote: Alpha arms Beta.
    confidence: 0.8
"""

# (what to replace in GOOD, with what, expected line, expected field, text the message must contain)
BROKEN = [
    ("alpha backs beta", "alpha backs betta", 7, "object", "did you mean 'beta'"),
    ("alpha backs beta", "alpha bakcs beta", 7, "claim", "unknown relation 'bakcs'; did you mean 'backs'"),
    ("alpha backs beta", "alpha beta", 7, "claim", "cannot find 'SUBJECT RELATION OBJECT'"),
    ("alpha backs beta", "alpha backs alpha", 7, "object", "subject and object are the same actor"),
    ("claim: alpha backs beta", "subject: alpha\n    relation: bakcs\n    object: beta", 7, "relation", "did you mean 'backs'"),
    ("confidence: 0.8", "confidence: 1.7", 9, "confidence", "outside [0, 1]"),  # the field's own line
    ("confidence: 0.8", "confidence: high", 9, "confidence", "not a number"),
    ("confidence: 0.8", "confidence: 0.8\n    date: 2021-13-45", 10, "date", "not a date"),
    ("quote: Alpha arms Beta.", 'quote: "Alpha \\a arms Beta."', 7, "quote", "control character"),
    ("confidence: 0.8", "confidence: 0.8\n    source: s9", 7, "source", "unknown source 's9'"),
    ("confidence: 0.8", "confidnce: 0.8", 7, "confidnce", "did you mean 'confidence'"),
    ("type: ArmedGroup", "type: Militia", 5, "type", "unknown actor type 'Militia'"),
    ("  beta: {label", "  Beta Front!: {label", 5, "id", "not a valid id"),
    ("quote: Alpha arms Beta.", "quote: [unclosed", 9, None, "flow sequence started on line 8"),
    ("alpha backs beta", "alpha backs beta, alpha-republic", 7, "object", "only 'mediates' may name several"),
    ("  s1: {title: A report, date: 2021-01-02}", "  s1: {title: A report}", 7, "date", "give the date reported"),
    ("alpha backs beta", "alpha backs 'Beta Front'", 7, "object", "could mean any of alpha, beta"),
    ("sources:", "source:", 1, "source", "did you mean 'sources'"),
    ("label: Beta Front", "label: [Beta, Front]", 5, "label", "expected one value, not a list"),
]


@pytest.fixture
def loaded(kg, store_dir):
    """A store on disk that already holds the example; errors must leave it untouched."""
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    return snapshot(store_dir)


@pytest.mark.parametrize("old, new, line, field, message", BROKEN, ids=[b[4] for b in BROKEN])
def test_bad_yaml_is_reported_and_nothing_is_written(kg, store_dir, loaded, tmp_path, old, new, line, field, message):
    assert old in GOOD
    path = write(tmp_path / "bad.yaml", GOOD.replace(old, new))
    result = kg("load", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (error,) = result.stderr.strip().splitlines()
    assert error.startswith(f"Error: {path}:{line}: ")
    if field:
        assert f": {field}: " in error
    assert message in error
    assert snapshot(store_dir) == loaded


def test_one_bad_file_among_good_ones_writes_nothing(kg, store_dir, loaded, tmp_path):
    write(tmp_path / "d" / "a-good.yaml", GOOD)
    write(tmp_path / "d" / "b-bad.yaml", GOOD.replace("beta", "betta", 1).replace("alpha backs beta", "alpha backs gamma"))
    result = kg("load", str(tmp_path / "d"))
    assert result.exit_code == 1 and "b-bad.yaml" in result.stderr
    assert snapshot(store_dir) == loaded


def test_bad_csv_rows(kg, store_dir, loaded, tmp_path):
    path = write(tmp_path / "c.csv", "subject,relation,object,source_title,date\nturkey,backs,sna,R,2020-01-01\nturkey,backs,sna,R\n")
    result = kg("load", str(path))
    assert result.exit_code == 1 and f"{path}:3: date: missing" in result.stderr
    path = write(tmp_path / "d.csv", "subject,relation,object,source_title,date\nturkey,backs,sna,R,2020-01-01,extra\n")
    result = kg("load", str(path))
    assert result.exit_code == 1 and f"{path}:2:" in result.stderr and "6 cells" in result.stderr
    path = write(tmp_path / "e.csv", "subject,relation,objet\n")
    result = kg("load", str(path))
    assert result.exit_code == 1 and "objet" in result.stderr and "did you mean 'object'" in result.stderr
    path = write(tmp_path / "f.csv", "subject,relation,object,source_title,date\nturkey,backs,sna,R,yesterday\n")
    result = kg("load", str(path))
    assert result.exit_code == 1 and f"{path}:2: date:" in result.stderr


def test_bad_rdf(kg, store_dir, loaded, tmp_path):
    path = write(tmp_path / "x.ttl", "@prefix kgo: <https://w3id.org/actorgraph/ontology#> .\nthis is not turtle")
    result = kg("load", str(path))
    assert result.exit_code == 1 and "not valid RDF" in result.stderr
    edge = (
        "<https://w3id.org/actorgraph/actor/turkey> <https://w3id.org/actorgraph/ontology#backs> "
        "<https://w3id.org/actorgraph/actor/ypg> .\n"
    )
    result = kg("load", str(write(tmp_path / "edge.nt", edge)))
    assert result.exit_code == 1 and "has no kgo:Assertion" in result.stderr
    assert snapshot(store_dir) == loaded


def test_missing_paths_and_unknown_suffixes(kg, loaded, tmp_path):
    result = kg("load", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1 and "no such file" in result.stderr
    result = kg("load", str(write(tmp_path / "notes.txt", "hello")))
    assert result.exit_code == 1 and "cannot read .txt" in result.stderr
