"""SHACL over the graph a load would write, and its results in user terms.

``ontology/shapes.ttl`` is the tool-independent statement of a valid graph, so a rule
added there is enforced without code: ``kg load`` runs it before writing (``check_load``,
on loads up to ``LOAD_SHACL_LIMIT`` triples) and ``kg validate`` on everything. A result
is reported as a ``Problem``: file, line and record of its focus node, field, message.

pySHACL evaluates a ``sh:sparql`` constraint by parsing its query again for every focus
node (~13 ms each with rdflib: 87% of the time on 1,000 assertions). We run those
constraints once per shape in Oxigraph instead, over the same graph, with ``$this`` free
and joined with the shape's target class, which gives the same focus nodes for
constraints that bind ``$this`` in their pattern (all of ours do); shapes with other kinds
of targets are left to pySHACL.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from kg.errors import KgError
from kg.model import Where, actor_triples, source_triples
from kg.names import ActorIndex
from kg.namespaces import ACTOR, KGO, SOURCE, local_name
from kg.ontology import kebab, load_ontology, ontology_path
from kg.rules import check_records, known_sources
from kg.sources import Document
from kg.store import Store

#: ``kg load`` runs SHACL when a load writes at most this many triples (about 5,000 assertions,
#: a few seconds); bigger loads keep the loader's own checks, and ``kg validate`` runs the rest.
LOAD_SHACL_LIMIT = 50_000

#: Where each node of the data was defined, and how a message names it (``actor 'ypg'``);
#: the name may be None (then the node's own triples describe it).
Places = Mapping[URIRef, tuple[Where, str | None]]


@dataclass(frozen=True, order=True)
class Violation:
    """A raw SHACL result: focus node, property path, message (IRIs as strings)."""

    focus: str
    path: str
    message: str
    value: str = field(default="", compare=False)


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where a user can find and fix it."""

    path: str  # the file, or the store folder
    line: int | None
    record: str  # "assertion 'turkey backs sna'", "actor 'ypg'", "source 'x'", or "file"
    field: str | None
    message: str

    def text(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        return f"{where}: {self.record}:{field} {self.message}"

    def row(self) -> dict:
        return {"file": self.path, "line": self.line, "record": self.record, "field": self.field, "problem": self.message}

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.record, self.field or "", self.message)


# -- kg load ----------------------------------------------------------------------------------------


def check_load(store: Store, documents: list[Document], graphs: Mapping[URIRef, set]) -> None:
    """What ``kg load`` calls just before writing: SHACL over the graphs it is about to write.

    Raises ``KgError`` naming the file, line, record and field of the first violation. The
    loader has already applied its own rules, so this only finds what the shapes add. Loads
    of more than ``LOAD_SHACL_LIMIT`` triples skip it (see the module notes for the cost).
    """
    if sum(len(triples) for triples in graphs.values()) > LOAD_SHACL_LIMIT:
        return
    data = with_references(graphs, store)
    _, violations = shacl_report(data, owned=True)
    if not violations:
        return
    first = min(locate(violations, data, _places(documents, store)), key=lambda p: p.sort_key)
    raise KgError(f"{first.record}: {first.message}", path=first.path, line=first.line, field=first.field)


def _places(documents: list[Document], store: Store) -> dict[URIRef, tuple[Where, str | None]]:
    """Where each record of the documents is, found again only when a shape is broken."""
    ontology = load_ontology()
    index = ActorIndex(store.actors() + [a for doc in documents for a in doc.actors])
    sources = known_sources(documents, store)
    places: dict[URIRef, tuple[Where, str | None]] = {}
    for doc in documents:
        for check in check_records(doc, index, sources, ontology):
            if check.node is not None:
                places.setdefault(check.node, (check.where, check.record))
    return places


# -- the report ---------------------------------------------------------------------------------------


def shacl_violations(data: Graph) -> list[Violation]:
    """Every SHACL violation of ``data`` (empty when valid)."""
    return shacl_report(data)[1]


