"""Artefacts generated from ``ontology/kgo.ttl``: the human-readable reference and the JSON-LD context.

Both are written next to the Turtle (``ontology/README.md``, ``ontology/context.jsonld``)
and checked by the tests against a fresh generation, so they cannot drift from the
ontology: after editing ``kgo.ttl``, run ``python -m kg.ontology_doc`` and commit the result.
Terms are listed in the order they are defined in the Turtle file, which groups them
under its comment banners.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from kg.namespaces import KGO, PREFIXES, SCHEMA
from kg.ontology import Ontology, kebab, load_ontology, ontology_path

ONTOLOGY_IRI = URIRef(str(KGO).rstrip("#"))

#: Friendly JSON keys for the reused (non-kgo) vocabulary that our data uses.
REUSED_TERMS = {
    "label": RDFS.label,
    "comment": RDFS.comment,
    "aliases": SKOS.altLabel,
    "sameAs": OWL.sameAs,
    "sources": PROV.wasDerivedFrom,
    "title": DCTERMS.title,
    "publisher": DCTERMS.publisher,
    "date": DCTERMS.date,
    "url": SCHEMA.url,
}
#: Reused properties whose values are IRIs, and those that hold several values.
REUSED_IRI_VALUED = {OWL.sameAs, PROV.wasDerivedFrom}
REUSED_MULTI_VALUED = {SKOS.altLabel, PROV.wasDerivedFrom}
REUSED_DATATYPES = {DCTERMS.date: XSD.date, SCHEMA.url: XSD.anyURI}


# -- the JSON-LD context ------------------------------------------------------------------------


def jsonld_context(ontology: Ontology | None = None, shapes: Graph | None = None) -> dict:
    """The ``@context`` that turns our RDF into plain-looking JSON.

    Every term of the ontology is a key by its local name (``backs``, ``dateReported``,
    ``State``); IRIs compact to ``actor:turkey``; dates and decimals are typed by the
    context, so values are plain strings; a property that may hold several values
    (not functional, and no ``sh:maxCount 1`` in the shapes) is always an array.
    """
    ontology = ontology or load_ontology()
    graph = ontology.graph
    shapes = shapes if shapes is not None else Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    single = {
        path
        for shape in shapes.subjects(SH.maxCount, None)
        if int(shapes.value(shape, SH.maxCount)) == 1
        for path in shapes.objects(shape, SH.path)
    }
    single |= set(graph.subjects(RDF.type, OWL.FunctionalProperty))
    context: dict[str, object] = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    context.update({"id": "@id", "type": "@type"})
    for key, prop in REUSED_TERMS.items():
        context[key] = _term(
            prop,
            iri_valued=prop in REUSED_IRI_VALUED,
            multi=prop in REUSED_MULTI_VALUED,
            datatype=REUSED_DATATYPES.get(prop),
        )
    for term in defined_terms(graph):
        name = term.removeprefix(str(KGO))
        if (term, RDF.type, OWL.Class) in graph:
            context[name] = "kgo:" + name
            continue
        iri_valued = (term, RDF.type, OWL.ObjectProperty) in graph
        datatype = graph.value(term, RDFS.range)
        datatype = datatype if datatype is not None and str(datatype).startswith(str(XSD)) else None
        context[name] = _term(term, iri_valued=iri_valued, multi=term not in single, datatype=datatype)
    return {"@context": context}


def _term(prop: URIRef, *, iri_valued: bool, multi: bool, datatype: URIRef | None) -> dict | str:
    definition: dict[str, str] = {"@id": _curie(prop)}
    if iri_valued:
        definition["@type"] = "@id"
    elif datatype is not None and datatype != XSD.string:  # typed by the context: values are plain strings
        definition["@type"] = _curie(datatype)
    if multi:
        definition["@container"] = "@set"
    return definition if len(definition) > 1 else definition["@id"]


def _curie(iri: URIRef) -> str:
    for prefix, namespace in PREFIXES.items():
        if str(iri).startswith(str(namespace)):
            return f"{prefix}:{str(iri)[len(str(namespace)) :]}"
    return str(iri)


def defined_terms(graph: Graph) -> list[URIRef]:
    """The ontology's own terms (kgo:), in the order the Turtle file defines them."""
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(str(KGO))}
    text = Path(ontology_path("kgo.ttl")).read_text(encoding="utf-8")
    order = {KGO[name]: i for i, name in reversed(list(enumerate(re.findall(r"^kgo:(\w+)\s", text, re.M))))}
    return sorted(terms, key=lambda t: (order.get(t, len(order)), str(t)))


# -- the Markdown reference ---------------------------------------------------------------------


