"""``kg about ACTOR``: everything the graph says about one actor, on one screen.

Who it is (type, aliases, Wikidata id), every relation in and out grouped by family with the
number of claims and sources and the dates they span, the camp it falls in, and the
processes it takes part in. Built from the same selected claims as the analyses, so the
selection options (``--as-of``, ``--stance``, ...) mean the same here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.analyse.reports import blocs
from kg.analyse.results import Result
from kg.errors import KgError
from kg.gcpause import without_gc
from kg.model import date_text
from kg.names import StoreActors
from kg.ontology import load_ontology
from kg.projection import Claim, select_claims
from kg.selection import Selection
from kg.store import Store


@dataclass(frozen=True)
class Tie:
    """The claims of one relation between the actor and one other, in one direction."""

    family: str
    direction: str  # "out": the actor is the subject; "in": the object; "mutual": a symmetric relation
    relation: str
    other: str
    claims: tuple[Claim, ...]

    @property
    def sources(self) -> int:
        return len({source for claim in self.claims for source in claim.sources})

    @property
    def first(self) -> str:
        """The earliest start, written to its precision (``2020`` for a claim of 2020)."""
        claim = min(self.claims, key=lambda c: c.start)
        return date_text(claim.start, claim.valid_from_precision if claim.valid_from else claim.date_precision) or ""

    @property
    def last(self) -> str:
        """The latest date reported, written to its precision."""
        claim = max(self.claims, key=lambda c: c.date)
        return date_text(claim.date, claim.date_precision) or ""


@dataclass
class Profile(Result):
    """One actor: who it is, its ties by family, its camp and its processes."""

    actor: str
    label: str
    type: str
    aliases: tuple[str, ...]
    wikidata: str | None
    camp: list[str]  # the other members of its camp (empty: unaligned)
    processes: list[str]  # the processes it takes part in or whose claims name it
    ties: list[Tie]

    COLUMNS = ("family", "direction", "relation", "other", "claims", "sources", "first", "last")

    @property
    def rows(self) -> list[dict]:
        return [
            {
                "family": tie.family,
                "direction": tie.direction,
                "relation": tie.relation,
                "other": tie.other,
                "claims": len(tie.claims),
                "sources": tie.sources,
                "first": tie.first,
                "last": tie.last,
            }
            for tie in self.ties
        ]

    @property
    def summary(self) -> dict:
        who = {"actor": self.actor, "label": self.label, "type": self.type, "aliases": list(self.aliases), "wikidata": self.wikidata}
        return {**who, "camp": self.camp, "processes": self.processes, "relations": self.rows}

    def headline(self) -> str:
        """The lines above the table: who it is, its camp, its processes."""
        aliases = f"; also {', '.join(self.aliases)}" if self.aliases else ""
        wikidata = f"; Wikidata {self.wikidata}" if self.wikidata else ""
        camp = ", ".join(self.camp) if self.camp else "- (unaligned)"
        return "\n".join(
            [
                f"{self.actor}: {self.label} ({self.type}{aliases}{wikidata})",
                f"camp with: {camp}",
                f"processes: {', '.join(self.processes) or '-'}",
            ]
        )


@without_gc
def about(store: Store, actor: str, selection: Selection = Selection()) -> Profile:
    """Everything the selected claims say about ``actor`` (an id, label or alias).

    Examples
    --------
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/ain-issa-2020/ain-issa.yaml"])
    >>> profile = about(store, "Ankara")
    >>> profile.actor, profile.camp, profile.processes
    ('turkey', ['cavusoglu', 'sna', 'turkish-defence-ministry'], ['astana-process'])
    >>> profile.rows[0]["family"], profile.rows[0]["direction"], profile.rows[0]["other"]
    ('backs', 'out', 'sna')
    """
    if selection.focus is not None:
        raise KgError("about takes no focus: the actor is the focus", field="--focus")
    actor_id = StoreActors(store).lookup(actor, field="ACTOR")
    details = next(a for a in store.actors() if a.id == actor_id)
    claims = [claim for claim in select_claims(store, selection) if actor_id in (*claim.subjects, *claim.objects)]
    camps = blocs(store, selection).camps
    camp = next((sorted(set(c) - {actor_id}) for c in camps if actor_id in c), [])
    who = (actor_id, details.label, details.type, details.aliases, details.wikidata)
    return Profile(*who, camp, _processes(actor_id, claims), _ties(actor_id, claims))


def _ties(actor: str, claims: list[Claim]) -> list[Tie]:
    """The claims grouped by family, direction (out, mutual, in), relation and the other actor."""
    ontology = load_ontology()
    grouped: dict[tuple[str, str, str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        mutual = ontology.relation(claim.relation).symmetric
        for subject, obj in claim.pairs:
            if actor in (subject, obj):
                direction = "mutual" if mutual else "out" if subject == actor else "in"
                grouped[(claim.family, direction, claim.relation, obj if subject == actor else subject)].append(claim)
    order = {"out": 0, "mutual": 1, "in": 2}
    keys = sorted(grouped, key=lambda key: (key[0], order[key[1]], key[2], key[3]))
    return [Tie(*key, tuple(grouped[key])) for key in keys]


def _processes(actor: str, claims: list[Claim]) -> list[str]:
    """The processes the actor takes part in, or that its own claims belong to (as subject,
    or either side of a symmetric relation: both negotiate): the parties of a process who
    fight a third are not that third's processes."""
    ontology = load_ontology()
    own = [claim for claim in claims if actor in claim.subjects or ontology.relation(claim.relation).symmetric]
    taking_part = {obj for claim in own if claim.relation == "participates-in" for obj in claim.objects}
    return sorted(taking_part | {claim.process for claim in own if claim.process})
