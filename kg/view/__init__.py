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

What a claim says decides how it is drawn (issue 15). A line stands for the asserted and
alleged claims behind one (subject, family, object): it is drawn as usual when at least one
claim is asserted, dashed and faded when it rests on allegations only. The page always
carries the alleged claims; the legend's "show allegations" box (off unless the selection
asks for ``alleged``) reveals them, and with it off the page shows exactly the selection's
asserted claims. Denied claims are never drawn: each is listed, as a denial, in the evidence
of the line it denies when that line is on the map. A line whose claims are contested
(``kg.projection.contested_keys``: denied, or contradicted by the opposite relation) carries
a bar across its middle and an orange halo.

Each relation family has its own colour and dash pattern (``FAMILY_STYLES``; lineage,
``descends-from``, dash-dot). Sub-relations (arms, allied-with, rival-of, splinter-of, ...)
get no style of their own, which would make thirty styles nobody can tell apart: under each
family the legend lists, collapsed, those the page's claims use (``sub_relations``) with how
many lines carry each, and a line's tooltip names the relations of the claims behind it.

``kg.view.diffmap`` builds the page of what changed between two dates (``kg view --diff``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from kg.analyse.blocs import aligned_camps
from kg.analyse.signed import signed_graph
from kg.atomic import write_atomic
from kg.gcpause import without_gc
from kg.model import date_text
from kg.ontology import load_ontology
from kg.output import visible
from kg.projection import (
    Actors,
    Claim,
    actor_details,
    claims_by_edge,
    contested_keys,
    select_claims,
    with_denials,
)
from kg.selection import Selection
from kg.store import Store

#: Above this many actors the page turns physics off (a static layout): vis-network's
#: force simulation needs minutes to settle and the page is unusable meanwhile.
LARGE_GRAPH_NODES = 1500
Line = tuple[str, str, str]  # (subject, object, family): one line of the map, as claims_by_edge keys it

#: The most lines a map draws unless told otherwise (``--max-lines``): the best-sourced ones.
#: A browser draws a few thousand; the 130k lines of a 1M-claim graph made a 300 MB page.
MAX_LINES = 5000

#: How each relation family is drawn, in legend order. Which families there are, their
#: labels and whether they have a direction (an arrow) are the ontology's.
FAMILY_STYLES = {
    "backs": {"color": "#2e7d32", "dashes": False},
    "opposes": {"color": "#c62828", "dashes": False},
    "mediates": {"color": "#1565c0", "dashes": [8, 6]},
    "negotiates-with": {"color": "#ef6c00", "dashes": [2, 5]},
    "part-of": {"color": "#757575", "dashes": [12, 4]},
    "descends-from": {"color": "#6d4c41", "dashes": [14, 4, 2, 4]},  # dash-dot: lineage
    "participates-in": {"color": "#8e24aa", "dashes": [4, 4]},
    "represents": {"color": "#00838f", "dashes": [1, 4]},
}
#: The style of a family the ontology gained after this table was written.
OTHER_FAMILY = {"color": "#455a64", "dashes": [6, 3]}
#: A line resting on allegations only: long even dashes (no family uses them), faded.
ALLEGED = {"dashes": [10, 10], "opacity": 0.45}
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
    left_out: int = 0  # lines not drawn: past ``max_lines``, the least sourced


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


def sub_relations(claims: list[Claim]) -> dict[str, list[dict]]:
    """The relations ``claims`` are asserted with, by family, for the legend's groups: each
    with its label and ``via``, the relation between it and its family (``arms`` is a
    ``militarily-backs``), ordered so that a relation follows the one it refines.

    Only relations present are listed, so that the legend fits a laptop screen however many
    sub-relations the ontology has.

    Examples
    --------
    >>> import datetime as dt
    >>> def claim(relation, family):
    ...     return Claim("s", "a", relation, family, ("b",), (), 1.0, dt.date(2020, 1, 1))
    >>> found = sub_relations([claim("arms", "backs"), claim("allied-with", "backs"), claim("militarily-backs", "backs")])
    >>> [(r["name"], r["via"]) for r in found["backs"]]
    [('allied-with', None), ('militarily-backs', None), ('arms', 'militarily-backs')]
    """
    ontology = load_ontology()
    found: dict[str, list[tuple[tuple[str, ...], dict]]] = {}
    for name in sorted({c.relation for c in claims}):
        relation = ontology.relation(name)
        family = ontology.family(relation)
        between = [
            ontology.relations[iri].name for iri in relation.parents if iri != family.iri and family.iri in ontology.relations[iri].parents
        ]
        path = (*reversed(between), name) if name != family.name else ()
        entry = {"name": name, "label": relation.label, "via": between[0] if between else None}
        found.setdefault(family.name, []).append((path, entry))
    return {family: [entry for _, entry in sorted(entries, key=lambda e: e[0])] for family, entries in found.items()}


@without_gc
def page_data(
    store: Store,
    selection: Selection,
    title: str,
    types: tuple[str, ...] = (),
    color_by_bloc: bool = False,
    max_lines: int | None = MAX_LINES,
) -> dict:
    """Everything the page shows, as plain JSON-able data (nodes, edges with their claims).

    The claims are those ``selection`` keeps with the alleged ones added whatever its
    stances (the page shows them on demand), and the denials of them. ``types`` keeps only
    claims between actors of those types; ``color_by_bloc`` colours actors by the camps of
    ``kg analyse blocs`` (over the asserted claims) instead of by type. At most
    ``max_lines`` lines are drawn (None: all), the best-sourced (``strongest_lines``).
    """
    claims = with_denials(store, replace(selection, stances=("asserted", "alleged")))
    if selection.focus is None:  # the neighbourhood is the only part that depends on the others
        facts = {c.statement for c in claims if c.stance == "asserted"}
    else:
        facts = {c.statement for c in select_claims(store, replace(selection, stances=("asserted",)))}
    details = actor_details(store)
    claims = of_types(claims, types, details)
    sources = {s.id: s for s in store.sources()}
    if selection.as_of is not None:  # the page remembers its date: in its title and its slider
        title = f"{title}, as of {selection.as_of.isoformat()}"
    data = map_data(claims, facts, details, sources, title, color_by_bloc, max_lines=max_lines)
    data["allegations"] = "alleged" in selection.stances
    data["as_of"] = None if selection.as_of is None else selection.as_of.isoformat()
    if data["as_of"] is not None:
        data["dates"] = [min(data["dates"][0], data["as_of"]) if data["dates"] else data["as_of"], data["as_of"]]
    data["undrawn"] = undrawn(data, details, selection, types)
    return data


def of_types(claims: list[Claim], types: tuple[str, ...], details: Actors) -> list[Claim]:
    """The claims between actors of ``types`` only (all of them when ``types`` is empty)."""
    if not types:
        return claims
    wanted = {load_ontology().actor_type(t, field="--type").name for t in types}
    return [c for c in claims if all(details.type.get(a) in wanted for a in (*c.subjects, *c.objects))]


def undrawn(data: dict, details: Actors, selection: Selection, types: tuple[str, ...]) -> int:
    """How many actors the page leaves out for want of a claim: it says how many, not nothing
    (none counted when a focus or ``types`` leaves actors out on purpose)."""
    drawn = {node["id"] for node in data["nodes"]}
    return 0 if selection.focus or types else sum(actor not in drawn for actor in details.label) - data["leftOut"]["actors"]


def map_data(
    claims: list[Claim],
    facts: set[str],
    details: Actors,
    sources: dict,
    title: str,
    color_by_bloc: bool = False,
    lines: dict[tuple[str, str, str], list[Claim]] | None = None,
    max_lines: int | None = MAX_LINES,
) -> dict:
    """The page's data for ``claims`` (any stances); ``facts`` names the statements shown
    with allegations hidden (the selection's asserted claims). ``lines`` gives the claims
    behind each line when they are not simply ``claims_by_edge`` of the claims drawn (a map
    of changes keeps a claim of a bygone date off a line that holds later). Past
    ``max_lines`` lines, the least sourced are left out (``data["leftOut"]`` counts them and
    the actors only they link).

    Examples
    --------
    >>> import datetime as dt
    >>> said = Claim("s1", "uae", "backs", "backs", ("rsf",), (), 0.8, dt.date(2023, 5, 1), stance="alleged")
    >>> denial = Claim("s2", "uae", "backs", "backs", ("rsf",), (), 0.9, dt.date(2023, 5, 2), stance="denied")
    >>> edge = map_data([said, denial], set(), Actors(), {}, "t")["edges"][0]
    >>> edge["alleged"], edge["contested"], edge["contestedWithAllegations"], [c["stance"] for c in edge["claims"]]
    (True, False, True, ['alleged', 'denied'])
    """
    from pyvis.edge import Edge  # slow to import: only the map pays it
    from pyvis.network import Network

    made = [c for c in claims if c.stance != "denied"]
    every_line = claims_by_edge(made) if lines is None else lines
    grouped = strongest_lines(every_line, facts, max_lines)
    denials = claims_by_edge([c for c in claims if c.stance == "denied"])
    net = Network(directed=True, cdn_resources="in_line")
    camp_of = _camps([c for c in made if c.statement in facts]) if color_by_bloc else {}
    for actor, degree in sorted(_degrees(grouped, facts).items()):
        kind = details.type.get(actor, "State")
        style = TYPES.get(kind, TYPES["State"])
        net.add_node(
            actor,
            label=details.label.get(actor, actor),
            shape=style["shape"],
            color=style["color"],
            size=12 + 4 * min(degree, 12) ** 0.8,
            type=kind,
            aliases=list(details.aliases.get(actor, ())),
            degree=degree,
            camp=camp_of.get(actor),
        )
    present = sub_relations(made)
    legend = {name: {**style, "relations": present.get(name, [])} for name, style in families().items()}
    contested = contested_keys([c for c in claims if c.statement in facts or c.stance == "denied"])
    contested_with_allegations = contested_keys(claims)
    for number, ((subject, obj, family), supporting) in enumerate(sorted(grouped.items())):
        style = legend[family]
        denying = denials.get((subject, obj, family), []) + ([] if style["arrow"] else denials.get((obj, subject, family), []))
        alleged = not any(c.stance == "asserted" for c in supporting)
        counted = [c for c in supporting if c.statement in facts] or supporting  # the width with allegations hidden
        source_ids = {s for c in counted for s in c.sources}
        key = (subject, family, obj)
        # Not net.add_edge: it looks each end up in a list of every actor (50 us a line at 5,000
        # actors, 6 s for the 130k lines of a 1M-claim graph); both ends were added above.
        edge = Edge(
            subject,
            obj,
            True,
            id=f"e{number}",
            family=family,
            relations=sorted({c.relation for c in supporting}),
            color={"color": style["color"], "highlight": style["color"], "hover": style["color"], "inherit": False}
            | ({"opacity": ALLEGED["opacity"]} if alleged else {}),
            dashes=ALLEGED["dashes"] if alleged else style["dashes"],
            arrows="to" if style["arrow"] else "",
            width=1 + 1.5 * min(len(source_ids), 8),
            sources=len(source_ids),
            alleged=alleged,
            contested=key in contested,
            contestedWithAllegations=key in contested_with_allegations,
            claims=[_claim(c, c.statement in facts, sources, details) for c in (*supporting, *denying)],
        )
        net.edges.append(edge.options)
    starts = [c.start for c in made]
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
        "allegations": False,
        "leftOut": {"lines": len(every_line) - len(grouped), "actors": len(_ends(every_line) - _ends(grouped))},
    }


