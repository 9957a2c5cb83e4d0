"""``kg export``: the store as RDF for other RDF tools, or as a network for Gephi, Cytoscape, Kumu.

RDF formats (Turtle, N-Triples, JSON-LD, RDF/XML; TriG and N-Quads keep each loaded file's
named graph) carry either everything in the data graphs, or, with a ``Selection``, the
selected claims: their statement nodes, the direct edges they entail (with the inferred
ones, as the loader materialised them), the actors they touch and their sources.
``truthy_only`` leaves out statement nodes and sources: direct edges and actors only.
The ontology graph is left out unless asked for (``include_ontology``): tools that need it
read ``ontology/kgo.ttl``, and keeping it out keeps the data export about the data.

Network formats (GraphML, GEXF, CSV) are ``kg.projection.project`` written out, so an
export agrees with the analytics and the map: one edge per (subject, relation family,
object) with its sign, number of sources, confidence and first/last date.

CSV cells that a spreadsheet would run as a formula (``=1+2``, ``@SUM(A1)``) start with a
``'``; every other format carries the text exactly.

Output is deterministic (sorted, fixed prefixes and attribute order): exporting the same
store twice gives the same bytes, so exports kept in git diff cleanly. Files are written
atomically (``kg.atomic``), and only over regular files.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from kg import __version__
from kg.atomic import write_all_atomic
from kg.errors import KgError
from kg.namespaces import ACTOR, KGO, ONTOLOGY_GRAPH, PREFIXES, SOURCE
from kg.ontology import load_ontology, ontology_path
from kg.output import csv_text
from kg.projection import actor_details, project, select_claims
from kg.rules import portable_graph
from kg.selection import Selection
from kg.store import Store

#: format name -> (pyoxigraph format, keeps named graphs)
RDF_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "json-ld": (None, False),  # compacted by rdflib with our context
    "xml": (ox.RdfFormat.RDF_XML, False),
    "trig": (ox.RdfFormat.TRIG, True),
    "nquads": (ox.RdfFormat.N_QUADS, True),
}
GRAPH_FORMATS = ("graphml", "gexf", "csv")
FORMATS = (*RDF_FORMATS, *GRAPH_FORMATS)

PLAIN = {"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ASSERTION = ox.NamedNode(str(KGO.Assertion))
SOURCE_CLASS = ox.NamedNode(str(KGO.Source))
#: The actors a statement names besides its subjects and objects.
VOICES = {ox.NamedNode(str(KGO[name])) for name in ("saidBy", "process", "host")}

ACTOR_COLUMNS = ["ID", "Label", "Type"]
#: Kumu reads From/To (first two columns), Gephi Source/Target/Type(direction)/Kind/Label;
#: each ignores the other's columns or keeps them as attributes.
RELATION_COLUMNS = ["From", "To", "Source", "Target", "Type", "Direction", "Kind", "Label"] + [
    "relations",
    "sign",
    "sources",
    "confidence",
    "first_date",
    "last_date",
]


def export(
    store: Store,
    fmt: str,
    *,
    selection: Selection | None = None,
    truthy_only: bool = False,
    include_ontology: bool = False,
) -> dict[str, bytes]:
    """The export as file contents: ``{"": data}``, or for CSV ``{"actors": ..., "relations": ...}``.

    Raises
    ------
    KgError
        For an unknown format, or options the format cannot honour.
    """
    if fmt in RDF_FORMATS:
        return {"": rdf_bytes(store, fmt, selection=selection, truthy_only=truthy_only, include_ontology=include_ontology)}
    if fmt not in GRAPH_FORMATS:
        raise KgError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}", field="--format")
    if truthy_only or include_ontology:
        raise KgError(f"{fmt} is a network of actors already; --truthy-only and --ontology apply to RDF formats", field="--format")
    graph = network(store, selection)
    if fmt in ("graphml", "gexf"):
        for node, data in graph.nodes(data=True):
            check_xml_text(data["label"], f"the label of actor {node!r}", fmt)
    if fmt == "graphml":
        return {"": graphml_bytes(graph)}
    if fmt == "gexf":
        return {"": gexf_bytes(graph)}
    return csv_tables(graph)


def export_to(store: Store, fmt: str, output: str | Path, **options) -> list[Path]:
    """Write the export to ``output`` atomically; the paths written.

    For CSV, ``output`` names the pair: ``NAME-actors.csv`` and ``NAME-relations.csv``
    (a trailing ``.csv`` is dropped), or ``actors.csv`` and ``relations.csv`` inside
    ``output`` when it is a folder.
    """
    parts = export(store, fmt, **options)
    return write_all_atomic({output_path(output, part): data for part, data in parts.items()})


def output_path(output: str | Path, part: str) -> Path:
    path = Path(output)
    if not part:
        return path
    if path.is_dir():
        return path / f"{part}.csv"
    stem = path.name[: -len(".csv")] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{stem}-{part}.csv")


# -- RDF ----------------------------------------------------------------------------------------


def rdf_bytes(
    store: Store, fmt: str, *, selection: Selection | None = None, truthy_only: bool = False, include_ontology: bool = False
) -> bytes:
    """One RDF serialisation of the export; single-graph formats get the union of the graphs."""
    if fmt not in RDF_FORMATS:
        raise KgError(f"unknown RDF format {fmt!r}; use one of {', '.join(RDF_FORMATS)}", field="--format")
    ox_format, keeps_graphs = RDF_FORMATS[fmt]
    quads = export_quads(store, selection, truthy_only, include_ontology)
    if keeps_graphs:
        return _serialise(quads, ox_format)
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=_order)
    if fmt == "json-ld":
        return jsonld_bytes(triples)
    if fmt == "xml":
        for triple in triples:
            if isinstance(triple.object, ox.Literal):
                check_xml_text(triple.object.value, f"{_curie(triple.subject)} {_curie(triple.predicate)}", fmt)
    return _serialise(triples, ox_format)


#: Characters XML 1.0 cannot carry at all, not even escaped (C0 controls but tab and newlines, U+FFFE/F).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def check_xml_text(text: str, where: str, fmt: str) -> None:
    """Refuse text an XML format would have to corrupt (writers pass it through, readers drop it)."""
    found = XML_ILLEGAL.search(text)
    if found:
        raise KgError(
            f"{where} holds the control character U+{ord(found.group()):04X}, which {fmt} (XML) cannot carry;"
            " export as turtle, nt or json-ld, or remove it from the data",
            field="--format",
        )


def _curie(term) -> str:
    value = term.value if isinstance(term, ox.NamedNode) else str(term)
    for prefix, namespace in PREFIXES.items():
        if value.startswith(str(namespace)):
            return f"{prefix}:{value[len(str(namespace)) :]}"
    return value


def export_quads(store: Store, selection: Selection | None, truthy_only: bool, include_ontology: bool) -> list[ox.Quad]:
    """The quads an export holds, sorted by graph, subject, predicate (rdf:type first), object."""
    if selection is None or selection == Selection(depth=selection.depth):
        keep = _everything(truthy_only)
    else:
        keep = _selected(store, selection, truthy_only)
    quads = []
    for graph in store.data_graphs():
        portable = ox.NamedNode(portable_graph(str(graph)))  # no machine's absolute paths in an export
        quads.extend(ox.Quad(q.subject, q.predicate, q.object, portable) for q in keep(store.quads(graph)))
    if include_ontology:
        quads.extend(store.quads(ONTOLOGY_GRAPH))
    return sorted(_canonical_blank_nodes(quads), key=lambda q: (q.graph_name.value, *_order(q)))


def _canonical_blank_nodes(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Blank nodes (the ontology's lists) get names from their content (RDF canonicalisation),
    not the random ones they got when the store parsed them: a rebuilt store exports the same bytes."""
    if not any(isinstance(term, ox.BlankNode) for q in quads for term in (q.subject, q.object)):
        return quads
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def _everything(truthy_only: bool):
    """Every quad of a graph; truthy: less the statement and source nodes."""

    def keep(quads: list[ox.Quad]) -> list[ox.Quad]:
        if not truthy_only:
            return quads
        provenance = {q.subject for q in quads if q.predicate == RDF_TYPE and q.object in (ASSERTION, SOURCE_CLASS)}
        return [q for q in quads if q.subject not in provenance]

    return keep


