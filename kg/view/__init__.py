"""``kg view``: one self-contained, offline HTML page to explore alliances.

pyvis assembles the vis-network nodes and edges (and ships the vis-network library we
inline); the page itself is our own template, because pyvis's pulls Bootstrap and
vis-network from a CDN in every mode and renders some titles as raw HTML. Everything
from the data travels as JSON in a ``<script type="application/json">`` element
(``<``, ``>``, ``&`` escaped) and reaches the page only through ``textContent``; a
Content-Security-Policy with script hashes forbids any other script, inline handler or
network request. Text from the data is shown inside ``<bdi>`` elements, with control and
bidi characters written as ``\\uXXXX`` (on the canvas too, where vis-network draws the
labels), so a right-to-left override cannot make ``abc\\u202egpj.exe`` read "abcexe.jpg".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kg.analyse.blocs import aligned_camps
from kg.analyse.signed import signed_graph
from kg.atomic import write_atomic
from kg.ontology import load_ontology
from kg.output import visible
from kg.projection import Actors, Claim, actor_details, claims_by_edge, claims_graph, select_claims
from kg.selection import Selection
from kg.store import Store

#: Above this many actors the page turns physics off (a static layout): vis-network's
#: force simulation needs minutes to settle and the page is unusable meanwhile.
LARGE_GRAPH_NODES = 1500

#: How each relation family is drawn, in legend order. Which families there are, their
#: labels and whether they have a direction (an arrow) are the ontology's.
FAMILY_STYLES = {
    "backs": {"color": "#2e7d32", "dashes": False},
    "opposes": {"color": "#c62828", "dashes": False},
    "mediates": {"color": "#1565c0", "dashes": [8, 6]},
    "negotiates-with": {"color": "#ef6c00", "dashes": [2, 5]},
    "part-of": {"color": "#757575", "dashes": [12, 4]},
    "participates-in": {"color": "#8e24aa", "dashes": [4, 4]},
    "represents": {"color": "#00838f", "dashes": [1, 4]},
}
#: The style of a family the ontology gained after this table was written.
OTHER_FAMILY = {"color": "#455a64", "dashes": [6, 3]}
TYPES = {
    "State": {"color": "#1f4e79", "shape": "dot"},
    "Government": {"color": "#2f75b5", "shape": "square"},
    "MilitaryUnit": {"color": "#5b6770", "shape": "triangle"},
    "ArmedGroup": {"color": "#b03a2e", "shape": "diamond"},
    "Organization": {"color": "#7d3c98", "shape": "hexagon"},
    "Person": {"color": "#d68910", "shape": "star"},
    "Process": {"color": "#148f77", "shape": "box"},
}


@dataclass(frozen=True)
class View:
    html: str
    nodes: int
    edges: int
    large: bool


CAMP_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


def families() -> dict[str, dict]:
    """The legend's relation families: label, colour, dashes and arrow (none for a
    symmetric family), styled ones first in ``FAMILY_STYLES`` order.

    Examples
    --------
    >>> families()["negotiates-with"]
    {'label': 'negotiates with', 'color': '#ef6c00', 'dashes': [2, 5], 'arrow': False}
    """
    found = load_ontology().families
    order = list(FAMILY_STYLES)
    names = sorted(found, key=lambda name: (order.index(name) if name in order else len(order), name))
    style = {name: FAMILY_STYLES.get(name, OTHER_FAMILY) for name in names}
    return {name: {"label": found[name].label, **style[name], "arrow": not found[name].symmetric} for name in names}


def page_data(store: Store, selection: Selection, title: str, types: tuple[str, ...] = (), color_by_bloc: bool = False) -> dict:
    """Everything the page shows, as plain JSON-able data (nodes, edges with their claims).

    ``types`` keeps only claims between actors of those types; ``color_by_bloc`` colours
    actors by the camps of ``kg analyse blocs`` instead of by type.
    """
    from pyvis.network import Network  # slow to import: only the map pays it

    claims = select_claims(store, selection)
    details = actor_details(store)
    camp_of = _camps(claims, details) if color_by_bloc else {}
    if types:
        wanted = {load_ontology().actor_type(t, field="--type").name for t in types}
        claims = [c for c in claims if all(details.type.get(a) in wanted for a in (c.subject, *c.objects))]
    sources = {s.id: s for s in store.sources()}
    grouped = claims_by_edge(claims)
    degree: dict[str, int] = {}
    for subject, obj, _ in grouped:
        degree[subject] = degree.get(subject, 0) + 1
        degree[obj] = degree.get(obj, 0) + 1
    net = Network(directed=True, cdn_resources="in_line")
    for actor in sorted(degree):
        kind = details.type.get(actor, "State")
        style = TYPES.get(kind, TYPES["State"])
        net.add_node(
            actor,
            label=details.label.get(actor, actor),
            shape=style["shape"],
            color=style["color"],
            size=12 + 4 * min(degree[actor], 12) ** 0.8,
            type=kind,
            aliases=list(details.aliases.get(actor, ())),
            degree=degree[actor],
            camp=camp_of.get(actor),
        )
    legend = families()
    for number, ((subject, obj, family), supporting) in enumerate(sorted(grouped.items())):
        style = legend[family]
        source_ids = {s for c in supporting for s in c.sources}
        net.add_edge(
            subject,
            obj,
            id=f"e{number}",
            family=family,
            relations=sorted({c.relation for c in supporting}),
            color=style["color"],
            dashes=style["dashes"],
            arrows="to" if style["arrow"] else "",
            width=1 + 1.5 * min(len(source_ids), 8),
            sources=len(source_ids),
            claims=[_claim(c, sources) for c in supporting],
        )
    starts = [c.start for c in claims]
    return {
        "title": title,
        "nodes": net.nodes,
        "edges": net.edges,
        "families": legend,
        "types": TYPES,
        "dates": [min(starts).isoformat(), max(starts).isoformat()] if starts else None,
        "large": len(net.nodes) > LARGE_GRAPH_NODES,
        "camps": bool(camp_of),
        "campColors": CAMP_COLORS,
    }


def _camps(claims: list[Claim], details: Actors) -> dict[str, int]:
    """Each actor's camp number as ``kg analyse blocs`` finds it over the same claims."""
    camps, _ = aligned_camps(signed_graph(claims_graph(claims, details)))
    return {actor: number for number, camp in enumerate(camps, 1) for actor in camp}


