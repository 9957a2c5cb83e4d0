"""The command line as a user meets it: help, start-up cost, stores that are busy or wrong,
hostile names, and output formats."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.namespaces import KGO
from tests.conftest import EXAMPLE, EXAMPLE_FILE, ROOT, snapshot, write

KG = [sys.executable, "-m", "kg.cli"]


def run(*args: str, cwd=ROOT, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_help_does_not_import_the_rdf_stack():
    """`kg --help` must start fast: the CLI module imports nothing heavy at module level."""
    code = "import sys, kg.cli; print(sorted(m for m in ('rdflib', 'pyoxigraph', 'yaml', 'pyshacl') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_command_has_help_with_examples(kg):
    assert "Examples:" in kg("--help").output
    for command in ("load", "drop", "actors", "match", "why", "sparql"):
        result = kg(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output, command


def test_drop_through_the_cli(kg, store_dir):
    kg("load", str(EXAMPLE_FILE))
    result = kg("drop", str(EXAMPLE_FILE))
    assert result.exit_code == 0
    assert json.loads(kg("info", "--format", "json").stdout)["files"] == []
    result = kg("drop", str(EXAMPLE_FILE))
    assert result.exit_code == 1 and "not loaded" in result.stderr


def test_actors_filters(kg):
    kg("load", str(EXAMPLE))
    rows = json.loads(kg("actors", "--type", "armed group", "--format", "json").stdout)
    assert {r["id"] for r in rows} == {"ypg", "sna", "islamic-state"}
    rows = json.loads(kg("actors", "--search", "ANKARA", "--format", "json").stdout)
    assert {r["id"] for r in rows} == {"turkey", "sna"}
    result = kg("actors", "--type", "Militia")
    assert result.exit_code == 1 and "unknown actor type" in result.stderr


def test_user_mistakes_exit_1_without_traceback(tmp_path):
    store = str(tmp_path / "st")
    assert run("--store", store, "load", str(EXAMPLE)).returncode == 0
    for args in (
        ["match", "?x bakcs sna"],
        ["match", "?x backs nobody"],
        ["match", "?x backs ?y", "--format", "json", "--as-of", "2020-12-31", "--min-confidence", "0.9", "?z"],
        ["why", "turkey", "likes", "sna"],
        ["sparql", "SELECT ?x WHERE {"],
        ["load", str(tmp_path / "missing.yaml")],
    ):
        result = run("--store", store, *args)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr and result.stderr.startswith("Error: "), (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    result = run("--store", store, "match")
    assert result.returncode == 2  # usage error


def test_reading_a_store_that_does_not_exist(tmp_path):
    result = run("--store", str(tmp_path / "none"), "match", "?x backs ?y")
    assert result.returncode == 1 and "no kg store here yet" in result.stderr
    assert not (tmp_path / "none").exists()


def test_a_folder_or_file_that_is_not_a_store(tmp_path):
    write(tmp_path / "docs" / "notes.txt", "mine")
    result = run("--store", str(tmp_path / "docs"), "load", str(EXAMPLE))
    assert result.returncode == 1 and "not a kg store" in result.stderr
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["notes.txt"]
    result = run("--store", str(tmp_path / "docs" / "notes.txt"), "info")
    assert result.returncode == 1 and "not a kg store" in result.stderr


@pytest.mark.parametrize("version, message", [(99, "this kg reads up to"), (1, "from an older kg")])
def test_a_store_of_another_format_version_is_refused_by_name(tmp_path, version, message):
    store = tmp_path / "st"
    assert run("--store", str(store), "load", str(EXAMPLE)).returncode == 0
    oxigraph = ox.Store(str(store))
    oxigraph.update(f"DELETE {{ GRAPH ?g {{ ?s kgo:formatVersion ?v }} }} INSERT {{ GRAPH ?g {{ ?s kgo:formatVersion {version} }} }} "
                    "WHERE { GRAPH ?g { ?s kgo:formatVersion ?v } }", prefixes={"kgo": str(KGO)})  # fmt: skip
    del oxigraph
    for command in (["info"], ["load", str(EXAMPLE)]):
        result = run("--store", str(store), *command)
        assert result.returncode == 1 and message in result.stderr and str(store) in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("damage", ["CURRENT garbled", "a table file gone"])
def test_a_damaged_store_is_reported_by_name_without_a_traceback(tmp_path, damage):
    store = tmp_path / "st"
    assert run("--store", str(store), "load", str(EXAMPLE)).returncode == 0
    if damage == "CURRENT garbled":
        (store / "CURRENT").write_text("garbage\n")
    else:
        for table in store.glob("*.sst"):
            table.unlink()
    for command in (["info"], ["load", str(EXAMPLE)]):
        result = run("--store", str(store), *command)
        assert result.returncode == 1 and "damaged" in result.stderr and str(store) in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_busy_store_is_reported_and_readers_still_work(tmp_path):
    store = tmp_path / "st"
    assert run("--store", str(store), "load", str(EXAMPLE)).returncode == 0
    before = snapshot(store)
    writer = ox.Store(str(store))  # another process would hold the same lock
    try:
        result = run("--store", str(store), "load", str(EXAMPLE))
        assert result.returncode == 1 and "in use" in result.stderr and "Traceback" not in result.stderr
        result = run("--store", str(store), "match", "?who backs sna", "--format", "json")
        assert result.returncode == 0 and json.loads(result.stdout) == [{"who": "turkey"}]
    finally:
        del writer
    assert snapshot(store) == before


def test_hostile_names_are_data_not_query_text(kg, tmp_path):
    label = 'Evil" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o'
    data = write(
        tmp_path / "evil.yaml",
        f"""