def _selected(store: Store, selection: Selection, truthy_only: bool):
    """The quads of a graph that the selected claims stated in that graph account for."""
    ontology = load_ontology()
    claims = {claim.statement: claim for claim in select_claims(store, selection)}
    relations = {ox.NamedNode(str(iri)) for iri in ontology.relations}

    def keep(quads: list[ox.Quad]) -> list[ox.Quad]:
        here = [claims[q.subject.value] for q in quads if q.predicate == RDF_TYPE and q.object == ASSERTION and q.subject.value in claims]
        statements, actors, sources, edges = set(), set(), set(), set()
        for claim in here:
            statements.add(ox.NamedNode(claim.statement))
            actors.update(ox.NamedNode(ACTOR[a]) for a in (*claim.subjects, *claim.objects))
            sources.update(ox.NamedNode(SOURCE[s]) for s in claim.sources)
            if claim.stance != "asserted":
                continue  # only asserted claims make direct edges
            relation = ontology.relation(claim.relation).iri
            for subject, obj in claim.pairs:
                for s, p, o in ontology.implied_edges(ACTOR[subject], relation, ACTOR[obj]):
                    edges.add((ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))
        actors.update(q.object for q in quads if q.subject in statements and q.predicate in VOICES)  # said by, process, host
        provenance = set() if truthy_only else statements | sources
        return [
            q
            for q in quads
            if q.subject in provenance
            or (q.subject in actors and q.predicate not in relations)
            or (q.subject, q.predicate, q.object) in edges
        ]

    return keep


