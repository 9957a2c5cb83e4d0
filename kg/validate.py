"""``kg validate``: data files (before loading) or the store, checked against ``ontology/shapes.ttl``.

Two stages, both reported in user terms (file, line, the record, the field, what is wrong):

1. The loader's own rules, record by record: every actor, source and assertion of a file
   goes through ``kg.loader.document_triples`` on its own, so one bad record does not hide
   the next (names resolve, relation and type exist, subject is not the object, a source
   is named and known, ...). The readers' own errors are collected too: every record
   a reader rejects (a confidence of 1.7, a date that is no date, an unknown field) is
   reported, up to ``READER_PROBLEMS`` per file, and the file's other records are still
   checked; only a file that cannot be read at all (bad YAML) is reported once.
2. SHACL, with pySHACL, over the RDF the records that passed would become (plus the actors
   and sources they name from the store). This is the tool-independent statement of a
   valid graph, so a rule added to ``shapes.ttl`` is enforced without code.

pySHACL evaluates a ``sh:sparql`` constraint by parsing its query again for every focus
node (~13 ms each with rdflib: 87% of the time on 1,000 assertions). We run those
constraints once per shape in Oxigraph instead, over the same graph, with ``$this`` free
and joined with the shape's target class, which gives the same focus nodes for
constraints that bind ``$this`` in their pattern (all of ours do); shapes with other kinds
of targets are left to pySHACL.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from kg.errors import KgError
from kg.model import Where, actor_triples, source_triples
from kg.namespaces import ACTOR, KGO, SOURCE, local_name
from kg.ontology import kebab, load_ontology, ontology_path

#: ``kg load`` runs SHACL when a load writes at most this many triples (about 5,000 assertions,
#: a few seconds); bigger loads keep the loader's own checks, and ``kg validate`` runs the rest.
LOAD_SHACL_LIMIT = 50_000
#: The most record errors ``kg validate`` collects from one file's reader before it stops reading it.
READER_PROBLEMS = 1_000


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


@dataclass
class Validation:
    """Every problem found, and the SHACL validation report (``--format turtle``)."""

    problems: list[Problem]
    report: Graph

    @property
    def conforms(self) -> bool:
        return not self.problems


# -- entry points -------------------------------------------------------------------------------


def validate_files(paths: Iterable[str | Path], store=None) -> Validation:
    """Check data files without loading them; names may refer to actors in ``store``."""
    from kg.loader import data_files
    from kg.sources import Problems, read_document

    problems: list[Problem] = []
    documents = []
    for path in data_files(paths):
        rejected = Problems(limit=READER_PROBLEMS)
        try:
            documents.append(read_document(path, problems=rejected))
        except KgError as err:
            problems.append(_problem(err, "file", str(path)))
        problems += [_problem(err, "file", str(path)) for err in rejected.found]
    checked = check_documents(documents, store)
    problems += checked.problems
    data = _with_references(checked.graphs, store)
    report, violations = shacl_report(data, owned=True)
    for problem in problems:  # stage-1 problems become results too: --format turtle shows everything
        _add_result(report, URIRef(Path(problem.path).resolve().as_uri()), problem.text())
    problems += _locate(violations, data, checked.where)
    return Validation(sorted(set(problems), key=lambda p: p.sort_key), report)


def validate_store(store) -> Validation:
    """Check what is in the store (every loaded file's graph) against the shapes."""
    import pyoxigraph as ox

    data, where = Graph(), {}
    for graph in store.data_graphs():
        quads = list(store._oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))))
        found = Where(_file_of(graph))
        for quad in quads:
            where.setdefault(URIRef(quad.subject.value), (found, None))
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
    report, violations = shacl_report(data, owned=True)
    problems = _locate(violations, data, where)
    return Validation(sorted(set(problems), key=lambda p: p.sort_key), report)


def check_load(store, documents: list, graphs: Mapping[URIRef, set]) -> None:
    """What ``kg load`` calls just before writing: SHACL over the graphs it is about to write.

    Raises ``KgError`` naming the file, line, record and field of the first violation. The
    loader has already applied its own rules, so this only finds what the shapes add. Loads
    of more than ``LOAD_SHACL_LIMIT`` triples skip it (see the module notes for the cost).
    """
    if sum(len(triples) for triples in graphs.values()) > LOAD_SHACL_LIMIT:
        return
    data = _with_references(graphs, store)
    _, violations = shacl_report(data, owned=True)
    if not violations:
        return
    problems = _locate(violations, data, check_documents(documents, store).where)
    first = min(problems, key=lambda p: p.sort_key)
    raise KgError(f"{first.record}: {first.message}", path=first.path, line=first.line, field=first.field)


def shacl_violations(data: Graph) -> list[Violation]:
    """Every SHACL violation of ``data`` (empty when valid)."""
    return shacl_report(data)[1]


# -- stage 1: the loader's rules, record by record ----------------------------------------------


@dataclass
class Checked:
    problems: list[Problem]
    graphs: dict[URIRef, set]  # named graph -> triples of the records that passed
    where: dict[URIRef, tuple[Where, str]]  # node -> where it is defined, and how to name it


