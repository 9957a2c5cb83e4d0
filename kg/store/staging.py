"""How a remote store writes: a load all or nothing, in requests of bounded size, on servers
whose update requests are transactions (Oxigraph, Fuseki, GraphDB) and on one whose are not
(Virtuoso runs the operations of a request one by one, each kept when a later one fails).

The store keeps a record, in a graph of its own (``RECORD_GRAPH``), of the graphs it shows
(its loaded files, the ontology and meta graphs): every query names them as its dataset,
so no server needs a union default graph, and no graph of anyone else is read. A load
replacing graphs G1..Gn goes in three steps:

1. **Stage.** Each Gi's new triples go to a fresh staging graph Si, in requests of at most
   ``KG_STORE_BATCH`` triples, each ``INSERT DATA`` of at most ``Endpoint.chunk`` (Virtuoso's
   SPARQL compiler fails on a few thousand). Triples with blank nodes go in one
   ``INSERT {...} WHERE {}`` per graph: Virtuoso refuses blank nodes in ``INSERT DATA``, and
   one operation keeps each label one node. The record notes "Si stages Gi" before Si's first
   triples. No query reads a staging graph, so nothing the store shows has changed; if a
   request fails, kg drops what it staged: nothing was changed.
2. **Switch.** After checking that every Si arrived (a URL that is no update endpoint, or
   another load of the same file that removed them, would otherwise copy nothing over Gi),
   one request copies each Si onto its Gi (``COPY``; a Gi replaced by nothing is dropped),
   makes the record show G1..Gn and notes each Si as switched. A transactional server applies
   all of it or none. On Virtuoso a failure can stop it half-way; every operation is
   idempotent while the Si exist (``COPY`` keeps its source), so kg sends it again at once,
   and a rerun of the same load converges as well.
3. **Clean up.** One request drops the Si and their notes. A failure leaves garbage no query
   reads: switched staging graphs go at the next writable open, staging graphs of a load that
   failed or was killed before its switch go with the next load or drop of the same graph.

While a switch runs on Virtuoso, a query may see some files new and others old.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Namespace, URIRef

from kg.errors import KgError
from kg.namespaces import BASE, GRAPH, META_GRAPH, ONTOLOGY_GRAPH
from kg.output import Progress
from kg.sparqltext import to_ox
from kg.store.common import STORE_NODE
from kg.store.http import Failed

#: The remote store's record of its graphs (see the module's docstring).
RECORD_GRAPH = GRAPH["record"]
RECORD = Namespace(BASE + "store#")
#: Staging graphs: ``graph/staging/<load>/<n>``.
STAGING = GRAPH["staging/"]
#: Always in the dataset of a query: on a server with no kg data yet it is then empty, not
#: the server's default (on Virtuoso, every graph it holds).
KG_GRAPHS = (ONTOLOGY_GRAPH, META_GRAPH)

RECORD_QUERY = f"""SELECT ?g ?stage ?target ?switched WHERE {{ GRAPH {to_ox(RECORD_GRAPH)} {{
    {{ {to_ox(STORE_NODE)} {to_ox(RECORD.shows)} ?g }}
    UNION {{ ?stage {to_ox(RECORD.stages)} ?target OPTIONAL {{ ?stage {to_ox(RECORD.switched)} ?switched }} }} }} }}"""


@dataclass
class Record:
    """What the record graph says: the graphs shown, and staging graphs not cleaned up."""

    shows: set[URIRef] = field(default_factory=set)
    #: Staging graphs never switched in (their load failed or was killed), by target.
    unfinished: dict[URIRef, list[URIRef]] = field(default_factory=dict)
    #: Staging graphs switched in but not dropped.
    switched: list[URIRef] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, object]]) -> Record:
        record = cls()
        for row in rows:
            shown, stage, target = row.get("g"), row.get("stage"), row.get("target")
            if isinstance(shown, ox.NamedNode):
                record.shows.add(URIRef(shown.value))
            elif isinstance(stage, ox.NamedNode) and isinstance(target, ox.NamedNode):
                if row.get("switched") is not None:
                    record.switched.append(URIRef(stage.value))
                else:
                    record.unfinished.setdefault(URIRef(target.value), []).append(URIRef(stage.value))
        return record

    def dataset(self) -> list[str]:
        """The graphs a query reads: every graph shown, and the ontology and meta graphs."""
        return sorted({str(graph) for graph in (*self.shows, *KG_GRAPHS)})


@dataclass
class Load:
    """One load: a staging graph per target graph, and the N-Triples lines to write there."""

    stages: dict[URIRef, URIRef]  # target -> staging graph
    plain: dict[URIRef, list[str]]  # target -> lines without blank nodes
    blank: dict[URIRef, list[str]]  # target -> lines with blank nodes

    @classmethod
    def of(cls, graphs: Mapping[URIRef, Iterable[ox.Triple]]) -> Load:
        load = uuid.uuid4().hex
        stages, plain, blank = {}, {}, {}
        for number, (target, triples) in enumerate(sorted(graphs.items())):
            stages[target] = URIRef(f"{STAGING}{load}/{number}")
            triples = list(triples)
            plain[target] = _lines(t for t in triples if not _has_blank(t))
            blank[target] = _lines(t for t in triples if _has_blank(t))
        return cls(stages, plain, blank)

    @property
    def filled(self) -> list[URIRef]:
        """The targets that get triples (the others are replaced by nothing)."""
        return [target for target in self.stages if self.plain[target] or self.blank[target]]


class Writer:
    """The three steps over one server: ``post`` sends an update (raising ``kg.store.http.Failed``),
    ``missing`` answers which of some graphs hold no triple; errors name ``where``."""

    def __init__(self, post: Callable[[str], None], missing: Callable[[list[URIRef]], list[URIRef]], batch: int, chunk: int, where: str):
        self.post, self.missing, self.batch, self.chunk, self.where = post, missing, batch, chunk, where

    def write(self, load: Load, record: Record, progress: Progress | None = None) -> None:
        """Replace the load's targets, all or nothing; ``record`` follows; ``progress`` counts requests."""
        if not load.stages:
            return
        leftovers = [stage for target in load.stages for stage in record.unfinished.pop(target, [])]
        requests = staging_requests(load, self.batch, self.chunk, leftovers)
        bar = progress(f"sending {len(requests):,} update requests to the store", len(requests)) if progress and len(requests) > 1 else None
        for number, request in enumerate(requests, 1):
            try:
                self.post(request)
                if bar is not None:
                    bar.update(1)
            except Failed as failure:
                self.forget(load.stages.values())
                batches = f" (request {number} of {len(requests)}: the load had more than KG_STORE_BATCH={self.batch} triples)"
                reason = f"writing to the store failed, nothing was changed: {failure.reason}{batches if len(requests) > 1 else ''}"
                raise KgError(reason, path=self.where) from None
        self.check_staged(load)
        self.post_idempotent(switch_request(load), "switching the new data in")
        record.shows |= set(load.filled)
        record.shows -= set(load.stages) - set(load.filled)
        self.forget(load.stages[target] for target in load.filled)

    def check_staged(self, load: Load) -> None:
        """Servers answer updates differently (204, or 200 with an HTML page), so a URL that is no
        update endpoint at all can look like success: check that the staged data is there."""
        stages = [load.stages[target] for target in load.filled]
        if stages and self.missing(stages):
            self.forget(stages)
            raise KgError(
                "the server accepted the update but the data is not there, nothing was changed: is KG_UPDATE_URL the SPARQL "
                "update endpoint? (or did another kg load the same files at the same time?)",
                path=self.where,
            )

    def drop(self, graphs: Iterable[URIRef], record: Record) -> None:
        """Drop graphs, and what unfinished loads staged for them."""
        graphs = sorted(set(graphs))
        leftovers = [stage for graph in graphs for stage in record.unfinished.pop(graph, [])]
        request = drop_request(graphs, leftovers)
        if request:
            self.post_idempotent(request, "dropping")
            record.shows -= set(graphs)

    def adopt(self, record: Record) -> None:
        """Record the graphs of a store written before the record existed (a scan found them)."""
        request = show_request(record.shows)
        if request:
            self.post_idempotent(request, "recording the store's graphs")

    def tidy(self, record: Record) -> None:
        """Drop staging graphs switched in but not dropped (a failed clean-up)."""
        self.forget(record.switched)
        record.switched.clear()

    def forget(self, stages: Iterable[URIRef]) -> None:
        """Drop staging graphs and their notes, if the server lets us (else see step 3)."""
        request = cleanup_request(stages)
        if request:
            try:
                self.post(request)
            except Failed:
                pass

    def post_idempotent(self, update: str, doing: str) -> None:
        """An update that may be sent twice: once more at once if it fails, as Virtuoso may have
        stopped half-way (it applies a request's operations one by one)."""
        try:
            self.post(update)
        except Failed:
            try:
                self.post(update)
            except Failed as failure:
                raise KgError(f"writing to the store failed while {doing} ({failure.reason}); {RETRY_ADVICE}", path=self.where) from None


