"""ACLED against GDELT: `kg load` of N generated event rows of each, in the same run.

    python bench/acled.py                 # 1M rows of each (several minutes, about 3 GB)
    python bench/acled.py --rows 100000   # the quick part

Both files are generated here, deterministic for a given N and seed, shaped like the real
data: ACLED's 31 columns with quoted notes, ACLED's mix of event types (a third protests, a
sixth battles, a fifth explosions ...), associated actors on a fifth of the battles, one to
three sources a row; GDELT's 61 tab-separated columns with CAMEO codes of which a fifth map to
no relation and a tenth of the rows lacking an actor. Actors are about N/500 group names (an
actor map generated with them, as a user would write one) and the state forces of 60
countries, drawn with Zipf-like popularity; dates cover 2018-2024. Each load runs in a child
process into a fresh on-disk store: seconds, peak memory, and what the load reports. Prints a
table; ``--json FILE`` also writes the numbers.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.run import peak_rss_mb  # noqa: E402
from kg.sources.acled.rows import COLUMNS  # noqa: E402
from kg.sources.gdelt.cameo import load_actor_map  # noqa: E402

#: ACLED's event types, roughly in the shares of its global data, with their sub-event types.
EVENT_TYPES = [
    ("Protests", 34, ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"]),
    ("Battles", 16, ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"]),
    ("Explosions/Remote violence", 20, ["Air/drone strike", "Shelling/artillery/missile attack", "Remote explosive/landmine/IED"]),
    ("Violence against civilians", 14, ["Attack", "Abduction/forced disappearance", "Sexual violence"]),
    ("Riots", 9, ["Violent demonstration", "Mob violence"]),
    ("Strategic developments", 7, ["Agreement", "Arrests", "Looting/property destruction", "Headquarters or base established"]),
]  # fmt: skip
#: CAMEO event codes in GDELT's rough shares: most map to a relation, a fifth to none.
CAMEO = [("042", 8), ("046", 6), ("051", 6), ("072", 3), ("111", 6), ("120", 4), ("130", 4), ("173", 4), ("190", 5),
         ("193", 3), ("045", 1), ("061", 2), ("010", 10), ("020", 6), ("036", 6), ("080", 3)]  # fmt: skip
WORDS = "north south east west free popular national democratic islamic united revolutionary front army council union".split()
ROLES = ["", "", "MIL", "GOV", "COP", "REB"]


def world(n: int, seed: int) -> dict:
    """What both files draw from: countries, group names, popularity weights, sources."""
    rng = random.Random(seed)
    cameo = load_actor_map()
    codes = sorted(cameo.countries)[:: max(1, len(cameo.countries) // 60)][:60]
    groups = [f"{' '.join(rng.sample(WORDS, 2)).title()} Brigade {i}" for i in range(max(50, n // 500))]
    return {
        "countries": [(code, cameo.countries[code].label) for code in codes],
        "groups": groups,
        "weights": [1 / (rank + 1) ** 1.1 for rank in range(len(groups) + len(codes))],
        "sources": [f"Agency {i}" for i in range(500)],
        "urls": [f"https://news{i % 800}.example.org/story/{i}" for i in range(max(1000, n // 50))],
    }


def _day(rng: random.Random) -> dt.date:
    return dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 7 * 365 - 1))


def write_acled(path: Path, n: int, seed: int = 1) -> Path:
    """N rows of an ACLED export, and next to it the actor map naming its groups."""
    rng, w = random.Random(seed), world(n, seed)
    names = [f"Military Forces of {label} (2019-)" for _, label in w["countries"]] + w["groups"]
    types, type_weights = [(t, subs) for t, _, subs in EVENT_TYPES], [share for _, share, _ in EVENT_TYPES]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for i in range(n):
            (event_type, subs), day = rng.choices(types, type_weights)[0], _day(rng)
            one, two = rng.choices(names, w["weights"], k=2)
            if event_type == "Protests":
                one, two = "Protesters (Country)", rng.choice(["", one])
            elif event_type == "Riots":
                one, two = "Rioters (Country)", rng.choice(["", "Civilians (Country)"])
            elif event_type == "Violence against civilians":
                two = "Civilians (Country)"
            assoc = "; ".join(rng.sample(names, rng.randint(1, 2))) if event_type == "Battles" and rng.random() < 0.2 else ""
            row = {
                "event_id_cnty": f"XYZ{i + 1}",
                "event_date": day.isoformat(),
                "year": str(day.year),
                "time_precision": rng.choice("1112"),
                "event_type": event_type,
                "sub_event_type": rng.choice(subs),
                "actor1": one,
                "inter1": _inter(one),
                "actor2": two,
                "inter2": _inter(two) if two else "",
                "assoc_actor_1": assoc,
                "source": "; ".join(rng.sample(w["sources"], rng.randint(1, 3))),
                "notes": f"On {day:%d %B %Y}, {one} and {two or 'others'} were reported in event {i}, near a town, with details.",
                "fatalities": str(rng.choice([0, 0, 0, 1, 2, 5])),
            }
            out.writerow([row.get(column, "") for column in COLUMNS])
    actor_map = path.with_suffix(".actors.yaml")
    lines = ["acled:", "  names:"] + [f"    {name}: {{id: g{i}, label: {name}, type: ArmedGroup}}" for i, name in enumerate(w["groups"])]
    actor_map.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return actor_map


def _inter(name: str) -> str:
    """The inter code ACLED would give: state forces 1, protesters 6, rioters 5, civilians 7, else a militia (3)."""
    kinds = {"Military Forces of": "1", "Protesters (": "6", "Rioters (": "5", "Civilians (": "7"}
    return next((code for start, code in kinds.items() if name.startswith(start)), "3")


def write_gdelt(path: Path, n: int, seed: int = 1) -> None:
    """N rows of GDELT 2.0 events (61 tab-separated columns) over the same kind of world."""
    rng, w = random.Random(seed), world(n, seed)
    codes, code_weights = zip(*CAMEO, strict=True)
    countries = [code for code, _ in w["countries"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        for i in range(n):
            day, code = _day(rng), rng.choices(codes, code_weights)[0]
            row = [""] * 61
            row[0], row[1], row[2], row[3], row[4] = str(i + 1), f"{day:%Y%m%d}", f"{day:%Y%m}", str(day.year), f"{day.year}.5"
            for start in (5, 15):  # Actor1Code ... Actor1Type3Code, then actor 2
                if rng.random() < 0.1:
                    continue  # a one-actor event
                country, role = rng.choice(countries), rng.choice(ROLES)
                row[start], row[start + 1], row[start + 2], row[start + 7] = country + role, "NAME", country, role
            row[25], row[26], row[27], row[28], row[29] = "1", code, code[:3], code[:2], "1"
            row[30], row[31], row[32], row[33], row[34] = "-2.0", str(rng.randint(1, 20)), "1", str(rng.randint(1, 10)), "-3.5"
            row[59], row[60] = f"{day:%Y%m%d}120000", rng.choice(w["urls"])
            handle.write("\t".join(row) + "\n")


def load_time(path: Path, store: Path, *extra: str) -> dict:
    """`kg load` of one file into a fresh store, in a child process: seconds, peak MB, its report."""
    seconds, peak = peak_rss_mb([sys.executable, "-m", "kg.cli", "--store", str(store), "load", *extra, str(path)])
    out = subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(store), "info"], capture_output=True, text=True).stdout
    size = round(path.stat().st_size / 1e6, 1)
    return {"load_s": round(seconds, 1), "peak_mb": round(peak), "file_mb": size, "info": out.splitlines()[:4]}


def read_time(reader, path: Path, **options) -> dict:
    """The reader alone, in this process: seconds, rows read, assertions it makes."""
    started = time.perf_counter()
    doc = reader(path, **options)
    seconds = round(time.perf_counter() - started, 1)
    return {"read_s": seconds, "rows": doc.rows_read, "assertions": len(doc.assertions), "skipped": doc.skipped}


def bench(n: int, work: Path, seed: int = 1) -> dict:
    from kg.sources import acled, gdelt

    acled_file, gdelt_file = work / "events.csv", work / "events.export.CSV"
    actor_map = write_acled(acled_file, n, seed)
    write_gdelt(gdelt_file, n, seed)
    result = {"rows": n, "machine": {"cores": __import__("os").cpu_count(), "python": sys.version.split()[0]}}
    result["acled"] = read_time(acled.read, acled_file, actor_map=actor_map)
    result["gdelt"] = read_time(gdelt.read, gdelt_file)
    result["acled"].update(load_time(acled_file, work / "store-acled", "--actor-map", str(actor_map)))
    result["gdelt"].update(load_time(gdelt_file, work / "store-gdelt"))
    return result


def print_table(result: dict) -> None:
    print(f"\n{result['rows']:,} generated rows of each ({result['machine']['cores']} cores)")
    print(f"{'measure':<28} {'ACLED':>12} {'GDELT':>12} {'ratio':>8}")
    for key, label in (("file_mb", "file MB"), ("assertions", "assertions made"), ("read_s", "read s (reader alone)"),
                       ("load_s", "kg load s"), ("peak_mb", "kg load peak MB")):  # fmt: skip
        ours, theirs = result["acled"][key], result["gdelt"][key]
        ratio = f"{ours / theirs:.2f}x" if theirs else ""
        print(f"{label:<28} {ours:>12,} {theirs:>12,} {ratio:>8}")
    for name in ("acled", "gdelt"):
        top = ", ".join(f"{count:,} {reason}" for reason, count in list(result[name]["skipped"].items())[:6])
        print(f"{name} skipped: {top}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the numbers here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-acled-") as tmp:
        result = bench(args.rows, Path(tmp), args.seed)
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
