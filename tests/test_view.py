"""`kg view` in a real headless Chromium (Debian's, driven by Playwright): the example's
network, filters, time slider, evidence panel, offline-ness, and a hostile dataset.

``KG_UPDATE_DOCS=1`` also refreshes the README screenshot ``docs/alliances.png``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.generate import generate, write_csv
from kg.loader import load
from kg.ontology import load_ontology
from kg.projection import all_claims, claims_by_edge, select_claims
from kg.selection import Selection
from kg.store import open_store
from kg.view import ALLEGED, FAMILY_STYLES, OTHER_FAMILY, build_view, families, page_data, render, write_view
from tests.conftest import EXAMPLE, ROOT, write

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def wait_until_settled(page, timeout_s: float) -> None:
    """Poll with page.evaluate: Playwright's wait_for_function evaluates a string, which the
    page's Content-Security-Policy (rightly) refuses."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate("Boolean(window.kg && window.kg.settledMs !== null)"):
        if time.monotonic() > deadline:
            raise TimeoutError("the map's layout did not settle")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


class Page:
    """A loaded page plus what it logged and requested."""

    def __init__(self, browser, path: Path, viewport: tuple[int, int] = (1400, 850)) -> None:
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        wait_until_settled(self.page, 60)

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def edges(self) -> list[tuple[str, str, str]]:
        return [tuple(e) for e in self.js("window.kg.visibleEdges()")]

    def click_edge(self, source: str, family: str, target: str) -> None:
        """A real mouse click on the middle of the drawn edge."""
        self.page.mouse.click(*self.edge_point(source, family, target))

    def edge_point(self, source: str, family: str, target: str) -> tuple[float, float]:
        """Where the middle of the drawn edge is on the page."""
        return self.js(
            f"""(() => {{
              const e = window.kg.edges.get({{filter: x => x.from === {json.dumps(source)} && x.family === {json.dumps(family)}
                                                  && x.to === {json.dumps(target)}}})[0];
              const p = window.kg.network.body.edges[e.id].edgeType.getPoint(0.5);
              const dom = window.kg.network.canvasToDOM(p);
              const box = document.getElementById('network').getBoundingClientRect();
              return [dom.x + box.left, dom.y + box.top];
            }})()"""
        )

    def panel(self) -> str:
        return self.page.inner_text("#panel")


@pytest.fixture
def example_page(browser, example_store, tmp_path):
    path = tmp_path / "alliances.html"
    write_view(build_view(example_store), path)
    page = Page(browser, path)
    yield page
    page.page.close()


def test_example_network_holds_the_expected_nodes_and_edges(example_page, example_store):
    nodes = example_page.js("window.kg.visibleNodes()")
    assert {"russia", "turkey", "iran", "syrian-government", "ypg", "sna", "islamic-state", "astana-process"} <= set(nodes)
    edges = example_page.edges()
    for edge in [
        ("turkey", "backs", "sna"),
        ("russia", "backs", "syrian-government"),
        ("russia", "mediates", "ypg"),
        ("sna", "opposes", "ypg"),
        ("iran", "negotiates-with", "turkey"),
        ("iran", "participates-in", "astana-process"),
    ]:
        assert edge in edges
    assert len(edges) == len(page_data(example_store, Selection(), "t")["edges"])
    assert example_page.errors == []
    assert all(url.startswith(("file:", "data:")) for url in example_page.requests), example_page.requests


def test_page_is_offline_and_self_contained(example_store):
    html = build_view(example_store).html
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=", html, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:", html, re.I) and "@import" not in html
    assert "default-src 'none'" in html


def test_unchecking_opposes_hides_those_edges(example_page):
    assert any(family == "opposes" for _, family, _ in example_page.edges())
    example_page.page.uncheck("#legend-relations input[data-key='opposes']")
    edges = example_page.edges()
    assert edges and not any(family == "opposes" for _, family, _ in edges)
    example_page.page.check("#legend-relations input[data-key='opposes']")
    assert any(family == "opposes" for _, family, _ in example_page.edges())


def test_time_slider_before_the_article_hides_december_2020_claims(example_page):
    page = example_page.page
    page.check("#use-date")
    first_day = "JSON.parse(document.getElementById('kg-data').textContent).dates[0]"
    days = example_page.js(f"(Date.parse('2020-12-26') - Date.parse({first_day})) / 86400000")
    page.eval_on_selector("#date-slider", "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input')); }", days)
    assert page.inner_text("#date-label") == "2020-12-26"
    edges = example_page.edges()
    assert ("turkey", "backs", "sna") not in edges  # reported 2020-12-29
    assert ("russia", "mediates", "ypg") not in edges
    assert ("russia", "negotiates-with", "turkey") in edges  # Astana, since 2017
    assert ("turkey", "opposes", "ypg") in edges  # offensives since 2016
    page.uncheck("#use-date")
    assert ("turkey", "backs", "sna") in example_page.edges()