def _claim(claim: Claim, sources: dict) -> dict:
    return {
        "statement": claim.statement,
        "text": claim.text(),
        "relation": claim.relation,
        "start": claim.start.isoformat(),
        "until": claim.valid_until.isoformat() if claim.valid_until else None,
        "date": claim.date.isoformat(),
        "confidence": claim.confidence,
        "quote": claim.quote,
        "sources": [
            {"title": s.title, "url": s.url, "publisher": s.publisher, "date": s.date.isoformat() if s.date else None}
            for s in (sources[i] for i in claim.sources if i in sources)
        ],
    }


def safe_json(data: object) -> str:
    """JSON that cannot end its ``<script>`` element or open a comment/CDATA inside it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render(data: dict) -> str:
    """The HTML page for ``page_data``: inline CSS/JS, a CSP that allows only these scripts."""
    from jinja2 import Environment  # with pyvis: only the map pays it

    files = resources.files("kg") / "view"
    vis = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    scripts = [(vis / "vis-network.min.js").read_text(encoding="utf-8"), (files / "app.js").read_text(encoding="utf-8")]
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    template = Environment(autoescape=True).from_string((files / "template.html").read_text(encoding="utf-8"))
    return template.render(
        title=visible(data["title"]),
        data_json=safe_json(data),
        vis_css=(vis / "vis-network.css").read_text(encoding="utf-8"),
        style=(files / "style.css").read_text(encoding="utf-8"),
        scripts=scripts,
        script_hashes=hashes,
        generated=dt.date.today().isoformat(),
    )


def build_view(
    store: Store,
    selection: Selection = Selection(),
    title: str = "actorgraph: alliances",
    types: tuple[str, ...] = (),
    color_by_bloc: bool = False,
) -> View:
    """The page for the claims ``selection`` keeps (see ``page_data``)."""
    data = page_data(store, selection, title, types, color_by_bloc)
    return View(render(data), len(data["nodes"]), len(data["edges"]), data["large"])


def write_view(view: View, path: Path) -> None:
    """Write the page atomically: an interrupted write never leaves half a page."""
    write_atomic(path, view.html)
