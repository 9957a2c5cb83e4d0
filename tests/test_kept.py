"""The claims (and sources) the analyses and the map read are read out of the store once per
write of its data, then kept (in the process, and in a file in the store folder): they must always be
those of the data now, never those of an earlier write, and a damaged file must not matter."""

from __future__ import annotations

import json

import pytest

from kg import loader, projection
from kg.analyse.reports import contested
from kg.errors import KgError
from kg.projection import all_claims, read_claims
from kg.store import kept, open_store, oxigraph, reads
from kg.store.kept import kept_path
from tests.conftest import EVERY_EXAMPLE, EXAMPLE_FILE, TURTLE_PREFIXES, write
from tests.test_loader import TRICKY

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


def kept_now(store, name: str):
    """What is kept as ``name`` for the data now (None: nothing), read straight from the file."""
    layout = projection.CLAIM_LAYOUT if name == "claims" else reads._source_layout(store)
    return kept.read_kept(store, name, store.write_id(), layout)


def test_a_load_of_the_whole_store_keeps_what_it_wrote(tmp_path, monkeypatch):
    """A bulk load that replaces everything the store held keeps its claims and sources as it
    writes them, so the first analysis reads no claim back out of the store: exactly what a
    read of the store gives, field by field (stances, voices, partial dates, joint mediation,
    escapes), and no draft left."""
    monkeypatch.setattr(loader, "BULK_ASSERTIONS", 0)
    files = [*EVERY_EXAMPLE, write(tmp_path / "tricky.yaml", TRICKY)]
    folder = tmp_path / "store"
    with open_store(folder) as store:
        for _ in range(2):  # a first load, then the same files again: each replaces the whole store
            loader.load(store, files)
            claims, sources = kept_now(store, "claims"), kept_now(store, "sources")
            assert claims == read_claims(store) and len(claims) > 200
            assert sources == reads._sources(store, "") and len(sources) > 80
            assert {c.stance for c in claims} == {"asserted", "alleged", "denied"} and any(c.co_subjects for c in claims)
    assert not list(folder.glob(".kg-kept-*"))


def test_a_load_beside_other_files_keeps_nothing(tmp_path, monkeypatch):
    """A load into a store holding other files does not know all the store's claims: what
    was kept stays that of the earlier write, and the analyses read the store."""
    monkeypatch.setattr(loader, "BULK_ASSERTIONS", 0)
    with open_store(tmp_path / "store") as store:
        loader.load(store, [EXAMPLE_FILE])
        written = kept_file(store)[0]["write"]
        loader.load(store, [write(tmp_path / "denial.yaml", DENIAL)])
        assert kept_file(store)[0]["write"] == written != store.write_id()
        assert fresh(store) == read_claims(store) and any(c.stance == "denied" for c in fresh(store))


def test_a_statement_two_files_load_is_kept_once_or_left_to_the_read(tmp_path, monkeypatch):
    """The same claim in two files is one statement, kept once; with two different notes it
    holds both, which only a read of the store resolves: then nothing is kept."""
    monkeypatch.setattr(loader, "BULK_ASSERTIONS", 0)
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    twin = write(tmp_path / "twin.yaml", text)
    noted = write(tmp_path / "noted.yaml", text.replace("quote:", "note: another reading\n    quote:", 1))
    for second, kept_claims in ((twin, True), (noted, False)):
        with open_store(tmp_path / second.stem) as store:
            loader.load(store, [EXAMPLE_FILE, second])
            assert (kept_now(store, "claims") == read_claims(store)) if kept_claims else kept_now(store, "claims") is None
            assert fresh(store) == read_claims(store)


def test_a_failed_bulk_load_keeps_nothing_and_leaves_no_draft(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "BULK_ASSERTIONS", 0)
    folder = tmp_path / "store"
    with open_store(folder) as store:
        loader.load(store, [EXAMPLE_FILE])
        before = kept_path(store, "claims").read_bytes()
        def full(*args, **kwargs):
            raise OSError("No space left on device")

        monkeypatch.setattr(oxigraph, "replace_journaled", full)  # the bulk loader fails: nothing changes
        with pytest.raises(KgError, match="nothing was changed"):
            loader.load(store, [EXAMPLE_FILE, write(tmp_path / "denial.yaml", DENIAL)])
        assert kept_path(store, "claims").read_bytes() == before and not list(folder.glob(".kg-kept-*"))


ODD_TURTLE = TURTLE_PREFIXES + """
actor:a a kgo:State ; rdfs:label "A" .
actor:b a kgo:State ; rdfs:label "B" .
source:s1 a kgo:Source ; <http://purl.org/dc/terms/title> "An article" ; <http://purl.org/dc/terms/date> "2023-05-20"^^xsd:date .
stmt:objectless a kgo:Assertion ; kgo:subject actor:a ; kgo:relation kgo:backs ;
    prov:wasDerivedFrom source:s1 ; kgo:confidence 1.0 ; kgo:dateReported "2023-05-20"^^xsd:date .
stmt:precise a kgo:Assertion ; kgo:subject actor:a ; kgo:relation kgo:backs ; kgo:object actor:b ;
    prov:wasDerivedFrom source:s1 ; kgo:confidence 1.0 ; kgo:dateReported "2023-05-20"^^xsd:date ;
    kgo:validUntilPrecision "year" ; kgo:validFromPrecision "month" .
"""


def test_a_load_keeps_only_what_a_read_of_the_store_gives(tmp_path, monkeypatch):
    """RDF may say less than kg writes: a statement with no object (no claim to a read of
    the store) and precisions without their dates (written only beside a date)."""
    monkeypatch.setattr(loader, "BULK_ASSERTIONS", 0)
    with open_store(tmp_path / "store") as store:
        loader.load(store, [write(tmp_path / "odd.ttl", ODD_TURTLE)])
        claims = kept_now(store, "claims")
        assert claims == read_claims(store) and len(claims) == 1
        assert (claims[0].valid_from_precision, claims[0].valid_until_precision) == ("day", "day")
