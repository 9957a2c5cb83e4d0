"""The scale benchmark: load time, peak memory and query latency, ours against baselines.

    python bench/run.py                          # 10k, 100k and 1M assertions (about 30 minutes, 4 GB)
    python bench/run.py --sizes 10000 100000     # the quick part

For each size, in the same run: the plain ``csv`` read of the claims (the floor), our
``kg load`` into the default on-disk store, and rdflib's in-memory store parsing the same
triples as N-Quads (the baseline, up to 100k). Then p50/p95 over ``--runs`` repetitions of
the library calls behind ``match`` (one pattern, a two-pattern join, an ``--as-of``
pattern), ``why``, ``info`` and transitive backing chains (``kgo:backs+``) on both stores,
and the floor under each: Oxigraph alone answering the SPARQL kg sent for it.
Run i asks about claim i of a random draw from the data, so busy actors come up as often
as claims name them; rdflib answers the first fifth of the same draw. Then, once each,
``kg analyse blocs`` and the map of ``backs`` on the whole graph, twice each (each reads
the claims the load kept), against decoding the kept claims' JSON alone, with Oxigraph
reading every claim (what a first analysis after a load beside other files waits for), and
Oxigraph's bulk loader alone on the store's quads (the floor under ``kg load``). Prints a table and writes ``bench/results/<size>.json``."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate, write_csv  # noqa: E402


def peak_rss_mb(command: list[str]) -> tuple[float, float]:
    """Run a command in a child process: (seconds, peak RSS in MB of that child)."""
    script = "import resource, subprocess as s, sys, time; t = time.perf_counter(); s.run(sys.argv[1:], check=True, stdout=s.DEVNULL); " \
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"  # fmt: skip
    out = subprocess.run([sys.executable, "-c", script, *command], check=True, capture_output=True, text=True).stdout.split()
    return float(out[-2]), float(out[-1]) / 1024


def csv_floor(path: Path) -> float:
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        for _ in csv.DictReader(handle):
            pass
    return time.perf_counter() - started


def timings(call, runs: int) -> dict:
    """p50/p95 in ms of ``call(i)`` for i in range(runs): run i asks about sample i."""
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": statistics.median(samples), "p95_ms": samples[int(0.95 * (len(samples) - 1))]}


def with_floor(store, call, runs: int) -> dict:
    """p50/p95 of ``call`` (``timings``) and of its floor: Oxigraph alone answering the
    SPARQL that ``call(i)`` sends, each query run straight in pyoxigraph and its rows counted,
    none of their terms read into Python; the rest of kg's time is kg's own Python. A first
    pass records the queries, and warms the store's caches for both alike."""
    import pyoxigraph as ox

    from kg.sparqltext import with_values
    from kg.store.common import PREFIX_TEXTS

    sent: list[list[str]] = []

    def recorded(method):
        def recording(sparql, bindings=None):
            sent[-1].append(with_values(sparql, bindings or {}))
            return method(sparql, bindings)

        return recording

    reading = ("query", "texts", "solutions")  # the store methods that send SPARQL
    for name in reading:
        setattr(store, name, recorded(getattr(store, name)))
    try:
        for i in range(runs):
            sent.append([])
            call(i)
    finally:
        for name in reading:
            delattr(store, name)  # the class's own methods again

    def replay(i: int) -> None:
        for text in sent[i]:
            answer = store._oxigraph.query(text, use_default_graph_as_union=True, prefixes=PREFIX_TEXTS)
            if isinstance(answer, ox.QuerySolutions):
                for _ in answer:
                    pass

    return {"kg": timings(call, runs), "floor": timings(replay, runs)}


def sample_claims(data: dict, runs: int) -> list[dict]:
    """The claims the queries ask about: drawn at random from the data, so actors come up as
    often as claims name them (the hubs of the power law often, as in real use)."""
    rng = random.Random(7)
    return [rng.choice(data["assertions"]) for _ in range(runs)]


def queries(store, claims: list[dict]) -> dict:
    """The library calls behind the CLI commands; call ``i`` asks about ``claims[i]``."""
    from kg.query import info, match, sparql, why
    from kg.selection import Selection

    def day(claim: dict) -> dt.date:
        return dt.date.fromisoformat(claim["date"])

    return {
        "match one pattern": lambda i: match(store, [f"?x backs {claims[i]['object']}"]),
        "match two-pattern join": lambda i: match(store, ["?x backs ?y", f"?y opposes {claims[i]['object']}"]),
        "match --as-of": lambda i: match(store, [f"?x opposes {claims[i]['object']}"], Selection(as_of=day(claims[i]))),
        "why": lambda i: why(store, claims[i]["subject"], claims[i]["relation"], claims[i]["object"]),
        "why first page (50)": lambda i: why(store, claims[i]["subject"], claims[i]["relation"], claims[i]["object"], limit=50),
        "info": lambda i: info(store),
        "backs+ chains (sparql)": lambda i: sparql(store, f"SELECT DISTINCT ?x WHERE {{ actor:{claims[i]['subject']} kgo:backs+ ?x }}"),
    }


