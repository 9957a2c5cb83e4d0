"""A `kg load` killed with SIGKILL at any moment leaves the store exactly as it was before
that load (or, if the kill came after the commit, exactly as after it): never partial."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from bench.generate import generate, write_csv
from kg import loader
from kg import store as store_module
from tests.conftest import EXAMPLE, snapshot


def start_load(store_dir, path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--store", str(store_dir), "load", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
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


@pytest.mark.parametrize("run", range(3))
def test_sigkill_during_a_load_leaves_the_store_whole(states, big_folder, tmp_path, run):
    before, after, duration, before_dir = states
    store_dir = tmp_path / "store"
    subprocess.run(["cp", "-a", str(before_dir), str(store_dir)], check=True)
    process = start_load(store_dir, big_folder)
    time.sleep(random.Random(run).uniform(0.2, 0.95) * duration)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = snapshot(store_dir)
    assert state in (before, after), f"partial store after a kill at run {run}: {len(state)} quads"
    # the store still opens for writing, and a re-run converges
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "--store", str(store_dir), "load", str(big_folder)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert snapshot(store_dir) == after
    assert not [p for p in os.listdir(store_dir) if p.startswith(("bulk-", store_module.LOAD_FILE_PREFIX))]
