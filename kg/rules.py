"""The loader's record rules, one record at a time, for ``kg load`` and ``kg validate`` alike.

A reader checks what one file shows on its own; these rules need the other files of the
load and the store too: names resolve to actors, relations and actor types exist, a claim
names a known source and a date, ids are unique, no text carries a control character.

Each rule checks one record and raises ``KgError`` naming its file, line and field. The
loader calls them through ``document_terms``, which stops at the first error (nothing is
written then); ``kg validate`` calls them through ``check_records``, which goes on past a
bad record so that every problem of a file is reported, not only the first.

Also here, because both sides read files the same way: which files a path names
(``data_files``) and the named graph each file loads into (``graph_iri``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, unquote, urlparse
from urllib.request import url2pathname

from rdflib import URIRef
from rdflib.namespace import RDF

from kg.errors import KgError
from kg.model import RDF_TERMS, Actor, Assertion, Source, Where, actor_triples, assertion_triples, date_text, last_day, source_triples
from kg.names import ActorIndex, ExactIndex, hint
from kg.namespaces import ACTOR, FILE_GRAPHS, KGO, SOURCE, STDIN, STDIN_GRAPH, STDIN_NAME, STMT
from kg.ontology import Ontology
from kg.output import ProgressBar
from kg.sources import Document, is_data_file, readers
from kg.sources.document import Checks

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ACTOR = str(ACTOR)


class HasSources(Protocol):
    """What ``known_sources`` needs of a store (any ``kg.store.Store`` has it)."""

    def sources(self, ids: Iterable[str] | None = None) -> list[Source]: ...


# -- files ------------------------------------------------------------------------------------------


def data_files(paths: Iterable[str | Path], format: str | None = None) -> list[Path]:
    """The files a load reads: each file given, and every data file inside each folder.

    A file given by name is read wherever a symbolic link takes it: naming it is the
    user's choice. A folder is scanned for data files that are really inside it: a link
    in it to a file elsewhere (``passwd.csv -> /etc/passwd``) is refused, so loading a
    folder someone else filled reads nothing from outside it. (Links to folders are not
    followed at all.)

    Examples
    --------
    >>> [path.name for path in data_files(["examples/ain-issa-2020"])]
    ['ain-issa.yaml']
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if str(raw) == STDIN:  # standard input, read by ``kg.sources.read_document``
            files.append(path)
        elif path.is_dir():
            files.extend(_folder_files(path, format))
        elif path.is_file():
            files.append(path)
        else:
            raise KgError("no such file or folder", path=str(path))
    seen, unique = set(), []
    for path in files:  # a file named twice (or inside a folder also named) loads once
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def _folder_files(folder: Path, format: str | None) -> list[Path]:
    root = folder.resolve()
    found = sorted(p for p in folder.rglob("*") if p.is_file() and is_data_file(p, format))
    if not found:
        kinds = "*.csv, *.zip, *.tsv" if format == "gdelt" else ", ".join(sorted({*readers(), ".export.CSV", ".export.CSV.zip"}))
        raise KgError(f"no data files ({kinds}) in this folder", path=str(folder))
    for path in found:
        if not path.resolve().is_relative_to(root):
            raise KgError(
                f"a symbolic link to a file outside the folder {str(folder)!r}: a folder load reads only files inside it; "
                "name the file itself to load it",
                path=str(path),
            )
    return found


def graph_iri(path: str | Path) -> URIRef:
    """The named graph of a file: its absolute ``file://`` IRI (the same on every re-load);
    of standard input (``-``, ``<stdin>``), ``STDIN_GRAPH``.

    >>> graph_iri("-") == graph_iri("<stdin>") == STDIN_GRAPH
    True
    """
    if str(path) in (STDIN, STDIN_NAME):
        return STDIN_GRAPH
    return URIRef(Path(path).resolve().as_uri())


def document_graph(doc: Document) -> URIRef:
    """The named graph a document loads into: its file's (``graph_iri``), or the one it names
    (a graph of a TriG or N-Quads export, ``Document.graph``), as here (``local_graph``)."""
    return URIRef(local_graph(doc.graph)) if doc.graph else graph_iri(doc.path)


