"""What kg writes for others to read: CSV that a spreadsheet cannot run, tables that a terminal
shows as they are (no hidden controls, no bidi reordering), files written only over files.

CSV is read back with Python's csv module (a real parser); the file kinds are real: a FIFO,
a socket, a character device made with mknod in the test's folder, symbolic links.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import stat
from pathlib import Path

import pytest
import yaml

from kg.atomic import atomic_writer, write_all_atomic, write_atomic
from kg.errors import KgError
from kg.output import render, spreadsheet_cell
from tests.conftest import write

RLO = "\u202e"
SPOOF = f"abc{RLO}gpj.exe"  # reads "abcexe.jpg" where a terminal or browser applies the override
#: Every bidi control the table escapes (Unicode's explicit formatting characters).
BIDI = ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]

HOSTILE = {
    "sources": {"s": {"title": '=HYPERLINK("http://evil.example/","x")', "date": "2020-01-01"}},
    "actors": {
        "evil": {"label": "=1+2", "type": "ArmedGroup", "aliases": ["=cmd|' /C calc'!A0", "@SUM(A1)"]},
        "spoof": {"label": SPOOF, "type": "State"},
        "minus": {"label": "-1", "type": "State"},
    },
    "assertions": [
        {"subject": "evil", "relation": "opposes", "object": "spoof", "source": "s", "quote": "+1+cmd"},
        {"subject": "minus", "relation": "backs", "object": "spoof", "source": "s"},
    ],
}


@pytest.fixture
def hostile(kg, tmp_path):
    result = kg("load", str(write(tmp_path / "data" / "hostile.yaml", yaml.safe_dump(HOSTILE, allow_unicode=True))))
    assert result.exit_code == 0, result.stderr
    return kg


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# -- CSV: no formulas --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "'\r=1+2"),
        ("  =1+2", "'  =1+2"),  # an import that trims spaces would bring the = to the front
        ("-", "'-"),
        ("-inf", "'-inf"),
        ("-1,5", "'-1,5"),
        # plain numbers cannot be formulas, and must stay numbers
        (-1, "-1"),
        (-0.5, "-0.5"),
        ("-1", "-1"),
        ("+3", "+3"),
        ("-2.5e-3", "-2.5e-3"),
        (".5", ".5"),
        # nothing to do
        ("Russia", "Russia"),
        ("2020-12-29", "2020-12-29"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_cell_that_would_start_a_formula_gets_a_quote_and_numbers_stay_numbers(value, cell):
    assert spreadsheet_cell(value) == cell


def test_export_csv_quotes_formulas_and_keeps_the_sign_a_number(hostile, tmp_path):
    result = hostile("export", "--format", "csv", "-o", str(tmp_path / "net"))
    assert result.exit_code == 0, result.stderr
    actors = {row["ID"]: row for row in csv_rows((tmp_path / "net-actors.csv").read_text(encoding="utf-8"))}
    assert actors["evil"]["Label"] == "'=1+2"
    assert actors["minus"]["Label"] == "-1"  # a number, not a formula
    assert actors["spoof"]["Label"] == SPOOF  # CSV carries the exact text otherwise
    relations = {(r["From"], r["To"]): r for r in csv_rows((tmp_path / "net-relations.csv").read_text(encoding="utf-8"))}
    assert relations[("evil", "spoof")]["sign"] == "-1" and relations[("minus", "spoof")]["sign"] == "1"


def test_every_format_csv_output_quotes_formulas_and_json_keeps_them(hostile):
    rows = {r["id"]: r for r in csv_rows(hostile("actors", "--format", "csv").stdout)}
    assert rows["evil"]["label"] == "'=1+2"
    assert rows["evil"]["aliases"].startswith("'")
    assert {r["id"]: r["label"] for r in json.loads(hostile("actors", "--format", "json").stdout)}["evil"] == "=1+2"
    query = 'SELECT ?v WHERE { VALUES ?v { "=1+2" "\\t=1+2" "@SUM(A1)" "-2+3" -0.5 "-1" "plain" } }'
    cells = [r["v"] for r in csv_rows(hostile("sparql", query, "--format", "csv").stdout)]
    assert sorted(cells) == sorted(["'=1+2", "'\t=1+2", "'@SUM(A1)", "'-2+3", "-0.5", "-1", "plain"])
    exact = [r["v"] for r in json.loads(hostile("sparql", query, "--format", "json").stdout)]
    # text exactly as written; the decimal -0.5 as a JSON number (the string "-1" stays a string)
    assert sorted(exact, key=str) == sorted(["=1+2", "\t=1+2", "@SUM(A1)", "-2+3", -0.5, "-1", "plain"], key=str)
    matched = csv_rows(hostile("why", "evil", "opposes", "spoof", "--format", "csv").stdout)
    assert matched and all(not value.startswith(("=", "+", "-", "@")) for row in matched for value in row.values())


def test_rdf_exports_keep_the_text_exact(hostile):
    turtle = hostile("export", "--format", "nt").stdout
    assert '"=1+2"' in turtle and "\"=cmd|' /C calc'!A0\"" in turtle and f'"{SPOOF}"' in turtle


# -- tables: controls shown, not obeyed -------------------------------------------------------------


@pytest.mark.parametrize("control", BIDI + ["\x1b", "\x07", "\x7f", "\x9b", "\x00"])
def test_table_cells_show_control_and_bidi_characters_escaped(control):
    escaped = f"\\u{ord(control):04x}"
    for vertical in (False, True):
        text = render([{"label": f"a{control}b"}], ["label"], "table", vertical=vertical)
        assert f"a{escaped}b" in text and control not in text
    assert json.loads(render([{"label": f"a{control}b"}], ["label"], "json")) == [{"label": f"a{control}b"}]


def test_terminal_tables_escape_a_right_to_left_override_and_json_keeps_it(hostile):
    table = hostile("actors").stdout
    assert "abc\\u202egpj.exe" in table and RLO not in table
    assert {r["id"]: r["label"] for r in json.loads(hostile("actors", "--format", "json").stdout)}["spoof"] == SPOOF
    result = hostile("sparql", 'SELECT ?v WHERE { VALUES ?v { "\\u001B[2J\\u001B[31mred" } }')
    assert "\\u001b[2J\\u001b[31mred" in result.stdout and "\x1b" not in result.stdout


# -- files: only regular files are replaced ----------------------------------------------------------


def a_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def a_character_device(path: Path) -> Path:
    """A character device of our own (the null device's numbers) in the test's folder: a
    regression then replaces this one, never /dev/null. mknod needs root (the suite runs as
    root); without it the test fails here, not silently."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def a_socket(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


SPECIAL = {
    "fifo": (a_fifo, stat.S_ISFIFO, "a FIFO"),
    "chardev": (a_character_device, stat.S_ISCHR, "a character device"),
    "socket": (a_socket, stat.S_ISSOCK, "a socket"),
    "folder": (lambda p: p.mkdir() or p, stat.S_ISDIR, "a directory"),
}


def leftovers(*folders: Path) -> list[str]:
    return [p.name for folder in folders for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("kind", list(SPECIAL))
def test_writes_refuse_anything_but_a_regular_file(tmp_path, kind):
    make, is_kind, name = SPECIAL[kind]
    target = make(tmp_path / "out")
    with pytest.raises(KgError, match=f"out: is {name}.*not a regular file"):
        write_atomic(target, "page")
    with pytest.raises(KgError, match=f"is {name}"), atomic_writer(target, "w") as handle:
        handle.write("page")
    assert is_kind(os.lstat(target).st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
def test_kg_view_and_kg_export_leave_a_device_or_fifo_alone(hostile, tmp_path, kind):
    make, is_kind, name = SPECIAL[kind]
    target = make(tmp_path / "mynull")
    for command in (["view", "-o", str(target)], ["export", "--format", "turtle", "-o", str(target)]):
        result = hostile(*command)
        assert result.exit_code == 1 and f"{target}: is {name}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert is_kind(os.lstat(target).st_mode)
    assert leftovers(tmp_path) == []


def test_a_csv_pair_is_refused_whole_when_one_file_is_not_regular(hostile, tmp_path):
    a_fifo(tmp_path / "net-relations.csv")
    result = hostile("export", "--format", "csv", "-o", str(tmp_path / "net"))
    assert result.exit_code == 1 and "net-relations.csv: is a FIFO" in result.stderr
    assert not (tmp_path / "net-actors.csv").exists()
    assert stat.S_ISFIFO(os.lstat(tmp_path / "net-relations.csv").st_mode)


def test_a_symlink_is_written_through_to_its_file_which_is_replaced_in_its_own_folder(hostile, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = elsewhere / "graph.ttl"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.ttl"
    link.symlink_to(Path("elsewhere") / "graph.ttl")  # relative, as links usually are
    result = hostile("export", "--format", "turtle", "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(Path("elsewhere") / "graph.ttl")
    assert "actor:evil" in real.read_text(encoding="utf-8") and real.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path, elsewhere) == []


def test_a_dangling_symlink_creates_its_file(hostile, tmp_path):
    link = tmp_path / "map.html"
    link.symlink_to(tmp_path / "new.html")
    assert hostile("view", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and "<!DOCTYPE html>" in (tmp_path / "new.html").read_text(encoding="utf-8")


def test_a_symlink_to_a_fifo_or_a_loop_of_links_is_refused(tmp_path):
    pipe = a_fifo(tmp_path / "pipe")
    link = tmp_path / "link"
    link.symlink_to(pipe)
    with pytest.raises(KgError, match=f"link: is a FIFO \\(named pipe\\) \\(a link to {pipe}\\)"):
        write_atomic(link, "x")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(KgError, match="is a loop of symbolic links"):
        write_all_atomic({tmp_path / "ok": b"x", tmp_path / "a": b"y"})
    assert not (tmp_path / "ok").exists() and stat.S_ISFIFO(os.lstat(pipe).st_mode)


def test_dash_still_writes_to_stdout(hostile, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = hostile("export", "--format", "nt", "-o", "-")
    assert result.exit_code == 0 and '"=1+2"' in result.stdout
    assert not (tmp_path / "-").exists()


def test_kg_view_dash_writes_the_page_to_stdout(hostile, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = hostile("view", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>") and "</html>" in result.stdout
    assert not (tmp_path / "-").exists()
    assert hostile("view", "-o", "-", "--open").exit_code == 2