def test_clicking_an_edge_shows_its_quote(example_page):
    example_page.click_edge("russia", "mediates", "ypg")
    panel = example_page.panel()
    assert "has been attempting to broker a ceasefire" in panel
    assert "The New Arab" in panel and "confidence 0.9" in panel
    link = example_page.page.get_attribute("#panel a", "href")
    assert link == "https://www.newarab.com/news/russia-send-reinforcements-syria-flashpoint-region"
    assert example_page.page.get_attribute("#panel a", "rel") == "noopener noreferrer"


def test_search_focuses_the_neighbourhood(example_page):
    example_page.page.fill("#search", "Damascus")
    example_page.page.dispatch_event("#search", "change")
    assert set(example_page.js("window.kg.visibleNodes()")) == {"russia", "syrian-government"}
    assert "Syrian government" in example_page.panel()


HOSTILE = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "<a href=javascript:window.__pwned='href'>click</a>",
]


def test_hostile_dataset_renders_as_text_and_runs_nothing(browser, store, tmp_path):
    data = {
        "sources": {"s": {"title": HOSTILE[0], "publisher": HOSTILE[1], "date": "2020-01-01", "url": "https://example.org/x"}},
        "actors": {
            "evil": {"label": HOSTILE[1], "type": "ArmedGroup", "aliases": [HOSTILE[2]]},
            "good": {"label": HOSTILE[0], "type": "State"},
        },
        "assertions": [{"subject": "evil", "relation": "opposes", "object": "good", "quote": " ".join(HOSTILE)}],
    }
    load(store, [write(tmp_path / "evil.yaml", json.dumps(data))])
    page_dict = page_data(store, Selection(), title=HOSTILE[1])
    page_dict["edges"][0]["claims"][0]["sources"][0]["url"] = "javascript:window.__pwned='url'"  # as if it got past the loader
    path = tmp_path / "evil.html"
    path.write_text(render(page_dict), encoding="utf-8")
    page = Page(browser, path)
    page.click_edge("evil", "opposes", "good")
    panel = page.panel()
    assert HOSTILE[1] in panel and HOSTILE[0] in panel and HOSTILE[2] in panel
    assert page.js("document.querySelectorAll('#panel img, #panel script, #title *').length") == 0
    assert page.js("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))") == []
    page.js("window.kg.showNode('evil')")
    assert HOSTILE[2] in page.panel()
    assert page.page.inner_text("#title") == HOSTILE[1]
    assert page.js("window.__pwned === undefined")
    assert page.errors == []
    page.page.close()


def test_cli_writes_the_page_atomically_and_prints_its_path(kg, store_dir, tmp_path):
    kg("load", str(EXAMPLE))
    target = tmp_path / "map.html"
    result = kg("view", "-o", str(target), "--focus", "ypg", "--color-by", "bloc")
    assert result.exit_code == 0 and result.stdout.strip() == str(target)
    assert "People's Protection Units" in target.read_text(encoding="utf-8")
    before = target.read_bytes()
    result = kg("view", "-o", str(target), "--focus", "nobody")
    assert result.exit_code == 1 and target.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_readme_screenshot(example_page):
    """Keeps docs/alliances.png reproducible: KG_UPDATE_DOCS=1 rewrites it."""
    shot = example_page.page.screenshot()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("KG_UPDATE_DOCS"):
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "alliances.png").write_bytes(shot)
    assert (ROOT / "docs" / "alliances.png").exists()


RLO = "\u202e"
SPOOF = f"abc{RLO}gpj.exe"  # an override makes it read "abcexe.jpg"
ARABIC = "بيان"