def portable_graph(graph: str) -> str:
    """The IRI an export gives a loaded file's graph: ``FILE_GRAPHS`` and the file's path
    relative to the current folder (``..`` segments written ``%2E%2E``, which no IRI
    normalisation removes), the same on every machine that runs kg from the same folder of the
    same files. Other graphs (standard input's) keep their IRI. ``local_graph`` undoes it.

    >>> portable = portable_graph(graph_iri("examples/a b.yaml"))
    >>> portable
    'https://w3id.org/actorgraph/graph/file/examples/a%20b.yaml'
    >>> local_graph(portable) == str(graph_iri("examples/a b.yaml"))
    True
    """
    if not graph.startswith("file://"):
        return graph
    path = os.path.relpath(url2pathname(urlparse(graph).path), Path.cwd().resolve())
    parts = ["%2E%2E" if part == ".." else quote(part, safe="") for part in Path(path).parts]
    return str(FILE_GRAPHS) + "/".join(parts)


def local_graph(graph: str) -> str:
    """The graph a loaded file's portable IRI (``portable_graph``) names here; others unchanged."""
    if not graph.startswith(str(FILE_GRAPHS)):
        return graph
    parts = [unquote(part) for part in graph[len(str(FILE_GRAPHS)) :].split("/")]
    return str(graph_iri(Path.cwd().joinpath(*parts)))


# -- what the records may name ------------------------------------------------------------------------


class KnownSources(dict[str, Source]):
    """The sources claims may name, by id; and, for a name that is none of them, a "did you
    mean" among every source of the store (read then only: a store may hold 200k sources)."""

    def __init__(self, sources: dict[str, Source], store: HasSources | None = None) -> None:
        super().__init__(sources)
        self.store = store

    def suggest(self, name: str) -> str:
        """``; did you mean 'newarab-2020-12-29'?`` for a misspelt source id, or ``""``."""
        stored = {source.id for source in self.store.sources()} if self.store is not None else set()
        return hint(name, sorted(set(self) | stored))


def known_sources(documents: Iterable[Document], store: HasSources | None = None) -> KnownSources:
    """The sources the documents' claims may name: their own, and those of the store
    they name but do not define (only those are read: a store may hold 200k sources)."""
    documents = list(documents)
    found = {s.id: s for doc in documents for s in doc.sources}
    named = {name for doc in documents for a in doc.assertions for name in a.sources}
    stored = store.sources(named - set(found)) if store is not None else []
    return KnownSources({s.id: s for s in stored} | found, store)


def single_source(doc: Document) -> str | None:
    """The source a claim of ``doc`` comes from when it names none: the file's only one."""
    return doc.sources[0].id if len(doc.sources) == 1 else None


def document_index(doc: Document, index: ActorIndex) -> ActorIndex | ExactIndex:
    """How names in ``doc`` resolve: through ``index``, or, for a machine-made document
    (GDELT, ``ids_only``), as exact ids except its few named references, resolved here."""
    if not doc.ids_only:
        return index
    return ExactIndex(index, {name: index.lookup(name, where, "actor") for name, where in doc.references.items()})


# -- one record ---------------------------------------------------------------------------------------


def check_text(record: Actor | Source | Assertion) -> None:
    """Refuse control characters in any text: XML (RDF/XML, GraphML, GEXF) cannot carry
    them at all, and they are never meant in a label or a quote."""
    values = {name: getattr(record, name) for name in record.__dataclass_fields__}
    texts = [text for value in values.values() for text in (value if isinstance(value, tuple) else (value,)) if isinstance(text, str)]
    if not CONTROL_CHARACTERS.search("\n".join(texts)):  # one search per record: a large load checks millions of texts
        return
    for name, value in values.items():
        for text in value if isinstance(value, tuple) else (value,):
            if isinstance(text, str) and (found := CONTROL_CHARACTERS.search(text)):
                raise record.where.error(f"contains a control character ({found.group()!r})", name)


