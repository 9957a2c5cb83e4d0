"""RDF input (Turtle, N-Triples, JSON-LD) written in the ontology's terms.

Statement nodes are read back into assertions, so an export of a store loads again
unchanged; direct edges are regenerated from them. A direct edge that no assertion
supports is an error: every relation claim needs its provenance.

JSON-LD is read without fetching anything: rdflib would otherwise load every context the
file names (``http://``, ``file:``, ``@import``, contexts nested in terms), so a data file
could make ``kg load`` call any server or read any local file. Contexts given inline are
read as they are; the project's own context may also be named by ``CONTEXT_IRI``, and is
then read from the package; every other reference to a context is an error.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS
from rdflib.parser import PythonInputSource

from kg.errors import KgError
from kg.model import (
    PRECISIONS,
    STANCES,
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
from kg.namespaces import ACTOR, BASE, FILE_GRAPHS, KGO, ONTOLOGY_GRAPH, SCHEMA, SOURCE, WD
from kg.ontology import load_ontology, ontology_path
from kg.sources.document import Document, Problems

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}
#: Formats of several graphs (kg's own TriG and N-Quads exports): ``read_graphs``.
DATASET_FORMATS = {".trig": "trig", ".nq": "nquads"}
#: The IRI a JSON-LD file may use for the project's own context, ``ontology/context.jsonld``.
CONTEXT_IRI = BASE + "ontology/context.jsonld"


def read(path: Path, problems: Problems | None = None) -> Document:
    """The actors, sources and assertions of an RDF file; a bad node goes to ``problems`` (by default raised)."""
    problems = problems if problems is not None else Problems()
    if path.suffix.lower() in DATASET_FORMATS:
        documents = read_graphs(path, problems)
        if len(documents) != 1:
            raise KgError(f"this file holds {len(documents)} graphs: load it with kg load, which keeps each", path=str(path))
        return documents[0]
    return _document(_parse(path), str(path), problems)


def read_graphs(path: Path, problems: Problems | None = None) -> list[Document]:
    """The graphs of a TriG or N-Quads file, each a document: a graph kg exported for a loaded
    file (``FILE_GRAPHS``) loads into that file's graph again (``Document.graph``); the default
    graph and other graphs, into the file's own; the ontology graph is skipped (kg has it)."""
    problems = problems if problems is not None else Problems()
    dataset = Dataset()
    try:
        dataset.parse(os.fspath(path), format=DATASET_FORMATS[path.suffix.lower()])
    except Exception as err:  # rdflib raises many parser-specific types
        raise KgError(f"not valid RDF: {err}", path=str(path)) from None
    own, documents = Graph(), []
    for graph in dataset.graphs():
        name = str(graph.identifier)
        if name == str(ONTOLOGY_GRAPH) or not len(graph):
            continue
        if name.startswith(str(FILE_GRAPHS)):
            label = unquote(name[len(str(FILE_GRAPHS)) :])
            part = Graph()
            for triple in graph:
                part.add(triple)
            documents.append(replace(_document(part, f"{path} ({label})", problems), graph=name))
        else:
            for triple in graph:
                own.add(triple)
    if len(own):
        documents.append(_document(own, str(path), problems))
    return documents


def _document(graph: Graph, path: str, problems: Problems) -> Document:
    """The actors, sources and assertions of one graph of ``path``."""
    ontology = load_ontology()
    doc = Document(path)
    where = Where(path)
    nodes = lambda found: [(node, where) for node in sorted(found)]  # noqa: E731
    doc.actors = problems.each(nodes(_typed(graph, ontology.actor_types)), lambda node, _: _actor(graph, node, path))
    doc.sources = problems.each(nodes(graph.subjects(RDF.type, KGO.Source)), lambda node, _: _source(graph, node, path))
    doc.assertions = problems.each(nodes(graph.subjects(RDF.type, KGO.Assertion)), lambda node, _: _assertion(graph, node, path))
    _check_edges(graph, doc, ontology, path, problems)
    return doc


def _parse(path: Path) -> Graph:
    graph = Graph()
    try:
        if FORMATS[path.suffix.lower()] == "json-ld":
            graph.parse(source=PythonInputSource(_jsonld(path), path.resolve().as_uri()), format="json-ld")
        else:
            graph.parse(os.fspath(path), format=FORMATS[path.suffix.lower()])  # fspath: standard input's copy
    except KgError:
        raise
    except Exception as err:  # rdflib raises many parser-specific types
        raise KgError(f"not valid RDF: {err}", path=str(path)) from None
    return graph


