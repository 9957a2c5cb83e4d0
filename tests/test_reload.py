"""kg's own exports load again whole: TriG and N-Quads keep each loaded file's graph (under a
portable IRI, the same on every machine), RDF/XML loads as one graph; and no export carries
the absolute paths of the machine that made it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import snapshot

FILES = ["examples/ain-issa-2020/ain-issa.yaml", "examples/sudan-2025/sudan-quad.yaml"]


def answers(kg) -> dict:
    """What a user sees of a store: its info, a join, and the evidence of two claims."""
    info = json.loads(kg("info", "--format", "json").stdout)
    info.pop("store")
    return {
        "info": info,
        "join": kg("match", "?a backs ?b", "?b opposes ?c", "--format", "json").stdout,
        "why": [kg("why", *claim, "--format", "json").stdout for claim in (("uae", "backs", "rsf"), ("turkey", "backs", "sna"))],
    }


@pytest.fixture
def exported(kg, store_dir, tmp_path):
    assert kg("load", *FILES).exit_code == 0
    return store_dir, answers(kg), tmp_path


@pytest.mark.parametrize(("fmt", "suffix", "rapper"), [("trig", "trig", "trig"), ("nquads", "nq", "nquads")])
def test_an_export_loads_into_a_fresh_store_with_each_files_graph(kg, exported, fmt, suffix, rapper):
    from click.testing import CliRunner

    from kg.cli import main

    store_dir, before, tmp_path = exported
    out = tmp_path / f"all.{suffix}"
    assert kg("export", "--format", fmt, "-o", str(out)).exit_code == 0
    checked = subprocess.run(["rapper", "-q", "-i", rapper, "-c", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    text = out.read_text(encoding="utf-8")
    assert "file://" not in text and str(Path.cwd()) not in text
    fresh = lambda *args: CliRunner().invoke(main, ["--store", str(tmp_path / "fresh"), *args])  # noqa: E731
    loaded = fresh("load", str(out))
    assert loaded.exit_code == 0, loaded.output
    assert sorted(line.split(":")[0] for line in loaded.stdout.splitlines()) == [f"loaded {out} ({file})" for file in FILES]
    assert answers(fresh) == before
    assert snapshot(tmp_path / "fresh") == snapshot(store_dir)  # the same quads in the same graphs
    assert fresh("drop", FILES[1]).exit_code == 0  # each file's part is its own again
    assert json.loads(fresh("info", "--format", "json").stdout)["files"] == FILES[:1]


def test_no_export_format_carries_an_absolute_path(kg, exported):
    for fmt in ("turtle", "nt", "json-ld", "xml", "trig", "nquads"):
        result = kg("export", "--format", fmt)
        assert result.exit_code == 0 and str(Path.cwd()) not in result.stdout and "file://" not in result.stdout, fmt


def test_rdf_xml_and_foreign_graphs_load_into_the_files_own_graph(kg, exported):
    from click.testing import CliRunner

    from kg.cli import main

    _, before, tmp_path = exported
    xml = tmp_path / "all.rdf"
    assert kg("export", "--format", "xml", "-o", str(xml)).exit_code == 0
    trig = tmp_path / "foreign.trig"
    assert kg("export", "--format", "trig", "-o", str(trig)).exit_code == 0
    # another tool's graph names: what they hold loads into the TriG file's own graph
    trig.write_text(
        trig.read_text(encoding="utf-8").replace("https://w3id.org/actorgraph/graph/file/", "http://example.org/g/"), encoding="utf-8"
    )
    for path in (xml, trig):
        fresh = lambda *args, path=path: CliRunner().invoke(main, ["--store", str(path.with_suffix(".store")), *args])  # noqa: E731
        loaded = fresh("load", str(path))
        assert loaded.exit_code == 0, loaded.output
        after = answers(fresh)
        assert after["info"]["files"] == [str(path)]
        assert {key: value for key, value in after["info"].items() if key != "files"} == {
            key: value for key, value in before["info"].items() if key != "files"
        }
        assert after["join"] == before["join"]


def test_a_bad_graph_names_the_file_and_the_graph(kg, exported):
    _, _, tmp_path = exported
    trig = tmp_path / "bad.trig"
    graph = "https://w3id.org/actorgraph/graph/file/data/a.yaml"
    edge = "<https://w3id.org/actorgraph/actor/a> <https://w3id.org/actorgraph/ontology#backs> <https://w3id.org/actorgraph/actor/b>"
    trig.write_text(f"<{graph}> {{ {edge} . }}\n", encoding="utf-8")
    result = kg("load", str(trig))
    assert result.exit_code == 1 and f"{trig} (data/a.yaml): edge" in result.stderr and "has no kgo:Assertion" in result.stderr


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_an_export_on_standard_input_restores_the_files_graphs(kg, exported, fmt):
    from click.testing import CliRunner

    from kg.cli import main

    _, before, tmp_path = exported
    text = kg("export", "--format", fmt).stdout
    fresh = lambda *args, text=None: CliRunner().invoke(main, ["--store", str(tmp_path / "piped"), *args], input=text)  # noqa: E731
    loaded = fresh("load", "-", "--format", fmt, text=text)
    assert loaded.exit_code == 0, loaded.output
    assert sorted(loaded.stdout.splitlines())[0].startswith(f"loaded <stdin> ({FILES[0]}): ")
    assert answers(fresh) == before