def whole_graph(store, store_dir: Path, work: Path) -> dict:
    """``kg analyse blocs`` and ``kg view --relation backs`` on the whole graph, each run
    twice as a command of its own, for its time and peak memory: every run reads the claims
    and sources that the load kept (``kg.store.kept``); the first of each kind also imports
    and warms what the second finds ready. Their floor: decoding the kept claims' JSON
    alone, nothing converted. And, for a load beside other files, which keeps nothing:
    Oxigraph answering the scans that read every claim out of the store
    (``kg.projection.all_claims``), the rows counted and not kept."""
    from kg.projection import CLAIM_FIELDS
    from kg.store.kept import kept_path
    from kg.store.reads import property_scan

    kg = [sys.executable, "-m", "kg.cli", "--store", str(store_dir)]
    page = work / "backs.html"
    found = {}
    blocs, view = ["analyse", "blocs"], ["view", "--relation", "backs", "-o", str(page)]
    commands = {
        "kg analyse blocs, first after load": blocs,
        "kg analyse blocs": blocs,
        "kg view --relation backs, first": view,
        "kg view --relation backs": view,
    }
    for name, command in commands.items():
        seconds, peak = peak_rss_mb([*kg, *command])
        found[name] = {"s": seconds, "peak_mb": peak}
    found["kg view --relation backs"]["page_mb"] = page.stat().st_size / 2**20
    started = time.perf_counter()
    with kept_path(store, "claims").open(encoding="utf-8") as kept:
        sizes = [len(json.loads(line)) for line in kept]  # the header, then one column a line
    found["floor: decode the kept claims"] = {"values": sum(sizes[1:]), "s": time.perf_counter() - started}
    started = time.perf_counter()
    rows = sum(1 for _ in store.texts(property_scan(CLAIM_FIELDS)))
    found["store: read the claims out of Oxigraph"] = {"rows": rows, "s": time.perf_counter() - started}
    return found


def bulk_floor(store, work: Path) -> dict:
    """Oxigraph's bulk loader alone on this store's quads, as an N-Quads file, in a fresh
    process and store: the floor under ``kg load`` (seconds and peak memory)."""
    import pyoxigraph as ox

    nquads, target = work / "floor.nq", work / "floor-store"
    store._oxigraph.dump(str(nquads), format=ox.RdfFormat.N_QUADS)  # streamed: 12.7M quads as objects take GBs
    load = f"ox.Store({str(target)!r}).bulk_load(path={str(nquads)!r}, format=ox.RdfFormat.N_QUADS)"
    seconds, peak = peak_rss_mb([sys.executable, "-c", f"import pyoxigraph as ox; {load}"])
    nquads.unlink()
    shutil.rmtree(target)
    return {"s": seconds, "peak_mb": peak}


def rdflib_store(nquads: Path):
    """The same data in rdflib's in-memory store, behind the same store interface."""
    from rdflib import Dataset

    from kg.namespaces import META_GRAPH, ONTOLOGY_GRAPH
    from kg.store import OxigraphStore

    class RdflibStore(OxigraphStore):  # reuses the reads built on query()
        def query(self, sparql, bindings=None):  # rdflib's own way to bind values, its fastest
            return self.dataset.query(sparql, initBindings=dict(bindings or {}))

        def texts(self, sparql, bindings=None):  # rows as strings, from rdflib's own engine
            result = self.query(sparql, bindings)
            return ({str(v): (None if row[v] is None else str(row[v])) for v in result.vars} for row in result)

        def data_graphs(self):
            return sorted(
                g.identifier for g in self.dataset.graphs() if g.identifier not in (ONTOLOGY_GRAPH, META_GRAPH) and "file:" in g.identifier
            )

    dataset = Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(nquads, format="nquads")
    return RdflibStore(dataset, "rdflib-memory", read_only=True), time.perf_counter() - started


