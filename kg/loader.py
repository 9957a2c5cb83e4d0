"""``kg load``: read files, resolve names, check everything, then write in one transaction.

Nothing is written until every file of the load has been read and checked, so a
mistake anywhere leaves the store exactly as it was. Each file becomes its own named
graph (its ``file://`` IRI): loading it again replaces what it contributed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from kg.confusables import lookalikes
from kg.errors import KgError
from kg.model import NT_TERMS, Actor, Source
from kg.names import ActorIndex
from kg.ontology import Ontology, load_ontology, normalise
from kg.output import Progress, ProgressBar
from kg.projection import Claim, kept_loaded_claims, loaded_claim
from kg.rules import (
    actor_kinds,
    check_types_agree,
    data_files,
    document_graph,
    document_terms,
    document_triples,
    graph_iri,
    known_sources,
)
from kg.shacl import check_load
from kg.sources import FORMATS, Document, acled, read_documents
from kg.store import Store
from kg.store.kept import kept_path
from kg.store.reads import kept_loaded_sources

#: Loads with fewer assertions finish too fast for a progress bar to help.
PROGRESS_FROM = 20_000
#: From this many assertions (about 55k triples) on, a load streams to the bulk loader: 5
#: times faster than one SPARQL update at 4k assertions already. Below it, loads get the
#: SHACL check (up to ``kg.shacl.LOAD_SHACL_LIMIT`` triples) and one transaction.
BULK_ASSERTIONS = 5_000


@dataclass(frozen=True)
class LoadReport:
    path: str
    graph: str
    actors: int
    sources: int
    assertions: int
    triples: int
    rows_read: int | None = None  # event files (GDELT, ACLED) only, like ``skipped``
    skipped: dict[str, int] = field(default_factory=dict, hash=False)
    #: Loaded all the same, but worth a look: names that look like another actor's, or
    #: that mix scripts (``kg.confusables``). One line each, naming file and line.
    warnings: list[str] = field(default_factory=list, hash=False)

    def summary(self) -> str | None:
        """The end-of-load line of an event file: rows read, assertions written, rows skipped by
        reason; then ACLED's associated actors that mapped to no actor (names, not rows)."""
        if self.rows_read is None:
            return None
        text = f"{self.rows_read} events read, {self.assertions} assertions written"
        rows = {reason: count for reason, count in self.skipped.items() if reason != acled.ASSOCIATED_UNMAPPED}
        if not rows:
            text += ", none skipped"
        else:
            reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(rows.items(), key=lambda item: (-item[1], item[0])))
            text += f"; skipped {sum(rows.values())}: {reasons}"
        if self.skipped.get(acled.ASSOCIATED_UNMAPPED):
            text += f"; {self.skipped[acled.ASSOCIATED_UNMAPPED]} {acled.ASSOCIATED_UNMAPPED}"
        return text


def load(
    store: Store,
    paths: Iterable[str | Path],
    *,
    format: str | None = None,
    strict: bool = False,
    actor_map: str | Path | None = None,
    progress: Progress | None = None,
) -> list[LoadReport]:
    """Load files and folders into the store, all or nothing.

    ``format="gdelt"`` reads every file as GDELT 2.0 events (GDELT files are also known by
    name, ``*.export.CSV[.zip]``), ``format="acled"`` every file as an ACLED export (ACLED
    exports are also known by their header row); YAML, JSON and RDF files keep their readers.
    ``strict`` makes the event readers fail on rows they would skip as malformed;
    ``actor_map`` is a YAML file extending the shipped actor maps (CAMEO's; ACLED's under
    its key ``acled:``).
    ``progress(label, total)`` returns something with ``update(n)`` (the CLI passes a
    progress bar when stderr is a terminal).
    """
    if format is not None and format not in FORMATS:
        raise KgError(f"unknown format {format!r}; --format takes {', '.join(FORMATS)} (other files are known by their suffix)")
    documents = [doc for path in data_files(paths, format) for doc in read_documents(path, format, strict=strict, actor_map=actor_map)]
    if actor_map is not None and not any(doc.rows_read is not None for doc in documents):
        raise KgError("an actor map applies to GDELT event files only (and ACLED exports), and this load has none", path=str(actor_map))
    ontology = load_ontology()
    known = store.actors()
    actors = known + [a for doc in documents for a in doc.actors]
    check_types_agree(actors, ontology)
    index = ActorIndex(actors)
    kinds = actor_kinds(actors, ontology)
    warnings = load_warnings(documents, known)
    sources = known_sources(documents, store)
    total = sum(len(doc.assertions) for doc in documents)
    bar = progress(f"checking {total} assertions", total) if progress and total >= PROGRESS_FROM else None
    if total >= BULK_ASSERTIONS and store.streams_bulk_loads:
        return _stream(store, documents, index, sources, ontology, bar, progress, warnings, kinds)
    graphs, reports = {}, []
    for doc in documents:
        triples = document_triples(doc, index, sources, ontology, bar, kinds)
        graphs[document_graph(doc)] = triples
        reports.append(_report(doc, len(triples), warnings))
    check_load(store, documents, graphs)  # the SHACL shapes over what is about to be written
    store.replace_graphs(graphs)
    return reports


