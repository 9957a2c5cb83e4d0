"""A `kg load` killed with SIGKILL at any moment leaves the store exactly as it was before
that load (or, if the kill came after the commit, exactly as after it): never partial,
re-loads of changed files included, and nothing it wrote stays behind once the store is
opened again."""

from __future__ import annotations

import fnmatch
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from bench.generate import generate, write_csv
from kg import loader
from kg import store as store_module
from kg.projection import CLAIM_LAYOUT, all_claims, read_claims
from kg.store import kept, open_store
from tests.conftest import EXAMPLE, counts_agree, snapshot


def start_load(store_dir, path, chunk_mb: int | None = None) -> subprocess.Popen:
    """``kg load`` in a child process; ``chunk_mb`` sets how much one bulk-load call takes."""
    env = os.environ | ({"KG_LOAD_CHUNK_MB": str(chunk_mb)} if chunk_mb else {})
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--store", str(store_dir), "load", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory):
    """About 20k assertions: over the bulk-load threshold, a few seconds to load."""
    folder = tmp_path_factory.mktemp("big")
    write_csv(generate(20_000, seed=3), folder)
    return folder


@pytest.fixture(scope="module")
def states(tmp_path_factory, big_folder):
    """The store before the load and after a complete one (computed once)."""
    base = tmp_path_factory.mktemp("states")
    before_dir, after_dir = base / "before", base / "after"
    for target in (before_dir, after_dir):
        assert (
            subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(target), "load", str(EXAMPLE)], capture_output=True).returncode
            == 0
        )
    started = time.monotonic()
    assert start_load(after_dir, big_folder).wait() == 0
    return snapshot(before_dir), snapshot(after_dir), time.monotonic() - started, before_dir


def test_the_big_load_takes_the_bulk_path(states, big_folder):
    _, after, _, _ = states
    assertions = sum(1 for line in after if "#Assertion>" in line and "claims.csv" in line)
    assert assertions == 20_000 >= loader.BULK_ASSERTIONS


@pytest.mark.parametrize(("run", "chunk_mb"), [(0, None), (1, None), (2, None), (3, 2), (4, 2), (5, 2)])
def test_sigkill_during_a_load_leaves_the_store_whole(states, big_folder, tmp_path, run, chunk_mb):
    """Also with the N-Quads bulk-loaded in 2 MB chunks (about 20 commits of their own),
    where the journal makes the next open finish a load killed between two chunks."""
    before, after, duration, before_dir = states
    store_dir = tmp_path / "store"
    subprocess.run(["cp", "-a", str(before_dir), str(store_dir)], check=True)
    process = start_load(store_dir, big_folder, chunk_mb)
    time.sleep(random.Random(run).uniform(0.2, 0.95) * duration)
    process.send_signal(signal.SIGKILL)
    process.wait()
    read = kg(store_dir, "info")  # what any kg command sees first (a journal left is finished then)
    assert read.returncode == 0, read.stderr
    state = snapshot(store_dir)
    assert state in (before, after), f"partial store after a kill at run {run}: {len(state)} quads"
    assert counts_agree(store_dir)
    # the store still opens for writing, and a re-run converges
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "--store", str(store_dir), "load", str(big_folder)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert snapshot(store_dir) == after
    assert not [p for p in os.listdir(store_dir) if p.startswith(("bulk-", store_module.LOAD_FILE_PREFIX))]


