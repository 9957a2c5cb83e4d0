"""``kg load -`` and ``kg validate -``: data from standard input, in any curated format,
loads into one graph of its own (loaded again, it replaces itself; ``kg drop -`` drops it),
with errors naming ``<stdin>`` and its line, all or nothing, and no temporary file left."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE_FILE, snapshot

CLAIM = ("russia", "backs", "syrian-government")


def why_rows(kg) -> list[dict]:
    """The evidence of one claim, without the column that names the file it came from."""
    rows = json.loads(kg("why", *CLAIM, "--format", "json").stdout)
    return [{key: value for key, value in row.items() if key != "file"} for row in rows]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, str]:
    """The Ain Issa example in each curated format: YAML as shipped, JSON from it, and the
    RDF formats as kg exports them."""
    from kg.export import export
    from kg.loader import load
    from kg.store import open_store

    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    found = {"yaml": text, "json": json.dumps(yaml.safe_load(text), default=str)}
    with open_store(":memory:") as store:
        load(store, [EXAMPLE_FILE])
        for fmt, name in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")):
            found[fmt] = export(store, name)[""].decode()
    return found


@pytest.mark.parametrize("fmt", ["yaml", "json", "ttl", "nt", "jsonld", "xml"])
def test_each_curated_format_loads_from_stdin_as_from_its_file(kg, tmp_path, inputs, fmt):
    from click.testing import CliRunner

    from kg.cli import main

    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    expected = why_rows(kg)
    other = tmp_path / "other"
    runner = CliRunner()
    result = runner.invoke(main, ["--store", str(other), "load", "-", "--format", fmt], input=inputs[fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("loaded <stdin>: ")
    stdin_kg = lambda *args: runner.invoke(main, ["--store", str(other), *args])  # noqa: E731
    assert why_rows(stdin_kg) == expected
    files = json.loads(stdin_kg("info", "--format", "json").stdout)["files"]
    assert files == ["<stdin>"]
    checked = runner.invoke(main, ["--store", str(other), "validate", "-", "--input-format", fmt], input=inputs[fmt])
    assert checked.exit_code == 0, checked.output


def test_a_second_stdin_load_replaces_the_first_and_drop_removes_it(kg, store_dir):
    from click.testing import CliRunner

    from kg.cli import main

    run = lambda *args, text=None: CliRunner().invoke(main, ["--store", str(store_dir), *args], input=text)  # noqa: E731
    first = "sources: {s: {title: T, date: 2020-01-01}}\nactors: {a: {label: A, type: State}, b: {label: B, type: State}}\n"
    assert run("load", "-", "--format", "yaml", text=first + "assertions:\n  - {claim: a backs b, source: s}\n").exit_code == 0
    assert json.loads(run("match", "?x backs b", "--format", "json").stdout) == [{"x": "a"}]
    assert run("load", "-", "--format", "yaml", text=first + "assertions:\n  - {claim: b backs a, source: s}\n").exit_code == 0
    assert json.loads(run("match", "?x backs ?y", "--format", "json").stdout) == [{"x": "b", "y": "a"}]
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0  # a file beside it is its own graph
    dropped = run("drop", "-")
    assert dropped.exit_code == 0 and dropped.stdout == "dropped -\n"
    assert json.loads(run("info", "--format", "json").stdout)["files"] == [str(EXAMPLE_FILE.relative_to(Path.cwd()))]
    assert run("drop", "-").exit_code == 1  # no longer loaded


def test_a_bad_record_on_stdin_names_its_line_and_changes_nothing(kg, store_dir):
    from click.testing import CliRunner

    from kg.cli import main

    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    before = snapshot(store_dir)
    spools = set(Path(tempfile.gettempdir()).glob("kg-stdin-*"))
    bad = (
        "sources: {s: {title: T, date: 2020-01-01}}\nassertions:\n"
        "  - {claim: turkey backs sna, source: s}\n  - {claim: turkey bakcs sna, source: s}\n"
    )
    result = CliRunner().invoke(main, ["--store", str(store_dir), "load", "-", "--format", "yaml"], input=bad)
    assert result.exit_code == 1 and result.stderr.startswith("Error: <stdin>:4: claim: unknown relation 'bakcs'; did you mean 'backs'?")
    assert snapshot(store_dir) == before
    assert set(Path(tempfile.gettempdir()).glob("kg-stdin-*")) == spools  # the copy of stdin is gone
    validate = ["--store", str(store_dir), "validate", "-", "--input-format", "yaml", "--format", "json"]
    checked = CliRunner().invoke(main, validate, input=bad)
    assert checked.exit_code == 1
    assert [(p["file"], p["line"], p["field"]) for p in json.loads(checked.stdout)] == [("<stdin>", 4, "claim")]


def test_stdin_needs_a_format_and_a_csv_on_stdin_loads_beside_files(kg, store_dir, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    run = lambda *args, text=None: CliRunner().invoke(main, ["--store", str(store_dir), *args], input=text)  # noqa: E731
    result = run("load", "-", text="a,b\n")
    assert result.exit_code == 1 and "standard input has no file name to tell its format by: give --format" in result.stderr
    claims = "subject,relation,object,source,date\nturkey,opposes,ypg,wire,2021-02-01\n"
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  wire: {title: Wire, date: 2021-02-01}\n", encoding="utf-8")
    # a curated --format reads standard input (and names that tell no format): the .yaml files stay YAML
    loaded = run("load", str(EXAMPLE_FILE), str(sources), "-", "--format", "csv", text=claims)
    assert loaded.exit_code == 0, loaded.stderr
    assert [line.split(":")[0] for line in loaded.stdout.splitlines()] == [f"loaded {EXAMPLE_FILE}", f"loaded {sources}", "loaded <stdin>"]
    rows = json.loads(run("why", "turkey", "opposes", "ypg", "--format", "json").stdout)
    assert [row["file"] for row in rows if row["source"] == "wire"] == ["<stdin>"]