def check_documents(documents: list, store=None) -> Checked:
    """Run each record of each document through the loader on its own, collecting errors."""
    from kg.loader import _check_unique, document_triples, graph_iri
    from kg.names import ActorIndex

    ontology = load_ontology()
    index = ActorIndex((store.actors() if store else []) + [a for doc in documents for a in doc.actors])
    named = {name for doc in documents for a in doc.assertions for name in a.sources}
    sources = {s.id: s for s in (store.sources(named) if store else [])}
    sources.update({s.id: s for doc in documents for s in doc.sources})
    checked = Checked([], {}, {})
    for doc in documents:
        triples: set = set()
        for records, what in ((doc.actors, "actor"), (doc.sources, "source")):
            try:
                _check_unique(records, what)
            except KgError as err:
                checked.problems.append(_problem(err, what, doc.path))
        for part, node, name in _parts(doc):
            try:
                found = document_triples(part, index, sources, ontology)
            except KgError as err:
                checked.problems.append(_problem(err, name, doc.path))
                continue
            triples |= found
            if node is None:  # an assertion: its statement node is what the triples type kgo:Assertion
                node = next((s for s, p, o in found if p == RDF.type and o == KGO.Assertion), None)
            checked.where.setdefault(node, (part_where(part), name))
        checked.graphs[graph_iri(doc.path)] = triples
    return checked


def _parts(doc):
    """(single-record document, node, how to name the record) for each record of ``doc``.

    A machine-made document (GDELT, ``ids_only``) is checked whole: its records come from
    one mapping table, and it may hold tens of thousands of them.
    """
    if getattr(doc, "ids_only", False):
        yield doc, None, f"file {Path(doc.path).name}"
        return
    bare = dataclasses.replace(doc, actors=[], sources=[], assertions=[])
    for actor in doc.actors:
        yield dataclasses.replace(bare, actors=[actor]), ACTOR[actor.id], f"actor {actor.id!r}"
    for source in doc.sources:
        yield dataclasses.replace(bare, sources=[source]), SOURCE[source.id], f"source {source.id!r}"
    single = doc.sources if len(doc.sources) == 1 else []  # the loader's "the file's only source" default
    for raw in doc.assertions:
        text = f"{raw.subject} {raw.relation} {', '.join(raw.objects)}"
        yield dataclasses.replace(bare, sources=single, assertions=[raw]), None, f"assertion {text!r}"


def part_where(part) -> Where:
    record = (part.assertions or part.actors or part.sources or [None])[0]
    return record.where if record is not None else Where(part.path)


def _problem(err: KgError, record: str, path: str) -> Problem:
    """A loader/reader error as a problem; its message loses the path/line/field prefix."""
    message = err.message
    prefix = f"{err.path}:{err.line}: " if err.line else f"{err.path}: " if err.path else ""
    message = message.removeprefix(prefix)
    if err.field:
        message = message.removeprefix(f"{err.field}: ")
    return Problem(err.path or path, err.line, record, err.field, message)


# -- stage 2: SHACL -----------------------------------------------------------------------------


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


TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}


def shacl_report(data: Graph, *, owned: bool = False) -> tuple[Graph, list[Violation]]:
    """pySHACL's validation report for ``data`` with our SPARQL constraints' results added.

    ``owned``: ``data`` is a graph of our own making, which may be extended in place
    (copying 100k triples costs seconds; pySHACL would copy them again).
    """
    from pyshacl import validate

    shapes, constraints = _shapes()
    # The whole ontology is mixed in (not pySHACL's ont_graph, which copies only the class
    # axioms): sh:class kgo:Relation needs the relations' own rdf:type triples.
    combined = data if owned else data + Graph()
    combined += load_ontology().graph
    _, report, _ = validate(combined, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False, inplace=True)
    for shape, constraint, focus, message in _sparql_results(combined, constraints):
        _add_result(report, focus, message, shape=shape, constraint=constraint, component=SH.SPARQLConstraintComponent)
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


def _sparql_results(graph: Graph, constraints: tuple) -> list[tuple]:
    """Each SPARQL constraint once over the whole graph, in Oxigraph."""
    if not constraints:
        return []
    import pyoxigraph as ox

    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    results = []
    for shape, constraint, classes, prefixes, select, message in constraints:
        targets = " UNION ".join(f"{{ ?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{c}> }}" for c in classes)
        query = f"{prefixes}SELECT DISTINCT ?this WHERE {{ {{ {targets} }} {{ {select} }} }}"
        for row in store.query(query):
            results.append((shape, constraint, URIRef(row["this"].value), message))
    return results


def _add_result(report: Graph, focus, message: str, *, shape=None, constraint=None, component=None) -> None:
    """One more ``sh:ValidationResult`` in a report (and the report no longer conforms)."""
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


def _located(violations: list[Violation]) -> set:
    return set()  # stage-2 problems are already SHACL results in the report


def _locate(violations: list[Violation], data: Graph, where: Mapping) -> list[Problem]:
    """SHACL results in user terms: file, line and record of the focus node, field, message."""
    shapes, _ = _shapes()
    problems = []
    for violation in violations:
        focus = URIRef(violation.focus)
        found, name = where.get(focus, (None, None))
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


# -- data -------------------------------------------------------------------------------------------


def _with_references(graphs: Mapping[URIRef, set], store) -> Graph:
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


def _file_of(graph: URIRef) -> str:
    """The file a named graph was loaded from (its ``file://`` IRI), relative when possible."""
    parsed = urlparse(str(graph))
    if parsed.scheme != "file":
        return str(graph)
    path = Path(unquote(parsed.path))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
