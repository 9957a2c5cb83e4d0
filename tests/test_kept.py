"""The claims (and sources) the analyses and the map read are read out of the store once per
write of its data, then kept (in the process, and in a file in the store folder): they must always be
those of the data now, never those of an earlier write, and a damaged file must not matter."""

from __future__ import annotations

import json

import pytest

from kg import loader
from kg.analyse.reports import contested
from kg.projection import all_claims, read_claims
from kg.store import kept, open_store, reads
from kg.store.kept import kept_path
from tests.conftest import EXAMPLE_FILE, write

DENIAL = """sources:
  wam: {title: WAM, date: 2023-06-01}
assertions:
  - {claim: turkey backs sna, source: wam, stance: denied}
"""


def fresh(store) -> list:
    """The claims a new process would get: from the kept file, if one is valid."""
    kept._last_read.clear()
    return all_claims(store)


def kept_file(store) -> tuple[dict, dict[str, list]]:
    """The kept claims' header, and their columns by name."""
    header, *columns = kept_path(store, "claims").read_text(encoding="utf-8").splitlines()
    header = json.loads(header)
    return header, dict(zip(header["columns"], map(json.loads, columns), strict=True))


def test_every_write_gives_claims_read_anew(tmp_path):
    denial = write(tmp_path / "denial.yaml", DENIAL)
    with open_store(tmp_path / "store") as store:
        seen = []
        for step in ([EXAMPLE_FILE], [denial], "drop", [denial]):
            if step == "drop":
                loader.drop(store, denial)
            else:
                loader.load(store, step)
            truth, sources = read_claims(store), reads._sources(store, "")
            assert all_claims(store) == truth and store.sources() == sources  # the process's last read is of an earlier write
            assert fresh(store) == truth and store.sources() == sources  # so is the kept file
            header, columns = kept_file(store)
            assert header["write"] == store.write_id() and {len(values) for values in columns.values()} == {len(truth)}
            seen.append(len(truth))
    assert seen[1] == seen[0] + 1 and seen[2] == seen[0] and seen[3] == seen[1]
    assert {s.id for s in sources} >= {"wam"}


def test_analyses_read_the_kept_claims_of_this_write_only(tmp_path):
    """Proof that the kept file is read: a quote changed in it shows; after a write, or
    without a write id (a killed write leaves none), the store is read again."""
    with open_store(tmp_path / "store") as store:
        loader.load(store, [EXAMPLE_FILE])
        fresh(store)
        header, columns = kept_file(store)
        columns["quote"][0] = "forged"
        lines = [json.dumps(header)] + [json.dumps(values) for values in columns.values()]
        kept_path(store, "claims").write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert fresh(store)[0].quote == "forged"
        store._oxigraph.update(reads.FORGET_COUNTS)  # as a killed write leaves it
        assert store.write_id() is None and fresh(store) == read_claims(store) and fresh(store)[0].quote != "forged"


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut mid-line
        lambda text: text.replace('"asserted"', '{"no": "stance"}', 1),  # a value of the wrong kind
        lambda text: text.replace(',"asserted"', "", 1),  # a value short
        lambda text: text.replace('"2020-', '"2020/', 1),  # no date
        lambda text: text.rsplit("\n", 2)[0] + "\n",  # a column short
        lambda text: text + "[]\n",  # a column too many
        lambda text: text.replace("[", "", 3),  # no JSON at all
        lambda text: text.replace('"columns":', '"cols":', 1),  # another layout
        lambda text: "",
    ],
)
def test_a_damaged_kept_file_is_read_past(tmp_path, damage):
    with open_store(tmp_path / "store") as store:
        loader.load(store, [EXAMPLE_FILE, write(tmp_path / "denial.yaml", DENIAL)])
        expected = contested(store)
        path = kept_path(store, "claims")
        path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
        kept._last_read.clear()
        assert contested(store) == expected and fresh(store) == read_claims(store)


def test_only_a_writer_removes_the_drafts_a_killed_reader_left(tmp_path):
    folder = tmp_path / "store"
    with open_store(folder) as store:
        loader.load(store, [EXAMPLE_FILE])
    draft = folder / ".kg-kept-claims.json.x1y2.tmp"
    draft.write_text("half", encoding="utf-8")
    with open_store(folder, read_only=True) as store:
        fresh(store)  # another reader may be drafting it now
        assert draft.exists() and kept_path(store, "claims").exists()
    open_store(folder).close()
    assert not draft.exists() and kept_path(store, "claims").exists()


def test_a_store_in_memory_keeps_nothing_on_disk(store):
    loader.load(store, [EXAMPLE_FILE])
    assert kept_path(store, "claims") is None and fresh(store) == read_claims(store)
