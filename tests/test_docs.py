"""The documentation tells the truth: every ``$ kg ...`` line shown in a text block of the
README files is run, in order, on a fresh store (in a folder holding a copy of ``examples/``), and must print
exactly the output shown under it.

After changing output on purpose, ``KG_UPDATE_DOCS=1 pytest tests/test_docs.py`` rewrites
the shown outputs; review the diff before committing.
"""

from __future__ import annotations

import doctest
import io
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "examples").glob("*/README.md"))]
BLOCK = re.compile(r"(```text\n)(.*?)(```)", re.S)


def commands(block: str) -> list[tuple[str, str]]:
    """(command, shown output) pairs of one text block; text before the first command is kept."""
    chunks = re.split(r"^(?=\$ kg )", block, flags=re.M)
    return [(c.partition("\n")[0][2:], c.partition("\n")[2].strip("\n")) for c in chunks if c.startswith("$ kg ")]


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_documented_commands_print_what_the_docs_show(doc: Path, tmp_path, monkeypatch):
    text = doc.read_text(encoding="utf-8")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")  # paths print the same in any clone
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.setenv("COLUMNS", "80")  # a default terminal: what a new user sees
    runner = CliRunner()
    if "$ kg load" not in text:
        runner.invoke(main, ["load", "examples/ain-issa-2020/"], prog_name="kg")
    mismatches = []

    def run_block(match: re.Match) -> str:
        pairs = commands(match.group(2))
        if not pairs:
            return match.group(0)
        lines = []
        for command, shown in pairs:
            # help as an 80-column terminal shows it: click wraps a real terminal at COLUMNS - 2
            output = runner.invoke(main, shlex.split(command)[1:], prog_name="kg", terminal_width=78).output.strip("\n")
            if output != shown:
                mismatches.append((command, shown, output))
            lines.append(f"$ {command}\n{output}\n" if output else f"$ {command}\n")
        return match.group(1) + "\n".join(lines) + match.group(3)

    updated = BLOCK.sub(run_block, text)
    assert "$ kg " in text, f"{doc} shows no `$ kg` commands"
    if os.environ.get("KG_UPDATE_DOCS"):
        doc.write_text(updated, encoding="utf-8")
        return
    for command, shown, output in mismatches:
        assert output == shown, f"{doc.name}: `{command}` prints something else (KG_UPDATE_DOCS=1 rewrites)"


PYCON = re.compile(r"```pycon\n(.*?)```", re.S)


def test_python_sessions_in_the_readme_run(tmp_path, monkeypatch):
    """Every ``pycon`` block of the README, run as one doctest session in a folder holding a
    copy of ``examples/``: each ``>>>`` line must print exactly what is shown under it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = PYCON.findall(text)
    assert blocks, "the README shows no Python session"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_STORE", raising=False)
    session = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "README.md", str(ROOT / "README.md"), 0)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(session, out=report.write)
    assert runner.failures == 0, report.getvalue()
