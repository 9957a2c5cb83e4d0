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
from pathlib import Path

import pytest

from kg.loader import load
from kg.selection import Selection
from kg.view import build_view, page_data, render, write_view
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

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 850})
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
        point = self.js(
            f"""(() => {{
              const e = window.kg.edges.get({{filter: x => x.from === {json.dumps(source)} && x.family === {json.dumps(family)}
                                                  && x.to === {json.dumps(target)}}})[0];
              const p = window.kg.network.body.edges[e.id].edgeType.getPoint(0.5);
              const dom = window.kg.network.canvasToDOM(p);
              const box = document.getElementById('network').getBoundingClientRect();
              return [dom.x + box.left, dom.y + box.top];
            }})()"""
        )
        self.page.mouse.click(*point)

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
