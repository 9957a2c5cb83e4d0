"""The ontology as a first-class artefact: OWL 2 DL (HermiT via owlready2), its inferences agree with
the loader's materialised ones, and the generated reference and JSON-LD context match the Turtle.

HermiT runs on Java: the test command installs ``default-jre-headless`` where no ``java`` is found.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.loader import load
from kg.namespaces import ACTOR, KGO
from kg.ontology import load_ontology, ontology_path
from kg.ontology_doc import context_text, reference_markdown
from kg.projection import all_claims
from tests.conftest import ROOT

#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4): the only datatypes an
#: OWL 2 DL ontology may use for data property values and ranges. xsd:date is not among them.
OWL2_DATATYPES = {RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational} | {
    XSD[name]
    for name in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short byte "
        "unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token language "
        "Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
    ).split()
}


def java() -> str:
    found = shutil.which("java")
    assert found, "no Java runtime: apt-get install -y default-jre-headless (the test command does)"
    return found


def reason(graph: Graph, **options):
    """Load ``graph`` into a fresh owlready2 world and run HermiT; the world, with inferences."""
    import owlready2

    owlready2.JAVA_EXE = java()
    path = Path(_tmp()) / "reasoner-input.nt"
    path.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
    with ontology:
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0, **options)
    return world


def _tmp() -> str:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="kg-reasoner-"))
    return str(folder)


def asserted_edges(store) -> Graph:
    """The example as the user wrote it: types and asserted edges only, none of the loader's inferences."""
    ontology = load_ontology()
    graph = Graph()
    for actor in store.actors():
        graph.add((ACTOR[actor.id], RDF.type, KGO[actor.type]))
    for claim in all_claims(store):
        if claim.stance != "asserted":
            continue  # allegations and denials are not edges, for HermiT either
        for subject in claim.subjects:
            for obj in claim.objects:
                graph.add((ACTOR[subject], ontology.relation(claim.relation).iri, ACTOR[obj]))
    return graph


def stored_edges(store) -> set:
    relations = load_ontology().relations
    return {
        (URIRef(q.subject.value), URIRef(q.predicate.value), URIRef(q.object.value))
        for q in store.quads()
        if URIRef(q.predicate.value) in relations and q.graph_name.value.startswith("file:")
    }


@pytest.fixture
def sudan_store(store):
    """The second example: stances, said-by, a joint mediation, a process, partial dates, clashes-with."""
    load(store, [ROOT / "examples" / "sudan-2025"])
    return store


# -- OWL 2 DL --------------------------------------------------------------------------------------


def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_classes():
    world = reason(load_ontology().graph)
    assert list(world.inconsistent_classes()) == []


def test_the_ontology_uses_only_owl2_datatypes():
    """OWL 2 DL typing rules HermiT relies on, checked without Java: data properties range over
    datatypes of the OWL 2 datatype map, and no IRI is declared as two kinds of property."""
    graph = load_ontology().graph
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for prop in set(graph.subjects(RDF.type, None)):
        declared = [k for k in kinds if (prop, RDF.type, k) in graph]
        assert len(declared) <= 1, (prop, declared)
    ranges = {(p, r) for p in graph.subjects(RDF.type, OWL.DatatypeProperty) for r in graph.objects(p, RDFS.range)}
    assert {(p, r) for p, r in ranges if r not in OWL2_DATATYPES} == set()


def test_every_property_the_data_uses_is_declared_once(example_store):
    """OWL 2 DL needs every property of the data declared, and as one kind only."""
    graph = load_ontology().graph
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    quads = example_store.quads()
    used = {q.predicate.value for q in quads if q.graph_name.value.startswith("file:")}
    used -= {str(RDF.type), str(OWL.sameAs)}  # OWL's own vocabulary needs no declaration
    assert len(used) > 20
    for prop in used:
        assert sum((URIRef(prop), RDF.type, kind) in graph for kind in kinds) == 1, prop


# -- classification of the example ----------------------------------------------------------------------


