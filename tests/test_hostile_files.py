"""Hostile data files: each is refused fast, in one clear line, and the store keeps what it had.

Every load runs the real ``kg`` command in a child process whose address space is capped
(``RLIMIT_AS``, 1 GiB) and with a timeout, so that a regression fails the test instead of
swapping the machine; the child's peak memory is measured and bounded too: its own
``VmHWM``, read as it exits (``ru_maxrss`` would count the forking pytest process's memory,
hundreds of MB late in a full run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.sources.rdf_file import CONTEXT_IRI
from tests.conftest import EXAMPLE, snapshot, write
from tests.servers import FakeEndpoint

MEMORY_LIMIT = 1 << 30
#: What a refused load may use at its peak: ``kg`` itself needs about 65 MB.
PEAK_MB = 250
#: Sets the limit, runs the ``kg`` command in the same process (the limit stays), and on exit
#: writes the process's peak resident memory (kB) to the file named second.
LIMITED = """
import atexit, re, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]),) * 2)
peak = Path(sys.argv[2])
atexit.register(lambda: peak.write_text(re.search(r"VmHWM:\\s*(\\d+)", Path("/proc/self/status").read_text()).group(1)))
from kg.cli import main
main(sys.argv[3:], prog_name="kg")
"""


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def kg_limited(*args: str, timeout: float = 60) -> Run:
    """``kg ARGS`` with its memory capped; fails the test if it is still running after ``timeout``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as folder:
        peak = Path(folder) / "peak"
        start = time.monotonic()
        process = subprocess.Popen([sys.executable, "-c", LIMITED, str(MEMORY_LIMIT), str(peak), *args], stdout=out, stderr=err)
        while True:
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                process.kill()
                os.wait4(process.pid, 0)
                pytest.fail(f"kg {' '.join(args)} still running after {timeout} s")
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Run(process.returncode, out.read().decode(), err.read().decode(), seconds, int(peak.read_text()) / 1024)


@pytest.fixture(scope="module")
def example_store_dir(tmp_path_factory) -> Path:
    """A store holding the Ain Issa example, made once and copied by each test."""
    store = tmp_path_factory.mktemp("template") / "store"
    run = kg_limited("--store", str(store), "load", str(EXAMPLE))
    assert run.code == 0, run.stderr
    return store