def test_bidi_controls_show_escaped_and_data_text_is_isolated(browser, store, tmp_path):
    """In real Chromium: where each character is drawn, not only what the DOM holds."""
    data = {
        "sources": {"s": {"title": ARABIC, "publisher": "12 News", "date": "2020-01-01", "url": "https://example.org/x"}},
        "actors": {"spoof": {"label": SPOOF, "type": "State", "aliases": [f"x{RLO}y"]}, "other": {"label": ARABIC, "type": "State"}},
        "assertions": [{"subject": "spoof", "relation": "opposes", "object": "other", "source": "s", "quote": f"he said {RLO}olleh"}],
    }
    load(store, [write(tmp_path / "bidi.yaml", json.dumps(data, ensure_ascii=False))])
    path = tmp_path / "bidi.html"
    write_view(build_view(store, title=SPOOF), path)
    page = Page(browser, path)
    escaped = "abc\\u202egpj.exe"
    assert page.js("window.kg.nodes.get('spoof').label") == escaped  # what vis-network draws on the canvas
    assert page.page.inner_text("#title") == escaped and page.page.title() == escaped
    page.js("window.kg.showEdge(window.kg.edges.getIds()[0])")
    panel = page.panel()
    assert escaped in panel and "he said \\u202eolleh" in panel and RLO not in panel
    # drawn left to right: the g of "gpj" left of the last e of ".exe" (an obeyed override swaps them)
    g, e = page.js(
        """(() => { const t = document.querySelector('#panel h3 bdi').firstChild, r = document.createRange();
                    const x = i => { r.setStart(t, i); r.setEnd(t, i + 1); return r.getBoundingClientRect().left; };
                    return [x(t.data.indexOf('gpj')), x(t.data.length - 1)]; })()"""
    )
    assert g < e
    # isolated: the Arabic title does not pull the publisher's "12" to its left
    title_right, twelve_left = page.js(
        """(() => { const a = document.querySelector('#panel a'), t = document.evaluate("//*[@id='panel']//text()[contains(., '12 News')]",
                    document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue, r = document.createRange();
                    r.setStart(t, t.data.indexOf('12')); r.setEnd(t, t.data.indexOf('12') + 2);
                    return [a.getBoundingClientRect().right, r.getBoundingClientRect().left]; })()"""
    )
    assert twelve_left >= title_right
    outside = """(texts => { const walk = document.createTreeWalker(document.getElementById('panel'), NodeFilter.SHOW_TEXT), found = [];
                   while (walk.nextNode()) {
                     const text = walk.currentNode;
                     if (texts.some(s => text.data.includes(s)) && !text.parentElement.closest('bdi')) found.push(text.data);
                   }
                   return found; })"""
    data_texts = ["gpj.exe", ARABIC, "12 News", "olleh", "x\\u202ey", "spoof opposes other"]
    assert page.page.evaluate(outside, data_texts) == []
    page.js("window.kg.showNode('spoof')")
    assert "x\\u202ey" in page.panel() and page.page.evaluate(outside, data_texts) == []
    page.page.fill("#search", f"no{RLO}body")
    page.page.dispatch_event("#search", "change")
    assert page.page.inner_text("#status") == "No actor named no\\u202ebody"
    assert page.errors == []
    page.page.close()


# -- what claims say (issue 15): allegations, denials, contested lines ---------------------------

SUDAN = """
sources:
  un: {title: UN panel report, publisher: United Nations, date: "2024-01-15", url: "https://example.org/un"}
  wam: {title: UAE rejects the report, publisher: WAM, date: "2024-01-20", url: "https://example.org/wam"}
  ap: {title: Egypt sends jets, publisher: AP, date: "2023-05-10", url: "https://example.org/ap"}
  mena: {title: Cairo denies, publisher: MENA, date: "2023-05-12", url: "https://example.org/mena"}
  jt: {title: Talks open in Jeddah, publisher: Reuters, date: "2023-05-20", url: "https://example.org/jt"}
actors:
  uae: {label: United Arab Emirates, type: State}
  egypt: {label: Egypt, type: State}
  rsf: {label: Rapid Support Forces, type: ArmedGroup}
  saf: {label: Sudanese Armed Forces, type: MilitaryUnit}
  saudi-arabia: {label: Saudi Arabia, type: State}
  united-states: {label: United States, type: State}
  jeddah-talks: {label: Jeddah talks, type: Process}
assertions:
  - {claim: saf fights rsf, source: un, date: "2023-04"}
  - {claim: uae backs rsf, source: un, stance: alleged, said_by: UN panel of experts, date: "2024-01", quote: credible allegations}
  - {claim: uae backs rsf, source: wam, stance: denied, said_by: uae, note: The ministry calls the report baseless.}
  - {claim: egypt backs saf, source: ap}
  - {claim: egypt backs saf, source: mena, stance: denied, said_by: egypt}
  - {claim: egypt backs rsf, source: un, stance: alleged, said_by: UN panel of experts}
  - {claim: saudi-arabia backs rsf, source: mena, stance: denied}
  - {subject: [saudi-arabia, united-states], relation: mediates, object: [saf, rsf], source: jt, process: jeddah-talks, host: saudi-arabia}
"""
ALLEGED_EDGES = [("egypt", "backs", "rsf"), ("uae", "backs", "rsf")]