def _jsonld(path: Path) -> object:
    """The JSON of a JSON-LD file, with the contexts it names checked (and ours inlined)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise KgError(f"not valid JSON: {err}", path=str(path)) from None
    _inline_contexts(data, path)
    return data


def _inline_contexts(value: object, path: Path) -> None:
    """Replace, everywhere in ``value``, our context's IRI with the context itself; refuse every
    other context that rdflib would fetch (an IRI, a relative or ``file:`` reference, ``@import``)."""
    if isinstance(value, list):
        for item in value:
            _inline_contexts(item, path)
    elif isinstance(value, dict):
        if "@import" in value:
            raise _fetched(value["@import"], path, "@import")
        if "@context" in value:
            value["@context"] = _context(value["@context"], path)
        for item in value.values():
            _inline_contexts(item, path)


def _context(value: object, path: Path) -> object:
    if isinstance(value, list):
        return [_context(item, path) for item in value]
    if isinstance(value, str):
        if value != CONTEXT_IRI:
            raise _fetched(value, path, "@context")
        with open(ontology_path("context.jsonld"), encoding="utf-8") as handle:
            return json.load(handle)["@context"]
    return value  # inline (a mapping) or null


def _fetched(reference: object, path: Path, key: str) -> KgError:
    return KgError(
        f"the JSON-LD context {reference!r} would have to be fetched, and kg fetches nothing: give contexts inline, "
        f"or name kg's own as {CONTEXT_IRI}",
        path=str(path),
        field=key,
    )


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
        aliases=_aliases(graph, node, path),
        wikidata=parse_wikidata(same[0], Where(path)) if same else None,
        description=_opt(graph.value(node, RDFS.comment)),
        where=Where(path),
    )


def _aliases(graph: Graph, node: URIRef, path: str) -> tuple[str, ...]:
    """An alias is a name: a node (a JSON-LD list or object among ``aliases``) is a mistake."""
    found = list(graph.objects(node, SKOS.altLabel))
    for value in found:
        if not isinstance(value, Literal):
            what = "a blank node (a list or an object?)" if isinstance(value, BNode) else f"the IRI <{value}>"
            raise KgError(f"actor {node}: an alias (skos:altLabel) is a name, not {what}", path=path, field="aliases")
    return tuple(sorted(str(a) for a in found))


def _source(graph: Graph, node: URIRef, path: str) -> Source:
    where = Where(path)
    return Source(
        id=_local(node, SOURCE, path, "source"),
        title=str(graph.value(node, DCTERMS.title) or ""),
        publisher=_opt(graph.value(node, DCTERMS.publisher)),
        url=parse_url(graph.value(node, SCHEMA.url), where, f"{node} url"),
        date=parse_date(graph.value(node, DCTERMS.date), where, f"{node} date"),
        events=source_events(graph, node),
        note=_opt(graph.value(node, RDFS.comment)),
        where=where,
    )


def _assertion(graph: Graph, node: URIRef, path: str) -> Assertion:
    where = Where(path)
    value = lambda prop: graph.value(node, prop)  # noqa: E731
    relation = value(KGO.relation)
    subjects = sorted(_local(s, ACTOR, path, "actor") for s in graph.objects(node, KGO.subject))
    if relation is None or not subjects:
        raise KgError(f"assertion {node} needs kgo:subject and kgo:relation", path=path)
    return Assertion(
        subject=subjects[0],
        co_subjects=tuple(subjects[1:]),
        relation=relation.removeprefix(str(KGO)),
        objects=tuple(sorted(_local(o, ACTOR, path, "actor") for o in graph.objects(node, KGO.object))),
        sources=tuple(sorted(_local(s, SOURCE, path, "source") for s in graph.objects(node, PROV.wasDerivedFrom))),
        date=parse_date(value(KGO.dateReported), where, f"{node} date"),
        confidence=parse_confidence(value(KGO.confidence), where, f"{node} confidence") if value(KGO.confidence) is not None else 1.0,
        quote=_opt(value(KGO.quote)),
        valid_from=parse_date(value(KGO.validFrom), where, f"{node} valid_from"),
        valid_until=parse_date(value(KGO.validUntil), where, f"{node} valid_until"),
        date_precision=_precision(value(KGO.dateReportedPrecision), node, path),
        valid_from_precision=_precision(value(KGO.validFromPrecision), node, path),
        valid_until_precision=_precision(value(KGO.validUntilPrecision), node, path),
        note=_opt(value(RDFS.comment)),
        events=event_evidence(graph, node),
        stance=_stance(value(KGO.stance), node, path),
        said_by=_actor_ref(value(KGO.saidBy), path),
        said_by_text=_opt(value(KGO.saidByName)),
        process=_actor_ref(value(KGO.process), path),
        host=_actor_ref(value(KGO.host), path),
        where=where,
    )


def _stance(value, node: URIRef, path: str) -> str:
    """``kgo:Alleged`` -> ``alleged``; no ``kgo:stance`` means asserted."""
    if value is None:
        return "asserted"
    name = str(value).removeprefix(str(KGO)).lower()
    if not str(value).startswith(str(KGO)) or name not in STANCES:
        raise KgError(
            f"assertion {node}: kgo:stance is one of kgo:Asserted, kgo:Alleged, kgo:Denied, not {value}", path=path, field="stance"
        )
    return name


def _precision(value, node: URIRef, path: str) -> str:
    """How much of a date is known (``year``, ``month``); absent: the day."""
    if value is None:
        return "day"
    if str(value) not in PRECISIONS:
        raise KgError(f'assertion {node}: a date precision is "year" or "month", not {str(value)!r}', path=path, field="date")
    return str(value)


def _actor_ref(value, path: str) -> str | None:
    return _local(value, ACTOR, path, "actor") if value is not None else None


def _check_edges(graph: Graph, doc: Document, ontology, path: str, problems: Problems) -> None:
    """Every direct edge in the file must follow from one of its asserted claims."""
    implied = set()
    for a in doc.assertions:
        if not a.asserted:  # an alleged or denied claim makes no direct edge
            continue
        relation = ontology.relation(a.relation)
        for subject in a.subjects:
            for obj in a.objects:
                implied |= ontology.implied_edges(ACTOR[subject], relation.iri, ACTOR[obj])
    for relation in ontology.relations:
        for s, o in graph.subject_objects(relation):
            if (s, relation, o) not in implied:
                message = f"edge {s} {relation} {o} has no kgo:Assertion with its provenance (only an asserted claim makes a direct edge)"
                problems.add(KgError(message, path=path))


def _opt(value) -> str | None:
    return str(value) if value is not None else None