@pytest.fixture
def store(example_store_dir, tmp_path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(example_store_dir, copy)
    return copy


def assert_refused(run: Run, store: Path, before: list[str], *expected: str) -> None:
    """Exit 1, one line naming the problem (no traceback), modest memory, the store as it was."""
    assert run.code == 1, (run.code, run.stderr[-2000:])
    assert "Traceback" not in run.stderr and run.stderr.startswith("Error: "), run.stderr[-2000:]
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr[-2000:]
    for text in expected:
        assert text in run.stderr, run.stderr
    assert run.peak_mb < PEAK_MB, f"peak {run.peak_mb:.0f} MB"
    assert snapshot(store) == before


def load(store: Path, *files: Path, timeout: float = 60) -> Run:
    return kg_limited("--store", str(store), "load", *map(str, files), timeout=timeout)


# -- long lines and cells -------------------------------------------------------------------------


def test_a_50_mb_csv_cell_is_a_line_too_long(store, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text('subject,relation,object,quote,source_title\nrussia,backs,sna,"' + "x" * 50_000_000 + '",T\n', encoding="utf-8")
    before = snapshot(store)
    assert_refused(load(store, big), store, before, f"{big}:2: a line longer than 131,072 characters")


def test_an_unclosed_quote_is_a_cell_too_long_named_where_it_starts(store, tmp_path):
    rows = 'russia,backs,sna,fine,T\nrussia,backs,sna,"unclosed,T\n' + "more text\n" * 40_000
    unclosed = write(tmp_path / "unclosed.csv", "subject,relation,object,quote,source_title\n" + rows)
    before = snapshot(store)
    assert_refused(load(store, unclosed), store, before, f"{unclosed}:3: a cell longer than 131,072 characters", "unclosed quote")


def test_a_gdelt_file_with_a_line_of_50_mb_is_refused(store, tmp_path):
    big = tmp_path / "20191024143000.export.CSV"
    big.write_text("1\t" + "x" * 50_000_000 + "\n", encoding="utf-8")
    before = snapshot(store)
    assert_refused(load(store, big), store, before, f"{big}:1: a line longer than 131,072 characters")


# -- YAML aliases ---------------------------------------------------------------------------------


def laughs(levels: int = 9) -> str:
    """A 1 KB file whose last alias stands for 9**9 (387 million) names, inside ``aliases:``."""
    text = "actors:\n  a:\n    type: State\n    aliases:\n      - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in range(1, levels + 1):
        text += f"      - &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]\n"
    return text


def test_billion_laughs_in_aliases_are_refused_at_the_first_alias(store, tmp_path):
    bomb = write(tmp_path / "laughs.yaml", laughs())
    assert len(bomb.read_bytes()) < 1024
    before = snapshot(store)
    run = load(store, bomb, timeout=30)
    assert_refused(run, store, before, f"{bomb}:6: a YAML alias (*l0): data files may not use anchors and aliases")
    assert run.seconds < 10


def test_a_merge_key_is_an_alias_too(store, tmp_path):
    text = "defaults: &d {confidence: 0.5}\nsources:\n  s: {title: T, date: 2020-01-01}\n"
    text += "assertions:\n  - <<: *d\n    claim: russia backs sna\n"
    merged = write(tmp_path / "merge.yaml", text)
    before = snapshot(store)
    assert_refused(load(store, merged), store, before, f"{merged}:5: a YAML alias (*d)")


# -- GDELT zips -----------------------------------------------------------------------------------


def zipped(path: Path, member: str, chunk: bytes, count: int, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method, compresslevel=9) as archive, archive.open(member, "w", force_zip64=True) as out:
        for _ in range(count):
            out.write(chunk)
    return path


def test_a_gdelt_zip_bomb_is_refused_before_it_is_unzipped(store, tmp_path):
    bomb = zipped(tmp_path / "bomb.export.CSV.zip", "bomb.export.CSV", b"a" * (1 << 20), 300)  # 300 MB in 0.3 MB
    assert bomb.stat().st_size < 1 << 20
    before = snapshot(store)
    assert_refused(load(store, bomb), store, before, f"{bomb}: bomb.export.CSV would unzip to 314,572,800 bytes", "a zip bomb?")


def test_a_zip_of_empty_lines_is_refused_by_its_ratio_too(store, tmp_path):
    bomb = zipped(tmp_path / "lines.export.CSV.zip", "lines.export.CSV", b"\n" * (1 << 20), 100)
    before = snapshot(store)
    assert_refused(load(store, bomb), store, before, "would unzip to 104,857,600 bytes", "100 times the zipped size")


# -- JSON-LD contexts -----------------------------------------------------------------------------


CONTEXT = {"@context": {"kgo": "https://w3id.org/actorgraph/ontology#"}}


def jsonld(context: object) -> dict:
    return {"@context": context, "@id": "https://w3id.org/actorgraph/actor/x", "@type": "kgo:State"}


@pytest.mark.parametrize(
    "document",
    [
        lambda url: jsonld(url),
        lambda url: jsonld([url]),
        lambda url: jsonld({"@import": url}),
        lambda url: jsonld({"kgo": "https://w3id.org/actorgraph/ontology#", "backs": {"@id": "kgo:backs", "@context": url}}),
        lambda url: {"@graph": [{"@context": url, "@id": "https://w3id.org/actorgraph/actor/x"}]},
    ],
    ids=["iri", "list", "import", "scoped", "in-a-node"],
)
def test_a_remote_context_is_refused_and_fetched_from_nowhere(store, tmp_path, document):
    with FakeEndpoint(content_type="application/ld+json", body=json.dumps(CONTEXT).encode()) as server:
        url = f"{server.url}/context.jsonld"
        data = write(tmp_path / "remote.jsonld", json.dumps(document(url)))
        before = snapshot(store)
        run = load(store, data, timeout=30)
        assert server.requests == []
    assert_refused(run, store, before, f"{data}:", repr(url), "kg fetches nothing", CONTEXT_IRI)


@pytest.mark.parametrize("reference", ["file:///dev/zero", "file:///etc/hostname", "context.jsonld"])
def test_a_file_context_is_refused_unread(store, tmp_path, reference):
    write(tmp_path / "context.jsonld", json.dumps(CONTEXT))  # what the relative reference would find
    data = write(tmp_path / "local.jsonld", json.dumps(jsonld(reference)))
    before = snapshot(store)
    assert_refused(load(store, data, timeout=30), store, before, f"{data}: @context: the JSON-LD context {reference!r}")