def drawn(page: Page, source: str, family: str, target: str) -> dict:
    """The options vis-network draws the edge with (dashes, colour, middle marker, halo)."""
    return page.page.evaluate(
        """([s, f, t]) => { const e = window.kg.edges.get({filter: x => x.from === s && x.family === f && x.to === t})[0];
                            const o = window.kg.network.body.edges[e.id].options;
                            return {dashes: o.dashes, opacity: o.color.opacity, bar: o.arrows.middle.enabled, halo: o.shadow.enabled}; }""",
        [source, family, target],
    )


def show_allegations(page: Page) -> None:
    """Tick the legend's box and wait for the short layout that places the actors it adds."""
    page.page.check("#show-allegations")
    deadline = time.monotonic() + 30
    while page.js("window.kg.settling"):
        if time.monotonic() > deadline:
            raise TimeoutError("the actors the allegations add were not placed")
        time.sleep(0.05)


@pytest.fixture
def sudan_store(store, tmp_path):
    load(store, [write(tmp_path / "sudan.yaml", SUDAN)])
    return store


def open_page(browser, store, tmp_path, selection: Selection = Selection()) -> Page:
    path = tmp_path / "sudan.html"
    write_view(build_view(store, selection), path)
    return Page(browser, path)


@pytest.fixture
def sudan_page(browser, sudan_store, tmp_path):
    page = open_page(browser, sudan_store, tmp_path)
    yield page
    page.page.close()


def test_alleged_edges_are_hidden_until_the_legend_shows_them_dashed_and_faded(sudan_page):
    page = sudan_page
    assert not page.page.is_checked("#show-allegations")
    assert not set(ALLEGED_EDGES) & set(page.edges()) and ("saf", "opposes", "rsf") in page.edges()
    assert "uae" not in page.js("window.kg.visibleNodes()")  # only an allegation links it
    show_allegations(page)
    assert set(ALLEGED_EDGES) <= set(page.edges()) and "uae" in page.js("window.kg.visibleNodes()")
    alleged, asserted = drawn(page, "uae", "backs", "rsf"), drawn(page, "egypt", "backs", "saf")
    assert (alleged["dashes"], alleged["opacity"]) == ([10, 10], 0.45)
    assert (asserted["dashes"], asserted["opacity"]) == (False, 1)
    assert page.page.inner_text("#count-alleged") == "2"
    assert "dashed, faded" in page.page.inner_text("#legend")
    page.page.uncheck("#show-allegations")
    assert not set(ALLEGED_EDGES) & set(page.edges())
    assert page.errors == []


def test_a_contested_edge_is_marked_and_the_legend_says_so(sudan_page):
    page = sudan_page
    contested, plain = drawn(page, "egypt", "backs", "saf"), drawn(page, "saf", "opposes", "rsf")
    assert (contested["bar"], contested["halo"]) == (True, True)
    assert (plain["bar"], plain["halo"]) == (False, False)
    assert page.page.inner_text("#count-contested") == "1"
    show_allegations(page)
    denied_allegation = drawn(page, "uae", "backs", "rsf")
    assert (denied_allegation["bar"], denied_allegation["halo"]) == (True, True)
    assert not drawn(page, "egypt", "backs", "rsf")["bar"]  # alleged, never denied
    assert page.page.inner_text("#count-contested") == "2"
    assert "contested: a bar across, a halo" in page.page.inner_text("#legend")


def test_evidence_panel_shows_each_claims_stance_and_who_says_it(sudan_page):
    page = sudan_page
    page.click_edge("egypt", "backs", "saf")
    panel = page.panel()
    assert "Contested" in panel and "2 assertion(s) (1 denied)" in panel
    assert page.page.inner_text("#panel .claim.asserted .stance") == "asserted"
    denial = page.page.inner_text("#panel .claim.denied")
    assert denial.startswith("denied egypt backs saf") and "said by Egypt" in denial and "Cairo denies" in denial
    show_allegations(page)
    page.click_edge("uae", "backs", "rsf")
    alleged = page.page.inner_text("#panel .claim.alleged")
    assert alleged.startswith("alleged uae backs rsf") and "said by UN panel of experts" in alleged
    assert "credible allegations" in alleged and "reported 2024-01 ·" in alleged  # a month, as written
    denial = page.page.inner_text("#panel .claim.denied")
    assert "said by United Arab Emirates" in denial and "note: The ministry calls the report baseless." in denial
    page.click_edge("united-states", "mediates", "saf")
    assert "process Jeddah talks · host Saudi Arabia" in page.panel()
    assert page.errors == []