def kill_when(process: subprocess.Popen, store_dir, pattern: str, delay: float) -> None:
    """SIGKILL the load ``delay`` seconds after a file matching ``pattern`` appears in the
    store folder (real timing, no hook in the code); fail if the load ends first."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if any(fnmatch.fnmatch(name, pattern) for name in os.listdir(store_dir)):
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    assert process.wait(timeout=60) == -signal.SIGKILL, "the load ended before the kill point"


def leftovers(store_dir) -> list[str]:
    prefixes = ("bulk-", store_module.LOAD_FILE_PREFIX, store_module.JOURNAL)
    return sorted(name for name in os.listdir(store_dir) if name.startswith(prefixes))


def kg(store_dir, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(store_dir), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def reload_states(tmp_path_factory):
    """A store holding a bulk-sized file set (version A), the same files changed since
    (version B, which a load then replaces in place), and the store after that re-load."""
    base = tmp_path_factory.mktemp("reload")
    files, changed = base / "files", base / "changed"
    write_csv(generate(loader.BULK_ASSERTIONS + 1000, seed=3), files)
    write_csv(generate(loader.BULK_ASSERTIONS + 1000, seed=4), changed)
    before_dir, after_dir = base / "before", base / "after"
    assert kg(before_dir, "load", str(EXAMPLE), str(files)).returncode == 0
    for name in os.listdir(changed):
        shutil.copyfile(changed / name, files / name)
    subprocess.run(["cp", "-a", str(before_dir), str(after_dir)], check=True)
    assert kg(after_dir, "load", str(files)).returncode == 0
    return snapshot(before_dir), snapshot(after_dir), before_dir, files


@pytest.mark.parametrize(("pattern", "delay"), [(store_module.JOURNAL, 0.0), ("bulk-*.sst", 0.0), ("bulk-*.sst", 0.1)])
def test_sigkill_during_a_re_load_leaves_the_old_or_the_new_version(reload_states, tmp_path, pattern, delay):
    """Re-loading changed files drops their old content, then bulk-loads the new: killed in
    between, the store held neither. Now a journal makes the next open (a read here)
    finish the replacement, and no read sees the store without the files."""
    before, after, before_dir, files = reload_states
    store_dir = tmp_path / "store"
    subprocess.run(["cp", "-a", str(before_dir), str(store_dir)], check=True)
    kill_when(start_load(store_dir, files), store_dir, pattern, delay)
    interrupted = (store_dir / store_module.JOURNAL).exists()
    assert interrupted or delay > 0  # the journal is there from before the drop until the new content is in
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?p != kgo:counts) }"  # as snapshot counts
    read = kg(store_dir, "sparql", count, "--format", "json")
    assert read.returncode == 0, read.stderr
    assert [int(json.loads(read.stdout)[0]["n"])] in ([len(before)], [len(after)])
    assert ("interrupted" in read.stderr) == interrupted
    assert snapshot(store_dir) in (before, after) and counts_agree(store_dir)
    assert leftovers(store_dir) == []
    assert kg(store_dir, "load", str(files)).returncode == 0
    assert snapshot(store_dir) == after


def test_a_read_removes_what_a_killed_bulk_load_left(states, big_folder, tmp_path):
    """A killed bulk load leaves its N-Quads file and the bulk loader's ``bulk-*.sst``
    files (hundreds of MiB at scale); the next open removes them, a read's too. The journal,
    written before the first chunk, makes that open finish the load."""
    _, after, _, before_dir = states
    store_dir = tmp_path / "store"
    subprocess.run(["cp", "-a", str(before_dir), str(store_dir)], check=True)
    kill_when(start_load(store_dir, big_folder), store_dir, "bulk-*.sst", 0.0)
    assert leftovers(store_dir)
    result = kg(store_dir, "info")
    assert result.returncode == 0, result.stderr
    assert leftovers(store_dir) == [] and "interrupted" in result.stderr
    assert snapshot(store_dir) == after


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.1])
def test_sigkill_while_a_first_load_keeps_its_claims(big_folder, tmp_path, delay):
    """A load of a whole store drafts its claims beside the store, and heads the draft with
    the write's id once the write ends. Killed with the draft on disk, the store answers from
    its data, never from the draft; the next load removes the draft and keeps anew."""
    store_dir = tmp_path / "store"
    store_dir.mkdir()  # an empty folder: a store to be
    kill_when(start_load(store_dir, big_folder), store_dir, ".kg-kept-claims.json.*.tmp", delay)
    with open_store(store_dir) as store:  # a writer's open: the killed load is finished or undone, the draft gone
        assert all_claims(store) == read_claims(store)
    assert not list(store_dir.glob(".kg-kept-*"))
    kept._last_read.clear()
    assert kg(store_dir, "load", str(big_folder)).returncode == 0
    with open_store(store_dir, read_only=True) as store:
        claims = kept.read_kept(store, "claims", store.write_id(), CLAIM_LAYOUT)
        assert claims == read_claims(store) and len(claims) == 20_000
    assert not list(store_dir.glob(".kg-kept-*.tmp"))