def strongest_lines(lines: dict[Line, list[Claim]], facts: set[str], most: int | None) -> dict[Line, list[Claim]]:
    """The ``most`` lines with the most sources (with allegations hidden, as the page draws
    their width), then the most claims; all of them if ``most`` is None or not exceeded.

    Examples
    --------
    >>> import datetime as dt
    >>> def claim(statement, obj, *sources):
    ...     return Claim(statement, "a", "backs", "backs", (obj,), sources, 0.8, dt.date(2023, 5, 1))
    >>> lines = claims_by_edge([claim("s1", "b", "un"), claim("s2", "c", "un", "ap"), claim("s3", "d", "ap")])
    >>> list(strongest_lines(lines, {"s1", "s2", "s3"}, 1))
    [('a', 'c', 'backs')]
    """
    if most is None or len(lines) <= most:
        return lines

    def strength(line: Line) -> tuple:
        counted = [c for c in lines[line] if c.statement in facts] or lines[line]
        return (-len({s for c in counted for s in c.sources}), -len(lines[line]), line)

    return {line: lines[line] for line in sorted(sorted(lines, key=strength)[:most])}


def _ends(lines: dict[Line, list[Claim]]) -> set[str]:
    return {actor for subject, obj, _ in lines for actor in (subject, obj)}


