"""The counts `kg info` shows are kept by the embedded store at the end of each write, so it
answers in milliseconds at any size; they must always be those of the data (or absent,
when a write was killed part-way, and then counted afresh): never older than the data."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from bench.generate import generate, write_csv
from kg import loader
from kg.namespaces import KGO, META_GRAPH
from kg.query import info
from kg.store import open_store, reads
from kg.store.common import STORE_NODE
from tests.conftest import EXAMPLE_FILE, counts_agree, write

CLAIMS = """sources:
  s1: {{title: One, date: 2021-03-0{day}}}
actors:
  a: State
  b: ArmedGroup
  c: Person
assertions:
  - {{claim: a backs b, source: s1}}
  - {{claim: c {relation} b, source: s1}}
"""


def kept(store) -> dict:
    """The stored counts, checked against a fresh count of the data."""
    stored = reads.stored_counts(store)
    assert stored is not None and stored == reads.count(store)
    assert info(store) == {"store": store.location, **stored, "files": info(store)["files"]}
    return stored


def test_every_write_keeps_the_counts_of_the_data(tmp_path):
    one = write(tmp_path / "one.yaml", CLAIMS.format(day=1, relation="opposes"))
    two = write(tmp_path / "two.yaml", CLAIMS.format(day=1, relation="opposes"))  # the same statements
    with open_store(tmp_path / "store") as store:
        assert reads.count(store)["assertions"] == {}
        loader.load(store, [EXAMPLE_FILE])
        example = kept(store)
        assert example["assertions"]["backs"] == 3 and example["actors"]["State"] == 3
        loader.load(store, [one])
        first = kept(store)
        assert first["assertions"]["backs"] == 4 and first["actors"]["State"] == 4 and first["sources"] == example["sources"] + 1
        loader.load(store, [two])  # one statement in two files counts once
        assert kept(store) == first
        loader.drop(store, one)
        assert kept(store) == first
        write(two, CLAIMS.format(day=5, relation="mediates"))  # changed, then re-loaded in place
        loader.load(store, [two])
        changed = kept(store)
        assert changed["assertions"].get("opposes") == example["assertions"]["opposes"] and changed["last_date"] >= "2021-03-05"
        loader.drop(store, two)
        assert kept(store) == example


def test_a_bulk_load_keeps_the_counts_too(tmp_path):
    folder = tmp_path / "big"
    write_csv(generate(loader.BULK_ASSERTIONS, seed=5), folder)
    with open_store(tmp_path / "store") as store:
        loader.load(store, [folder])
        counts = kept(store)
    assert sum(counts["assertions"].values()) == loader.BULK_ASSERTIONS


def test_info_answers_from_the_kept_counts_and_counts_afresh_without_them(kg, store_dir):
    """Proof that info reads what was kept: counts changed behind kg's back show, and
    without any counts (as after a killed write) info counts the data itself."""
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    with open_store(store_dir) as store:
        true = reads.count(store)
        forged = {**true, "sources": 999}
        literal = ox.Literal(json.dumps(forged))
        store._oxigraph.update(
            f"{reads.FORGET_COUNTS} ; INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{KGO.counts}> {literal} }} }}"
        )
    shown = json.loads(kg("info", "--format", "json").output)
    assert shown["sources"] == 999
    with open_store(store_dir) as store:
        store._oxigraph.update(reads.FORGET_COUNTS)
    shown = json.loads(kg("info", "--format", "json").output)
    assert shown["sources"] == true["sources"] and shown["assertions"] == true["assertions"]


@pytest.mark.parametrize("command", [["drop", "EXAMPLE"], ["load", "EXAMPLE"]])
def test_a_failed_write_leaves_counts_that_agree(kg, store_dir, tmp_path, command):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    bad = write(tmp_path / "bad.yaml", "assertions:\n  - claim: nobody backs nothing\n")
    args = [str(bad) if a == "EXAMPLE" else a for a in command]
    assert kg(*args).exit_code != 0
    assert counts_agree(store_dir)
    with open_store(store_dir, read_only=True) as store:
        assert reads.stored_counts(store) is not None
