"""`kg view --diff FROM TO` in a real headless Chromium: the map of TO with the lines gained
since FROM highlighted, the lines lost ghosted, pairs that turned and actors that changed
marked, as ``kg.analyse.diff`` finds them."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from kg.analyse.diff import diff
from kg.errors import KgError
from kg.loader import load
from kg.selection import Selection
from kg.view import FAMILY_STYLES, write_view
from kg.view.diffmap import STYLES, build_diff_view, diff_page_data
from tests.conftest import ROOT, write
from tests.test_view import HOSTILE, SPOOF, Page, tooltip_over
from tests.test_view import browser as browser  # noqa: F401 - the real Chromium fixture

FROM, TO = dt.date(2019, 6, 1), dt.date(2023, 1, 1)

#: One link of each kind between FROM and TO: a backs b ends and a fights b starts (the pair
#: turns), c's ally d gives way to e (c changes camp; allied-with draws a line each way),
#: d negotiates with e all along, old vanishes and new appears. Some labels are hostile.
CHANGES = {
    "sources": {"s": {"title": "S", "publisher": "P", "date": "2024-06-01", "url": "https://example.org/s"}},
    "actors": {
        "a": {"label": "A", "type": "State"},
        "b": {"label": "B", "type": "ArmedGroup"},
        "c": {"label": "C", "type": "ArmedGroup"},
        "d": {"label": HOSTILE[1], "type": "State"},
        "e": {"label": SPOOF, "type": "State"},
        "old": {"label": "Old Group", "type": "ArmedGroup"},
        "new": {"label": HOSTILE[0], "type": "ArmedGroup"},
    },
    "assertions": [
        {"claim": "a backs b", "source": "s", "valid_from": "2018-01-01", "valid_until": "2020-12-31"},
        {"claim": "a fights b", "source": "s", "valid_from": "2021-03-01"},
        {"claim": "c allied-with d", "source": "s", "valid_from": "2018-01-01", "valid_until": "2020-06-30"},
        {"claim": "c allied-with e", "source": "s", "valid_from": "2021-01-01"},
        {"claim": "d negotiates-with e", "source": "s", "valid_from": "2018-01-01", "quote": HOSTILE[2]},
        {"claim": "old fights a", "source": "s", "valid_from": "2018-01-01", "valid_until": "2019-12-31"},
        {"claim": "new fights d", "source": "s", "valid_from": "2022-01-01"},
    ],
}
GAINED = [("a", "opposes", "b"), ("c", "backs", "e"), ("e", "backs", "c"), ("new", "opposes", "d")]
LOST = [("a", "backs", "b"), ("c", "backs", "d"), ("d", "backs", "c"), ("old", "opposes", "a")]
UNCHANGED = [("d", "negotiates-with", "e")]


@pytest.fixture
def changes_store(store, tmp_path):
    load(store, [write(tmp_path / "changes.yaml", json.dumps(CHANGES))])
    return store


def open_diff(browser, store, tmp_path: Path, start: dt.date, end: dt.date, **options) -> Page:
    path = tmp_path / "changes.html"
    write_view(build_diff_view(store, start, end, **options), path)
    return Page(browser, path)


@pytest.fixture
def changes_page(browser, changes_store, tmp_path):
    page = open_diff(browser, changes_store, tmp_path, FROM, TO)
    yield page
    page.page.close()


def drawn(page: Page, source: str, family: str, target: str) -> dict:
    """How vis-network draws the line: width, dashes, opacity, glow, label."""
    return page.page.evaluate(
        """([s, f, t]) => { const e = window.kg.edges.get({filter: x => x.from === s && x.family === f && x.to === t})[0];
                            const o = window.kg.network.body.edges[e.id].options;
                            return {width: o.width, dashes: o.dashes, opacity: o.color.opacity, glow: o.shadow.enabled,
                                    label: o.label === undefined ? null : o.label}; }""",
        [source, family, target],
    )


def legend_count(page: Page, selector: str) -> int:
    return int(page.page.inner_text(f"#legend-changes {selector}"))


def test_gained_lines_glow_lost_ones_are_ghosted_and_unchanged_ones_drawn_as_usual(changes_page):
    page = changes_page
    shown = [tuple(line) for line in page.js("window.kg.visibleChanges()")]
    expected = [(*line, "gained") for line in GAINED] + [(*line, "lost") for line in LOST] + [(*line, "unchanged") for line in UNCHANGED]
    assert shown == sorted(expected)
    gained, lost, unchanged = drawn(page, "a", "opposes", "b"), drawn(page, "a", "backs", "b"), drawn(page, "d", "negotiates-with", "e")
    assert gained["glow"] and gained["width"] == unchanged["width"] + STYLES["gained"]["extraWidth"]  # one source each
    assert (lost["dashes"], lost["opacity"], lost["glow"]) == (STYLES["lost"]["dashes"], STYLES["lost"]["opacity"], False)
    assert (unchanged["dashes"], unchanged["opacity"], unchanged["glow"]) == (FAMILY_STYLES["negotiates-with"]["dashes"], 1, False)
    assert gained["label"] == "allied → opposed" and unchanged["label"] is None  # the pair turned
    nodes = page.js("Object.fromEntries(window.kg.nodes.get().map(n => [n.id, [n.change, n.opacity === undefined ? 1 : n.opacity]]))")
    assert nodes["new"] == ["appeared", 1] and nodes["old"] == ["vanished", STYLES["vanished"]["opacity"]]
    assert nodes["c"][0] == "moved" and nodes["a"] == [None, 1]
    assert page.errors == []


def test_the_legend_counts_each_kind_and_filters_by_it(changes_page, changes_store):
    page = changes_page
    assert page.page.is_visible("#legend-changes")
    assert [legend_count(page, f"[data-count='{kind}']") for kind in ("gained", "lost", "unchanged")] == [4, 4, 1]
    rows = Counter(c.kind for c in diff(changes_store, FROM, TO).changes)
    assert legend_count(page, "#count-turned") == rows["turned"] == 1
    assert [legend_count(page, f"[data-actor-change='{kind}']") for kind in ("appeared", "vanished", "moved")] == [
        rows["appeared"],
        rows["vanished"],
        rows["moved"],
    ]
    legend = page.page.inner_text("#legend-changes")
    assert "gained since 2019-06-01" in legend and "lost by 2023-01-01: ghosted" in legend and "unchanged: on both dates" in legend
    page.page.uncheck("#legend-changes input[data-key='lost']")
    assert not [line for line in page.js("window.kg.visibleChanges()") if line[3] == "lost"]
    assert "old" not in page.js("window.kg.visibleNodes()")  # it has lost lines only
    assert legend_count(page, "[data-count='lost']") == 0 and legend_count(page, "[data-actor-change='vanished']") == 0
    page.page.check("#legend-changes input[data-key='lost']")
    assert len(page.js("window.kg.visibleChanges()")) == 9
    assert page.errors == []


def test_the_page_says_which_dates_it_compares_and_offers_no_slider(changes_page):
    page = changes_page.page
    assert page.title() == "actorgraph: alliances: changes from 2019-06-01 to 2023-01-01"
    assert page.inner_text("#title") == page.title()
    assert page.inner_text("#diff-dates") == "changes from 2019-06-01 to 2023-01-01 (kg view --diff)"
    assert not page.is_visible("#date-slider") and page.is_disabled("#use-date") and changes_page.js("window.kg.state.date") is None
    assert page.is_disabled("#show-allegations")  # the claims are those kg diff compares: --stance chooses them


def test_tooltips_and_the_panel_say_what_changed(changes_page):
    page = changes_page
    assert "ended before 2023-01-01: held on 2019-06-01, not on 2023-01-01" in tooltip_over(page, "old", "opposes", "a")
    tip = tooltip_over(page, "a", "opposes", "b")
    assert "new since 2019-06-01" in tip and "the pair turned: allied → opposed" in tip
    page.js("window.kg.showEdge(window.kg.edges.get({filter: e => e.from === 'd' && e.family === 'negotiates-with'})[0].id)")
    assert "unchanged: holds on 2019-06-01 and on 2023-01-01" in page.panel()
    page.js("window.kg.showNode('old')")
    assert "gone by 2023-01-01: no claim on 2023-01-01" in page.panel()
    page.js("window.kg.showNode('new')")
    assert "new since 2019-06-01" in page.panel()
    assert page.errors == []


def test_labels_from_the_data_stay_text(changes_page):
    page = changes_page
    page.js("window.kg.showNode('c')")
    panel = page.panel()
    assert f"changed camp: with {HOSTILE[1]} on 2019-06-01; with abc\\u202egpj.exe on 2023-01-01" in panel
    page.js("window.kg.showNode('new')")
    assert HOSTILE[0] in page.panel()
    page.js("window.kg.showEdge(window.kg.edges.get({filter: e => e.from === 'd' && e.family === 'negotiates-with'})[0].id)")
    assert HOSTILE[2] in page.panel()
    assert tooltip_over(page, "new", "opposes", "d").splitlines()[0] == f"{HOSTILE[0]} opposes {HOSTILE[1]}"
    assert page.js("document.querySelectorAll('#panel img, #panel script, #panel a[href^=javascript], .vis-tooltip img').length") == 0
    assert page.js("window.__pwned === undefined") and page.errors == []


def test_a_hostile_title_stays_text(browser, changes_store, tmp_path):
    page = open_diff(browser, changes_store, tmp_path, FROM, TO, title=HOSTILE[1])
    assert page.page.inner_text("#title") == f"{HOSTILE[1]}: changes from 2019-06-01 to 2023-01-01"
    assert page.js("document.querySelectorAll('#title *, header img').length") == 0
    assert page.js("window.__pwned === undefined") and page.errors == []
    page.page.close()


@pytest.mark.parametrize(
    ("start", "end", "selection", "message"),
    [
        (TO, FROM, Selection(), "--diff: FROM 2023-01-01 must be before TO 2019-06-01"),
        (FROM, FROM, Selection(), "--diff: FROM 2019-06-01 must be before TO 2019-06-01"),
        (FROM, TO, Selection(as_of=TO), "--diff: the map of changes draws FROM and TO: leave out --as-of"),
    ],
)
def test_dates_the_wrong_way_round_or_with_as_of_are_refused(changes_store, start, end, selection, message):
    with pytest.raises(KgError) as error:
        build_diff_view(changes_store, start, end, selection)
    assert error.value.field == "--diff" and error.value.message == message


def test_nothing_holding_on_either_date_says_so(browser, changes_store, tmp_path):
    page = open_diff(browser, changes_store, tmp_path, dt.date(1990, 1, 1), dt.date(1991, 1, 1))
    assert page.page.inner_text("#status") == "No claim holds on 1990-01-01 or on 1991-01-01 (kg view --diff)."
    page.page.close()


def test_on_the_example_the_maps_changes_are_kg_diffs(browser, store, tmp_path):
    """typed-relations has dated claims: a link ends (al-Nusra leaves al-Qaeda), others start,
    and allied-with draws lines both ways. The page's gained and lost lines stand for exactly
    the links kg diff says started and ended; its marked actors are kg diff's."""
    load(store, [ROOT / "examples" / "typed-relations" / "typed-relations.yaml"])
    start, end = dt.date(2015, 1, 1), dt.date(2024, 12, 31)
    found = diff(store, start, end)
    links = {kind: {(c.a, c.family, c.b) for c in found.changes if c.kind == kind} for kind in ("started", "ended")}
    assert links["started"] and links["ended"]
    page = open_diff(browser, store, tmp_path, start, end)
    lines = page.js("window.kg.edges.get().map(e => [e.change, e.link, e.from, e.family, e.to])")
    assert {tuple(link) for change, link, *_ in lines if change == "gained"} == links["started"]
    assert {tuple(link) for change, link, *_ in lines if change == "lost"} == links["ended"]
    shown = {tuple(line[:3]) for line in page.js("window.kg.visibleChanges()")}
    assert shown == {(s, f, o) for _, _, s, f, o in lines}  # every line on screen at first
    actors = page.js("Object.fromEntries(window.kg.nodes.get().filter(n => n.change).map(n => [n.id, n.change]))")
    assert actors == {c.a: c.kind for c in found.changes if c.kind in ("appeared", "vanished", "moved")}
    data = diff_page_data(store, start, end)
    assert Counter(e["change"] for e in data["edges"]) == Counter(change for change, *_ in lines)
    assert page.errors == []
    page.page.close()
