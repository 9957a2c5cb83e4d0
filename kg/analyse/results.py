"""What the analyses answer: dataclasses with the claims behind each answer, and tables.

Each result keeps its answer as structured fields (actor ids, numbers, tuples) and, on
every item, the ``kg.projection.Claim`` objects it rests on (statement, sources, quote,
confidence, dates). Each also offers the answer as the tables ``kg analyse`` and
``kg path`` print (``columns``, ``rows``, ``summary`` for JSON, ``sections`` for extra
tables), renders itself in Jupyter (``_repr_html_``) and turns into a pandas DataFrame
(``to_pandas``, when pandas is installed).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, ClassVar

from kg.analyse.paths import Path, Step
from kg.model import date_text
from kg.projection import Claim, Contest
from kg.table import Table

Edge = tuple[str, str, str]  # (subject, family, object): one edge of the projection


class Result:
    """The table form every analysis result offers; subclasses give ``COLUMNS``, ``rows``
    and ``summary`` (and ``sections`` where they have extra tables)."""

    COLUMNS: ClassVar[tuple[str, ...]]

    @property
    def columns(self) -> list[str]:
        return list(self.COLUMNS)

    @property
    def rows(self) -> list[dict]:
        raise NotImplementedError

    @property
    def summary(self) -> dict:
        raise NotImplementedError

    @property
    def sections(self) -> dict[str, tuple[list[str], list[dict]]]:
        """Extra tables, by title: (columns, rows)."""
        return {}

    def table(self) -> Table:
        """The main table: ``rows`` with ``columns``."""
        return Table(self.rows, self.columns)

    def to_pandas(self) -> Any:
        """The main table as a ``pandas.DataFrame`` (pandas is an optional extra)."""
        return self.table().to_pandas()

    def _repr_html_(self) -> str:
        parts = [self.table()._repr_html_()]
        for title, (columns, rows) in self.sections.items():
            parts.append(f"<h4>{html.escape(title)}: {len(rows)}</h4>" + Table(rows, columns)._repr_html_())
        return "\n".join(parts)


def edges_text(edges: tuple[Edge, ...]) -> str:
    """``a backs b; b opposes c``"""
    return "; ".join(f"{s} {family} {o}" for s, family, o in edges)


# -- blocs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """An actor and its camp (``None``: unaligned, no camp-deciding claim at all)."""

    camp: int | None
    actor: str
    label: str
    type: str


@dataclass(frozen=True)
class Contradiction:
    """A signed link that contradicts the camps: allies split, or enemies in one camp."""

    a: str
    b: str
    camps: tuple[int, int]  # the camps of a and b
    sign: int  # +1 allies, -1 enemies
    edges: tuple[Edge, ...]
    claims: tuple[Claim, ...]  # behind the edges, by statement

    @property
    def problem(self) -> str:
        return "allies in different camps" if self.sign > 0 else "enemies in one camp"


@dataclass(frozen=True)
class ContestedLink:
    """Two actors whose camp-deciding claims are contested, and how the camps counted them."""

    a: str
    b: str
    camps: tuple[int | None, int | None]  # the camps of a and b (None: unaligned)
    sign: int  # +1 counted as allies, -1 as enemies, 0 cancelled out (no link)
    edges: tuple[Edge, ...]  # every camp-deciding edge between them
    contests: tuple[Contest, ...]  # each with the claims for and against

    @property
    def counted_as(self) -> str:
        return {1: "allies", -1: "enemies", 0: "cancelled out"}[self.sign]

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Both sides' claims, contest by contest, each once."""
        both = (claim for contest in self.contests for claim in (*contest.claims, *contest.against))
        return tuple({claim.statement: claim for claim in both}.values())