def test_denials_are_never_drawn(sudan_store):
    data = page_data(sudan_store, Selection(stances=("asserted", "alleged")), "t")
    edges = {(e["from"], e["family"], e["to"]): e for e in data["edges"]}
    assert ("saudi-arabia", "backs", "rsf") not in edges  # denied, and nobody claims it
    assert [c["stance"] for c in edges[("uae", "backs", "rsf")]["claims"]] == ["alleged", "denied"]
    assert all(any(c["stance"] != "denied" for c in e["claims"]) for e in data["edges"])


def test_a_selection_asking_for_allegations_opens_with_them_shown(browser, sudan_store, tmp_path):
    page = open_page(browser, sudan_store, tmp_path, Selection(stances=("asserted", "alleged")))
    assert page.page.is_checked("#show-allegations") and set(ALLEGED_EDGES) <= set(page.edges())
    page.page.close()


def test_with_allegations_hidden_a_focus_shows_exactly_the_asserted_neighbourhood(browser, sudan_store, tmp_path):
    """An allegation brings rsf within one step of egypt; with allegations hidden the page
    shows what the asserted claims alone select."""
    selection = Selection(focus="egypt")
    page = open_page(browser, sudan_store, tmp_path, selection)
    facts = claims_by_edge(select_claims(sudan_store, selection))
    assert page.edges() == sorted((s, f, o) for s, o, f in facts) == [("egypt", "backs", "saf")]
    show_allegations(page)
    assert page.edges() == [("egypt", "backs", "rsf"), ("egypt", "backs", "saf"), ("saf", "opposes", "rsf")]
    assert drawn(page, "saf", "opposes", "rsf")["dashes"] is False  # asserted, though only an allegation brings it in
    page.page.close()


def test_hostile_said_by_and_note_render_as_text(browser, store, tmp_path):
    data = {
        "sources": {"s": {"title": "t", "date": "2020-01-01", "url": "https://example.org/x"}},
        "actors": {"a": {"label": "A", "type": "State"}, "b": {"label": "B", "type": "State"}},
        "assertions": [
            {"claim": "a backs b", "source": "s", "stance": "alleged", "said_by": HOSTILE[1], "note": f"{HOSTILE[0]} {SPOOF}"},
        ],
    }
    load(store, [write(tmp_path / "evil.yaml", json.dumps(data))])
    page = open_page(browser, store, tmp_path)
    assert page.page.inner_text("#status").startswith("Nothing asserted here: tick \u201cshow allegations\u201d")
    show_allegations(page)
    page.click_edge("a", "backs", "b")
    panel = page.panel()
    assert f"said by {HOSTILE[1]}" in panel and HOSTILE[0] in panel and "abc\\u202egpj.exe" in panel and RLO not in panel
    assert page.js("document.querySelectorAll('#panel img, #panel script').length") == 0
    assert page.js("window.__pwned === undefined") and page.errors == []
    page.page.close()


# -- relation families and their sub-relations (issue 16) ----------------------------------------

TYPED = """
sources:
  s1: {title: One, publisher: P, date: "2021-01-01", url: "https://example.org/1"}
  s2: {title: Two, publisher: Q, date: "2022-01-01", url: "https://example.org/2"}
actors:
  russia: {label: Russia, type: State}
  north-korea: {label: North Korea, type: State}
  iran: {label: Iran, type: State}
  houthis: {label: Houthis, type: ArmedGroup}
  hts: {label: Hay'at Tahrir al-Sham, type: ArmedGroup}
  hurras: {label: Hurras al-Din, type: ArmedGroup}
  al-qaeda: {label: al-Qaeda, type: ArmedGroup}
  islamic-state: {label: Islamic State, type: ArmedGroup}
assertions:
  - {claim: iran arms houthis, source: s1}
  - {claim: iran funds houthis, source: s2}
  - {claim: iran backs houthis, source: s2}
  - {claim: iran trains houthis, source: s2, stance: alleged}
  - {claim: iran supplies houthis, source: s1, stance: denied}
  - {claim: russia allied-with north-korea, source: s1}
  - {claim: north-korea fights-alongside russia, source: s2}
  - {claim: hurras rival-of hts, source: s1}
  - {claim: hurras splinter-of hts, source: s1}
  - {claim: islamic-state splinter-of al-qaeda, source: s2}
  - {claim: hts fights islamic-state, source: s2}
"""
LAPTOP = (1366, 768)


