"""``kg diff --from D1 --to D2``: what changed in the graph between two dates.

The claims holding on each date are those ``--as-of`` keeps (reported by then, not yet
ended), under the same selection otherwise. Compared, per link of two actors and relation
family: links that started or ended, pairs whose sign turned (allies become enemies), actors
that changed camp (none of their former camp-mates is with them), and actors that appear
or vanish. Each change carries the claims behind it, from the date that shows it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from kg.analyse.reports import blocs
from kg.analyse.results import Result
from kg.analyse.signed import signed_graph
from kg.errors import KgError
from kg.gcpause import without_gc
from kg.names import StoreActors
from kg.ontology import load_ontology
from kg.projection import Claim, claims_by_edge, neighbourhood, select_claims
from kg.selection import Selection
from kg.store import Store

Link = tuple[str, str, str]  # (a, family, b); a symmetric family's pair in id order


@dataclass(frozen=True)
class Change:
    """One change: ``kind`` is started, ended, turned, moved, appeared or vanished."""

    kind: str
    a: str
    family: str  # "" for changes of an actor
    b: str  # "" for changes of an actor
    before: str
    after: str
    claims: tuple[Claim, ...]


@dataclass
class Diff(Result):
    """The changes between ``start`` and ``end``, in a stable order, and the claims compared:
    ``before`` holding on ``start``, ``after`` on ``end`` (the map draws the graph of ``end``
    from them; neither is part of the tables)."""

    start: dt.date
    end: dt.date
    changes: list[Change]
    before: list[Claim] = field(default_factory=list, repr=False)
    after: list[Claim] = field(default_factory=list, repr=False)

    COLUMNS = ("change", "a", "family", "b", "before", "after", "claims")

    @property
    def rows(self) -> list[dict]:
        return [
            {"change": c.kind, "a": c.a, "family": c.family, "b": c.b, "before": c.before, "after": c.after, "claims": len(c.claims)}
            for c in self.changes
        ]

    @property
    def summary(self) -> dict:
        rows = [{**row, "statements": [claim.statement for claim in c.claims]} for row, c in zip(self.rows, self.changes, strict=True)]
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "changes": rows}


@without_gc
def diff(store: Store, start: dt.date, end: dt.date, selection: Selection = Selection()) -> Diff:
    """What changed between ``start`` and ``end`` (``start`` before ``end``).

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/ain-issa-2020/ain-issa.yaml"])
    >>> found = diff(store, dt.date(2017, 6, 1), dt.date(2020, 12, 31))
    >>> [(c.kind, c.a, c.family, c.b) for c in found.changes if c.a == "turkey" and c.kind == "started"][:2]
    [('started', 'turkey', 'backs', 'sna'), ('started', 'turkey', 'opposes', 'russia')]
    """
    if start >= end:
        raise KgError(f"--from {start} must be before --to {end}", field="--from")
    before, after = _claims(store, selection, start, end)
    links = [_links(claims) for claims in (before, after)]
    changes = _link_changes(*links) + _turned(before, after) + _moved(store, selection, start, end, after)
    changes += _actor_changes(before, after)
    order = {kind: rank for rank, kind in enumerate(("started", "ended", "turned", "moved", "appeared", "vanished"))}
    return Diff(start, end, sorted(changes, key=lambda c: (order[c.kind], c.a, c.family, c.b)), before, after)


def _claims(store: Store, selection: Selection, start: dt.date, end: dt.date) -> tuple[list[Claim], list[Claim]]:
    """The claims of each date; a focus neighbourhood is taken over both dates at once, or a
    link of a neighbour that was none on one date would look new."""
    unfocused = replace(selection, focus=None)
    before, after = (select_claims(store, replace(unfocused, as_of=day)) for day in (start, end))
    if selection.focus is None:
        return before, after
    keep = neighbourhood(before + after, StoreActors(store).lookup(selection.focus, field="--focus"), selection.depth)
    inside = lambda claims: [c for c in claims if {*c.subjects, *c.objects} <= keep]  # noqa: E731
    return inside(before), inside(after)


def link(a: str, family: str, b: str) -> Link:
    """The link a claim of ``family`` from ``a`` to ``b`` stands for, as a ``Change`` names it:
    a symmetric family's pair in id order, so that ``e negotiates-with d`` is ``d``'s link with ``e``.

    Examples
    --------
    >>> link("turkey", "negotiates-with", "iran"), link("turkey", "backs", "sna")
    (('iran', 'negotiates-with', 'turkey'), ('turkey', 'backs', 'sna'))
    """
    a, b = sorted((a, b)) if load_ontology().families[family].symmetric else (a, b)
    return (a, family, b)


def _links(claims: list[Claim]) -> dict[Link, list[Claim]]:
    """The claims behind each link, as the map and the analyses count them: a symmetric claim
    of a one-way family (``russia allied-with north-korea``) stands behind both ways round."""
    found: dict[Link, list[Claim]] = defaultdict(list)
    for (a, b, family), behind in claims_by_edge(claims).items():
        found[link(a, family, b)].extend(claim for claim in behind if claim not in found[link(a, family, b)])
    return found


def _link_changes(before: dict[Link, list[Claim]], after: dict[Link, list[Claim]]) -> list[Change]:
    started = [Change("started", a, f, b, "", "holds", tuple(after[(a, f, b)])) for a, f, b in after.keys() - before.keys()]
    ended = [Change("ended", a, f, b, "holds", "", tuple(before[(a, f, b)])) for a, f, b in before.keys() - after.keys()]
    return started + ended


def _turned(before: list[Claim], after: list[Claim]) -> list[Change]:
    """Pairs whose camp sign flipped: allied on one date, opposed on the other."""
    signed = [signed_graph(claims) for claims in (before, after)]
    found = []
    for a, b, data in signed[1].edges(data=True):
        if signed[0].has_edge(a, b) and (old := signed[0][a][b]["sign"]) != data["sign"]:
            a, b = sorted((a, b))
            behind = tuple(c for c in after if {a, b} <= {*c.subjects, *c.objects})
            found.append(Change("turned", a, "", b, _sign_word(old), _sign_word(data["sign"]), behind))
    return found


def _sign_word(sign: int) -> str:
    return "allied" if sign > 0 else "opposed" if sign < 0 else "neither"


def _moved(store: Store, selection: Selection, start: dt.date, end: dt.date, after: list[Claim]) -> list[Change]:
    """Actors in a camp on both dates with none of their former camp-mates on ``end``
    (joining from nowhere is ``appeared``, or a link that ``started``)."""
    mates = [_camp_mates(blocs(store, replace(selection, as_of=day)).camps) for day in (start, end)]
    found = []
    for actor in sorted(set(mates[0]) | set(mates[1])):
        old, new = mates[0].get(actor, set()), mates[1].get(actor, set())
        if old and new and not old & new:
            behind = tuple(c for c in after if actor in (*c.subjects, *c.objects) and ({*c.subjects, *c.objects} & new))
            found.append(Change("moved", actor, "", "", ", ".join(sorted(old)), ", ".join(sorted(new)), behind))
    return found


def _camp_mates(camps: list[list[str]]) -> dict[str, set[str]]:
    return {actor: set(camp) - {actor} for camp in camps for actor in camp}


def _actor_changes(before: list[Claim], after: list[Claim]) -> list[Change]:
    """Actors with claims on one date and none on the other."""
    named = [_by_actor(claims) for claims in (before, after)]
    appeared = [Change("appeared", actor, "", "", "", "", tuple(named[1][actor])) for actor in named[1].keys() - named[0].keys()]
    vanished = [Change("vanished", actor, "", "", "", "", tuple(named[0][actor])) for actor in named[0].keys() - named[1].keys()]
    return appeared + vanished


def _by_actor(claims: list[Claim]) -> dict[str, list[Claim]]:
    found: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        for actor in {*claim.subjects, *claim.objects}:
            found[actor].append(claim)
    return found