@dataclass
class Blocs(Result):
    """Camps (largest first, members sorted), unaligned actors, the contradicting links, and
    the links whose claims are contested (``kg analyse contested``): camps that rest on them
    rest on claims other sources deny or contradict."""

    camps: list[list[str]]
    unaligned: list[str]
    members: list[Member]  # camp by camp, then the unaligned
    signed_edges: int  # links the camps were decided on
    frustrated: list[Contradiction]
    contested: list[ContestedLink] = field(default_factory=list)

    COLUMNS = ("camp", "actor", "label", "type")
    FRUSTRATION_COLUMNS = ("a", "b", "camps", "problem", "claims")
    CONTESTED_COLUMNS = ("a", "b", "camps", "counted_as", "contested")

    @property
    def rows(self) -> list[dict]:
        return [{"camp": "-" if m.camp is None else m.camp, "actor": m.actor, "label": m.label, "type": m.type} for m in self.members]

    def _contradiction_rows(self) -> list[dict]:
        return [
            {
                "a": c.a,
                "b": c.b,
                "camps": f"{c.camps[0]} / {c.camps[1]}",
                "problem": c.problem,
                "claims": edges_text(c.edges),
                "assertions": " ".join(claim.statement for claim in c.claims),
            }
            for c in self.frustrated
        ]

    def _contested_rows(self) -> list[dict]:
        return [
            {
                "a": link.a,
                "b": link.b,
                "camps": " / ".join("-" if camp is None else str(camp) for camp in link.camps),
                "counted_as": link.counted_as,
                "contested": "; ".join(contest_text(contest) for contest in link.contests),
                "assertions": " ".join(claim.statement for claim in link.claims),
            }
            for link in self.contested
        ]

    @property
    def summary(self) -> dict:
        rows = self._contradiction_rows()
        counts = {"signed_edges": self.signed_edges, "frustration": len(rows)}
        return {"camps": self.camps, "unaligned": self.unaligned, **counts, "frustrated": rows, "contested": self._contested_rows()}

    @property
    def sections(self) -> dict[str, tuple[list[str], list[dict]]]:
        """Frustration, and the contested links when there are any (data without
        allegations or denials prints as before)."""
        sections = {"frustration": (list(self.FRUSTRATION_COLUMNS), self._contradiction_rows())}
        if self.contested:
            sections["contested"] = (list(self.CONTESTED_COLUMNS), self._contested_rows())
        return sections


# -- balance --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnbalancedTriad:
    """Three actors linked pairwise whose signs multiply to a negative."""

    actors: tuple[str, str, str]
    signs: tuple[int, int, int]  # of the links ab, bc, ac
    edges: tuple[Edge, ...]
    claims: tuple[Claim, ...]  # behind the three links, link by link


@dataclass
class Balance(Result):
    """How many triads there are, how many are balanced, and the unbalanced ones."""

    triads: int
    balanced: int
    unbalanced: list[UnbalancedTriad]

    COLUMNS = ("actors", "signs", "claims")

    @property
    def ratio(self) -> float | None:
        """The share of balanced triads (``None`` without any triad)."""
        return self.balanced / self.triads if self.triads else None

    @property
    def rows(self) -> list[dict]:
        sign = {1: "+", -1: "-"}
        rows = []
        for t in self.unbalanced:
            (a, b, c), (ab, bc, ac) = t.actors, t.signs
            signs = f"{a}-{b} {sign[ab]}, {b}-{c} {sign[bc]}, {a}-{c} {sign[ac]}"
            rows.append({"actors": " ".join(t.actors), "signs": signs, "claims": edges_text(t.edges)})
        return rows

    @property
    def summary(self) -> dict:
        return {"triads": self.triads, "balanced": self.balanced, "ratio": self.ratio, "unbalanced": self.rows}


# -- chains ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackingChain:
    """One actor ``actor`` reaches by backing (``backs``) or is reached from (``backed-by``)."""

    direction: str  # "backs" (downstream) or "backed-by" (upstream)
    actor: str
    path: tuple[str, ...]  # from the asked actor to ``actor``
    claims: tuple[Claim, ...]  # the backing claims along the path, step by step

    @property
    def steps(self) -> int:
        return len(self.path) - 1

    @property
    def flow(self) -> tuple[str, ...]:
        """The chain in the direction support flows, backer first: ``uae → rsf`` for RSF
        backed by the UAE (``path`` starts from the asked actor, which reads the wrong way)."""
        return self.path if self.direction == "backs" else self.path[::-1]


@dataclass
class Chains(Result):
    """Whom ``actor`` backs, directly and through others, and who backs it."""

    actor: str
    chains: list[BackingChain]

    COLUMNS = ("direction", "actor", "steps", "path")

    @property
    def rows(self) -> list[dict]:
        return [{"direction": c.direction, "actor": c.actor, "steps": c.steps, "path": " → ".join(c.flow)} for c in self.chains]

    @property
    def summary(self) -> dict:
        return {"actor": self.actor, "chains": self.rows}


# -- paths ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelationPath:
    """A shortest chain of relations; each step shows its best supported edge."""

    steps: tuple[Step, ...]
    claims: tuple[Claim, ...]  # behind the steps' edges, step by step

    def text(self) -> str:
        """``iran —participates-in→ astana-process ←participates-in— turkey``"""
        return Path(self.steps).text()