def shacl_report(data: Graph, *, owned: bool = False, ignore: Collection[URIRef] = frozenset()) -> tuple[Graph, list[Violation]]:
    """pySHACL's validation report for ``data`` with our SPARQL constraints' results added.

    ``owned``: ``data`` is a graph of our own making, which may be extended in place
    (copying 100k triples costs seconds; pySHACL would copy them again). ``ignore``: nodes
    whose results are dropped, focus or value: records that broke a loader rule, which are
    not in ``data``, so every claim naming them would be reported again (not an Actor, ...).
    """
    from pyshacl import validate  # slow to import: only a load or a validation pays for it

    shapes, constraints = _shapes()
    # The whole ontology is mixed in (not pySHACL's ont_graph, which copies only the class
    # axioms): sh:class kgo:Relation needs the relations' own rdf:type triples.
    combined = data if owned else data + Graph()
    combined += load_ontology().graph
    _, report, _ = validate(combined, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False, inplace=True)
    for shape, constraint, focus, message in _sparql_results(combined, constraints):
        add_result(report, focus, message, shape=shape, constraint=constraint, component=SH.SPARQLConstraintComponent)
    if ignore:
        _drop_results(report, set(ignore))
    violations = sorted(
        Violation(
            focus=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or ""),
            value=str(report.value(result, SH.value) or ""),
        )
        for result in report.subjects(SH.resultSeverity, SH.Violation)
    )
    return report, violations


TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}


@cache
def _shapes() -> tuple[Graph, tuple]:
    """The shapes without the SPARQL constraints we run ourselves, and those constraints."""
    shapes = Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    constraints = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        targets = {p for p, _ in shapes.predicate_objects(shape) if p in TARGETS}
        select = shapes.value(constraint, SH.select)
        if targets != {SH.targetClass} or select is None:
            continue
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for source in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(source, SH.declare)
        )
        classes = tuple(shapes.objects(shape, SH.targetClass))
        message = str(shapes.value(constraint, SH.message) or "violates a SPARQL constraint")
        constraints.append((shape, constraint, classes, prefixes, str(select), message))
        shapes.remove((shape, SH.sparql, constraint))
    return shapes, tuple(constraints)


def _sparql_results(graph: Graph, constraints: tuple) -> list[tuple]:
    """Each SPARQL constraint once over the whole graph, in a scratch in-memory Oxigraph."""
    if not constraints:
        return []
    scratch = ox.Store()
    scratch.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    results = []
    for shape, constraint, classes, prefixes, select, message in constraints:
        targets = " UNION ".join(f"{{ ?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{c}> }}" for c in classes)
        query = f"{prefixes}SELECT DISTINCT ?this WHERE {{ {{ {targets} }} {{ {select} }} }}"
        for row in scratch.query(query):
            results.append((shape, constraint, URIRef(row["this"].value), message))
    return results


def add_result(report: Graph, focus: URIRef, message: str, *, shape=None, constraint=None, component=None) -> None:
    """One more ``sh:ValidationResult`` in a report (and the report no longer conforms):
    ``kg validate`` adds the loader rules' problems, so ``--format turtle`` shows everything."""
    node = BNode()
    top = report.value(predicate=RDF.type, object=SH.ValidationReport)
    report.add((top, SH.result, node))
    report.set((top, SH.conforms, Literal(False)))
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.resultSeverity, SH.Violation))
    report.add((node, SH.focusNode, focus))
    report.add((node, SH.resultMessage, Literal(message)))
    for prop, value in ((SH.sourceShape, shape), (SH.sourceConstraint, constraint), (SH.sourceConstraintComponent, component)):
        if value is not None:
            report.add((node, prop, value))


def _drop_results(report: Graph, nodes: set[URIRef]) -> None:
    """Remove the results about ``nodes`` (as focus or value); conforms if none is left."""
    top = report.value(predicate=RDF.type, object=SH.ValidationReport)
    for result in list(report.objects(top, SH.result)):
        if report.value(result, SH.focusNode) in nodes or report.value(result, SH.value) in nodes:
            report.remove((top, SH.result, result))
            report -= report.triples((result, None, None))
    report.set((top, SH.conforms, Literal(report.value(top, SH.result) is None)))


