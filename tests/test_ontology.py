"""The ontology file itself: documented terms, the relation table read from it, SHACL shapes."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg.namespaces import KGO
from kg.ontology import load_ontology, ontology_path

ONTOLOGY_IRI = URIRef("https://w3id.org/actorgraph/ontology")


def own_terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(KGO))}


def test_ontology_ships_inside_the_package_and_has_a_header():
    graph = load_ontology().graph
    assert ontology_path().endswith("kg/ontology/kgo.ttl")
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert graph.value(ONTOLOGY_IRI, DCTERMS.license) is not None


def test_every_term_has_label_comment_and_domain_range():
    graph = load_ontology().graph
    terms = own_terms(graph)
    assert len(terms) > 30
    for term in terms:
        assert graph.value(term, RDFS.label), term
        assert graph.value(term, RDFS.comment), term
        if (term, RDF.type, OWL.Class) not in graph:
            assert graph.value(term, RDFS.domain) is not None, term
            assert graph.value(term, RDFS.range) is not None, term


def test_actor_classes_are_there():
    names = {t.name for t in load_ontology().actor_types.values()}
    assert {"State", "Government", "ArmedGroup", "Organization", "Person", "Process"} <= names


def test_relation_table_is_read_from_the_turtle():
    ontology = load_ontology()
    backed_by = ontology.relation("backed-by")
    assert ontology.forward(backed_by) == (ontology.relation("backs"), True)
    assert ontology.relation("opposedBy").inverse_of == KGO.opposes
    assert ontology.relation("mediated by").inverse_of == KGO.mediates
    assert ontology.relation("negotiates-with").symmetric
    assert KGO.backs in ontology.relation("militarily-backs").parents
    assert KGO.backs in ontology.relation("financially-backs").parents
    assert KGO.backs in ontology.relation("politically-backs").parents
    assert KGO.opposes in ontology.relation("fights").parents
    assert KGO.opposes in ontology.relation("condemns").parents
    for name in ("part-of", "participates-in", "represents"):
        assert ontology.relation(name).iri in ontology.relations


def test_cameo_codes_are_recorded_for_the_gdelt_importer():
    ontology = load_ontology()
    assert ontology.relation("mediates").cameo == ("045",)
    assert ontology.relation("negotiates-with").cameo == ("046",)
    assert "072" in ontology.relation("militarily-backs").cameo
    assert {"19", "20"} <= set(ontology.relation("fights").cameo)
    assert {"11", "12"} <= set(ontology.relation("condemns").cameo)


def test_implied_edges_cover_roll_up_inverse_and_symmetry():
    ontology = load_ontology()
    a, b = URIRef("urn:a"), URIRef("urn:b")
    assert ontology.implied_edges(a, KGO.fights, b) == {
        (a, KGO.fights, b),
        (a, KGO.opposes, b),
        (b, KGO.opposedBy, a),
    }
    assert ontology.implied_edges(a, KGO.negotiatesWith, b) == {(a, KGO.negotiatesWith, b), (b, KGO.negotiatesWith, a)}


def test_shapes_file_parses():
    shapes = Graph().parse(ontology_path("shapes.ttl"))
    assert len(shapes) > 50


def test_relation_families_signs_and_camps_are_read_from_the_turtle():
    ontology = load_ontology()
    signs = {name: family.sign for name, family in ontology.families.items()}
    assert signs == {
        "backs": 1,
        "descends-from": 0,
        "mediates": 1,
        "negotiates-with": 0,
        "opposes": -1,
        "part-of": 1,
        "participates-in": 0,
        "represents": 1,
    }
    assert {name for name, family in ontology.families.items() if family.decides_camps} == {"backs", "opposes", "part-of", "represents"}
    assert [name for name, family in ontology.families.items() if family.symmetric] == ["negotiates-with"]
    assert ontology.sign("opposes") == -1


def test_every_relation_rolls_up_to_exactly_one_family():
    """A family is a forward relation with no super-relation; one marked on a sub-relation or
    an inverse, or a second family up a chain, would make claims count twice or not at all."""
    ontology = load_ontology()
    for relation in ontology.relations.values():
        forward, _ = ontology.forward(relation)
        marked = [iri for iri in (forward.iri, *forward.parents) if ontology.relations[iri].sign is not None]
        assert len(marked) == 1, relation.name
        assert ontology.family(relation).iri == marked[0]
    assert all(not family.parents and family.forward for family in ontology.families.values())
    assert ontology.family(ontology.relation("has-part")).name == "part-of"
    assert ontology.family(ontology.relation("condemns")).name == "opposes"


def test_support_types_alliances_and_lineage_roll_up_to_their_families():
    ontology = load_ontology()

    def family(name: str) -> str:
        return ontology.family(ontology.relation(name)).name

    for name in ("arms", "trains", "sends-troops", "supplies", "gives-base-access", "gives-safe-haven", "shares-intelligence"):
        assert ontology.relations[ontology.relation(name).parents[0]].name == "militarily-backs", name
        assert family(name) == "backs"
    assert ontology.relation("funds").parents[0] == KGO.financiallyBacks
    for name in ("allied-with", "fights-alongside", "defence-pact-with", "non-aggression-pact-with"):
        assert family(name) == "backs" and ontology.relation(name).symmetric, name
    assert family("rival-of") == "opposes" and ontology.relation("rival-of").symmetric
    assert family("affiliate-of") == family("merged-into") == "part-of"
    assert family("splinter-of") == family("has-splinter") == "descends-from"
    assert ontology.sign("descends-from") == 0 and not ontology.families["descends-from"].decides_camps
    assert ontology.forward(ontology.relation("absorbed")) == (ontology.relation("merged-into"), True)


def test_an_alliance_entails_backing_both_ways_and_a_rivalry_opposition_both_ways():
    ontology = load_ontology()
    a, b = URIRef("urn:a"), URIRef("urn:b")
    allied = ontology.implied_edges(a, KGO.fightsAlongside, b)
    for x, y in ((a, b), (b, a)):
        assert {(x, KGO.fightsAlongside, y), (x, KGO.alliedWith, y), (x, KGO.backs, y), (y, KGO.backedBy, x)} <= allied
    rivals = ontology.implied_edges(a, KGO.rivalOf, b)
    assert {(a, KGO.opposes, b), (b, KGO.opposes, a), (a, KGO.opposedBy, b), (b, KGO.opposedBy, a)} <= rivals
    assert not any(p in (KGO.backs, KGO.partOf) for _, p, _ in ontology.implied_edges(a, KGO.splinterOf, b))
    assert ontology.implied_edges(a, KGO.splinterOf, b) == {
        (a, KGO.splinterOf, b),
        (a, KGO.descendsFrom, b),
        (b, KGO.hasSplinter, a),
        (b, KGO.ancestorOf, a),
    }


def test_relations_carry_the_codes_of_the_datasets_they_come_from():
    ontology = load_ontology()
    assert ("ESD", "ext_w") in ontology.relation("arms").codes
    assert ontology.relation("defence-pact-with").codes == (("ATOP", "DEFENSE"), ("COW", "Type I"))
    assert ontology.relation("splinter-of").codes == (("MMP", "splinters"),)
    assert ontology.relation("shares-intelligence").cameo == ("064",)
