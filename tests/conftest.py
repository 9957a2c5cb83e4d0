"""Fixtures: real Oxigraph stores (in memory and on disk) and a CLI runner bound to a store folder."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.loader import load
from kg.namespaces import KGO
from kg.store import Store, open_store, reads
from kg.store.common import STORE_NODE

#: How the counts quad kg keeps in a store's meta graph starts, in N-Quads (see ``snapshot``).
COUNTS_QUAD = f"<{STORE_NODE}> <{KGO.counts}> "

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ain-issa-2020"
EXAMPLE_FILE = EXAMPLE / "ain-issa.yaml"
#: Every example's data, as the commands are given it (relative to ``ROOT``).
#: The prefixes of kg's namespaces, to write statements in Turtle.
TURTLE_PREFIXES = """@prefix kgo: <https://w3id.org/actorgraph/ontology#> .
@prefix actor: <https://w3id.org/actorgraph/actor/> .
@prefix source: <https://w3id.org/actorgraph/source/> .
@prefix stmt: <https://w3id.org/actorgraph/statement/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

EVERY_EXAMPLE = [
    "examples/ain-issa-2020/",
    "examples/sudan-2025/",
    "examples/typed-relations/",
    "examples/acled-sudan-2023/sudan-2023.csv",
    "examples/gdelt-2019-10-24/",
]


@pytest.fixture
def store() -> Store:
    """An empty in-memory store."""
    return open_store(":memory:")


@pytest.fixture
def example_store(store: Store) -> Store:
    """An in-memory store holding the Ain Issa example."""
    load(store, [EXAMPLE_FILE])
    return store


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def kg(store_dir: Path):
    """Run the real CLI against an on-disk store in a temporary folder."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--store", str(store_dir), *args], catch_exceptions=False)

    return run


def snapshot(location: Path | Store) -> list[str]:
    """Every quad of a store, sorted, blank node labels blanked (they differ between two
    stores holding the same ontology): equal snapshots mean the same data.

    Without the counts kg keeps for ``kg info`` (``kgo:counts``): a write that fails after
    it began removes them with the data unchanged. ``counts_agree`` checks them."""
    if isinstance(location, Store):
        text = (ox.serialize(location.quads(), format=ox.RdfFormat.N_QUADS) or b"").decode()
    else:
        text = ox.Store.read_only(str(location)).dump(format=ox.RdfFormat.N_QUADS).decode()
    return sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", line) for line in text.splitlines() if not line.startswith(COUNTS_QUAD))


def counts_agree(location: Path) -> bool:
    """Whether the counts a store folder keeps for ``kg info`` are those of its data now
    (or absent, when a killed write removed them): never wrong."""
    with open_store(location, read_only=True) as store:
        stored = reads.stored_counts(store)
        return stored is None or stored == reads.count(store)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
