"""The analyses of ``kg analyse`` and ``kg path``: each answer with the claims behind it.

One function per command; each selects the claims once with the given ``Selection``,
projects them (``kg.projection``), runs one algorithm of this package on the graph and
returns a result of ``kg.analyse.results``: structured fields naming the
``kg.projection.Claim`` objects behind every item, and the tables the CLI prints.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from kg.analyse.balance import triads
from kg.analyse.blocs import aligned_camps, frustration
from kg.analyse.centrality import BACKING, MEDIATION, Score, bridging_mediators, brokers, top_backers
from kg.analyse.chains import Chain, backing_chains
from kg.analyse.paths import relation_paths
from kg.analyse.results import (
    BackingChain,
    Balance,
    Blocs,
    Centrality,
    Chains,
    Contested,
    ContestedLink,
    Contradiction,
    Member,
    Paths,
    Ranked,
    RelationPath,
    UnbalancedTriad,
)
from kg.analyse.signed import Edge, actors_of, camp_edges, camp_families, collapse, signed_graph
from kg.errors import KgError
from kg.gcpause import without_gc
from kg.names import StoreActors
from kg.projection import Claim, Contest, actor_details, claims_graph, contests, select_claims, with_denials
from kg.selection import Selection
from kg.store import Store

ClaimIndex = dict[str, Claim]  # statement IRI -> claim


def _projected(store: Store, selection: Selection) -> tuple[nx.MultiDiGraph, ClaimIndex]:
    """The projection of the selected claims, and those claims by statement."""
    claims = select_claims(store, selection)
    return claims_graph(claims, actor_details(store)), {claim.statement: claim for claim in claims}


def _claims(index: ClaimIndex, statements: Iterable[str]) -> tuple[Claim, ...]:
    """The claims of ``statements``, in their order, each once."""
    return tuple(index[statement] for statement in dict.fromkeys(statements))


@without_gc
def blocs(store: Store, selection: Selection = Selection()) -> Blocs:
    """Camps from the signed graph, the claims that contradict them, and the links whose
    claims are contested (denied, or contradicted by the opposite relation: see ``contested``).

    Examples
    --------
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/ain-issa-2020/ain-issa.yaml"])
    >>> result = blocs(store)
    >>> result.camps[1], result.unaligned, result.frustrated, result.contested
    (['cavusoglu', 'sna', 'turkey', 'turkish-defence-ministry'], ['astana-process', 'iran', 'ruslan-trad'], [], [])
    """
    judged = with_denials(store, selection)
    claims = [claim for claim in judged if claim.stance in selection.stances]
    details = actor_details(store)
    edges = camp_edges(claims)
    signed = collapse(edges, actors_of(claims))
    if selection.focus is None:  # every actor is somewhere: one with no claim at all is unaligned
        signed.add_nodes_from(details.label)
    camps, unaligned = aligned_camps(signed)
    numbered = [(number, actor) for number, camp in enumerate(camps, 1) for actor in sorted(camp)]
    numbered += [(None, actor) for actor in sorted(unaligned)]
    members = [Member(number, actor, details.label[actor], details.type[actor]) for number, actor in numbered]
    camp_of = {member.actor: member.camp for member in members}
    found = frustration(signed, camps)
    index = _index(claims, {statement for f in found for statement in f.assertions})
    frustrated = [Contradiction(f.a, f.b, (camp_of[f.a], camp_of[f.b]), f.sign, f.edges, _claims(index, f.assertions)) for f in found]
    disputed = _contested_links(edges, signed, contests(judged), camp_of)
    return Blocs([sorted(c) for c in camps], sorted(unaligned), members, signed.number_of_edges(), frustrated, disputed)


def _index(claims: list[Claim], statements: set[str]) -> ClaimIndex:
    """The claims of ``statements``, by statement: not a dict of every claim, at a million."""
    return {claim.statement: claim for claim in claims if claim.statement in statements}


def _contested_links(edges: dict[Edge, list[Claim]], signed: nx.Graph, found: list[Contest], camp_of: dict) -> list[ContestedLink]:
    """The pairs of actors whose camp-deciding edges (``edges``) contested claims stand
    behind, with how the camps counted them: allies, enemies, or cancelled out (opposite
    claims on equally many sources leave no link)."""
    deciding = camp_families()
    by_pair: dict[tuple[str, str], list[Contest]] = {}
    for contest in found:
        if contest.family in deciding:
            by_pair.setdefault(tuple(sorted((contest.subject, contest.object))), []).append(contest)
    between: dict[tuple[str, str], list[tuple[str, str, str]]] = {pair: [] for pair in by_pair}
    for u, v, family in edges:
        between.get((min(u, v), max(u, v)), []).append((u, family, v))
    links = []
    for (a, b), disputes in sorted(by_pair.items()):
        sign = signed[a][b]["sign"] if signed.has_edge(a, b) else 0
        links.append(ContestedLink(a, b, (camp_of.get(a), camp_of.get(b)), sign, tuple(sorted(between[a, b])), tuple(disputes)))
    return links


@without_gc
def contested(store: Store, selection: Selection = Selection()) -> Contested:
    """Claims the selection keeps that another claim denies, or that the opposite relation
    contradicts from another source (backs against opposes between the same two actors,
    same direction), with both sides' claims (``kg.projection.contests``).

    Denials are read whatever the selection's stances (its dates, confidence and relations
    apply); what they contest are the claims of the chosen stances: asserted ones by default,
    allegations too with ``stances=("asserted", "alleged")``.

    Examples
    --------
    >>> from kg.loader import load
    >>> from kg.store import open_store
    >>> store = open_store(":memory:")
    >>> _ = load(store, ["examples/ain-issa-2020/ain-issa.yaml"])
    >>> contested(store).contests
    []
    """
    return Contested(contests(with_denials(store, selection)))


@without_gc
def balance(store: Store, selection: Selection = Selection()) -> Balance:
    """Unbalanced triads, with the claims on their three sides, and the balance ratio."""
    claims = select_claims(store, selection)
    found = triads(signed_graph(claims))
    index = _index(claims, {statement for t in found if not t.balanced for statement in t.assertions})
    unbalanced = [UnbalancedTriad(t.actors, t.signs, t.edges, _claims(index, t.assertions)) for t in found if not t.balanced]
    return Balance(len(found), len(found) - len(unbalanced), unbalanced)


@without_gc
def chains(store: Store, actor: str, selection: Selection = Selection()) -> Chains:
    """Whom ``actor`` backs, directly and through others, and who backs it."""
    actor_id = StoreActors(store).lookup(actor, field="ACTOR")
    projection, index = _projected(store, selection)
    found = [BackingChain(c.direction, c.actor, c.path, _chain_claims(projection, index, c)) for c in backing_chains(projection, actor_id)]
    return Chains(actor_id, found)


def _chain_claims(projection: nx.MultiDiGraph, index: ClaimIndex, chain: Chain) -> tuple[Claim, ...]:
    """The backing claims along a chain, step by step (upstream, each step's backer is ahead)."""
    pairs = zip(chain.path, chain.path[1:], strict=False)
    links = pairs if chain.direction == "backs" else ((backer, backed) for backed, backer in pairs)
    return _claims(index, (s for u, v in links for s in projection[u][v][BACKING]["assertions"]))


@without_gc
def path(store: Store, a: str, b: str, selection: Selection = Selection(), limit: int = 5) -> Paths:
    """The shortest chains of relations linking two actors."""
    index = StoreActors(store)
    source, target = index.lookup(a, field="A"), index.lookup(b, field="B")
    if source == target:
        raise KgError(f"A and B are the same actor ({source!r})", field="B")
    projection, claims = _projected(store, selection)
    found = relation_paths(projection, source, target, limit)
    return Paths(source, target, [RelationPath(p.steps, _claims(claims, (s for step in p.steps for s in step.assertions))) for p in found])


@without_gc
def centrality(store: Store, selection: Selection = Selection(), top: int = 5) -> Centrality:
    """The most connected backers, the brokers (betweenness) and the mediators that
    bridge opposing camps."""
    projection, index = _projected(store, selection)
    camps, _ = aligned_camps(signed_graph(list(index.values())))
    scores = top_backers(projection, top) + brokers(projection, top) + bridging_mediators(projection, camps)
    return Centrality([Ranked(s.kind, s.actor, s.score, s.detail, _score_claims(projection, index, s)) for s in scores])


def _score_claims(projection: nx.MultiDiGraph, index: ClaimIndex, score: Score) -> tuple[Claim, ...]:
    """A backer's backing, a mediator's mediation; a broker's every claim (betweenness rests
    on all its links). In statement order."""
    if score.kind == "broker":
        links = [*projection.out_edges(score.actor, data="assertions"), *projection.in_edges(score.actor, data="assertions")]
        statements = [s for _, _, assertions in links for s in assertions]
    else:
        family = BACKING if score.kind == "backer" else MEDIATION
        links = projection.out_edges(score.actor, keys=True, data="assertions")
        statements = [s for _, _, key, assertions in links if key == family for s in assertions]
    return _claims(index, sorted(statements))