def test_hermit_infers_from_the_example_exactly_the_edges_the_loader_materialises(example_store):
    """Reasoning over the asserted edges alone gives back every stored edge: the materialised
    inference (super-relations, inverses, symmetry) is the OWL semantics, no more, no less."""
    ontology = load_ontology()
    world = reason(ontology.graph + asserted_edges(example_store), ignore_unsupported_datatypes=True)
    inferred = {
        (s, p, o)
        for s, p, o in world.as_rdflib_graph()
        if p in ontology.relations and str(s).startswith(str(ACTOR)) and str(o).startswith(str(ACTOR))
    }
    stored = {
        (URIRef(q.subject.value), URIRef(q.predicate.value), URIRef(q.object.value))
        for q in example_store.quads()
        if URIRef(q.predicate.value) in ontology.relations and q.graph_name.value.startswith("file:")
    }
    assert inferred == stored and len(stored) > 40
    assert (ACTOR["ypg"], KGO.opposedBy, ACTOR["turkey"]) in inferred  # fights -> opposes -> inverse


def test_hermit_infers_types_from_domains_and_ranges(example_store):
    ontology = load_ontology()
    data = asserted_edges(example_store)
    data.add((ACTOR["envoy"], KGO.represents, ACTOR["turkey"]))  # untyped: represents has domain Person
    data.add((ACTOR["turkey"], KGO.participatesIn, ACTOR["sochi-talks"]))  # range Process
    world = reason(ontology.graph + data, ignore_unsupported_datatypes=True)
    types = {(s, o) for s, o in world.as_rdflib_graph().subject_objects(RDF.type)}
    assert (ACTOR["envoy"], KGO.Person) in types
    assert (ACTOR["sochi-talks"], KGO.Process) in types


def test_hermit_rejects_data_that_contradicts_the_disjoint_actor_types(example_store):
    """Turkey, a State, 'represents' Russia: represents has domain Person, and State and Person are disjoint."""
    import owlready2

    data = asserted_edges(example_store)
    data.add((ACTOR["turkey"], KGO.represents, ACTOR["russia"]))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(load_ontology().graph + data, ignore_unsupported_datatypes=True)


def test_hermit_finds_stances_joint_mediation_and_partial_dates_consistent(sudan_store):
    """The whole stored graph of the Sudan example (statement nodes with kgo:stance, kgo:saidBy,
    several kgo:subject, kgo:process, precisions) with the ontology is consistent and every
    property it uses is declared once; the loader wrote no edge for the alleged and denied
    claims, and HermiT infers none from the asserted ones."""
    ontology = load_ontology()
    graph = Graph()
    for q in sudan_store.quads():
        if q.graph_name.value.startswith("file:"):
            graph.parse(data=f"{q.subject} {q.predicate} {q.object} .", format="nt")
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    used = set(graph.predicates()) - {RDF.type, OWL.sameAs}
    assert {KGO.stance, KGO.saidBy, KGO.saidByName, KGO.process, KGO.host, KGO.validFromPrecision} <= used
    for prop in used:
        assert sum((prop, RDF.type, kind) in ontology.graph for kind in kinds) == 1, prop
    reason(ontology.graph + graph, ignore_unsupported_datatypes=True)  # raises if inconsistent
    world = reason(ontology.graph + asserted_edges(sudan_store), ignore_unsupported_datatypes=True)
    backing = {KGO.backs, KGO.militarilyBacks, KGO.backedBy}
    for edges in (set(world.as_rdflib_graph()), stored_edges(sudan_store)):
        assert not [(s, p, o) for s, p, o in edges if {s, o} == {ACTOR["uae"], ACTOR["rsf"]} and p in backing]
    assert (ACTOR["uae"], KGO.mediates, ACTOR["rsf"]) in stored_edges(sudan_store)  # a joint mediator


# -- generated artefacts ---------------------------------------------------------------------------------


def test_the_ontology_reference_is_generated_from_the_turtle():
    shipped = Path(ontology_path("README.md")).read_text(encoding="utf-8")
    assert shipped == reference_markdown(), f"ontology/README.md is stale: run {sys.executable} -m kg.ontology_doc"
    ontology = load_ontology()
    for relation in ontology.relations.values():
        assert f"| `{relation.name}` |" in shipped and (not relation.cameo or " ".join(relation.cameo) in shipped)
    for actor_type in ontology.actor_types.values():
        assert f"| `kgo:{actor_type.name}` | `kgo:Actor` |" in shipped


def test_the_jsonld_context_is_generated_from_the_turtle():
    shipped = Path(ontology_path("context.jsonld")).read_text(encoding="utf-8")
    assert shipped == context_text(), f"ontology/context.jsonld is stale: run {sys.executable} -m kg.ontology_doc"