sources: {{s: {{title: "<script>alert(1)</script>", date: 2021-01-01}}}}
actors:
  evil: {{label: {json.dumps(label)}, type: ArmedGroup, aliases: ["?x", "a'b"]}}
  good: {{label: Good, type: State}}
assertions:
  - {{subject: {json.dumps(label)}, relation: opposes, object: good, quote: "'; DELETE WHERE {{ ?s ?p ?o }} #"}}
""",
    )
    assert kg("load", str(data)).exit_code == 0
    result = kg("match", f"{json.dumps(label)} opposes ?x", "--format", "json")
    assert json.loads(result.stdout) == [{"x": "good"}]
    result = kg("match", '"a\'b" opposes ?x', "--format", "json")
    assert json.loads(result.stdout) == [{"x": "good"}]
    (row,) = json.loads(kg("why", label, "opposes", "good", "--format", "json").stdout)
    assert row["quote"] == "'; DELETE WHERE { ?s ?p ?o } #" and row["title"] == "<script>alert(1)</script>"
    assert kg("match", "?x opposes good", "--format", "csv").stdout.splitlines() == ["x", "evil"]


def test_formats(kg):
    kg("load", str(EXAMPLE))
    table = kg("match", "?x negotiates-with turkey").stdout.splitlines()
    assert table == ["x", "------", "iran", "russia"]
    assert kg("match", "?x negotiates-with turkey", "--format", "csv").stdout.splitlines() == ["x", "iran", "russia"]
    result = kg("match", "?x backs ?y", "--evidence", "--format", "json")
    rows = json.loads(result.stdout)
    assert {"x", "y", "claim", "source", "quote", "confidence"} <= set(rows[0])
    assert kg("match", "?x backs turkey").stderr.strip() == "no matches"
    info = json.loads(kg("info", "--format", "json").stdout)
    assert info["assertions"]["backs"] == 3 and info["actors"]["State"] == 3


def test_kg_export_writes_files_and_stdout(kg, store_dir, tmp_path):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    result = kg("export", "--format", "turtle", "--relation", "mediates", "--truthy-only")
    assert result.exit_code == 0 and "kgo:mediates actor:sna , actor:ypg" in result.output
    result = kg("export", "--format", "csv", "-o", str(tmp_path / "net"))
    assert result.exit_code == 0 and (tmp_path / "net-relations.csv").exists()
    result = kg("export", "--format", "csv")
    assert result.exit_code == 1 and "give -o NAME" in result.output


def test_kg_validate_exit_status_and_formats(kg, tmp_path):
    bad = write(tmp_path / "bad.yaml", "actors:\n  a: {label: A, type: Statee}\n")
    result = kg("validate", str(bad))
    assert result.exit_code == 1 and "unknown actor type 'Statee'" in result.output and "1 problem" in result.output
    assert kg("validate", str(EXAMPLE_FILE)).exit_code == 0
    assert '"field": "type"' in kg("validate", str(bad), "--format", "json").output
    assert "sh:ValidationReport" in kg("validate", str(bad), "--format", "turtle").output


def test_review_findings_give_clear_errors(kg, tmp_path):
    """Mistakes found in review: each is one clear line, never a traceback."""
    kg("load", str(EXAMPLE))
    result = kg("path", "iran", "Tehran")
    assert result.exit_code == 1 and "same actor" in result.stderr
    result = kg("sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert result.exit_code == 1 and "SERVICE" in result.stderr
    result = kg("sparql", "PREFIX x: <urn:x>\nINSERT DATA { actor:a kgo:backs actor:b }")
    assert result.exit_code == 1 and "only reads" in result.stderr
    write(tmp_path / "foo.yaml", "sources: {s: {title: T, date: 2020-01-01}}\nactors:\n  foo: {label: Foo, type: State, aliases: [ypg]}\n")
    assert kg("load", str(tmp_path / "foo.yaml")).exit_code == 0
    assert json.loads(kg("match", "?x opposes ypg", "--format", "json").stdout) == [{"x": "sna"}, {"x": "turkey"}]
    write(tmp_path / "clash.yaml", "actors:\n  ypg: {label: YPG, type: State}\n")
    result = kg("load", str(tmp_path / "clash.yaml"))
    assert result.exit_code == 1 and "is a State here but an ArmedGroup" in result.stderr
    bad = write(tmp_path / "bad.ttl", "<https://w3id.org/actorgraph/actor/Bad/ID> a <https://w3id.org/actorgraph/ontology#State> .\n")
    result = kg("load", str(bad))
    assert result.exit_code == 1 and "not a valid id" in result.stderr
    result = kg("load", str(EXAMPLE), str(EXAMPLE / "ain-issa.yaml"))
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1


def stderr_on_terminal(*args: str) -> str:
    """What ``kg ARGS`` writes to stderr when that is a terminal (a pseudo-terminal here);
    it must succeed. Its stdout is thrown away: a full pipe nobody reads would block it."""
    terminal, child_end = os.openpty()
    process = subprocess.Popen([*KG, *args], stdout=subprocess.DEVNULL, stderr=child_end)
    os.close(child_end)
    shown = b""
    with contextlib.suppress(OSError):  # reading a terminal whose other end closed raises EIO
        while chunk := os.read(terminal, 4096):
            shown += chunk
    os.close(terminal)
    assert process.wait(timeout=120) == 0
    return shown.decode()


def test_a_large_load_shows_progress_on_a_terminal_and_nothing_when_piped(tmp_path):
    from bench.generate import generate, write_csv

    write_csv(generate(20_000, seed=5), tmp_path / "data")
    text = stderr_on_terminal("--store", str(tmp_path / "a"), "load", str(tmp_path / "data"))
    assert "checking 20000 assertions" in text and re.search(r"\(\d[\d,]*/s\)", text) and "20000/20000" in text, text
    written = re.search(r"writing (\d+) MB of N-Quads to the store", text)  # the bulk loader's own progress, in megabytes
    assert written and f"{written[1]}/{written[1]}" in text, text
    piped = run("--store", str(tmp_path / "b"), "load", str(tmp_path / "data"))
    assert piped.returncode == 0 and piped.stderr == ""


def test_an_analysis_that_reads_every_claim_out_of_the_store_says_so_on_a_terminal(tmp_path):
    """Only after a write that did not keep the claims: a load of the whole store keeps them."""
    from bench.generate import generate, write_csv

    write_csv(generate(20_000, seed=5), tmp_path / "data")
    store = ["--store", str(tmp_path / "a")]
    assert run(*store, "load", str(tmp_path / "data")).returncode == 0
    said = "kg: reading 20,000 claims out of the store, once after each write"
    assert said not in stderr_on_terminal(*store, "analyse", "blocs")  # the load kept what it wrote
    # a load beside other files keeps nothing: the claims are read anew, piped saying nothing
    assert run(*store, "load", str(write(tmp_path / "one.yaml", "actors:\n  one: State\n"))).returncode == 0
    piped = run(*store, "analyse", "blocs")
    assert piped.returncode == 0 and "reading" not in piped.stderr
    assert run(*store, "load", str(write(tmp_path / "two.yaml", "actors:\n  two: State\n"))).returncode == 0
    assert said in stderr_on_terminal(*store, "analyse", "blocs")
    assert said not in stderr_on_terminal(*store, "analyse", "blocs")  # read from what the one before kept


def test_sources_lists_each_source_with_its_claim_count_and_dates(kg, tmp_path):
    import yaml

    from tests.conftest import EXAMPLE_FILE as CURATED

    data = yaml.safe_load(CURATED.read_text(encoding="utf-8"))
    ((source_id, source),) = data["sources"].items()
    second = write(
        tmp_path / "second.yaml",
        "sources:\n  wire: {title: Wire, publisher: Wire Agency, date: 2021-02-01}\n"
        "assertions:\n  - {claim: turkey backs sna, source: wire, date: 2021-02-03}\n"
        "  - {claim: russia backs syrian-government, source: wire, date: 2021-01-30}\n",
    )
    assert kg("load", str(CURATED), str(second)).exit_code == 0
    rows = json.loads(kg("sources", "--format", "json").output)
    assert [row["id"] for row in rows] == sorted([source_id, "wire"])
    curated = next(row for row in rows if row["id"] == source_id)
    assert curated["claims"] == len(data["assertions"]) and curated["publisher"] == source["publisher"]
    wire = next(row for row in rows if row["id"] == "wire")
    assert (wire["claims"], wire["first_claim"], wire["last_claim"]) == (2, "2021-01-30", "2021-02-03")
    only = json.loads(kg("sources", "--publisher", "wire agency", "--format", "json").output)
    assert [row["id"] for row in only] == ["wire"]
    table = kg("sources", "--search", "nothing-like-this")
    assert table.exit_code == 0 and "no sources" in table.output


def test_an_empty_map_is_said_with_the_options_that_emptied_it(kg, tmp_path):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    empty = kg("view", "-o", str(tmp_path / "empty.html"), "--as-of", "1999-01-01", "--relation", "backs")
    assert empty.exit_code == 0 and (tmp_path / "empty.html").exists()
    assert "warning: the map is empty: no claim fits --as-of 1999-01-01 --relation backs" in empty.stderr
    full = kg("view", "-o", str(tmp_path / "full.html"))
    assert full.exit_code == 0 and "empty" not in full.stderr