def _stream(
    store: Store,
    documents: list[Document],
    index: ActorIndex,
    sources: dict[str, Source],
    ontology: Ontology,
    bar: ProgressBar | None,
    progress: Progress | None,
    warnings: dict[str, list[str]],
    kinds: dict[str, str],
) -> list[LoadReport]:
    """A large load: N-Quads text straight from the records into Oxigraph's bulk loader.

    No rdflib term and no set of triples is built, and the records are freed before the
    bulk loader (which needs about 2 GB for a million assertions) starts. The SHACL check
    is skipped as for any load above ``LOAD_SHACL_LIMIT``; the loader's own rules still
    apply to every record, and an error in any leaves the store as it was.
    """
    reports = []
    graphs = [document_graph(doc) for doc in documents]
    # what it loads is all the store will hold: it keeps that, where the store has a folder
    whole = kept_path(store, "claims") is not None and set(store.data_graphs()) <= set(graphs)
    families = {relation.name: ontology.family(relation).name for relation in ontology.relations.values()}
    claims: list[Claim | None] = []
    kept = (lambda assertion, statement: claims.append(loaded_claim(assertion, statement, families))) if whole else None
    loaded_sources: list[Source] = []
    with ExitStack() as keeping, store.bulk_writer(graphs, progress) as out:
        while documents:
            doc = documents.pop(0)  # the caller's list: each document is freed once written
            graph = NT_TERMS.iri(str(document_graph(doc)))
            lines = 0
            for s, p, o in document_terms(doc, index, sources, ontology, bar, NT_TERMS, kinds, kept):
                out.write(f"{s} {p} {o} {graph} .\n")
                lines += 1
            loaded_sources += doc.sources
            reports.append(_report(doc, lines, warnings))
        if whole:  # so that the first analysis need not read a million claims back out of the store
            keeping.enter_context(kept_loaded_claims(store, claims))
            keeping.enter_context(kept_loaded_sources(store, loaded_sources))
            claims.clear()  # written to a draft: not held while the bulk loader runs
    return reports


def load_warnings(documents: list[Document], known: list[Actor]) -> dict[str, list[str]]:
    """What a load warns about, by file: look-alike names, names two actors share
    (``kg validate`` gives the same warnings)."""
    warnings = lookalikes({doc.path: doc.actors for doc in documents}, known)
    for path, found in shared_names(documents, known).items():
        warnings.setdefault(path, []).extend(found)
    return warnings


def shared_names(documents: Iterable[Document], known: Iterable[Actor] = ()) -> dict[str, list[str]]:
    """Warnings, by file: a label or alias that two different actors share (a claim naming it
    would fail as ambiguous, far from the cause), and one actor id given two different labels.

    Each names both places (file and line, or the store for an actor already loaded). Only
    names defined by the files being loaded are warned about, once each; machine-made
    documents (GDELT) are left out, as their names come from one mapping table.

    Examples
    --------
    >>> from kg.model import Where
    >>> doc = Document("a.yaml", actors=[Actor("saf", "SAF", "ArmedGroup", ("the army",), where=Where("a.yaml", 3)),
    ...                                  Actor("sna", "SNA", "ArmedGroup", ("The Army",), where=Where("a.yaml", 7))])
    >>> shared_names([doc])["a.yaml"]
    ["a.yaml:7: actor 'sna': 'The Army' is also a name of actor 'saf' (a.yaml:3); a claim naming it must use the id"]
    """
    loading = [(doc.path, actor) for doc in documents if not doc.ids_only for actor in doc.actors]
    defined = {actor.id for _, actor in loading}
    first: dict[str, tuple[Actor, str | None]] = {}  # normalised name -> the first actor named so, and its file
    labels: dict[str, tuple[Actor, str | None]] = {}
    warnings: dict[str, list[str]] = defaultdict(list)
    for actor in sorted(known, key=lambda actor: actor.id):
        if actor.id not in defined:  # a file being loaded again replaces its own actors
            for name in (actor.label, *actor.aliases):
                first.setdefault(normalise(name), (actor, None))
    for path, actor in loading:
        before, before_path = labels.setdefault(actor.id, (actor, path))
        if before.label != actor.label:
            there = _place(before, before_path)
            warnings[path].append(
                f"{_place(actor, path)}: actor {actor.id!r} is labelled {actor.label!r} here but {before.label!r} in {there}"
            )
        for name in dict.fromkeys((actor.label, *actor.aliases)):
            other, where = first.setdefault(normalise(name), (actor, path))
            if other.id != actor.id:
                warnings[path].append(
                    f"{_place(actor, path)}: actor {actor.id!r}: {name!r} is also a name of actor {other.id!r} ({_place(other, where)}); "
                    "a claim naming it must use the id"
                )
    return dict(warnings)


def _place(actor: Actor, path: str | None) -> str:
    if path is None:
        return f"in the store {actor.where.path}"
    return f"{path}:{actor.where.line}" if actor.where.line else path


def _report(doc: Document, triples: int, warnings: dict[str, list[str]]) -> LoadReport:
    counts = len(doc.actors), len(doc.sources), len(doc.assertions), triples
    return LoadReport(doc.path, str(document_graph(doc)), *counts, doc.rows_read, dict(doc.skipped), warnings.get(doc.path, []))


def drop(store: Store, path: str | Path) -> str:
    """Remove everything one file contributed (see ``drop_files``)."""
    return drop_files(store, [path])[0]


def drop_files(store: Store, paths: Iterable[str | Path]) -> list[str]:
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
