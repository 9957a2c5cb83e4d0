"""RDF input (Turtle, N-Triples, JSON-LD) written in the ontology's terms.

Statement nodes are read back into assertions, so an export of a store loads again
unchanged; direct edges are regenerated from them. A direct edge that no assertion
supports is an error: every relation claim needs its provenance.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from kg.errors import KgError
from kg.model import (
    Actor,
    Assertion,
    Source,
    Where,
    event_evidence,
    parse_confidence,
    parse_date,
    parse_id,
    parse_url,
    parse_wikidata,
    source_events,
)
from kg.namespaces import ACTOR, KGO, SCHEMA, SOURCE, WD
from kg.ontology import load_ontology
from kg.sources import Document

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld"}


def read(path: Path) -> Document:
    graph = Graph()
    try:
        graph.parse(path, format=FORMATS[path.suffix.lower()])
    except Exception as err:  # rdflib raises many parser-specific types
        raise KgError(f"not valid RDF: {err}", path=str(path)) from None
    ontology = load_ontology()
    doc = Document(str(path))
    doc.actors = [_actor(graph, node, str(path)) for node in sorted(_typed(graph, ontology.actor_types))]
    doc.sources = [_source(graph, node, str(path)) for node in sorted(graph.subjects(RDF.type, KGO.Source))]
    doc.assertions = [_assertion(graph, node, str(path)) for node in sorted(graph.subjects(RDF.type, KGO.Assertion))]
    _check_edges(graph, doc, ontology, str(path))
    return doc


def _typed(graph: Graph, types) -> set[URIRef]:
    return {s for t in types for s in graph.subjects(RDF.type, t)}


def _local(node: URIRef, namespace, path: str, what: str) -> str:
    """The id of an actor or source IRI, checked like ids typed in YAML or CSV."""
    if not isinstance(node, URIRef) or not str(node).startswith(str(namespace)):
        raise KgError(f"{what} {node} is not in the namespace {namespace}", path=path)
    return parse_id(str(node)[len(str(namespace)) :], Where(path), f"{what} {node}")


def _actor(graph: Graph, node: URIRef, path: str) -> Actor:
    types = [t for t in graph.objects(node, RDF.type) if str(t).startswith(str(KGO))]
    same = [str(o) for o in graph.objects(node, OWL.sameAs) if str(o).startswith(str(WD))]
    return Actor(
        id=_local(node, ACTOR, path, "actor"),
        label=str(graph.value(node, RDFS.label) or ""),
        type=types[0].removeprefix(str(KGO)),
        aliases=tuple(sorted(str(a) for a in graph.objects(node, SKOS.altLabel))),
        wikidata=parse_wikidata(same[0], Where(path)) if same else None,
        description=_opt(graph.value(node, RDFS.comment)),
        where=Where(path),
    )


def _source(graph: Graph, node: URIRef, path: str) -> Source:
    where = Where(path)
    return Source(
        id=_local(node, SOURCE, path, "source"),
        title=str(graph.value(node, DCTERMS.title) or ""),
        publisher=_opt(graph.value(node, DCTERMS.publisher)),
        url=parse_url(graph.value(node, SCHEMA.url), where, f"{node} url"),
        date=parse_date(graph.value(node, DCTERMS.date), where, f"{node} date"),
        events=source_events(graph, node),
        where=where,
    )


def _assertion(graph: Graph, node: URIRef, path: str) -> Assertion:
    where = Where(path)
    value = lambda prop: graph.value(node, prop)  # noqa: E731
    relation = value(KGO.relation)
    subject = value(KGO.subject)
    if relation is None or subject is None:
        raise KgError(f"assertion {node} needs kgo:subject and kgo:relation", path=path)
    return Assertion(
        subject=_local(subject, ACTOR, path, "actor"),
        relation=relation.removeprefix(str(KGO)),
        objects=tuple(sorted(_local(o, ACTOR, path, "actor") for o in graph.objects(node, KGO.object))),
        sources=tuple(sorted(_local(s, SOURCE, path, "source") for s in graph.objects(node, PROV.wasDerivedFrom))),
        date=parse_date(value(KGO.dateReported), where, f"{node} date"),
        confidence=parse_confidence(value(KGO.confidence), where, f"{node} confidence") if value(KGO.confidence) is not None else 1.0,
        quote=_opt(value(KGO.quote)),
        valid_from=parse_date(value(KGO.validFrom), where, f"{node} valid_from"),
        valid_until=parse_date(value(KGO.validUntil), where, f"{node} valid_until"),
        note=_opt(value(RDFS.comment)),
        events=event_evidence(graph, node),
        where=where,
    )


def _check_edges(graph: Graph, doc: Document, ontology, path: str) -> None:
    """Every direct edge in the file must follow from one of its assertions."""
    implied = set()
    for a in doc.assertions:
        relation = ontology.relation(a.relation)
        for obj in a.objects:
            implied |= ontology.implied_edges(ACTOR[a.subject], relation.iri, ACTOR[obj])
    for relation in ontology.relations:
        for s, o in graph.subject_objects(relation):
            if (s, relation, o) not in implied:
                raise KgError(f"edge {s} {relation} {o} has no kgo:Assertion with its provenance", path=path)


def _opt(value) -> str | None:
    return str(value) if value is not None else None