def duplicates(records: Iterable[Actor | Source], what: str) -> Iterator[KgError]:
    """An error for each record whose id an earlier one of ``records`` already defines."""
    first: dict[str, Actor | Source] = {}
    for record in records:
        if record.id in first:
            line = first[record.id].where.line
            yield record.where.error(f"{what} {record.id!r} is defined twice (first on line {line})", "id")
        else:
            first[record.id] = record


def check_unique(records: Iterable[Actor | Source], what: str) -> None:
    """Refuse an id defined twice in one file (``what``: "actor" or "source")."""
    for error in duplicates(records, what):
        raise error


def check_types_agree(actors: Iterable[Actor], ontology: Ontology) -> None:
    """One id, one type: two files (or a file and the store) must not define an actor as
    a State in one place and an ArmedGroup in another."""
    for _, error in type_conflicts(actors, ontology):
        raise error


def type_conflicts(actors: Iterable[Actor], ontology: Ontology) -> Iterator[tuple[Actor, KgError]]:
    """Each actor whose type differs from the first definition of its id, with the error
    (``kg load`` stops at the first, ``kg validate`` lists them all)."""
    first: dict[str, tuple[str, Actor]] = {}
    for actor in actors:
        try:
            kind = ontology.actor_type(actor.type).name
        except KgError:
            continue  # reported with its line when the file's actors are converted
        known, where = first.setdefault(actor.id, (kind, actor))
        if known != kind:
            message = f"actor {actor.id!r} is {_a(kind)} here but {_a(known)} in {where.where.path}"
            yield actor, actor.where.error(message, "type")


def _a(kind: str) -> str:
    """``a State``, ``an ArmedGroup``."""
    return f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind}"


def actor_terms(actor: Actor, ontology: Ontology, terms=RDF_TERMS) -> Iterator[tuple]:
    """An actor's triples, its type checked against the ontology (``armed group`` -> ``ArmedGroup``)."""
    kind = ontology.actor_type(actor.type, path=actor.where.path, line=actor.where.line, field="type")
    yield from actor_triples(replace(actor, type=kind.name), terms)


def actor_kinds(actors: Iterable[Actor], ontology: Ontology) -> dict[str, str]:
    """Actor id -> its type's name in the ontology (``process`` -> ``Process``), for the rule
    that a claim's ``process`` is a Process; an unknown type is left out (reported elsewhere)."""
    kinds = {}
    for actor in actors:
        try:
            kinds[actor.id] = ontology.actor_type(actor.type).name
        except KgError:
            continue
    return kinds


