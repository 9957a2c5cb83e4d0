"""The rough edges a new user hit (issue 19), each held by a test."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLE_FILE, write


def test_a_backed_by_chain_reads_in_the_direction_support_flows(kg, tmp_path):
    data = write(
        tmp_path / "chain.yaml",
        "sources:\n  s: {title: S, date: 2024-01-01}\nactors:\n"
        "  patron: {label: Patron, type: State}\n  proxy: {label: Proxy, type: ArmedGroup}\n  cell: {label: Cell, type: ArmedGroup}\n"
        "assertions:\n  - {claim: patron arms proxy, source: s}\n  - {claim: proxy backs cell, source: s}\n",
    )
    assert kg("load", str(data)).exit_code == 0
    rows = json.loads(kg("analyse", "chains", "cell", "--format", "json").output)["chains"]
    assert [(r["direction"], r["actor"], r["path"]) for r in rows] == [
        ("backed-by", "proxy", "proxy → cell"),
        ("backed-by", "patron", "patron → proxy → cell"),
    ]
    downstream = json.loads(kg("analyse", "chains", "patron", "--format", "json").output)["chains"]
    assert [r["path"] for r in downstream] == ["patron → proxy", "patron → proxy → cell"]


def test_actors_with_no_claim_are_listed_as_unaligned(kg, tmp_path):
    lonely = write(tmp_path / "lonely.yaml", "actors:\n  hermit: {label: Hermit Kingdom, type: State}\n")
    assert kg("load", str(EXAMPLE_FILE), str(lonely)).exit_code == 0
    blocs = json.loads(kg("analyse", "blocs", "--format", "json").output)
    assert "hermit" in blocs["unaligned"]
    everyone = {row["id"] for row in json.loads(kg("actors", "--format", "json").output)}
    assert {a for camp in blocs["camps"] for a in camp} | set(blocs["unaligned"]) == everyone
    assert "hermit" in kg("analyse", "blocs").output  # the table lists it too, camp "-"
    focused = json.loads(kg("analyse", "blocs", "--focus", "ypg", "--format", "json").output)
    assert "hermit" not in focused["unaligned"]


def test_path_json_gives_each_step_as_data(kg):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    found = json.loads(kg("path", "iran", "ypg", "--format", "json").output)
    for path in found["paths"]:
        steps = path["steps"]
        assert len(steps) == path["length"] and steps[0]["from"] == "iran" and steps[-1]["to"] == "ypg"
        assert all(a["to"] == b["from"] for a, b in zip(steps, steps[1:], strict=False))
        for step in steps:
            assert step["direction"] in ("forward", "backward", "mutual") and step["statements"]
            arrow = {"mutual": f"—{step['family']}—", "forward": f"—{step['family']}→", "backward": f"←{step['family']}—"}
            assert f"{step['from']} {arrow[step['direction']]} {step['to']}" in path["path"]


def test_an_unknown_source_suggests_the_closest_source_of_the_store(kg, tmp_path):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    typo = write(tmp_path / "typo.yaml", "assertions:\n  - {claim: turkey backs sna, source: newarab-2020-12-92}\n")
    for command in ("load", "validate"):
        result = kg(command, str(typo))
        assert result.exit_code == 1 and "unknown source 'newarab-2020-12-92'; did you mean 'newarab-2020-12-29'?" in result.output


def test_an_unknown_sparql_prefix_is_named(kg):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    result = kg("sparql", "SELECT * WHERE { ?s foo:bar ?o }")
    assert result.exit_code == 1 and "unknown prefix 'foo': declare it (PREFIX foo: <IRI>)" in result.output
    declared = kg("sparql", "PREFIX foo: <http://example.org/> SELECT * WHERE { ?s foo:bar ?o }")
    assert declared.exit_code == 0 and "no results" in declared.output
    quoted = kg("sparql", 'SELECT * WHERE { ?s ?p "foo:bar" }')  # inside a string it is no prefix
    assert quoted.exit_code == 0


def test_a_failed_first_load_or_drop_leaves_no_store_behind(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    def kg_in(folder, *args):
        command = [sys.executable, "-m", "kg.cli", *args]
        return subprocess.run(command, cwd=folder, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})

    for args in (("load", "nofile"), ("drop", "nofile"), ("load", str(write(tmp_path / "bad.yaml", "x: [\n")))):
        result = kg_in(tmp_path, *args)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert not (tmp_path / ".kg").exists(), args
    given = tmp_path / "given"
    given.mkdir()
    assert kg_in(tmp_path, "--store", "given", "load", "nofile").returncode == 1
    assert given.is_dir() and list(given.iterdir()) == []  # the user's folder stays, empty
    assert kg_in(tmp_path, "load", str(EXAMPLE_FILE)).returncode == 0
    assert kg_in(tmp_path, "load", "nofile").returncode == 1
    assert kg_in(tmp_path, "info").returncode == 0  # a store that holds data is never touched


def test_info_as_csv_has_every_count_of_the_json(kg):
    import csv
    import io

    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    summary = json.loads(kg("info", "--format", "json").output)
    rows = list(csv.DictReader(io.StringIO(kg("info", "--format", "csv").output)))
    for section in ("actors", "assertions"):
        assert {r["name"]: int(r["value"]) for r in rows if r["section"] == section} == summary[section]
    assert [r["name"] for r in rows if r["section"] == "files"] == summary["files"]
    assert next(int(r["value"]) for r in rows if r["section"] == "sources") == summary["sources"]


def test_the_readmes_focus_example_shows_part_of_the_graph(tmp_path):
    import re

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"^kg view (--focus \S+(?: --depth \d+)?) -o \S+\s+# .*\((\d+) of (\d+)\)$", readme, re.M)
    assert example, "the README's map section shows a --focus example with its share of the actors"
    options, shown, everyone = example.group(1).split(), int(example.group(2)), int(example.group(3))
    import kg as library

    graph = library.open(str(tmp_path / "focus"))
    graph.load(str(EXAMPLE_FILE))
    focus = options[1]
    depth = int(options[3]) if len(options) > 2 else 1
    assert (graph.view(None, focus=focus, depth=depth).nodes, graph.view(None).nodes) == (shown, everyone)
    assert shown < everyone


def test_the_documented_shell_completion_completes_commands():
    import os
    import re
    import subprocess
    import sys

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shells = re.findall(r"_KG_COMPLETE=(\w+)_source kg", readme)
    assert sorted(shells) == ["bash", "fish", "zsh"]
    kg_command = [sys.executable, "-c", "from kg.cli import main; main(prog_name='kg')"]
    env = {**os.environ, "_KG_COMPLETE": "bash_source"}
    script = subprocess.run(kg_command, env=env, capture_output=True, text=True, cwd=ROOT).stdout
    assert "complete " in script and "_KG_COMPLETE=bash_complete" in script
    env = {**os.environ, "_KG_COMPLETE": "bash_complete", "COMP_WORDS": "kg analyse bl", "COMP_CWORD": "2"}
    answer = subprocess.run(kg_command, env=env, capture_output=True, text=True, cwd=ROOT).stdout
    assert answer.split() == ["plain,blocs"]


def test_the_same_statement_from_two_files_is_one_row_of_evidence_listing_both(kg, tmp_path):
    import shutil

    copy = tmp_path / "copy.yaml"
    shutil.copyfile(EXAMPLE_FILE, copy)
    assert kg("load", str(EXAMPLE_FILE), str(copy)).exit_code == 0
    rows = json.loads(kg("why", "turkey", "backs", "sna", "--format", "json").output)
    assert len(rows) == len({row["statement"] for row in rows})  # once each, not once per file
    from kg.store import file_label

    files = sorted(file_label(path.resolve().as_uri()) for path in (EXAMPLE_FILE, copy))
    assert all(row["file"].split("; ") == files for row in rows)
    assert all(isinstance(row["confidence"], float) for row in rows)  # a number, not "0.95"


def test_a_store_under_missing_folders_is_made_with_them(tmp_path):
    """`--store` under a missing parent once gave Oxigraph's raw "IO error ... While mkdir if missing"."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    store = tmp_path / "not" / "yet" / "there" / "store"
    command = [sys.executable, "-m", "kg.cli", "--store", str(store), "load", str(EXAMPLE_FILE)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "IO error" not in done.stderr and (store / "CURRENT").exists()
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    command[4] = str(blocked / "store")
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "cannot make the store folder" in done.stderr and "Traceback" not in done.stderr
