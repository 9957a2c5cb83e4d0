"""``kg load``: read files, resolve names, check everything, then write in one transaction.

Nothing is written until every file of the load has been read and checked, so a
mistake anywhere leaves the store exactly as it was. Each file becomes its own named
graph (its ``file://`` IRI): loading it again replaces what it contributed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from rdflib import URIRef

from kg.confusables import lookalikes
from kg.errors import KgError
from kg.model import NT_TERMS, RDF_TERMS, Actor, Assertion, Source, actor_triples, assertion_triples, source_triples
from kg.names import ActorIndex, ExactIndex, hint
from kg.namespaces import ACTOR
from kg.ontology import Ontology, load_ontology
from kg.sources import FORMATS, Document, is_data_file, read_document, readers
from kg.store import KgStore

#: Loads with fewer assertions finish too fast for a progress bar to help.
PROGRESS_FROM = 20_000
#: From this many assertions (about 55k triples) on, a load streams to the bulk loader: 5
#: times faster than one SPARQL update at 4k assertions already. Below it, loads get the
#: SHACL check (up to ``kg.validate.LOAD_SHACL_LIMIT`` triples) and one transaction.
BULK_ASSERTIONS = 5_000


class ProgressBar(Protocol):
    def update(self, n: int) -> None: ...


Progress = Callable[[str, int], ProgressBar]


@dataclass(frozen=True)
class LoadReport:
    path: str
    graph: str
    actors: int
    sources: int
    assertions: int
    triples: int
    rows_read: int | None = None  # event files (GDELT) only, like ``skipped``
    skipped: dict[str, int] = field(default_factory=dict, hash=False)
    #: Loaded all the same, but worth a look: names that look like another actor's, or
    #: that mix scripts (``kg.confusables``). One line each, naming file and line.
    warnings: list[str] = field(default_factory=list, hash=False)

    def summary(self) -> str | None:
        """The end-of-load line of an event file: rows read, assertions written, skipped by reason."""
        if self.rows_read is None:
            return None
        text = f"{self.rows_read} events read, {self.assertions} assertions written"
        if not self.skipped:
            return text + ", none skipped"
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items(), key=lambda item: (-item[1], item[0])))
        return text + f"; skipped {sum(self.skipped.values())}: {reasons}"


def data_files(paths: Iterable[str | Path], format: str | None = None) -> list[Path]:
    """The files a load reads: each file given, and every data file inside each folder.

    A file given by name is read wherever a symbolic link takes it: naming it is the
    user's choice. A folder is scanned for data files that are really inside it: a link
    in it to a file elsewhere (``passwd.csv -> /etc/passwd``) is refused, so loading a
    folder someone else filled reads nothing from outside it. (Links to folders are not
    followed at all.)
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
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
    """The named graph of a file: its absolute ``file://`` IRI (the same on every re-load)."""
    return URIRef(Path(path).resolve().as_uri())


def load(
    store: KgStore,
    paths: Iterable[str | Path],
    *,
    format: str | None = None,
    strict: bool = False,
    actor_map: str | Path | None = None,
    progress: Progress | None = None,
) -> list[LoadReport]:
    """Load files and folders into the store, all or nothing.

    ``format="gdelt"`` reads every file as GDELT 2.0 events (GDELT files are also known by
    name, ``*.export.CSV[.zip]``); ``strict`` makes the GDELT reader fail on rows it would
    skip as malformed; ``actor_map`` is a YAML file extending the shipped CAMEO actor map.
    ``progress(label, total)`` returns something with ``update(n)`` (the CLI passes a
    progress bar when stderr is a terminal).
    """
    if format is not None and format not in FORMATS:
        raise KgError(f"unknown format {format!r}; --format takes {', '.join(FORMATS)} (other files are known by their suffix)")
    documents = [read_document(path, format, strict=strict, actor_map=actor_map) for path in data_files(paths, format)]
    if actor_map is not None and not any(doc.rows_read is not None for doc in documents):
        raise KgError("an actor map applies to GDELT event files only, and this load has none", path=str(actor_map))
    ontology = load_ontology()
    known = store.actors()
    actors = known + [a for doc in documents for a in doc.actors]
    _check_types_agree(actors, ontology)
    index = ActorIndex(actors)
    warnings = lookalikes({doc.path: doc.actors for doc in documents}, known)
    known_sources = {s.id: s for doc in documents for s in doc.sources}
    named = {name for doc in documents for a in doc.assertions for name in a.sources}
    known_sources = {s.id: s for s in store.sources(named - set(known_sources))} | known_sources
    total = sum(len(doc.assertions) for doc in documents)
    bar = progress(f"checking {total} assertions", total) if progress and total >= PROGRESS_FROM else None
    if total >= BULK_ASSERTIONS and store.streams_bulk_loads:
        return _stream(store, documents, index, known_sources, ontology, bar, progress, warnings)
    graphs, reports = {}, []
    for doc in documents:
        triples = document_triples(doc, index, known_sources, ontology, bar)
        graphs[graph_iri(doc.path)] = triples
        reports.append(_report(doc, len(triples), warnings))
    from kg.validate import check_load

    check_load(store, documents, graphs)  # the SHACL shapes over what is about to be written
    store.replace_graphs(graphs)
    return reports