def legend_groups(page: Page) -> list[tuple[str, list[str], bool]]:
    """Each family of the legend, in order: the sub-relations it lists, and whether they show."""
    return [
        (family, relations, shown)
        for family, relations, shown in page.js(
            """Array.from(document.querySelectorAll('#legend-relations .legend-family')).map(g => {
                 const list = g.querySelector('.sub-relations');
                 return [g.dataset.family, list ? Array.from(list.children).map(li => li.dataset.relation) : [],
                         Boolean(list && list.offsetParent !== null)]; })"""
        )
    ]


def relation_counts(page: Page) -> dict[str, int]:
    return page.js(
        """Object.fromEntries(Array.from(document.querySelectorAll('[data-relation-count]'))
             .map(s => [s.dataset.relationCount, Number(s.textContent)]))"""
    )


def tooltip_over(page: Page, source: str, family: str, target: str) -> str:
    """Move the real mouse onto the middle of a line and read the tooltip vis-network shows
    (first onto an empty corner of the map, which hides any tooltip shown before)."""
    tip = "document.querySelector('.vis-tooltip')"
    shown = f"Boolean({tip}) && getComputedStyle({tip}).visibility === 'visible'"
    corner = page.js(
        "(() => { const box = document.getElementById('network').getBoundingClientRect(); return [box.left + 3, box.top + 3]; })()"
    )
    page.page.mouse.move(*corner)
    wait_for(page, f"!({shown})", "the tooltip shown before did not hide")
    x, y = page.edge_point(source, family, target)
    page.page.mouse.move(x - 4, y)
    page.page.mouse.move(x, y)
    wait_for(page, shown, "no tooltip")
    return page.page.inner_text(".vis-tooltip")