RETRY_ADVICE = (
    "a server whose updates are transactions (Oxigraph, Fuseki, GraphDB) changed nothing, Virtuoso may have done part of it: "
    "run the same command again to complete it"
)


def staging_requests(load: Load, batch: int, chunk: int, leftovers: Iterable[URIRef] = ()) -> list[str]:
    """The update requests of step 1, each of at most ``batch`` triples (a graph's blank node
    triples, which must go in one operation, excepted); the first also removes ``leftovers``."""
    requests: list[str] = []
    operations = [op for stage in leftovers for op in _forget(stage)]
    size = 0
    for target in load.filled:
        stage = load.stages[target]
        operations.append(f"INSERT DATA {{ GRAPH {to_ox(RECORD_GRAPH)} {{ {to_ox(stage)} {to_ox(RECORD.stages)} {to_ox(target)} }} }}")
        parts = [("template", load.blank[target])] if load.blank[target] else []
        parts += [("data", load.plain[target][at : at + chunk]) for at in range(0, len(load.plain[target]), chunk)]
        for kind, lines in parts:
            if size and size + len(lines) > batch:
                requests.append(" ;\n".join(operations))
                operations, size = [], 0
            operations.append(_insert(stage, lines, template=kind == "template"))
            size += len(lines)
    if operations:
        requests.append(" ;\n".join(operations))
    return requests