def _order(term: ox.Quad | ox.Triple) -> tuple:
    """Subject, then rdf:type before other predicates (readable Turtle), then the rest."""
    return (str(term.subject), term.predicate != RDF_TYPE, str(term.predicate), str(term.object))


def _serialise(statements: list, ox_format: ox.RdfFormat) -> bytes:
    if ox_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return ox.serialize(statements, format=ox_format) or b""
    prefixes = used_prefixes(statements)
    data = ox.serialize(statements, format=ox_format, prefixes=prefixes) or b""
    if ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        data = _ordered_prefix_lines(data, prefixes)
    return data


def used_prefixes(statements: Iterable[ox.Triple | ox.Quad]) -> dict[str, str]:
    """The project prefixes whose namespace some IRI of the statements is in, in PREFIXES order."""
    iris = set()
    for statement in statements:
        for term in (statement.subject, statement.predicate, statement.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal) and term.datatype.value not in PLAIN:
                iris.add(term.datatype.value)  # "2020-12-29"^^xsd:date needs xsd:; plain strings do not
    return {prefix: str(ns) for prefix, ns in PREFIXES.items() if any(iri.startswith(str(ns)) for iri in iris)}


def _ordered_prefix_lines(data: bytes, prefixes: dict[str, str]) -> bytes:
    """Oxigraph writes the ``@prefix`` lines in its own order; put them in ours."""
    lines = data.split(b"\n")
    count = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    header = [f"@prefix {prefix}: <{ns}> .".encode() for prefix, ns in prefixes.items()]
    return b"\n".join([*header, b"", *lines[count:]])


# -- JSON-LD ------------------------------------------------------------------------------------


@cache
def jsonld_context() -> dict:
    """The shipped ``ontology/context.jsonld`` (generated from the ontology by ``kg.ontology_doc``)."""
    with open(ontology_path("context.jsonld"), encoding="utf-8") as handle:
        return json.load(handle)["@context"]


