"""How good the drafts of `kg extract` are: precision and recall against curated readings.

    .venv/bin/python -m bench.extract                     # every examples/*/article.txt
    .venv/bin/python -m bench.extract --json              # also write bench/results/extract.json
    .venv/bin/python -m bench.extract --article examples/x/x.yaml article.txt   # another pair

Each article is an ``article.txt`` next to the curated YAML file read from it; the curated
file's actors are the known actors and its source the draft's. Claims are compared on the
four relation families (backs, opposes, mediates, negotiates-with), each sub-relation rolled up
to its family through the ontology (arms -> backs, fights -> opposes). An item is (family,
subject, object, denied or not): a symmetric relation (negotiates-with, clashes-with, rival-of
...) matches in either direction, a mediation is one item per mediator with its parties as a
set. Whether a claim is asserted or alleged is not scored (a curated reading may state as fact
what the article attributes, "according to the ministry"); denied claims match only denied
ones. Duplicates count once. Also reported: how often matched claims agree on the exact
stance, and the time to draft the article (best of several runs).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from kg.extract import extract  # noqa: E402
from kg.names import ActorIndex  # noqa: E402
from kg.ontology import load_ontology  # noqa: E402
from kg.output import render  # noqa: E402
from kg.sources import yaml_file  # noqa: E402

FAMILIES = ("backs", "opposes", "mediates", "negotiates-with")
RUNS = 20


@dataclass(frozen=True)
class Item:
    """One claim as scored: family, subject, object(s) (a set for a mediation's parties)."""

    family: str
    subject: str
    objects: frozenset[str]
    denied: bool
    symmetric: bool = field(compare=False)
    stance: str = field(compare=False)  # not scored, only reported (same_stance)

    def matches(self, other: Item) -> bool:
        if (self.family, self.denied) != (other.family, other.denied):
            return False
        if (self.subject, self.objects) == (other.subject, other.objects):
            return True
        turned = self.objects == frozenset({other.subject}) and other.objects == frozenset({self.subject})
        return (self.symmetric or other.symmetric) and turned


def items(subjects: list[str], relation: str, objects: list[str], stance: str) -> list[Item]:
    """The scored items of one claim, or none if its relation is of no scored family."""
    ontology = load_ontology()
    named = ontology.relation(relation)
    forward, swapped = ontology.forward(named)
    family = ontology.family(forward).name
    if family not in FAMILIES:
        return []
    if swapped:
        subjects, objects = objects, subjects
    symmetric = forward.symmetric or ontology.relations[ontology.families[family].iri].symmetric
    if family == "mediates":
        return [Item(family, s, frozenset(objects), stance == "denied", symmetric, stance) for s in subjects]
    return [Item(family, s, frozenset({o}), stance == "denied", symmetric, stance) for s in subjects for o in objects]


def curated(path: Path) -> tuple[list, object, list[Item]]:
    """The curated file's actors, its source, and its claims as items (names resolved)."""
    document = yaml_file.read(path)
    index = ActorIndex(document.actors)
    found: list[Item] = []
    for a in document.assertions:
        subjects = [index.lookup(name) for name in (a.subject, *a.co_subjects)]
        objects = [index.lookup(name) for name in a.objects]
        found += items(subjects, a.relation, objects, a.stance)
    return document.actors, document.sources[0], found


def drafted(draft) -> list[Item]:
    found: list[Item] = []
    for c in draft.claims:
        found += items([c.subject, *c.co_subjects], c.relation, list(c.objects), c.stance)
    return found


def score(gold: list[Item], guess: list[Item]) -> dict:
    """Precision and recall, per family and over all four (micro)."""
    gold, guess = _unique(gold), _unique(guess)
    rows = {}
    for family in (*FAMILIES, "all"):
        g = [i for i in gold if family in (i.family, "all")]
        p = [i for i in guess if family in (i.family, "all")]
        found = [i for i in g if any(i.matches(j) for j in p)]
        right = [j for j in p if any(j.matches(i) for i in g)]
        agree = [j for j in right if any(j.matches(i) and j.stance == i.stance for i in g)]
        rows[family] = {
            "curated": len(g),
            "drafted": len(p),
            "found": len(found),
            "right": len(right),
            "precision": round(len(right) / len(p), 3) if p else None,
            "recall": round(len(found) / len(g), 3) if g else None,
            "same_stance": round(len(agree) / len(right), 3) if right else None,
        }
    return rows


def _unique(found: list[Item]) -> list[Item]:
    """One item per claim scored: the first of equal ones (whatever its stance), symmetric if
    any of them is ("X and Y clashed" and "X condemns Y" are one claim that X opposes Y)."""
    kept: dict[Item, Item] = {}
    for item in found:
        first = kept.setdefault(item, item)
        if item.symmetric and not first.symmetric:
            kept[item] = Item(first.family, first.subject, first.objects, first.denied, True, first.stance)
    return list(kept.values())


def timed(text: str, actors: list, source) -> tuple[object, float]:
    best, draft = float("inf"), None
    for _ in range(RUNS):
        started = time.perf_counter()
        draft = extract(text, actors, source)
        best = min(best, time.perf_counter() - started)
    return draft, best


def bench(curated_file: Path, article: Path) -> dict:
    actors, source, gold = curated(curated_file)
    text = article.read_text(encoding="utf-8")
    draft, seconds = timed(text, actors, source)
    words = len(text.split())
    return {
        "article": str(article.relative_to(ROOT) if article.is_relative_to(ROOT) else article),
        "curated": str(curated_file.relative_to(ROOT) if curated_file.is_relative_to(ROOT) else curated_file),
        "words": words,
        "sentences": draft.sentences,
        "claims_drafted": len(draft.claims),
        "new_actors": len(draft.actors),
        "seconds": round(seconds, 4),
        "ms_per_1000_words": round(seconds / words * 1e6, 2),
        "families": score(gold, drafted(draft)),
    }


def examples() -> list[tuple[Path, Path]]:
    """Each ``examples/*/article.txt`` with the curated YAML file next to it."""
    pairs = []
    for article in sorted((ROOT / "examples").glob("*/article.txt")):
        readings = sorted(article.parent.glob("*.yaml"))
        if len(readings) == 1:
            pairs.append((readings[0], article))
    return pairs


def table(results: list[dict]) -> str:
    rows = []
    for result in results:
        name = Path(result["article"]).parent.name
        for family, s in result["families"].items():
            rows.append({"article": name, "family": family} | {k: "" if v is None else v for k, v in s.items()})
    columns = ["article", "family", "curated", "drafted", "found", "right", "precision", "recall", "same_stance"]
    speed = [
        f"{Path(r['article']).parent.name}: {r['words']} words, {r['sentences']} sentences, {r['claims_drafted']} claims, "
        f"{r['new_actors']} new actors, {r['seconds'] * 1000:.1f} ms ({r['ms_per_1000_words']:.1f} ms per 1,000 words)"
        for r in results
    ]
    return render(rows, columns) + "\n\n" + "\n".join(speed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json", nargs="?", const=str(HERE / "results" / "extract.json"), metavar="FILE", help="also write the numbers as JSON"
    )
    parser.add_argument("--article", nargs=2, action="append", default=[], metavar=("CURATED", "TEXT"), help="score another pair")
    args = parser.parse_args(argv)
    pairs = examples() + [(Path(c), Path(t)) for c, t in args.article]
    results = [bench(c.resolve(), t.resolve()) for c, t in pairs]
    print(table(results))
    if args.json:
        machine = {"python": platform.python_version(), "machine": platform.machine(), "processor": platform.processor()}
        Path(args.json).write_text(json.dumps({"machine": machine, "articles": results}, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