def switch_request(load: Load) -> str:
    """Step 2: each staging graph copied onto its target, the record updated (idempotent).

    Examples
    --------
    >>> load = Load.of({URIRef("file:///a.yaml"): [ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"))]})
    >>> print(switch_request(load).split(" ;")[0].replace(str(load.stages[URIRef("file:///a.yaml")]), "S"))
    COPY SILENT GRAPH <S> TO GRAPH <file:///a.yaml>
    """
    filled = load.filled
    operations = [
        f"COPY SILENT GRAPH {to_ox(load.stages[target])} TO GRAPH {to_ox(target)}"
        if target in filled
        else f"DROP SILENT GRAPH {to_ox(target)}"
        for target in load.stages
    ]
    emptied = [target for target in load.stages if target not in filled]
    operations += [_shows("INSERT", filled), _shows("DELETE", emptied)]
    if filled:
        switched = " ".join(f"{to_ox(load.stages[target])} {to_ox(RECORD.switched)} true ." for target in filled)
        operations.append(f"INSERT DATA {{ GRAPH {to_ox(RECORD_GRAPH)} {{ {switched} }} }}")
    return " ;\n".join(op for op in operations if op)


def cleanup_request(stages: Iterable[URIRef]) -> str | None:
    """Step 3 (and the removal of leftovers): drop staging graphs and their notes."""
    operations = [op for stage in stages for op in _forget(stage)]
    return " ;\n".join(operations) or None


def drop_request(graphs: Iterable[URIRef], leftovers: Iterable[URIRef] = ()) -> str | None:
    """Drop graphs (and unfinished staging graphs of theirs) and stop showing them (idempotent)."""
    graphs = sorted(set(graphs))
    if not graphs:
        return None
    operations = [f"DROP SILENT GRAPH {to_ox(graph)}" for graph in graphs]
    operations += [op for stage in leftovers for op in _forget(stage)]
    return " ;\n".join([*operations, _shows("DELETE", graphs)])


def show_request(graphs: Iterable[URIRef]) -> str:
    """Record graphs as shown: for a store written before the record existed."""
    return _shows("INSERT", sorted(set(graphs))) or ""


def _shows(verb: str, graphs: list[URIRef]) -> str:
    if not graphs:
        return ""
    triples = " ".join(f"{to_ox(STORE_NODE)} {to_ox(RECORD.shows)} {to_ox(graph)} ." for graph in graphs)
    return f"{verb} DATA {{ GRAPH {to_ox(RECORD_GRAPH)} {{ {triples} }} }}"


def _forget(stage: URIRef) -> list[str]:
    return [f"DROP SILENT GRAPH {to_ox(stage)}", f"DELETE WHERE {{ GRAPH {to_ox(RECORD_GRAPH)} {{ {to_ox(stage)} ?p ?o }} }}"]


def _insert(graph: URIRef, lines: list[str], template: bool) -> str:
    body = "\n".join(lines)
    if template:  # blank nodes: allowed in a template, where each label is one new node
        return f"INSERT {{ GRAPH {to_ox(graph)} {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {to_ox(graph)} {{\n{body}\n}} }}"


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _lines(triples: Iterable[ox.Triple]) -> list[str]:
    """Triples as N-Triples lines (valid inside ``INSERT DATA``), in a stable order."""
    triples = list(triples)
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
    return sorted(text.splitlines())