def bench_size(n: int, runs: int, baseline: bool, work: Path) -> dict:
    import pyoxigraph as ox

    from kg.store import open_store

    folder = work / f"data-{n}"
    data = generate(n, seed=1)
    write_csv(data, folder)
    claims = sample_claims(data, runs)
    del data
    store_dir = work / f"store-{n}"
    result = {"assertions": n, "csv_read_s": csv_floor(folder / "claims.csv")}
    result["kg_load_s"], result["kg_load_peak_mb"] = peak_rss_mb(
        [sys.executable, "-m", "kg.cli", "--store", str(store_dir), "load", str(folder)]
    )
    store = open_store(store_dir, read_only=True)
    result["triples"] = len(store._oxigraph)  # counted by Oxigraph: 12.7M quad objects took 3.7 GB
    result["queries"] = {name: with_floor(store, call, runs) for name, call in queries(store, claims).items()}
    result["whole_graph"] = whole_graph(store, store_dir, work)
    result["bulk_floor"] = bulk_floor(store, work)
    if baseline:
        nquads = work / f"dump-{n}.nq"
        nquads.write_bytes(ox.serialize(store.quads(), format=ox.RdfFormat.N_QUADS) or b"")
        script = f"from rdflib import Dataset; Dataset().parse({str(nquads)!r}, format='nquads')"
        result["rdflib_load_s"], result["rdflib_load_peak_mb"] = peak_rss_mb([sys.executable, "-c", script])
        reference, _ = rdflib_store(nquads)
        for name, call in queries(reference, claims).items():
            try:  # the first samples of the same draw: rdflib is too slow for all of them
                result["queries"][name]["rdflib"] = timings(call, max(5, runs // 5))
            except Exception as err:  # rdflib's engine has bugs our queries hit: record, go on
                result["queries"][name]["rdflib"] = {"error": f"{type(err).__name__}: {err}"[:120]}
    store.close()
    return result


def print_table(result: dict) -> None:
    n = result["assertions"]
    print(f"\n{n:,} assertions ({result['triples']:,} triples)")
    print(f"{'measure':<74} {'kg':>12} {'baseline':>12} {'ratio':>8}")
    rows = [("load s (floor: csv read)", result["kg_load_s"], result["csv_read_s"])]
    rows.append(("load s (floor: bulk loader)", result["kg_load_s"], result["bulk_floor"]["s"]))
    rows.append(("load peak MB (bulk loader)", result["kg_load_peak_mb"], result["bulk_floor"]["peak_mb"]))
    if "rdflib_load_s" in result:
        rows.append(("load s (rdflib memory)", result["kg_load_s"], result["rdflib_load_s"]))
        rows.append(("load peak MB (rdflib)", result["kg_load_peak_mb"], result["rdflib_load_peak_mb"]))
    else:
        rows.append(("load peak MB", result["kg_load_peak_mb"], None))
    for name, entry in result["queries"].items():
        baseline = entry.get("rdflib", {})
        for stat in ("p50_ms", "p95_ms"):
            rows.append((f"{name} {stat[:3]} ms", entry["kg"][stat], baseline.get(stat, "fails" if "error" in baseline else None)))
            rows.append((f"{name} {stat[:3]} ms (floor: Oxigraph alone)", entry["kg"][stat], entry["floor"][stat]))
    floor = result["whole_graph"]["floor: decode the kept claims"]["s"]
    analyses = {name: t for name, t in result["whole_graph"].items() if name.startswith("kg ")}
    rows += [(f"{name} s (floor: decode the kept claims)", t["s"], floor) for name, t in analyses.items()]
    scans = result["whole_graph"]["store: read the claims out of Oxigraph"]["s"]
    rows.append(("read every claim out of Oxigraph, s (a load beside other files)", scans, None))
    rows += [(f"{name} peak MB", t["peak_mb"], None) for name, t in analyses.items()]
    for label, ours, base in rows:
        ratio = f"{base / ours:.1f}x" if isinstance(base, float) else ""
        shown = f"{base:.2f}" if isinstance(base, float) else (base or "")
        print(f"{label:<74} {ours:>12.2f} {shown:>12} {ratio:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    (HERE / "results").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for n in args.sizes:
            result = bench_size(n, args.runs, baseline=n <= 100_000, work=Path(tmp))
            result["machine"] = {"cores": __import__("os").cpu_count(), "python": sys.version.split()[0]}
            print_table(result)
            (HERE / "results" / f"{n}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    help_s, _ = peak_rss_mb([sys.executable, "-m", "kg.cli", "--help"])
    print(f"\nkg --help: {help_s:.3f} s (target 0.3 s)")


if __name__ == "__main__":
    main()