def jsonld_bytes(triples: list[ox.Triple]) -> bytes:
    """Compact JSON-LD with the context inlined (a remote context would need the network).

    rdflib does the compaction; the nodes, their keys and set values are then sorted so
    that the same data always gives the same bytes.
    """
    graph = Graph()
    for triple in triples:
        graph.add((_rdflib(triple.subject), _rdflib(triple.predicate), _rdflib(triple.object)))
    compacted = json.loads(graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
    compacted.pop("@context", None)
    nodes = compacted.pop("@graph", [compacted] if compacted else [])
    document = {"@context": jsonld_context(), "@graph": sorted((_sorted_node(n) for n in nodes), key=lambda n: str(n.get("id")))}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _rdflib(term):
    """A pyoxigraph term as rdflib's; blank nodes keep their store label, so that the output is stable
    (parsing N-Triples would give them fresh random ids)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=None if term.datatype.value in PLAIN else URIRef(term.datatype.value))


def _sorted_node(node: object, ordered: bool = False) -> object:
    """Keys id, type, then alphabetical; values of a set sorted (an ``@list`` keeps its order)."""
    if isinstance(node, list):
        items = [_sorted_node(item) for item in node]
        return items if ordered else sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    if not isinstance(node, dict):
        return node
    keys = sorted(node, key=lambda key: (key not in ("id", "@id"), key not in ("type", "@type"), key))
    return {key: _sorted_node(node[key], ordered=key == "@list") for key in keys}


# -- networks -----------------------------------------------------------------------------------


def network(store: Store, selection: Selection | None = None):
    """``kg.projection.project`` with its list attributes joined, as the file formats need;
    every actor of the store a node (unless a focus chooses a neighbourhood), and every edge
    an id of its own (``turkey backs sna``)."""
    selection = selection or Selection()
    graph = project(store, selection)
    if selection.focus is None:  # an actor with no claim is still one the analyst knows of
        details = actor_details(store)
        lonely = [actor for actor in details.label if actor not in graph]
        graph.add_nodes_from((actor, {"label": details.label[actor], "type": details.type[actor]}) for actor in lonely)
    for subject, obj, family, data in graph.edges(keys=True, data=True):
        del data["statement_sources"]  # a mapping: no GraphML, GEXF or CSV value
        data["relations"] = " ".join(data["relations"])
        data["assertions"] = " ".join(data["assertions"])
        data["label"] = data["relation"]
        data["id"] = f"{subject} {family} {obj}"
    return graph


def graphml_bytes(graph) -> bytes:
    """GraphML (Gephi, Cytoscape, yEd, networkx.read_graphml); each edge's id is its own."""
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True, edge_id_from_attribute="id")
    return buffer.getvalue()


def gexf_bytes(graph) -> bytes:
    """GEXF 1.2 (Gephi, networkx.read_gexf), without the write date that would change every day.

    Drawn as the map draws it: node colours by actor type, sizes by number of relations, edge
    colours by family; a symmetric family's edges are ``undirected``; the weight is the number
    of sources.
    """
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    meta = writer.xml.find("meta")
    meta.attrib.pop("lastmodifieddate", None)
    meta.find("creator").text = f"actorgraph (kg) {__version__}"
    writer.add_graph(_drawn(graph))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _drawn(graph):
    """A copy of the network with GEXF's viz colours and sizes, edge types and weights."""
    from kg.view import FAMILY_STYLES, OTHER_FAMILY, TYPES

    drawn = graph.copy()
    for node, data in drawn.nodes(data=True):
        colour = TYPES.get(data.get("type"), {"color": "#777777"})["color"]
        data["viz"] = {"color": _rgb(colour), "size": 10.0 + 2 * drawn.degree(node)}
    for _, _, family, data in drawn.edges(keys=True, data=True):
        data["viz"] = {"color": _rgb(FAMILY_STYLES.get(family, OTHER_FAMILY)["color"]), "thickness": float(data["sources"])}
        data["type"] = "undirected" if data["symmetric"] else "directed"
        data["weight"] = data["sources"]
    return drawn


def _rgb(colour: str) -> dict:
    """``#2e7d32`` as GEXF's viz colour."""
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16), "a": 1.0}


def csv_tables(graph) -> dict[str, bytes]:
    """Two spreadsheets, actors and relations, in the column names Kumu and Gephi import."""
    actors = [{"ID": node, "Label": data["label"], "Type": data["type"]} for node, data in graph.nodes(data=True)]
    relations = []
    for subject, obj, data in graph.edges(data=True):
        relations.append(
            {
                "From": subject,
                "To": obj,
                "Source": subject,
                "Target": obj,
                "Type": "Undirected" if data["symmetric"] else "Directed",
                "Direction": "undirected" if data["symmetric"] else "directed",
                "Kind": data["relation"],
                "Label": data["relation"],
                **{key: data[key] for key in ("relations", "sign", "sources", "confidence", "first_date", "last_date")},
            }
        )
    return {"actors": _csv(actors, ACTOR_COLUMNS), "relations": _csv(relations, RELATION_COLUMNS)}


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    """A spreadsheet's bytes; cells that would start a formula get a leading ``'`` (``kg.output.spreadsheet_cell``)."""
    return csv_text(rows, columns).encode("utf-8")
