"""Oxigraph's bulk loader alone: one call over a whole N-Quads file against kg's chunks.

    python bench/bulk.py STORE_FOLDER [--chunks-mb 64 256]

Dumps the store's quads to a file (once), then loads it into fresh stores in child
processes: once in one ``bulk_load`` call, once per chunk size through
``kg.store.journal.load_nquads`` (which compacts a store of several chunks at the end).
Prints seconds and peak memory of each, measured in the same run."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = """
import resource, shutil, sys, tempfile, time
from pathlib import Path
import pyoxigraph as ox
sys.path.insert(0, {root!r})
from kg.store.journal import load_nquads
nquads, chunk = Path(sys.argv[1]), int(sys.argv[2])
folder = tempfile.mkdtemp(dir=nquads.parent)
store = ox.Store(folder)
started = time.perf_counter()
if chunk:
    load_nquads(store, nquads, chunk_mb=chunk)
else:
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
del store
shutil.rmtree(folder)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--chunks-mb", type=int, nargs="+", default=[64])
    args = parser.parse_args()
    import pyoxigraph as ox

    work = Path(tempfile.mkdtemp(prefix="kg-bulk-"))
    nquads = work / "all.nq"
    ox.Store.read_only(str(args.store)).dump(output=str(nquads), format=ox.RdfFormat.N_QUADS)
    print(f"{nquads.stat().st_size / 1e6:,.0f} MB of N-Quads")
    for chunk in [0, *args.chunks_mb]:
        script = CHILD.format(root=str(HERE.parent))
        out = subprocess.run([sys.executable, "-c", script, str(nquads), str(chunk)], check=True, capture_output=True, text=True)
        seconds, peak = out.stdout.split()
        label = "one call" if chunk == 0 else f"{chunk} MB chunks"
        print(f"{label:<16} {float(seconds):8.1f} s {int(peak):8,} MB peak")
    nquads.unlink()
    work.rmdir()


if __name__ == "__main__":
    main()