def resolve_assertion(
    raw: Assertion,
    index: ActorIndex | ExactIndex,
    sources: dict[str, Source],
    single_source: str | None,
    ontology: Ontology,
    kinds: Mapping[str, str] | None = None,
) -> Assertion:
    """Names -> ids, inverse relations -> forward ones, defaults filled in, rules checked.

    ``kinds`` (actor id -> type, see ``actor_kinds``) lets the rule that a claim's
    ``process`` is a Process be checked here; without it the SHACL shapes check it.
    The subjects of a joint mediation are kept sorted, so that a claim hashes (and gets its
    statement IRI) the same whatever order a file lists its mediators in.

    Examples
    --------
    >>> from kg.names import ActorIndex
    >>> from kg.ontology import load_ontology
    >>> from kg.sources import read_document
    >>> doc = read_document(Path("examples/ain-issa-2020/ain-issa.yaml"))
    >>> raw = doc.assertions[1]  # names as written, no source or date of its own
    >>> claim = resolve_assertion(raw, ActorIndex(doc.actors), known_sources([doc]), single_source(doc), load_ontology())
    >>> raw.subject, raw.objects, raw.sources, raw.date
    ('Ankara', ('Ankara-backed rebel groups',), ('newarab-2020-12-29',), None)
    >>> claim.subject, claim.objects, claim.date
    ('turkey', ('sna',), datetime.date(2020, 12, 29))
    """
    where = raw.where
    checks = Checks()  # the names and sources are checked independently: kg validate lists each problem
    named = checks.run(ontology.relation, raw.relation, path=where.path, line=where.line, field="relation")
    subjects = tuple(checks.run(index.lookup, name, where, "subject") for name in raw.subjects)
    objects = tuple(checks.run(index.lookup, name, where, "object") for name in raw.objects)
    source_ids = checks.run(_claim_sources, raw, sources, single_source)
    checks.done()
    relation, swapped = ontology.forward(named)
    if swapped:
        if len(objects) != 1 or len(subjects) != 1:
            raise where.error(f"{named.name!r} takes exactly one actor on each side", "object" if len(objects) != 1 else "subject")
        subjects, objects = objects, subjects
    if len(objects) > 1 and relation.name != "mediates":
        raise where.error(f"only 'mediates' may name several parties; {relation.name!r} takes one object", "object")
    if len(set(subjects)) > 1 and relation.name != "mediates":
        raise where.error(f"only 'mediates' may name several subjects (joint mediators); {relation.name!r} takes one subject", "subject")
    if same := set(subjects) & set(objects):
        raise where.error(f"subject and object are the same actor ({min(same)!r}): a claim links two actors", "object")
    date, precision = raw.date, raw.date_precision
    if date is None:
        date, precision = sources[source_ids[0]].date, "day"
    if date is None:
        raise where.error("missing: give the date reported (or a date on the source)", "date")
    _check_period(raw)
    subjects = tuple(sorted(set(subjects)))
    return replace(
        raw,
        subject=subjects[0],
        co_subjects=subjects[1:],
        relation=relation.name,
        objects=tuple(sorted(objects)),
        sources=source_ids,
        date=date,
        date_precision=precision,
        **_voice(raw, index, kinds),
    )


def _claim_sources(raw: Assertion, sources: dict[str, Source], single_source: str | None) -> tuple[str, ...]:
    """The claim's sources, or the file's only one; each must be known."""
    source_ids = raw.sources or ((single_source,) if single_source else ())
    if not source_ids:
        raise raw.where.error("missing: name the source this claim comes from (the file defines several)", "source")
    for source_id in source_ids:
        if source_id not in sources:
            suggestion = sources.suggest(source_id) if isinstance(sources, KnownSources) else hint(source_id, sources)
            raise raw.where.error(f"unknown source {source_id!r}{suggestion}", "source")
    return tuple(sorted(source_ids))


def _check_period(raw: Assertion) -> None:
    """``valid_from`` must not follow ``valid_until``; a partial ``valid_until`` runs to the end of its period."""
    if raw.valid_from is None or raw.valid_until is None:
        return
    if raw.valid_from > last_day(raw.valid_until, raw.valid_until_precision):
        start = date_text(raw.valid_from, raw.valid_from_precision)
        raise raw.where.error(
            f"valid_from {start} is after valid_until {date_text(raw.valid_until, raw.valid_until_precision)}", "valid_until"
        )


def _voice(raw: Assertion, index: ActorIndex | ExactIndex, kinds: Mapping[str, str] | None) -> dict:
    """``said_by``, ``process`` and ``host`` resolved to actor ids.

    ``said_by`` may also be free text ("UN panel of experts"): a name that fits no actor is
    kept as ``said_by_text``; one that fits two actors is the usual ambiguity error."""
    where = raw.where
    said_by, said_by_text = raw.said_by, raw.said_by_text
    if said_by is not None:
        try:
            said_by = index.lookup(said_by, where, "said_by")
        except KgError as err:
            if "could mean" in err.message:  # ambiguous: never a guess, and never silently text
                raise
            said_by, said_by_text = None, raw.said_by
    process = index.lookup(raw.process, where, "process") if raw.process else None
    if process is not None and kinds is not None and kinds.get(process, "Process") != "Process":
        raise where.error(f"{raw.process!r} is of type {kinds[process]}: a claim's process is an actor of type Process", "process")
    host = index.lookup(raw.host, where, "host") if raw.host else None
    return {"said_by": said_by, "said_by_text": said_by_text, "process": process, "host": host}