@dataclass
class Paths(Result):
    """The shortest relation chains from ``source`` to ``target``."""

    source: str
    target: str
    paths: list[RelationPath]

    COLUMNS = ("length", "path")

    @property
    def rows(self) -> list[dict]:
        return [{"length": len(p.steps), "path": p.text()} for p in self.paths]

    @property
    def summary(self) -> dict:
        """JSON: each path's display text and its steps as data (who, which relation family,
        which way the claims run, and the statements behind the step)."""
        paths = [{**row, "steps": [_step(step) for step in path.steps]} for row, path in zip(self.rows, self.paths, strict=True)]
        return {"from": self.source, "to": self.target, "paths": paths}


def _step(step: Step) -> dict:
    direction = "mutual" if step.symmetric else "forward" if step.forward else "backward"
    return {"from": step.source, "family": step.family, "to": step.target, "direction": direction, "statements": list(step.assertions)}


# -- centrality -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """An actor that matters, and why: ``kind`` is backer, broker or mediator."""

    kind: str
    actor: str
    score: float  # backers: actors backed; brokers: betweenness; mediators: camps bridged
    detail: str
    claims: tuple[Claim, ...]  # backers: their backing; brokers: all theirs; mediators: their mediation


@dataclass
class Centrality(Result):
    """The most connected backers, the brokers and the mediators bridging camps."""

    scores: list[Ranked]

    COLUMNS = ("kind", "actor", "score", "detail")

    @property
    def rows(self) -> list[dict]:
        return [{"kind": r.kind, "actor": r.actor, "score": r.score, "detail": r.detail} for r in self.scores]

    @property
    def summary(self) -> dict:
        return {"scores": self.rows}


# -- contested ------------------------------------------------------------------------------------


def contest_text(contest: Contest) -> str:
    """``uae backs rsf, denied`` or ``a backs b against a opposes b``"""
    claim = f"{contest.subject} {contest.family} {contest.object}"
    if contest.kind == "denied":
        return f"{claim}, denied"
    return f"{claim} against {contest.subject} {contest.against_family} {contest.object}"


def voices(claims: tuple[Claim, ...]) -> str:
    """Who says so: each claim's sources, with its stance unless asserted and who voices it,
    e.g. ``un-panel-2024 (alleged, said by UN panel of experts); wam-2024 (denied, said by uae)``."""
    parts = []
    for claim in claims:
        said = [claim.stance] if claim.stance != "asserted" else []
        said += [f"said by {claim.said_by}"] if claim.said_by else []
        parts.append(", ".join(claim.sources) + (f" ({', '.join(said)})" if said else ""))
    return "; ".join(dict.fromkeys(parts))


@dataclass
class Contested(Result):
    """Claims that sources dispute: denied by another claim, or contradicted by the opposite
    relation from another source; each contest with the claims on both sides."""

    contests: list[Contest]

    COLUMNS = ("claim", "contested_by", "for", "against")
    EVIDENCE_COLUMNS = ("claim", "side", "stance", "said_by", "stated", "source", "date", "confidence", "quote")

    @property
    def rows(self) -> list[dict]:
        return [
            {
                "claim": f"{c.subject} {c.family} {c.object}",
                "contested_by": "denial" if c.kind == "denied" else f"{c.subject} {c.against_family} {c.object}",
                "for": voices(c.claims),
                "against": voices(c.against),
            }
            for c in self.contests
        ]

    def _evidence_rows(self) -> list[dict]:
        rows = []
        for contest in self.contests:
            claim = f"{contest.subject} {contest.family} {contest.object}"
            for side, claims in (("for", contest.claims), ("against", contest.against)):
                rows += [{"claim": claim, "side": side, **_evidence(c)} for c in claims]
        return rows

    @property
    def summary(self) -> dict:
        return {"contested": self.rows, "evidence": self._evidence_rows()}

    @property
    def sections(self) -> dict[str, tuple[list[str], list[dict]]]:
        return {"evidence": (list(self.EVIDENCE_COLUMNS), self._evidence_rows())}


def _evidence(claim: Claim) -> dict:
    return {
        "stance": claim.stance,
        "said_by": claim.said_by,
        "stated": claim.text(),
        "source": ", ".join(claim.sources),
        "date": date_text(claim.date, claim.date_precision),
        "confidence": claim.confidence,
        "quote": claim.quote,
        "statement": claim.statement,
    }
