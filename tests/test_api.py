"""The Python API (``import kg``): a ``Graph`` per store, data back from every method, every
``kg`` command one call of it, and a notebook that runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.namespaces import ACTOR
from tests.conftest import EXAMPLE_FILE, ROOT
from tests.test_view import browser  # noqa: F401 - the real Chromium fixture

#: Every command of the CLI and the API call it makes.
COMMANDS = {
    "load": "Graph.load",
    "drop": "Graph.drop",
    "info": "Graph.info",
    "actors": "Graph.actors",
    "sources": "Graph.sources",
    "about": "Graph.about",
    "diff": "Graph.diff",
    "extract": "Graph.extract",
    "match": "Graph.match",
    "why": "Graph.why",
    "sparql": "Graph.sparql",
    "analyse blocs": "Graph.blocs",
    "analyse balance": "Graph.balance",
    "analyse chains": "Graph.chains",
    "analyse centrality": "Graph.centrality",
    "analyse contested": "Graph.contested",
    "path": "Graph.path",
    "view": "Graph.view",
    "serve": "Graph.serve",
    "export": "Graph.export",
    "validate": "Graph.validate",
    "relations": "relations",
}


@pytest.fixture
def graph():
    with kg.open(":memory:") as graph:
        graph.load(EXAMPLE_FILE)
        yield graph


@pytest.fixture
def folder(tmp_path) -> Path:
    """A store folder holding the example, loaded through the CLI."""
    location = tmp_path / "store"
    result = CliRunner().invoke(main, ["--store", str(location), "load", str(EXAMPLE_FILE)])
    assert result.exit_code == 0, result.output
    return location


def cli_json(location: Path, *args: str):
    result = CliRunner().invoke(main, ["--store", str(location), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_importing_kg_is_cheap_and_the_api_comes_on_first_use():
    code = "import sys, kg; assert 'rdflib' not in sys.modules and 'kg.api' not in sys.modules; kg.open; assert 'kg.api' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert {"open", "Graph", "Selection", "KgError", "Table"} <= set(dir(kg))
    with pytest.raises(AttributeError):
        kg.no_such_thing  # noqa: B018


def test_every_command_is_one_api_call():
    commands = {name for name, command in main.commands.items() if name != "analyse"}
    commands |= {f"analyse {name}" for name in main.commands["analyse"].commands}
    assert commands == set(COMMANDS)
    for call in COMMANDS.values():
        owner, _, name = call.rpartition(".")
        assert callable(getattr(getattr(kg, owner) if owner else kg, name)), call


def test_answers_are_tables_of_rows(graph):
    who = graph.match("?who backs sna")
    assert who == [{"who": "turkey"}] and who.columns == ["who"]
    joined = graph.match("?a backs ?b", "?b opposes ypg", as_of="2020-12-31")
    assert {"a": "turkey", "b": "sna"} in joined
    evidence = graph.why("Moscow", "backs", "Syrian regime")
    assert evidence and all(row["quote"] for row in evidence) and "source" in evidence.columns
    assert graph.actors(search="kurd").column("id")
    assert graph.info()["assertions"]["backs"] >= 1
    assert "negotiates-with" in kg.relations().column("name")


def test_the_cli_prints_what_the_api_returns(graph, folder):
    """Same store content, two ways in: the command's JSON is the method's data."""
    assert cli_json(folder, "match", "?a opposes ?b") == list(graph.match("?a opposes ?b"))
    assert cli_json(folder, "why", "turkey", "backs", "sna") == list(graph.why("turkey", "backs", "sna"))
    assert cli_json(folder, "actors") == list(graph.actors())
    assert cli_json(folder, "sources") == list(graph.sources())
    assert cli_json(folder, "analyse", "blocs") == json.loads(json.dumps(graph.blocs().summary, default=str))
    assert cli_json(folder, "path", "iran", "ypg") == json.loads(json.dumps(graph.path("iran", "ypg").summary, default=str))
    query = "SELECT ?a ?b WHERE { ?a kgo:opposes ?b } ORDER BY ?a ?b"
    assert cli_json(folder, "sparql", query) == list(graph.sparql(query))


def test_selection_keywords_choose_claims(graph):
    everything = graph.project()
    assert isinstance(everything, nx.MultiDiGraph)
    early = graph.project(as_of="2000-01-01")
    assert early.number_of_edges() < everything.number_of_edges()
    assert graph.project(selection=kg.Selection(relations=("backs",))).number_of_edges() < everything.number_of_edges()
    for bad in ({"as_of": "31/12/2020"}, {"as_at": "2020-12-31"}):
        with pytest.raises(kg.KgError):
            graph.project(**bad)


def test_sparql_answers_as_python_values(graph):
    assert graph.sparql("ASK { actor:turkey kgo:backs actor:sna }") is True
    counted = graph.sparql("SELECT (COUNT(*) AS ?n) (MAX(?c) AS ?top) ?nothing WHERE { ?s kgo:confidence ?c } GROUP BY ?nothing")
    assert isinstance(counted[0]["n"], int) and isinstance(counted[0]["top"], int | float) and counted[0]["nothing"] is None
    rows = graph.sparql("SELECT ?who WHERE { ?who kgo:backs actor:sna }")
    assert rows.column("who") == [str(ACTOR.turkey)]
    constructed = graph.sparql("CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }")
    assert len(constructed) == len(graph.sparql("SELECT * WHERE { ?a kgo:opposes ?b }"))


def test_a_folder_graph_holds_no_lock_between_calls(folder):
    """A notebook left open must not keep `kg load` in a terminal waiting."""
    graph = kg.open(folder)
    assert graph.match("?who backs sna")
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "--store", str(folder), "load", str(EXAMPLE_FILE)],
        capture_output=True,
        text=True,
        env={"KG_LOCK_WAIT": "2", "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - start < 30
    assert graph.match("?who backs sna") == [{"who": "turkey"}]
    graph.close()


def test_validate_checks_files_without_a_store(tmp_path):
    result = kg.open(tmp_path / "nothing-here").validate(EXAMPLE_FILE)
    assert result.conforms and not (tmp_path / "nothing-here").exists()


def test_export_returns_bytes_or_writes_files(graph, tmp_path):
    turtle = graph.export("turtle")
    assert b"kgo:backs" in turtle or b"backs" in turtle
    parts = graph.export("csv")
    assert set(parts) == {"actors", "relations"}
    written = graph.export("nt", tmp_path / "out.nt", truthy_only=True)
    assert written == [tmp_path / "out.nt"] and written[0].read_bytes() == graph.export("nt", truthy_only=True)


def test_tables_escape_source_text_in_html():
    table = kg.Table([{"quote": "<script>alert(1)</script> & co"}])
    assert "<script>" not in table._repr_html_() and "&lt;script&gt;" in table._repr_html_()


def test_to_pandas_keeps_rows_and_column_order(graph):
    frame = graph.match("?a opposes ?b").to_pandas()
    assert list(frame.columns) == ["a", "b"] and len(frame) == len(graph.match("?a opposes ?b"))


def test_the_map_shows_inline_in_a_real_browser(graph, browser, tmp_path):  # noqa: F811
    page_file = tmp_path / "notebook.html"
    page_file.write_text(f"<!doctype html><html><body>{graph.view()._repr_html_()}</body></html>", encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        deadline = time.monotonic() + 60
        while True:
            frames = [f for f in page.frames if f is not page.main_frame]
            if frames and frames[0].evaluate("Boolean(window.kg && window.kg.settledMs !== null)"):
                break
            assert time.monotonic() < deadline, "the inline map did not draw"
            time.sleep(0.1)
        nodes = frames[0].evaluate("window.kg.visibleNodes()")
        assert set(nodes) == set(graph.project().nodes)
    finally:
        page.close()


def test_the_notebook_runs(tmp_path, monkeypatch):
    """examples/notebook.ipynb, executed by a real Jupyter kernel: every cell runs, and what it
    shows is what the API returns."""
    import nbclient
    import nbformat

    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    notebook = nbformat.read(ROOT / "examples" / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(tmp_path / "examples")}}).execute()
    shown = {cell.source: cell.outputs for cell in notebook.cells if cell.cell_type == "code"}
    monkeypatch.chdir(tmp_path / "examples")  # where the notebook ran: file names print relative to it
    with kg.open(":memory:") as graph:
        graph.load("ain-issa-2020/")
        html = {source: "".join(o.get("data", {}).get("text/html", "") for o in outputs) for source, outputs in shown.items()}
        assert graph.match("?backer backs ?backed")._repr_html_() in html['graph.match("?backer backs ?backed")']
        assert graph.why("Moscow", "backs", "Syrian regime")._repr_html_() in html['graph.why("Moscow", "backs", "Syrian regime")']
        assert "<iframe srcdoc=" in html['graph.view(color_by="bloc")']
        assert "turkey" in "".join(html.values())