# -- in user terms ------------------------------------------------------------------------------------


def locate(violations: Iterable[Violation], data: Graph, places: Places) -> list[Problem]:
    """SHACL results in user terms: file, line and record of the focus node, field, message."""
    shapes, _ = _shapes()
    problems = []
    for violation in violations:
        focus = URIRef(violation.focus)
        found, name = places.get(focus, (None, None))
        if found is None:
            found = Where("<data>")
        problems.append(
            Problem(
                path=found.path,
                line=found.line,
                record=name or _describe(data, focus),
                field=_field(shapes, violation.path),
                message=_message(violation),
            )
        )
    return problems


def _field(shapes: Graph, path: str) -> str | None:
    """The field a SHACL path stands for: the property shape's ``sh:name`` (as data files spell it)."""
    if not path:
        return None
    for shape in shapes.subjects(SH.path, URIRef(path)):
        name = shapes.value(shape, SH.name)
        if name is not None:
            return str(name)
    return _short(URIRef(path))


#: pySHACL's own messages (for constraints without ``sh:message``), in user terms.
DEFAULT_MESSAGES = [
    (re.compile(r"^Value does not have class (\S+)"), lambda m, v: f"{v or 'the value'} is not a {_short(m[1])}"),
    (re.compile(r"^Value is not Literal with datatype (\S+)"), lambda m, v: f"{v or 'the value'} is not a valid {m[1]}"),
    (re.compile(r"^Less than (\d+) values"), lambda m, v: "missing" if m[1] == "1" else f"needs at least {m[1]} values"),
    (re.compile(r"^More than (\d+) values"), lambda m, v: "give one value only" if m[1] == "1" else f"at most {m[1]} values"),
]


def _message(violation: Violation) -> str:
    value = _short(violation.value) if violation.value else ""
    for pattern, text in DEFAULT_MESSAGES:
        found = pattern.match(violation.message)
        if found:
            return text(found, value)
    if value and value not in violation.message:
        return f"{violation.message} (found: {value})"
    return violation.message


def _describe(data: Graph, node: URIRef) -> str:
    """How to name a node in a message: ``assertion 'turkey backs sna'``, ``actor 'ypg'``."""
    if (node, RDF.type, KGO.Assertion) in data:
        subject = data.value(node, KGO.subject)
        relation = data.value(node, KGO.relation)
        objects = ", ".join(sorted(_short(o) for o in data.objects(node, KGO.object)))
        relation_name = kebab(str(relation).removeprefix(str(KGO))) if relation is not None else "?"
        text = f"{_short(subject) if subject is not None else '?'} {relation_name} {objects}"
        return f"assertion {text!r}"
    if str(node).startswith(str(ACTOR)):
        return f"actor {_short(node)!r}"
    if str(node).startswith(str(SOURCE)):
        return f"source {_short(node)!r}"
    label = data.value(node, RDFS.label)
    return f"{_short(node)}" + (f" ({label})" if label else "")


def _short(node) -> str:
    text = str(node)
    for namespace in (ACTOR, SOURCE, KGO):
        if text.startswith(str(namespace)):
            return text[len(str(namespace)) :]
    return text


# -- the data ---------------------------------------------------------------------------------------


def with_references(graphs: Mapping[URIRef, Iterable[tuple]], store: Store | None) -> Graph:
    """The triples to check, plus the store's actors and sources they name but do not define
    (``sh:class kgo:Actor`` needs the actor's type)."""
    data = Graph()
    for triples in graphs.values():
        for triple in triples:
            data.add(triple)
    if store is None:
        return data
    defined = set(data.subjects(RDF.type, None))
    named = {o for o in data.objects() if isinstance(o, URIRef)} - defined
    for actor in store.actors():
        if ACTOR[actor.id] in named:
            for triple in actor_triples(actor):
                data.add(triple)
    for source in store.sources(local_name(iri, SOURCE) for iri in named if iri.startswith(str(SOURCE))):
        for triple in source_triples(source):
            data.add(triple)
    return data
