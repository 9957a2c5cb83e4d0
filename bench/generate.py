"""Generate a realistic synthetic dataset in the loader's YAML format.

    python bench/generate.py 10000 -o bench/data/10k.yaml [--seed 1]
    python bench/generate.py 1000000 --csv bench/data/1m/      # actors.csv, sources.csv, claims.csv

About N/200 actors of every type, with aliases; power-law degree (a few actors are in
most claims, as in real conflicts); every relation and sub-relation; one to three
sources per claim; dates over four decades; a third of the claims with a validity
interval. Deterministic for a given N and seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

import yaml

TYPES = ["State", "Government", "MilitaryUnit", "ArmedGroup", "Organization", "Person", "Process"]
RELATIONS = [
    ("backs", 10), ("militarily-backs", 6), ("politically-backs", 6), ("financially-backs", 4),
    ("opposes", 10), ("fights", 8), ("condemns", 8), ("mediates", 3), ("negotiates-with", 6),
    ("part-of", 2), ("participates-in", 2), ("represents", 1),
]  # fmt: skip
WORDS = "north south east west free popular national democratic islamic united revolutionary front army council union forces".split()


def generate(n: int, seed: int = 1, actor_count: int | None = None) -> dict:
    rng = random.Random(seed)
    actor_count = actor_count or max(10, n // 200)
    actors = {}
    for i in range(actor_count):
        name = " ".join(rng.sample(WORDS, 2)).title() + f" {i}"
        actors[f"a{i}"] = {"label": name, "type": TYPES[i % len(TYPES)], "aliases": [f"Alias {i}", f"A-{i}"]}
    weights = [1 / (rank + 1) ** 1.1 for rank in range(actor_count)]  # Zipf-like popularity
    ids = list(actors)
    sources = {
        f"s{i}": {
            "title": f"Report {i}",
            "publisher": f"Agency {i % 40}",
            "url": f"https://example.org/r/{i}",
            "date": _day(rng).isoformat(),
        }
        for i in range(max(5, n // 5))
    }
    source_ids = list(sources)
    names, relation_weights = zip(*RELATIONS, strict=False)
    assertions = []
    while len(assertions) < n:
        subject, obj = rng.choices(ids, weights, k=2)
        if subject == obj:
            continue
        relation = rng.choices(names, relation_weights)[0]
        day = _day(rng)
        claim = {
            "subject": subject,
            "relation": relation,
            "object": obj,
            "sources": rng.sample(source_ids, rng.randint(1, 3)),
            "date": day.isoformat(),
            "confidence": round(rng.uniform(0.3, 1.0), 2),
            "quote": f"Claim {len(assertions)}: {actors[subject]['label']} {relation} {actors[obj]['label']}.",
        }
        if rng.random() < 0.33:
            claim["valid_from"] = (day - dt.timedelta(days=rng.randint(0, 3000))).isoformat()
            claim["valid_until"] = (day + dt.timedelta(days=rng.randint(0, 2000))).isoformat()
        assertions.append(claim)
    return {"sources": sources, "actors": actors, "assertions": assertions}


def write_csv(data: dict, folder: Path) -> None:
    """The same data as three CSV files the loader reads (actors, sources, claims)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "actors.csv": (
            ["id", "label", "type", "aliases"],
            [{"id": k, **v, "aliases": "|".join(v["aliases"])} for k, v in data["actors"].items()],
        ),
        "sources.csv": (["id", "title", "publisher", "url", "date"], [{"id": k, **v} for k, v in data["sources"].items()]),
        "claims.csv": (
            ["subject", "relation", "object", "source", "date", "confidence", "valid_from", "valid_until", "quote"],
            [{**a, "source": ",".join(a["sources"])} for a in data["assertions"]],
        ),
    }
    for name, (columns, rows) in tables.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)


def _day(rng: random.Random) -> dt.date:
    return dt.date(1985, 1, 1) + dt.timedelta(days=rng.randint(0, 40 * 365))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of assertions")
    parser.add_argument("-o", "--output", type=Path, help="YAML file to write (default: stdout)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--actors", type=int, help="number of actors (default: N/200, at least 10)")
    parser.add_argument("--csv", type=Path, metavar="FOLDER", help="write actors.csv, sources.csv and claims.csv here instead")
    args = parser.parse_args()
    data = generate(args.n, args.seed, args.actors)
    if args.csv:
        write_csv(data, args.csv)
        return
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