def edge_terms(assertion: Assertion, ontology: Ontology, terms=RDF_TERMS) -> Iterator[tuple]:
    """The direct edges a resolved claim entails: its own, and those the ontology infers
    (super-relations, inverses, symmetric mirrors), so plain SPARQL sees them too.

    Only an asserted claim makes direct edges (an alleged or denied one is its statement
    node alone); a joint mediation makes them for each of its mediators."""
    if not assertion.asserted:
        return
    rules = ontology.edge_rules(ontology.relation(assertion.relation).iri)
    for subject in (terms.iri(_ACTOR + name) for name in assertion.subjects):
        for obj in (terms.iri(_ACTOR + name) for name in assertion.objects):
            for prop, reverse in rules:
                yield (obj, terms.iri(prop), subject) if reverse else (subject, terms.iri(prop), obj)


# -- a whole document, first error stops it (kg load) -----------------------------------------------


def document_triples(
    doc: Document,
    index: ActorIndex,
    sources: dict[str, Source],
    ontology: Ontology,
    bar: ProgressBar | None = None,
    kinds: Mapping[str, str] | None = None,
) -> set[tuple]:
    """Everything one file puts in its named graph, as rdflib triples: actors, sources,
    statement nodes and the direct edges (with the inferred ones) the statements entail.

    Examples
    --------
    >>> from kg.names import ActorIndex
    >>> from kg.ontology import load_ontology
    >>> from kg.sources import read_document
    >>> doc = read_document(Path("examples/ain-issa-2020/ain-issa.yaml"))
    >>> triples = document_triples(doc, ActorIndex(doc.actors), known_sources([doc]), load_ontology())
    >>> (ACTOR.turkey, KGO.backs, ACTOR.sna) in triples
    True
    """
    return set(document_terms(doc, index, sources, ontology, bar, kinds=kinds))


def document_terms(
    doc: Document,
    index: ActorIndex,
    sources: dict[str, Source],
    ontology: Ontology,
    bar: ProgressBar | None = None,
    terms=RDF_TERMS,
    kinds: Mapping[str, str] | None = None,
    resolved: Callable[[Assertion, str], object] | None = None,
) -> Iterator[tuple]:
    """The triples of ``document_triples``, one by one, in the given term encoding. Each
    assertion, resolved, also goes to ``resolved`` with its statement id (the loader keeps
    what it loads), and its record then leaves ``doc``: a document is read once.

    Raises ``KgError`` at the first record that breaks a rule; a caller writing as it goes
    must then throw away what it wrote. Each direct edge comes once, however many claims imply it.
    """
    check_unique(doc.actors, "actor")
    check_unique(doc.sources, "source")
    for record in (*doc.actors, *doc.sources, *doc.assertions):
        check_text(record)
    for actor in doc.actors:
        yield from actor_terms(actor, ontology, terms)
    for source in doc.sources:
        yield from source_triples(source, terms)
    single = single_source(doc)
    index = document_index(doc, index)
    edges: set[tuple] = set()
    records = doc.assertions
    for number, raw in enumerate(records, 1):
        if bar is not None and number % 1000 == 0:
            bar.update(1000)
        assertion = resolve_assertion(raw, index, sources, single, ontology, kinds)
        statement = assertion.statement_id
        if resolved is not None:
            records[number - 1] = None  # the record, read: freed as its claim is kept, not both all at once
            resolved(assertion, statement)
        yield from assertion_triples(assertion, terms, statement)
        for edge in edge_terms(assertion, ontology, terms):
            if edge not in edges:
                edges.add(edge)
                yield edge


# -- every record, past the bad ones (kg validate) ---------------------------------------------------


@dataclass(frozen=True)
class RecordCheck:
    """One record through the rules on its own: the triples it would load, or the error it
    raised. ``record`` names it as a message does (``actor 'ypg'``, ``assertion 'a backs c'``)."""

    record: str
    where: Where
    node: URIRef | None = None  # what its triples describe (None for a claim that broke a rule)
    triples: frozenset[tuple] = frozenset()
    error: KgError | None = None


