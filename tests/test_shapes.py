"""SHACL shapes (pySHACL): the example is valid; each kind of broken assertion is caught."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, RDFS

from kg.namespaces import ACTOR, KGO
from kg.shacl import shacl_violations


def example_graph(example_store) -> Graph:
    graph = Graph()
    for iri in example_store.data_graphs():
        graph += example_store.dataset.graph(iri)
    return graph


def first_assertion(graph: Graph, relation=KGO.backs):
    return next(s for s in graph.subjects(KGO.relation, relation))


def test_the_example_conforms(example_store):
    assert shacl_violations(example_graph(example_store)) == []


def break_confidence(g, st):
    g.set((st, KGO.confidence, Literal(Decimal("1.7"))))


def break_source(g, st):
    g.remove((st, PROV.wasDerivedFrom, None))


def break_subject_is_object(g, st):
    g.set((st, KGO.object, g.value(st, KGO.subject)))


def break_two_objects(g, st):
    g.add((st, KGO.object, ACTOR["iran"]))


def break_date(g, st):
    g.set((st, KGO.dateReported, Literal("29 December 2020")))


def break_actor_label(g, st):
    g.remove((g.value(st, KGO.subject), RDFS.label, None))


def break_actor_type(g, st):
    g.remove((g.value(st, KGO.subject), RDF.type, None))


@pytest.mark.parametrize(
    "breaker, path",
    [
        (break_confidence, KGO.confidence),
        (break_source, PROV.wasDerivedFrom),
        (break_subject_is_object, KGO.subject),
        (break_two_objects, None),
        (break_date, KGO.dateReported),
        (break_actor_label, RDFS.label),
        (break_actor_type, None),
    ],
)
def test_each_broken_assertion_is_a_violation(example_store, breaker, path):
    graph = example_graph(example_store)
    statement = first_assertion(graph)
    breaker(graph, statement)
    violations = shacl_violations(graph)
    assert violations, breaker.__name__
    if path is not None:
        assert str(path) in {v.path for v in violations}


def test_mediation_may_name_several_parties(example_store):
    graph = example_graph(example_store)
    mediation = first_assertion(graph, KGO.mediates)
    assert len(list(graph.objects(mediation, KGO.object))) == 2
    assert shacl_violations(graph) == []


def test_the_shapes_check_an_export_with_pyshacl_as_their_header_says(example_store, tmp_path):
    """The command in shapes.ttl's header, run as written on `kg export`'s Turtle: the
    example conforms, and a broken copy does not."""
    import re
    import shlex
    import subprocess
    import sys
    from pathlib import Path

    from kg.export import export
    from kg.ontology import ontology_path

    header = Path(ontology_path("shapes.ttl")).read_text(encoding="utf-8")
    command = shlex.split(re.search(r"^#\s+(pyshacl .*)$", header, re.M).group(1))
    data = tmp_path / "data.ttl"
    data.write_bytes(export(example_store, "turtle")[""])
    files = {"shapes.ttl": ontology_path("shapes.ttl"), "kgo.ttl": ontology_path("kgo.ttl"), "data.ttl": str(data)}
    pyshacl = [str(Path(sys.executable).parent / "pyshacl"), *(files.get(word, word) for word in command[1:])]
    done = subprocess.run(pyshacl, capture_output=True, text=True)
    assert done.returncode == 0 and "Conforms: True" in done.stdout, done.stdout[:2000]
    broken = data.read_text(encoding="utf-8").replace("kgo:confidence 0.95", "kgo:confidence 1.7", 1)
    assert broken != data.read_text(encoding="utf-8")
    data.write_text(broken, encoding="utf-8")
    done = subprocess.run(pyshacl, capture_output=True, text=True)
    assert done.returncode == 1 and "Conforms: False" in done.stdout
