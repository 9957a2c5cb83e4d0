"""``kg validate``: data files (before loading) or the store, checked against ``ontology/shapes.ttl``.

Two stages, both reported in user terms (file, line, the record, the field, what is wrong):

1. The loader's own rules (``kg.rules``), record by record: every actor, source and
   assertion of a file is checked on its own, so one bad record does not hide the next
   (names resolve, relation and type exist, subject is not the object, a source is named
   and known, ...). The readers' own errors are collected too: every record a reader
   rejects (a confidence of 1.7, a date that is no date, an unknown field) is reported,
   up to ``READER_PROBLEMS`` per file, and the file's other records are still checked;
   only a file that cannot be read at all (bad YAML) is reported once.
2. SHACL (``kg.shacl``) over the RDF the records that passed would become (plus the
   actors and sources they name from the store), so a rule added to ``shapes.ttl`` is
   enforced without code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.errors import KgError
from kg.loader import load_warnings
from kg.model import Where
from kg.names import ActorIndex
from kg.ontology import load_ontology
from kg.rules import actor_kinds, check_records, data_files, document_graph, graph_iri, known_sources, type_conflicts
from kg.shacl import Problem, add_result, locate, shacl_report, with_references
from kg.sources import Document, Problems, read_documents
from kg.sources.document import each_error
from kg.store import Store

#: The most record errors ``kg validate`` collects from one file's reader before it stops reading it.
READER_PROBLEMS = 1_000


@dataclass
class Validation:
    """Every problem found, and the SHACL validation report (``--format turtle``)."""

    problems: list[Problem]
    report: Graph
    #: What ``kg load`` would warn about (a name two actors share, look-alike names), by line.
    warnings: list[str] = field(default_factory=list)
    #: Checks that could not run (no store to compare names and types with), said, not hidden.
    skipped: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.problems


# -- entry points -------------------------------------------------------------------------------


def validate_files(paths: Iterable[str | Path], store: Store | None = None, format: str | None = None) -> Validation:
    """Check data files without loading them; names may refer to actors in ``store``.

    Every check ``kg load`` makes runs here too (so a file that validates loads), but each
    problem is listed rather than the first: the loader's record rules, one type per actor id
    across files and the store, SHACL; and ``kg load``'s warnings come back as ``warnings``.
    Without a store, the checks against one are listed in ``skipped``. ``format`` reads every
    path (``-`` is standard input) as that format (``kg.sources.FORMATS``).

    Examples
    --------
    >>> validate_files(["examples/ain-issa-2020"]).problems
    []
    """
    problems: list[Problem] = []
    documents = []
    for path in data_files(paths, format):
        rejected = Problems(limit=READER_PROBLEMS)
        try:
            documents.extend(read_documents(path, format, problems=rejected))
        except KgError as err:
            problems.append(_problem(err, "file", str(path)))
        problems += [_problem(err, "file", str(path)) for err in rejected.found]
    checked = check_documents(documents, store)
    problems += checked.problems
    data = with_references(checked.graphs, store)
    report, violations = shacl_report(data, owned=True, ignore=checked.broken)
    for problem in problems:  # stage-1 problems become results too: --format turtle shows everything
        add_result(report, graph_iri(problem.path), problem.text())
    problems += locate(violations, data, checked.where)
    known = store.actors() if store else []
    skipped = [] if store else [NO_STORE]
    warnings = [warning for found in load_warnings(documents, known).values() for warning in found]
    return Validation(sorted(set(problems), key=lambda p: p.sort_key), report, warnings, skipped)


#: Said when files are checked with no store to compare them with.
NO_STORE = "no store yet: names and types were checked among these files only, not against a store"


def validate_store(store: Store) -> Validation:
    """Check what is in the store (every loaded file's graph) against the shapes."""
    data, where = Graph(), {}
    for graph in store.data_graphs():
        quads = store.quads(graph)
        found = Where(_file_of(graph))
        for quad in quads:
            where.setdefault(URIRef(quad.subject.value), (found, None))
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
    report, violations = shacl_report(data, owned=True)
    problems = locate(violations, data, where)
    return Validation(sorted(set(problems), key=lambda p: p.sort_key), report)


# -- stage 1: the loader's rules, record by record ----------------------------------------------


@dataclass
class Checked:
    problems: list[Problem]
    graphs: dict[URIRef, set]  # named graph -> triples of the records that passed
    where: dict[URIRef, tuple[Where, str]]  # node -> where it is defined, and how to name it
    broken: set[URIRef] = field(default_factory=set)  # the actors and sources that broke a rule


def check_documents(documents: list[Document], store: Store | None = None) -> Checked:
    """Every record of every document through the loader's rules, collecting each error."""
    ontology = load_ontology()
    actors = (store.actors() if store else []) + [a for doc in documents for a in doc.actors]
    index, kinds = ActorIndex(actors), actor_kinds(actors, ontology)
    sources = known_sources(documents, store)
    checked = Checked([], {}, {})
    for actor, error in type_conflicts(actors, ontology):
        checked.problems.append(_problem(error, f"actor {actor.id!r}", actor.where.path))
    for doc in documents:
        triples: set = set()
        for check in check_records(doc, index, sources, ontology, kinds):
            if check.error is not None:
                checked.problems += [_problem(error, check.record, doc.path) for error in each_error(check.error)]
                if check.node is not None:
                    checked.broken.add(check.node)
                continue
            triples |= check.triples
            if check.node is not None:
                checked.where.setdefault(check.node, (check.where, check.record))
        checked.graphs[document_graph(doc)] = triples
    return checked


def _problem(err: KgError, record: str, path: str) -> Problem:
    """A loader/reader error as a problem; its message loses the path/line/field prefix."""
    message = err.message
    prefix = f"{err.path}:{err.line}: " if err.line else f"{err.path}: " if err.path else ""
    message = message.removeprefix(prefix)
    if err.field:
        message = message.removeprefix(f"{err.field}: ")
    return Problem(err.path or path, err.line, record, err.field, message)


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