def check_records(
    doc: Document, index: ActorIndex, sources: dict[str, Source], ontology: Ontology, kinds: Mapping[str, str] | None = None
) -> Iterator[RecordCheck]:
    """Every record of ``doc`` through the loader's rules, one by one, so a bad record does
    not hide the next: duplicate ids first, then each actor, source and claim.

    A machine-made document (GDELT, ``ids_only``) is checked whole, as one record named
    ``file NAME``: its records come from one mapping table, and it may hold tens of
    thousands of them.

    Examples
    --------
    >>> from kg.names import ActorIndex
    >>> from kg.ontology import load_ontology
    >>> from kg.sources import read_document
    >>> doc = read_document(Path("examples/ain-issa-2020/ain-issa.yaml"))
    >>> checks = list(check_records(doc, ActorIndex(doc.actors), known_sources([doc]), load_ontology()))
    >>> [check.error for check in checks if check.error], checks[0].record
    ([], "actor 'russia'")
    """
    for records, what in ((doc.actors, "actor"), (doc.sources, "source")):
        for error in duplicates(records, what):
            yield RecordCheck(what, Where(doc.path, error.line), error=error)
    if doc.ids_only:
        yield _whole(doc, index, sources, ontology, kinds)
        return
    for actor in doc.actors:
        yield _check(f"actor {actor.id!r}", actor, _actor, ontology)
    for source in doc.sources:
        yield _check(f"source {source.id!r}", source, _source)
    single = single_source(doc)
    for raw in doc.assertions:
        yield _check(f"assertion {claim_text(raw)!r}", raw, _assertion, index, sources, single, ontology, kinds)


def claim_text(raw: Assertion) -> str:
    """A claim as its file wrote it: ``subject[; subject] relation object[, object]``."""
    return f"{'; '.join(raw.subjects)} {raw.relation} {', '.join(raw.objects)}"


def _check(name: str, record: Actor | Source | Assertion, convert: Callable[..., tuple], *context: object) -> RecordCheck:
    """``record`` through ``check_text`` and ``convert(record, *context)`` (-> node, triples)."""
    try:
        check_text(record)
        node, triples = convert(record, *context)
        found = frozenset(triples)  # a generator raises as it goes
    except KgError as error:
        return RecordCheck(name, record.where, _node(record), error=error)
    return RecordCheck(name, record.where, node, found)


def _node(record: Actor | Source | Assertion) -> URIRef | None:
    """The node of an actor or a source; a claim's depends on its resolved names."""
    if isinstance(record, Actor):
        return ACTOR[record.id]
    return SOURCE[record.id] if isinstance(record, Source) else None


def _actor(actor: Actor, ontology: Ontology) -> tuple[URIRef | None, Iterator[tuple]]:
    return _node(actor), actor_terms(actor, ontology)


def _source(source: Source) -> tuple[URIRef | None, Iterator[tuple]]:
    return _node(source), source_triples(source)


def _assertion(raw: Assertion, index, sources, single: str | None, ontology: Ontology, kinds) -> tuple[URIRef, Iterator[tuple]]:
    assertion = resolve_assertion(raw, index, sources, single, ontology, kinds)
    return STMT[assertion.statement_id], chain(assertion_triples(assertion), edge_terms(assertion, ontology))


def _whole(doc: Document, index: ActorIndex, sources: dict[str, Source], ontology: Ontology, kinds) -> RecordCheck:
    name = f"file {Path(doc.path).name}"
    where = next((r.where for r in chain(doc.assertions, doc.actors, doc.sources)), Where(doc.path))
    try:
        triples = document_triples(doc, index, sources, ontology, kinds=kinds)
    except KgError as error:
        return RecordCheck(name, where, error=error)
    node = next((s for s, p, o in triples if p == RDF.type and o == KGO.Assertion), None)  # one stands for the file
    return RecordCheck(name, where, node, frozenset(triples))