def reference_markdown(ontology: Ontology | None = None) -> str:
    """``ontology/README.md``: classes, relations (inverse, symmetry, roll-up, CAMEO codes)
    and the properties of assertions and sources, from the Turtle."""
    ontology = ontology or load_ontology()
    graph = ontology.graph
    terms = defined_terms(graph)
    title = graph.value(ONTOLOGY_IRI, DCTERMS.title) or graph.value(ONTOLOGY_IRI, RDFS.label)
    lines = [
        f"# {title}",
        "",
        "<!-- Generated from kgo.ttl by `python -m kg.ontology_doc`; edit the Turtle, not this file. -->",
        "",
        _cell(graph.value(ONTOLOGY_IRI, RDFS.comment)),
        "",
        f"- Namespace: `{KGO}` (prefix `kgo:`); actors `{PREFIXES['actor']}`, sources `{PREFIXES['source']}`,"
        f" statements `{PREFIXES['stmt']}`",
        f"- Version: {graph.value(ONTOLOGY_IRI, OWL.versionInfo)} (`{graph.value(ONTOLOGY_IRI, OWL.versionIRI)}`)",
        f"- Licence: {graph.value(ONTOLOGY_IRI, DCTERMS.license)}",
        "- Files: [`kgo.ttl`](kgo.ttl) (OWL 2), [`shapes.ttl`](shapes.ttl) (SHACL),"
        " [`context.jsonld`](context.jsonld) (JSON-LD context of the exports)",
        "",
        "## Classes",
        "",
        "| class | subclass of | description |",
        "|---|---|---|",
    ]
    for term in terms:
        if (term, RDF.type, OWL.Class) in graph:
            parents = ", ".join(f"`{_curie(p)}`" for p in sorted(graph.objects(term, RDFS.subClassOf)) if isinstance(p, URIRef))
            lines.append(f"| `{_curie(term)}` | {parents} | {_cell(graph.value(term, RDFS.comment))} |")
    lines += [
        "",
        "## Relations between actors",
        "",
        "Every relation is an `owl:ObjectProperty` and, by punning, a `kgo:Relation` individual that",
        "assertions name. *CLI name* is how `kg` commands and data files spell it; a relation rolls up to",
        "its super-relations (`rdfs:subPropertyOf`), and a two-digit CAMEO code stands for every code under it.",
        "*Other codes* name the same relation in UCDP's External Support Dataset (ESD), Stanford's Mapping",
        "Militants Project (MMP), the ATOP alliance data and the Correlates of War alliance types (COW).",
        "",
        "| relation | CLI name | sub-relation of | inverse | symmetric | domain → range | CAMEO | other codes | description |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for term in terms:
        if term in ontology.relations:
            lines.append(_relation_row(graph, ontology, term))
    lines += [
        "",
        "## Properties of assertions, sources and the store",
        "",
        "| property | kind | domain → range | description |",
        "|---|---|---|---|",
    ]
    for term in terms:
        if term not in ontology.relations and (term, RDF.type, OWL.Class) not in graph:
            kinds = [k for k in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty) if (term, RDF.type, k) in graph]
            kind = ", ".join(_curie(k).removeprefix("owl:") for k in kinds)
            if (term, RDF.type, OWL.FunctionalProperty) in graph:
                kind += " (functional)"
            lines.append(f"| `{_curie(term)}` | {kind} | {_domain_range(graph, term)} | {_cell(graph.value(term, RDFS.comment))} |")
    return "\n".join(lines) + "\n"


def _relation_row(graph: Graph, ontology: Ontology, term: URIRef) -> str:
    relation = ontology.relations[term]
    parents = ", ".join(f"`{_curie(p)}`" for p in graph.objects(term, RDFS.subPropertyOf))
    inverse = relation.inverse or relation.inverse_of
    inverse_text = f"`{_curie(inverse)}`" if inverse is not None else ""
    cameo = " ".join(relation.cameo)
    codes = "; ".join(f"{scheme} {code}" for scheme, code in relation.codes)
    symmetric = "yes" if relation.symmetric else ""
    return (
        f"| `{_curie(term)}` | `{kebab(term.removeprefix(str(KGO)))}` | {parents} | {inverse_text} | {symmetric} |"
        f" {_domain_range(graph, term)} | {cameo} | {codes} | {_cell(relation.comment)} |"
    )


def _domain_range(graph: Graph, term: URIRef) -> str:
    domain, range_ = graph.value(term, RDFS.domain), graph.value(term, RDFS.range)
    if domain is None and range_ is None:
        return ""
    return f"`{_curie(domain) if domain else '-'}` → `{_curie(range_) if range_ else '-'}`"


def _cell(text: object) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


# -- writing ------------------------------------------------------------------------------------


def context_text() -> str:
    return json.dumps(jsonld_context(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Regenerate ``ontology/README.md`` and ``ontology/context.jsonld`` (atomically)."""
    from kg.atomic import write_atomic

    for name, text in (("README.md", reference_markdown()), ("context.jsonld", context_text())):
        path = Path(ontology_path(name))
        write_atomic(path, text)
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    main()
