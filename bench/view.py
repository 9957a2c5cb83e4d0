"""How long `kg view` takes to write a page, and Chromium to lay it out, at 1k and 10k edges.

    python bench/view.py            # prints a table; needs Debian's chromium and playwright

Baseline in the same run: the time to read the claims from the store (select_claims),
which every page needs anyway.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml  # noqa: E402
from generate import generate  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from kg.loader import load  # noqa: E402
from kg.projection import select_claims  # noqa: E402
from kg.store import open_store  # noqa: E402
from kg.view import build_view, write_view  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.test_view import CHROMIUM, FLAGS, wait_until_settled  # noqa: E402

SIZES = [("1k edges", 1200, 300), ("10k edges", 14000, 2500)]  # (name, assertions, actors)


def settle_ms(browser, path: Path) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    started = time.perf_counter()
    page.goto(path.as_uri())
    wait_until_settled(page, 600)
    total = (time.perf_counter() - started) * 1000
    inner = page.evaluate("window.kg.settledMs")
    page.close()
    return total, inner


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for name, assertions, actors in SIZES:
            data = Path(tmp) / f"{name}.yaml"
            data.write_text(yaml.safe_dump(generate(assertions, 1, actors), sort_keys=False), encoding="utf-8")
            store = open_store(Path(tmp) / f"store-{assertions}")
            load(store, [data])
            t0 = time.perf_counter()
            select_claims(store)
            baseline = time.perf_counter() - t0
            t0 = time.perf_counter()
            view = build_view(store, max_lines=None)  # every line: the cost of the page as the graph grows
            write_view(view, Path(tmp) / "page.html")
            generate_s = time.perf_counter() - t0
            total, inner = settle_ms(browser, Path(tmp) / "page.html")
            rows.append((name, view.nodes, view.edges, baseline, generate_s, total / 1000, inner / 1000, view.large))
            store.close()
        browser.close()
    header = ["size", "actors", "edges", "read claims s", "kg view s", "ratio", "open+settle s", "layout s", "physics"]
    print("  ".join(f"{h:>13}" for h in header))
    for name, nodes, edges, baseline, gen, total, inner, large in rows:
        physics = "off (large)" if large else "on, stops when settled"
        cells = [name, nodes, edges, f"{baseline:.2f}", f"{gen:.2f}", f"{gen / baseline:.1f}", f"{total:.2f}", f"{inner:.2f}", physics]
        print("  ".join(f"{c:>13}" for c in cells))


if __name__ == "__main__":
    main()