def _degrees(grouped: dict[tuple[str, str, str], list[Claim]], facts: set[str]) -> dict[str, int]:
    """Each actor's number of lines with allegations hidden, so that a hidden allegation does
    not swell a node; an actor only allegations link counts those."""
    shown: dict[str, int] = {}
    every: dict[str, int] = {}
    for (subject, obj, _), supporting in grouped.items():
        for actor in (subject, obj):
            every[actor] = every.get(actor, 0) + 1
            if any(c.statement in facts for c in supporting):
                shown[actor] = shown.get(actor, 0) + 1
    return {actor: shown.get(actor, count) for actor, count in every.items()}


def _camps(claims: list[Claim]) -> dict[str, int]:
    """Each actor's camp number as ``kg analyse blocs`` finds it over the same claims."""
    camps, _ = aligned_camps(signed_graph(claims))
    return {actor: number for number, camp in enumerate(camps, 1) for actor in camp}


def _claim(claim: Claim, fact: bool, sources: dict, details: Actors) -> dict:
    """One claim for the evidence panel; ``start``/``until``/``date`` are days for the time
    slider, ``reported``/``from``/``to`` the dates as written (``2023-05``)."""
    name = details.label.get
    return {
        "statement": claim.statement,
        "text": claim.text(),
        "relation": claim.relation,
        "stance": claim.stance,
        "fact": fact,
        "saidBy": name(claim.said_by, claim.said_by) if claim.said_by else None,
        "process": name(claim.process, claim.process) if claim.process else None,
        "host": name(claim.host, claim.host) if claim.host else None,
        "note": claim.note,
        "start": claim.start.isoformat(),
        "until": claim.valid_until.isoformat() if claim.valid_until else None,
        "date": claim.date.isoformat(),
        "reported": date_text(claim.date, claim.date_precision),
        "from": date_text(claim.valid_from, claim.valid_from_precision) if claim.valid_from not in (None, claim.date) else None,
        "to": date_text(claim.valid_until, claim.valid_until_precision),
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
    max_lines: int | None = MAX_LINES,
) -> View:
    """The page for the claims ``selection`` keeps (see ``page_data``)."""
    data = page_data(store, selection, title, types, color_by_bloc, max_lines)
    return View(render(data), len(data["nodes"]), len(data["edges"]), data["large"], data["leftOut"]["lines"])


def write_view(view: View, path: Path) -> None:
    """Write the page atomically: an interrupted write never leaves half a page."""
    write_atomic(path, view.html)
