"""The cycle collector paused while kg builds large answers, and what it leaves behind: the
objects built go to the oldest generation unwalked, a process's own frozen objects stay
frozen, the CLI's reading commands collect nothing and its writers collect as usual."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from kg.gcpause import without_gc
from tests.conftest import EXAMPLE, ROOT


@without_gc
def build() -> list[list[int]]:
    return [[i] for i in range(5000)]


def test_what_a_pause_built_is_not_left_for_the_young_collection_to_walk():
    built = build()
    young = {id(item) for item in gc.get_objects(generation=0)}
    assert gc.isenabled() and not any(id(item) in young for item in built)
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in built)


def test_objects_the_process_froze_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


@pytest.fixture
def collections():
    """How many collections ran, of any generation, while the test ran."""
    ran = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            ran.append(info["generation"])

    gc.callbacks.append(count)
    yield ran
    gc.callbacks.remove(count)


def test_reading_commands_collect_nothing_and_writers_collect_as_usual(kg, collections):
    kg("load", str(EXAMPLE))
    assert collections, "the load ran no collection: the test cannot tell a pause"
    collections.clear()
    for command in (["analyse", "blocs"], ["match", "?x backs ?y"], ["info"]):
        result = kg(*command)
        assert result.exit_code == 0, result.output
    assert collections == []


def test_the_cli_leaves_the_interpreter_nothing_to_walk_at_exit():
    script = "import atexit, gc, kg.cli; atexit._run_exitfuncs(); print(gc.get_freeze_count() > 0)"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
