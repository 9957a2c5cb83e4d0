"""Reads while loads write: every read sees the store as before or after a load, never in
between (issue 23), and the store's lock makes readers and writers wait for each other,
bounded, with a message, never a silent wrong answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import generate, write_csv
from kg import loader
from kg import store as store_module
from kg.store import open_store
from tests.conftest import EXAMPLE, ROOT

GDELT = ROOT / "examples" / "gdelt-2019-10-24"
GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

#: Reads in a loop until the stop file appears, one line per answer: the quads of each graph.
READER = """
import json, os, sys, time
from kg.store import open_store
path, stop, limit = sys.argv[1], sys.argv[2], time.monotonic() + float(sys.argv[3])
while not os.path.exists(stop) and time.monotonic() < limit:
    store = open_store(path, read_only=True)
    try:
        rows = store.query(sys.argv[4])
        answer = sorted((str(row.g), int(row.n)) for row in rows)
    finally:
        store.close()
    print(json.dumps(answer), flush=True)
"""

#: Opens the store, says "open", and keeps it open until told to close (a line on stdin).
HOLDER = """
import sys
from kg.store import open_store
store = open_store(sys.argv[1], read_only=sys.argv[2] == "read")
store.texts("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
print("open", flush=True)
sys.stdin.readline()
store.close()
"""


def kg(store_dir: Path, *args: str, wait: float | str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kg.cli", "--store", str(store_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=_env(wait), timeout=120)


def _env(wait: float | str | None) -> dict[str, str]:
    env = dict(os.environ)
    if wait is not None:
        env["KG_LOCK_WAIT"] = str(wait)
    return env


def graph_counts(store_dir: Path) -> list[list]:
    store = open_store(store_dir, read_only=True)
    try:
        return sorted([str(row.g), int(row.n)] for row in store.query(GRAPH_COUNTS))
    finally:
        store.close()


@pytest.fixture
def base(tmp_path):
    store_dir = tmp_path / "store"
    assert kg(store_dir, "load", str(EXAMPLE)).returncode == 0
    return store_dir


def test_reads_during_loads_see_only_the_states_between_loads(base, tmp_path):
    """A reader loops through a small load, a bulk load, a bulk re-load of a changed file
    and a drop; each of its answers (quads per graph) must be one of the states between
    those writes, in order. Before the lock, reads saw an empty store when a writer's
    open recovered the log, and the dropped-but-not-yet-reloaded graphs of a re-load."""
    bulk = tmp_path / "bulk"
    write_csv(generate(loader.BULK_ASSERTIONS + 1000, seed=3), bulk)
    changed = tmp_path / "changed"
    write_csv(generate(loader.BULK_ASSERTIONS + 1000, seed=4), changed)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(base), str(stop), "60", GRAPH_COUNTS],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = reader.stdout.readline()  # the reader is running before the first write
        states = [graph_counts(base)]
        writes = [
            ("load", str(GDELT)),
            ("load", str(bulk)),
            ("load", str(bulk)),  # after the files changed: the bulk re-load
            ("drop", str(next(GDELT.glob("*.CSV")))),
        ]
        for number, command in enumerate(writes):
            if number == 2:
                for name in ("actors.csv", "sources.csv", "claims.csv"):
                    shutil.copyfile(changed / name, bulk / name)
            result = kg(base, *command)
            assert result.returncode == 0, result.stderr
            states.append(graph_counts(base))
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    answers = [json.loads(line) for line in [first, *out.splitlines()]]
    assert len({json.dumps(s) for s in states}) == len(states)  # each write changed something
    seen = []
    for answer in answers:
        assert answer in states, f"a read saw a state between loads: {answer}"
        seen.append(states.index(answer))
    assert seen == sorted(seen), "a read saw an older state after a newer one"
    assert "waiting for a load" in err  # reads did come while loads wrote, and waited
    assert len(answers) >= 10


def holding(store_dir: Path, mode: str) -> subprocess.Popen:
    """A process that has the store open (``read`` or ``write``) until its stdin closes."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store_dir), mode], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline() == "open\n"
    return process


def release(process: subprocess.Popen) -> None:
    process.stdin.close()
    assert process.wait(timeout=30) == 0


def test_a_read_waits_for_a_writer_then_says_the_store_is_being_written(base):
    writer = holding(base, "write")
    try:
        started = time.monotonic()
        result = kg(base, "info", wait=0.5)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "waiting for a load" in result.stderr and "being written" in result.stderr and "try again" in result.stderr
        assert f"process {writer.pid} writing (" in result.stderr and "open_store" in result.stderr  # who, and its command
        assert time.monotonic() - started < 15
    finally:
        release(writer)
    assert kg(base, "info", wait=0.5).returncode == 0


def test_a_writer_waits_for_readers_then_says_the_store_is_in_use(base):
    before = graph_counts(base)
    reader = holding(base, "read")
    try:
        result = kg(base, "load", str(GDELT), wait=0.5)
        assert result.returncode == 1 and "in use" in result.stderr and "Traceback" not in result.stderr
        assert f"process {reader.pid} reading (" in result.stderr  # names what holds the store
        assert graph_counts(base) == before  # another reader still gets in
    finally:
        release(reader)


def test_a_waiting_writer_goes_before_new_readers(base):
    """A steady stream of reads (``kg serve``) must not keep a load out: once a writer
    waits, new reads wait behind it, and it runs as soon as the current reads end."""
    reader = holding(base, "read")
    writer = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--store", str(base), "load", str(GDELT)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(30),
    )
    try:
        assert "waiting for the other kg processes" in writer.stderr.readline()
        late = kg(base, "info", wait=0.5)
        assert late.returncode == 1 and "being written" in late.stderr
    finally:
        release(reader)
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert any("20191024" in graph for graph, _ in graph_counts(base))


def test_a_bad_lock_wait_is_refused_clearly(base):
    result = kg(base, "info", wait="soon")
    assert result.returncode == 1 and "KG_LOCK_WAIT" in result.stderr and "Traceback" not in result.stderr


def test_the_lock_files_do_not_make_a_folder_look_foreign(tmp_path):
    """A first open that failed after locking leaves the lock files in an otherwise empty
    folder: it is still a place for a new store, not "a folder holding other files"."""
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    for name in (store_module.LOCK_FILE, store_module.GATE_FILE):
        (store_dir / name).touch()
    assert "no kg store here yet" in kg(store_dir, "info").stderr
    result = kg(store_dir, "load", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
