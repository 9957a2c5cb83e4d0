"""``kg view --diff FROM TO``: the map of what changed between two dates.

The page draws the graph of TO (the claims ``kg.analyse.diff`` compared on that date) and,
ghosted, the lines of FROM gone by TO. Which line is gained, lost or unchanged, which pairs
turned from allies to enemies (or back) and which actors appeared, vanished or changed camp
are ``kg diff``'s answers (``Diff.changes``), read here and never worked out a second way,
so that the map and ``kg diff`` cannot disagree.

A gained line is wider and glows blue; a lost one is ghosted (short dashes, faded); a pair
that turned carries its old and new sign on the line ("allied → opposed"). A new actor
glows blue, a vanished one is faded with a dashed border, one that changed camp glows
purple. The page is one date's picture of a change, so it has no date slider.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from kg.analyse.diff import Change, Link, diff, link
from kg.errors import KgError
from kg.gcpause import without_gc
from kg.projection import Claim, actor_details, claims_by_edge, contested_keys, with_denials
from kg.selection import Selection
from kg.store import Store
from kg.view import MAX_LINES, Line, View, _camps, map_data, of_types, render, undrawn

GLOW = {"enabled": True, "color": "rgba(0, 145, 234, 0.85)", "size": 12, "x": 0, "y": 0}
#: How changes are drawn; the legend draws its swatches from the same table.
STYLES = {
    "gained": {"extraWidth": 3, "shadow": GLOW},
    "lost": {"dashes": [3, 6], "opacity": 0.3},
    "appeared": {"borderWidth": 4, "shadow": GLOW},
    "vanished": {"opacity": 0.35, "shapeProperties": {"borderDashes": [3, 3]}},
    "moved": {"borderWidth": 4, "shadow": {**GLOW, "color": "rgba(142, 36, 170, 0.85)"}},
}


@without_gc
def diff_page_data(
    store: Store,
    start: dt.date,
    end: dt.date,
    selection: Selection = Selection(),
    title: str = "actorgraph: alliances",
    types: tuple[str, ...] = (),
    color_by_bloc: bool = False,
    max_lines: int | None = MAX_LINES,
) -> dict:
    """The page's data for the changes from ``start`` to ``end`` (``kg.view.page_data``'s,
    plus each line's ``change`` and ``link``, each actor's ``change`` and ``data["diff"]``).

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/typed-relations/typed-relations.yaml"])
    >>> data = diff_page_data(store, dt.date(2015, 1, 1), dt.date(2024, 12, 31))
    >>> data["title"]
    'actorgraph: alliances: changes from 2015-01-01 to 2024-12-31'
    >>> sorted((e["from"], e["family"], e["to"]) for e in data["edges"] if e["change"] == "lost")
    [('jabhat-al-nusra', 'part-of', 'al-qaeda')]
    """
    _check(start, end, selection)
    found = diff(store, start, end, selection)
    details = actor_details(store)
    now = of_types([c for c in found.after if c.stance != "denied"], types, details)
    gone = of_types(_lost_claims(found.changes), types, details)
    denials = [c for c in with_denials(store, replace(selection, as_of=end, focus=None)) if c.stance == "denied"]
    held = claims_by_edge(now)
    lines = held | {line: claims for line, claims in claims_by_edge(gone).items() if line not in held}
    sources = {s.id: s for s in store.sources()}
    title = f"{title}: changes from {start.isoformat()} to {end.isoformat()}"
    shown = {c.statement for c in (*now, *gone)}
    data = map_data([*now, *gone, *denials], shown, details, sources, title, lines=lines, max_lines=max_lines)
    then = [c for c in found.before if c.stance != "denied"]
    contested = {"now": contested_keys([*now, *denials]), "then": contested_keys([*then, *denials])}
    started = {(c.a, c.family, c.b) for c in found.changes if c.kind == "started"}
    for edge in data["edges"]:
        line = (edge["from"], edge["to"], edge["family"])
        _mark_line(edge, line, line not in held, started, contested)
    _mark_turned(data["edges"], [c for c in found.changes if c.kind == "turned"])
    _mark_actors(data["nodes"], found.changes)
    if color_by_bloc:
        camp_of = _camps(now, details)
        data["camps"] = bool(camp_of)
        for node in data["nodes"]:
            node["camp"] = camp_of.get(node["id"])
    data["allegations"] = "alleged" in selection.stances
    data["as_of"] = None
    data["undrawn"] = undrawn(data, details, selection, types)
    data["diff"] = {"from": start.isoformat(), "to": end.isoformat(), "styles": STYLES}
    return data


def build_diff_view(
    store: Store,
    start: dt.date,
    end: dt.date,
    selection: Selection = Selection(),
    title: str = "actorgraph: alliances",
    types: tuple[str, ...] = (),
    color_by_bloc: bool = False,
    max_lines: int | None = MAX_LINES,
) -> View:
    """The page of what changed from ``start`` to ``end`` (see ``diff_page_data``).

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/typed-relations/typed-relations.yaml"])
    >>> page = build_diff_view(store, dt.date(2015, 1, 1), dt.date(2024, 12, 31))
    >>> "changes from 2015-01-01 to 2024-12-31" in page.html, page.edges > 0
    (True, True)
    """
    data = diff_page_data(store, start, end, selection, title, types, color_by_bloc, max_lines)
    return View(render(data), len(data["nodes"]), len(data["edges"]), data["large"], data["leftOut"]["lines"])


def _check(start: dt.date, end: dt.date, selection: Selection) -> None:
    if selection.as_of is not None:
        raise KgError("the map of changes draws FROM and TO: leave out --as-of", field="--diff")
    if start >= end:
        raise KgError(f"FROM {start.isoformat()} must be before TO {end.isoformat()}", field="--diff")


def _lost_claims(changes: list[Change]) -> list[Claim]:
    """The claims behind the links that ended, each once (a mediation names several links)."""
    found: dict[str, Claim] = {}
    for change in changes:
        if change.kind == "ended":
            found.update((claim.statement, claim) for claim in change.claims)
    return list(found.values())


def _mark_line(edge: dict, line: Line, lost: bool, started: set[Link], contested: dict) -> None:
    """A line's change, and its look: a lost line only claims of ended links draw."""
    subject, obj, family = line
    edge["link"] = list(link(subject, family, obj))  # kg diff counts a symmetric claim both ways round, as lines are drawn
    edge["change"] = "lost" if lost else "gained" if tuple(edge["link"]) in started else "unchanged"
    edge["turned"] = None
    edge["contested"] = edge["contestedWithAllegations"] = (subject, family, obj) in contested["then" if lost else "now"]
    if edge["change"] == "gained":
        edge["width"] += STYLES["gained"]["extraWidth"]
        edge["shadow"] = STYLES["gained"]["shadow"]
    elif lost:
        edge["dashes"] = STYLES["lost"]["dashes"]
        edge["color"] = {**edge["color"], "opacity": STYLES["lost"]["opacity"]}


def _mark_turned(edges: list[dict], turned: list[Change]) -> None:
    """Each pair that turned: its lines of TO say so, and one of them (a gained one if any)
    carries the old and new sign as its label."""
    for change in turned:
        between = [e for e in edges if {e["from"], e["to"]} == {change.a, change.b} and e["change"] != "lost"]
        for edge in between:
            edge["turned"] = [change.before, change.after]
        labelled = next((e for e in between if e["change"] == "gained"), between[0] if between else None)
        if labelled is not None:
            labelled["label"] = f"{change.before} → {change.after}"
            labelled["font"] = {"size": 11, "color": "#4a148c", "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"}


def _mark_actors(nodes: list[dict], changes: list[Change]) -> None:
    """Actors that appeared, vanished or changed camp (with their camp-mates of each date)."""
    by_actor = {c.a: c for c in changes if c.kind in ("appeared", "vanished", "moved")}
    for node in nodes:
        change = by_actor.get(node["id"])
        node["change"] = change.kind if change else None
        if change is None:
            continue
        node.update({key: value for key, value in STYLES[change.kind].items()})
        if change.kind == "moved":
            node["mates"] = [change.before.split(", "), change.after.split(", ")]