def wait_for(page: Page, expression: str, failure: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not page.js(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(failure)
        time.sleep(0.05)


@pytest.fixture
def typed_store(store, tmp_path):
    load(store, [write(tmp_path / "typed.yaml", TYPED)])
    return store


@pytest.fixture
def typed_page(browser, typed_store, tmp_path):
    path = tmp_path / "typed.html"
    write_view(build_view(typed_store), path)
    page = Page(browser, path, LAPTOP)
    yield page
    page.page.close()


def test_every_family_has_its_own_style_lineage_included():
    styles = families()
    assert set(load_ontology().families) <= set(FAMILY_STYLES)  # none falls back to OTHER_FAMILY
    assert len({s["color"] for s in styles.values()} | {OTHER_FAMILY["color"]}) == len(styles) + 1
    lineage = FAMILY_STYLES["descends-from"]["dashes"]
    assert all(s["dashes"] != lineage for s in (*FAMILY_STYLES.values(), OTHER_FAMILY, ALLEGED) if s is not FAMILY_STYLES["descends-from"])
    assert styles["descends-from"] == {**FAMILY_STYLES["descends-from"], "label": "descends from", "arrow": True}


def test_legend_groups_the_sub_relations_of_the_pages_claims_under_their_family(typed_page, typed_store):
    page = typed_page
    groups = legend_groups(page)
    assert [family for family, _, _ in groups] == list(families())
    drawn_claims = [c for c in all_claims(typed_store) if c.stance != "denied"]
    listed = {(family, relation) for family, relations, _ in groups for relation in relations}
    assert listed == {(c.family, c.relation) for c in drawn_claims}  # only those present: no "supplies" (denied)
    assert not any(shown for _, _, shown in groups)  # collapsed at first
    relations = {family: relations for family, relations, _ in groups}
    assert relations["backs"][0] == "backs"  # claims of the family itself come first, then each relation before its refinements
    assert relations["backs"].index("fights-alongside") == relations["backs"].index("allied-with") + 1
    assert relations["descends-from"] == ["splinter-of"] and relations["mediates"] == []
    data = page_data(typed_store, Selection(), "t")
    lines = Counter(f"{e['family']} {r}" for e in data["edges"] for r in {c["relation"] for c in e["claims"] if c["stance"] == "asserted"})
    counts = relation_counts(page)
    assert set(counts) == {f"{family} {relation}" for family, relation in listed}
    assert counts == {key: lines.get(key, 0) for key in counts}
    assert counts["backs allied-with"] == 2 and counts["backs trains"] == 0  # symmetric: a line each way; alleged: hidden
    show_allegations(page)
    assert relation_counts(page)["backs trains"] == 1
    dash = page.js("document.querySelector(\"[data-family='descends-from'] .swatch-svg line\").getAttribute('stroke-dasharray')")
    assert dash == " ".join(map(str, FAMILY_STYLES["descends-from"]["dashes"]))
    assert drawn(page, "hurras", "descends-from", "hts")["dashes"] == FAMILY_STYLES["descends-from"]["dashes"]
    assert page.errors == []


def test_a_familys_group_collapses_and_expands(typed_page):
    page = typed_page.page
    toggle = "[data-family='backs'] button.expand"
    before = typed_page.edges()
    assert page.get_attribute(toggle, "aria-expanded") == "false" and not page.is_visible("#sub-relations-backs")
    page.click(toggle)
    assert page.get_attribute(toggle, "aria-expanded") == "true" and page.is_visible("#sub-relations-backs")
    vias = page.eval_on_selector_all(
        "#sub-relations-backs li", "items => items.map(li => [li.dataset.relation, li.querySelector('.via')?.textContent])"
    )
    assert ["arms", " · militarily-backs"] in vias and ["fights-alongside", " · allied-with"] in vias and ["allied-with", None] in vias
    assert not page.is_visible("#sub-relations-opposes")  # the others stay as they were
    assert page.is_checked("#legend-relations input[data-key='backs']") and typed_page.edges() == before
    page.click(toggle)
    assert page.get_attribute(toggle, "aria-expanded") == "false" and not page.is_visible("#sub-relations-backs")
    page.keyboard.press("Enter")  # the button keeps the focus: the keyboard opens it too
    assert page.is_visible("#sub-relations-backs")
    assert typed_page.errors == []


def test_the_legend_fits_a_laptop_screen(typed_page):
    """At 1366x768, the collapsed legend (every family and actor type) is on screen whole, and
    however many groups are open the page never scrolls: the side panel does."""
    page = typed_page
    fits = """(() => { const legend = document.getElementById('legend').getBoundingClientRect(), side = document.getElementById('side');
                       const page = document.scrollingElement;
                       return {legend: legend.bottom <= innerHeight && legend.right <= innerWidth,
                               page: page.scrollHeight <= innerHeight && page.scrollWidth <= innerWidth,
                               side: side.scrollWidth <= side.clientWidth,
                               map: document.getElementById('network').getBoundingClientRect().width}; })()"""
    assert page.js(fits) == {"legend": True, "page": True, "side": True, "map": page.js(fits)["map"]}
    assert page.js(fits)["map"] >= 900
    for toggle in page.page.query_selector_all("button.expand"):
        toggle.click()
    assert all(shown for _, relations, shown in legend_groups(page) if relations)
    opened = page.js(fits)
    assert opened["page"] and opened["side"]
    assert page.js("document.getElementById('side').scrollHeight > document.getElementById('side').clientHeight")  # it scrolls
    assert page.errors == []


def test_a_lines_tooltip_names_the_relations_of_its_claims(typed_page):
    page = typed_page
    tip = tooltip_over(page, "iran", "backs", "houthis")
    assert tip.splitlines()[0] == "Iran backs Houthis"
    assert "arms 1 asserted" in tip and "funds 1 asserted" in tip and "backs 1 asserted" in tip
    assert "trains" not in tip  # an allegation, hidden
    assert "supplies 1 denied" in tip
    show_allegations(page)
    assert "trains 1 alleged" in tooltip_over(page, "iran", "backs", "houthis")
    assert "splinter-of 1 asserted" in tooltip_over(page, "islamic-state", "descends-from", "al-qaeda")
    assert page.errors == []


def test_a_tooltip_shows_hostile_labels_as_text(browser, store, tmp_path):
    data = {
        "sources": {"s": {"title": "t", "date": "2020-01-01", "url": "https://example.org/x"}},
        "actors": {"evil": {"label": HOSTILE[1], "type": "ArmedGroup"}, "good": {"label": SPOOF, "type": "ArmedGroup"}},
        "assertions": [{"claim": "evil rival-of good", "source": "s"}],
    }
    load(store, [write(tmp_path / "evil.yaml", json.dumps(data))])
    path = tmp_path / "evil.html"
    write_view(build_view(store), path)
    page = Page(browser, path)
    tip = tooltip_over(page, "evil", "opposes", "good")
    assert tip.splitlines()[0] == f"{HOSTILE[1]} opposes abc\\u202egpj.exe" and "rival-of 1 asserted" in tip
    assert page.js("document.querySelectorAll('.vis-tooltip img, .vis-tooltip script').length") == 0
    assert page.js("window.__pwned === undefined") and page.errors == []
    page.page.close()


def test_a_map_written_as_of_a_date_says_so_and_its_slider_starts_there(browser, example_store, tmp_path):
    import datetime as dt

    day = dt.date(2018, 6, 1)
    page = open_page(browser, example_store, tmp_path, Selection(as_of=day))
    assert page.page.title().endswith("as of 2018-06-01") and page.page.inner_text("#title").endswith("as of 2018-06-01")
    assert page.js("document.getElementById('use-date').checked") is True
    assert page.page.inner_text("#date-label") == "2018-06-01 (kg view --as-of)"
    assert page.js("window.kg.state.date") == "2018-06-01"
    holding = claims_by_edge(select_claims(example_store, Selection(as_of=day)))
    assert page.edges() == sorted((s, f, o) for s, o, f in holding)
    page.page.close()
    empty = open_page(browser, example_store, tmp_path, Selection(as_of=dt.date(1999, 1, 1)))
    assert empty.page.inner_text("#status") == "No claim holds on 1999-01-01 (kg view --as-of)."
    empty.page.close()


def test_the_map_says_how_many_actors_with_no_claim_it_leaves_out(browser, example_store, tmp_path):
    page = open_page(browser, example_store, tmp_path)
    drawn = {node for node in page.js("window.kg.visibleNodes()")}
    missing = {actor.id for actor in example_store.actors()} - drawn
    assert missing  # the example's quoted analyst has no claim
    assert f"; {len(missing)} actor(s) with no claim here not drawn" in page.page.inner_text("#status")
    page.page.close()


def test_a_map_past_max_lines_draws_the_best_sourced_and_says_how_many_it_leaves_out(browser, store, tmp_path):
    folder = tmp_path / "many"
    write_csv(generate(400, seed=3), folder)
    load(store, [folder])
    whole = page_data(store, Selection(), "t", max_lines=None)
    data = page_data(store, Selection(), "t", max_lines=25)
    sources = {(e["from"], e["to"], e["family"]): e["sources"] for e in whole["edges"]}
    drawn = {(e["from"], e["to"], e["family"]) for e in data["edges"]}
    assert len(drawn) == 25 and data["leftOut"]["lines"] == len(sources) - 25 > 0
    assert min(sources[line] for line in drawn) >= max(n for line, n in sources.items() if line not in drawn)
    assert {n["id"] for n in data["nodes"]} == {a for line in drawn for a in line[:2]}
    linked = {a for line in sources for a in line[:2]}
    assert data["leftOut"]["actors"] == len(linked - {n["id"] for n in data["nodes"]})
    assert data["undrawn"] == whole["undrawn"]  # actors with no claim at all: the cap does not count as that
    assert whole["leftOut"] == {"lines": 0, "actors": 0}
    path = tmp_path / "capped.html"
    write_view(build_view(store, max_lines=25), path)
    page = Page(browser, path)
    assert len(page.edges()) == 25 and page.errors == []
    assert f"; {data['leftOut']['lines']} less-sourced relations not drawn (kg view --max-lines)" in page.page.inner_text("#status")
    page.page.close()


def test_the_cli_warns_when_max_lines_leaves_lines_out(kg, store_dir, tmp_path):
    kg("load", str(EXAMPLE))
    with open_store(store_dir, read_only=True) as store:
        lines = len(page_data(store, Selection(), "t", max_lines=None)["edges"])
    target = tmp_path / "map.html"
    capped = kg("view", "-o", str(target), "--max-lines", "4")
    assert capped.exit_code == 0 and f"warning: {lines - 4} of {lines} lines not drawn, the least sourced (--max-lines 4)" in capped.stderr
    every = kg("view", "-o", str(target), "--max-lines", "0")
    assert every.exit_code == 0 and "not drawn" not in every.stderr
    assert kg("view", "--max-lines", "-1").exit_code == 2


def test_the_api_and_the_cli_draw_as_many_lines_as_the_map_by_default():
    """Both spell the number out (importing the map would slow every command); they must agree."""
    import inspect

    import kg
    from kg.cli import view
    from kg.view import MAX_LINES

    option = next(p for p in view.params if p.name == "max_lines")
    assert inspect.signature(kg.Graph.view).parameters["max_lines"].default == option.default == MAX_LINES