def _stream(store, documents, index, sources, ontology, bar, progress, warnings) -> list[LoadReport]:
    """A large load: N-Quads text straight from the records into Oxigraph's bulk loader.

    No rdflib term and no set of triples is built, and the records are freed before the
    bulk loader (which needs about 2 GB for a million assertions) starts. The SHACL check
    is skipped as for any load above ``LOAD_SHACL_LIMIT``; the loader's own rules still
    apply to every record, and an error in any leaves the store as it was.
    """
    reports = []
    with store.bulk_writer([graph_iri(doc.path) for doc in documents]) as out:
        while documents:
            doc = documents.pop(0)  # the caller's list: each document is freed once written
            graph = NT_TERMS.iri(str(graph_iri(doc.path)))
            lines = 0
            for s, p, o in document_terms(doc, index, sources, ontology, bar, NT_TERMS):
                out.write(f"{s} {p} {o} {graph} .\n")
                lines += 1
            reports.append(_report(doc, lines, warnings))
        writing = progress(f"writing {sum(r.triples for r in reports):,} triples to the store", 1) if progress else None
    if writing is not None:
        writing.update(1)
    return reports


def _report(doc: Document, triples: int, warnings: dict[str, list[str]]) -> LoadReport:
    counts = len(doc.actors), len(doc.sources), len(doc.assertions), triples
    return LoadReport(doc.path, str(graph_iri(doc.path)), *counts, doc.rows_read, dict(doc.skipped), warnings.get(doc.path, []))


def drop(store: KgStore, path: str | Path) -> str:
    """Remove everything one file contributed (see ``drop_files``)."""
    return drop_files(store, [path])[0]


def drop_files(store: KgStore, paths: Iterable[str | Path]) -> list[str]:
    """Remove everything the given files contributed, all or nothing, as ``load`` writes:
    if any of them is not loaded, nothing is dropped. The files need not exist any more."""
    loaded = set(store.data_graphs())
    graphs: list[URIRef] = []
    for path in paths:
        iri = graph_iri(path)
        if iri not in loaded:
            raise KgError(
                "this file is not loaded, or loaded nothing: nothing was dropped (see `kg info` for the loaded files)", path=str(path)
            )
        if iri not in graphs:
            graphs.append(iri)
    store.drop_graphs(graphs)
    return [str(iri) for iri in graphs]


def document_triples(
    doc: Document, index: ActorIndex, sources: dict[str, Source], ontology: Ontology, bar: ProgressBar | None = None
) -> set[tuple]:
    """Everything one file puts in its named graph, as rdflib triples: actors, sources,
    statement nodes and the direct edges (with the inferred ones) the statements entail."""
    return set(document_terms(doc, index, sources, ontology, bar))


