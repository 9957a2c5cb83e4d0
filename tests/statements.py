"""Stores built from ``kg.model`` records, for the read side's tests of stances, joint mediation and
partial dates: the statement triples (``kg.model.assertion_triples``) and the direct edges of the
asserted claims only, one set per subject (the loader's rule: only an asserted claim makes direct
edges, and a joint mediation makes them for each mediator)."""

from __future__ import annotations

from dataclasses import replace

from kg.model import Actor, Assertion, Source, Where, actor_triples, assertion_triples, parse_partial_date, source_triples
from kg.ontology import load_ontology
from kg.rules import edge_terms, graph_iri
from kg.store import Store

HERE = Where("statements.py")


def claim(text: str, source: str, date: str = "2023-05-10", confidence: float = 0.9, **fields) -> Assertion:
    """``claim("saudi-arabia+united-states mediates saf rsf", "s1", "2023-05", stance="alleged")``:
    subjects joined by ``+``; dates ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` kept with their precision."""
    subjects, relation, *objects = text.split()
    first, *others = subjects.split("+")
    values: dict = {}
    for name in ("valid_from", "valid_until"):
        if name in fields:
            values[name], values[f"{name}_precision"] = parse_partial_date(fields.pop(name), HERE, name)
    day, precision = parse_partial_date(date, HERE, "date")
    relation = load_ontology().forward(load_ontology().relation(relation))[0].name
    return Assertion(
        first,
        relation,
        tuple(sorted(objects)),
        (source,),
        day,
        confidence,
        co_subjects=tuple(others),
        date_precision=precision,
        **values,
        **fields,
    )


def stored(store: Store, actors: dict[str, str], claims: list[Assertion], name: str = "claims.yaml") -> Store:
    """``store`` holding the actors (id -> type), one source per source id used, and the claims."""
    ontology = load_ontology()
    triples: set[tuple] = set()
    for actor_id, kind in actors.items():
        triples.update(actor_triples(Actor(actor_id, actor_id.replace("-", " ").title(), kind)))
    for source_id in sorted({s for c in claims for s in c.sources}):
        triples.update(source_triples(Source(source_id, f"Article {source_id}", publisher="Press")))
    for assertion in claims:
        triples.update(assertion_triples(assertion))
        if assertion.asserted:
            for subject in assertion.subjects:
                triples.update(edge_terms(replace(assertion, subject=subject, co_subjects=()), ontology))
    store.install_ontology()
    store.replace_graphs({graph_iri(name): triples})
    return store