def document_terms(
    doc: Document, index: ActorIndex, sources: dict[str, Source], ontology: Ontology, bar: ProgressBar | None = None, terms=RDF_TERMS
) -> Iterator[tuple]:
    """The triples of ``document_triples``, one by one, in the given term encoding.

    Raises ``KgError`` at the first record that breaks a rule; a caller writing as it goes
    must then throw away what it wrote. Each direct edge comes once, however many claims imply it.
    """
    _check_unique(doc.actors, "actor")
    _check_unique(doc.sources, "source")
    for record in (*doc.actors, *doc.sources, *doc.assertions):
        _check_text(record)
    for actor in doc.actors:
        actor = replace(actor, type=ontology.actor_type(actor.type, path=actor.where.path, line=actor.where.line, field="type").name)
        yield from actor_triples(actor, terms)
    for source in doc.sources:
        yield from source_triples(source, terms)
    single_source = doc.sources[0].id if len(doc.sources) == 1 else None
    if doc.ids_only:
        index = ExactIndex(index, {name: index.lookup(name, where, "actor") for name, where in doc.references.items()})
    edges: set[tuple] = set()
    actor = str(ACTOR)
    for number, raw in enumerate(doc.assertions, 1):
        if bar is not None and number % 1000 == 0:
            bar.update(1000)
        assertion = resolve_assertion(raw, index, sources, single_source, ontology)
        yield from assertion_triples(assertion, terms)
        rules = ontology.edge_rules(ontology.relation(assertion.relation).iri)
        subject = terms.iri(actor + assertion.subject)
        for obj in (terms.iri(actor + name) for name in assertion.objects):
            for prop, reverse in rules:
                edge = (obj, terms.iri(prop), subject) if reverse else (subject, terms.iri(prop), obj)
                if edge not in edges:
                    edges.add(edge)
                    yield edge


def resolve_assertion(
    raw: Assertion, index: ActorIndex | ExactIndex, sources: dict[str, Source], single_source: str | None, ontology: Ontology
) -> Assertion:
    """Names -> ids, inverse relations -> forward ones, defaults filled in, rules checked."""
    where = raw.where
    named = ontology.relation(raw.relation, path=where.path, line=where.line, field="relation")
    relation, swapped = ontology.forward(named)
    subject = index.lookup(raw.subject, where, "subject")
    objects = tuple(index.lookup(name, where, "object") for name in raw.objects)
    if swapped:
        if len(objects) != 1:
            raise where.error(f"{named.name!r} takes exactly one actor on each side", "object")
        subject, objects = objects[0], (subject,)
    if len(objects) > 1 and relation.name != "mediates":
        raise where.error(f"only 'mediates' may name several parties; {relation.name!r} takes one object", "object")
    if subject in objects:
        raise where.error(f"subject and object are the same actor ({subject!r}): a claim links two actors", "object")
    source_ids = raw.sources or ((single_source,) if single_source else ())
    if not source_ids:
        raise where.error("missing: name the source this claim comes from (the file defines several)", "source")
    for source_id in source_ids:
        if source_id not in sources:
            raise where.error(f"unknown source {source_id!r}{hint(source_id, sources)}", "source")
    date = raw.date or sources[source_ids[0]].date
    if date is None:
        raise where.error("missing: give the date reported (or a date on the source)", "date")
    if raw.valid_from and raw.valid_until and raw.valid_from > raw.valid_until:
        raise where.error(f"valid_from {raw.valid_from} is after valid_until {raw.valid_until}", "valid_until")
    return replace(
        raw, subject=subject, relation=relation.name, objects=tuple(sorted(objects)), sources=tuple(sorted(source_ids)), date=date
    )


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_text(record: Actor | Source | Assertion) -> None:
    """Refuse control characters in any text: XML (RDF/XML, GraphML, GEXF) cannot carry
    them at all, and they are never meant in a label or a quote."""
    values = {name: getattr(record, name) for name in record.__dataclass_fields__}
    texts = [text for value in values.values() for text in (value if isinstance(value, tuple) else (value,)) if isinstance(text, str)]
    if not CONTROL_CHARACTERS.search("\n".join(texts)):  # one search per record: a large load checks millions of texts
        return
    for name, value in values.items():
        for text in value if isinstance(value, tuple) else (value,):
            if isinstance(text, str) and CONTROL_CHARACTERS.search(text):
                raise record.where.error(f"contains a control character ({CONTROL_CHARACTERS.search(text).group()!r})", name)


def _check_types_agree(actors: list[Actor], ontology: Ontology) -> None:
    """One id, one type: two files (or a file and the store) must not define an actor as
    a State in one place and an ArmedGroup in another."""
    first: dict[str, tuple[str, Actor]] = {}
    for actor in actors:
        try:
            kind = ontology.actor_type(actor.type).name
        except KgError:
            continue  # reported with its line when the file's actors are converted
        known, where = first.setdefault(actor.id, (kind, actor))
        if known != kind:
            raise actor.where.error(f"actor {actor.id!r} is a {kind} here but a {known} in {where.where.path}", "type")


def _check_unique(records: list, what: str) -> None:
    seen: dict[str, object] = {}
    for record in records:
        if record.id in seen:
            first = seen[record.id].where.line
            raise record.where.error(f"{what} {record.id!r} is defined twice (first on line {first})", "id")
        seen[record.id] = record
