"""``kg.rules``: the loader's record rules, one record at a time, on real files and a real store.

Both ``kg load`` (``document_terms``, first error stops it) and ``kg validate``
(``check_records``, every record) go through these functions, so they must agree.
"""

from __future__ import annotations

import doctest

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

import kg.rules
from kg.errors import KgError
from kg.model import NT_TERMS
from kg.names import ActorIndex
from kg.namespaces import ACTOR, KGO, SOURCE, STMT
from kg.ontology import load_ontology
from kg.rules import (
    actor_terms,
    check_records,
    check_text,
    check_types_agree,
    check_unique,
    data_files,
    document_index,
    document_terms,
    document_triples,
    duplicates,
    edge_terms,
    graph_iri,
    known_sources,
    resolve_assertion,
    single_source,
)
from kg.sources import read_document
from tests.conftest import EXAMPLE, EXAMPLE_FILE, ROOT, write

GDELT = ROOT / "tests" / "data" / "gdelt" / "handmade.export.CSV"

ONE_SOURCE = """\
sources:
  s1: {title: One, date: 2020-01-01}
actors:
  a: {label: Alphaland, type: State, aliases: [The Alphas]}
  c: {label: C Front, type: armed group}
assertions:
  - claim: the alphas backs c front
  - claim: c backed-by a
    date: 2021-05-06
  - claim: a negotiates-with c
"""


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


def context(*docs):
    return ActorIndex([a for doc in docs for a in doc.actors]), known_sources(docs)


# -- files --------------------------------------------------------------------------------------------


def test_data_files_names_each_file_once_and_graph_iri_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    relative = EXAMPLE_FILE.relative_to(ROOT)
    assert data_files([EXAMPLE, relative, EXAMPLE_FILE]) == [EXAMPLE_FILE]  # the folder's file, then the same file twice
    assert graph_iri(relative) == graph_iri(EXAMPLE_FILE) == URIRef(EXAMPLE_FILE.as_uri())  # the same graph however named
    with pytest.raises(KgError, match="no data files"):
        data_files([tmp_path])


# -- one record -----------------------------------------------------------------------------------------


def test_check_text_names_the_field_and_line_of_a_control_character(tmp_path):
    doc = read_document(write(tmp_path / "t.yaml", ONE_SOURCE.replace("C Front", '"C \\x01Front"')))
    with pytest.raises(KgError) as raised:
        check_text(doc.actors[1])
    assert (raised.value.line, raised.value.field) == (5, "label") and "'\\x01'" in raised.value.message
    check_text(doc.actors[0])  # nothing to refuse


def test_duplicates_names_every_repeated_id_and_check_unique_the_first(tmp_path):
    text = "id,label,type\nx,X,State\ny,Y,State\nx,X again,State\nx,X thrice,State\n"
    doc = read_document(write(tmp_path / "actors.csv", text))
    found = [(error.line, error.field, error.message.split(": ", 2)[-1]) for error in duplicates(doc.actors, "actor")]
    assert found == [
        (4, "id", "actor 'x' is defined twice (first on line 2)"),
        (5, "id", "actor 'x' is defined twice (first on line 2)"),
    ]
    with pytest.raises(KgError, match="defined twice") as raised:
        check_unique(doc.actors, "actor")
    assert raised.value.line == 4


def test_an_actor_has_one_type_across_files_and_the_store(example_store, tmp_path, ontology):
    doc = read_document(write(tmp_path / "a.csv", "id,label,type\nsna,SNA,State\n"))
    with pytest.raises(KgError, match="actor 'sna' is a State here but an ArmedGroup") as raised:
        check_types_agree(example_store.actors() + doc.actors, ontology)
    assert (raised.value.path, raised.value.line, raised.value.field) == (str(tmp_path / "a.csv"), 2, "type")
    check_types_agree(example_store.actors() + read_document(EXAMPLE_FILE).actors, ontology)  # the same file again


def test_actor_terms_spell_the_type_as_the_ontology_does(tmp_path, ontology):
    doc = read_document(write(tmp_path / "t.yaml", ONE_SOURCE))
    assert (ACTOR.c, RDF.type, KGO.ArmedGroup) in set(actor_terms(doc.actors[1], ontology))
    broken = read_document(write(tmp_path / "u.yaml", ONE_SOURCE.replace("armed group", "Militia")))
    with pytest.raises(KgError, match="unknown actor type 'Militia'") as raised:
        list(actor_terms(broken.actors[1], ontology))
    assert (raised.value.line, raised.value.field) == (5, "type")


def test_resolve_assertion_resolves_names_swaps_inverses_and_fills_defaults(tmp_path, ontology):
    doc = read_document(write(tmp_path / "t.yaml", ONE_SOURCE))
    index, sources = context(doc)
    first, inverse, _ = (resolve_assertion(raw, index, sources, single_source(doc), ontology) for raw in doc.assertions)
    assert (first.subject, first.relation, first.objects, first.sources, str(first.date)) == ("a", "backs", ("c",), ("s1",), "2020-01-01")
    assert (inverse.subject, inverse.relation, inverse.objects, str(inverse.date)) == ("a", "backs", ("c",), "2021-05-06")


@pytest.mark.parametrize(
    "claim, field, message",
    [
        ("a backs nobody", "object", "unknown actor 'nobody'"),
        ("a backs a", "object", "subject and object are the same actor"),
        ("a backs c\n    valid_from: 2021-01-01\n    valid_until: 2020-01-01", "valid_until", "is after valid_until"),
        ("a backs c\n    source: s9", "source", "unknown source 's9'"),
    ],
)
def test_resolve_assertion_refuses_a_broken_claim_at_its_line(tmp_path, ontology, claim, field, message):
    doc = read_document(write(tmp_path / "t.yaml", ONE_SOURCE + f"  - claim: {claim}\n"))
    index, sources = context(doc)
    with pytest.raises(KgError, match=message) as raised:
        resolve_assertion(doc.assertions[-1], index, sources, single_source(doc), ontology)
    assert (raised.value.line, raised.value.field) == (11, field)


def test_a_claim_without_a_source_is_refused_when_the_file_has_several(tmp_path, ontology):
    doc = read_document(write(tmp_path / "t.yaml", ONE_SOURCE.replace("sources:\n", "sources:\n  s0: {title: Zero}\n")))
    assert single_source(doc) is None
    index, sources = context(doc)
    with pytest.raises(KgError, match="name the source") as raised:
        resolve_assertion(doc.assertions[0], index, sources, None, ontology)
    assert (raised.value.line, raised.value.field) == (8, "source")


def test_edge_terms_entail_the_roll_up_and_the_symmetric_mirror(tmp_path, ontology):
    doc = read_document(write(tmp_path / "t.yaml", ONE_SOURCE.replace("the alphas backs", "a militarily-backs")))
    index, sources = context(doc)
    backs, _, talks = (resolve_assertion(raw, index, sources, "s1", ontology) for raw in doc.assertions)
    edges = set(edge_terms(backs, ontology))
    assert {(ACTOR.a, KGO.militarilyBacks, ACTOR.c), (ACTOR.a, KGO.backs, ACTOR.c), (ACTOR.c, KGO.backedBy, ACTOR.a)} <= edges
    assert {(ACTOR.a, KGO.negotiatesWith, ACTOR.c), (ACTOR.c, KGO.negotiatesWith, ACTOR.a)} <= set(edge_terms(talks, ontology))
    assert {(str(s), str(p), str(o)) for s, p, o in edges} == {
        (s[1:-1], p[1:-1], o[1:-1]) for s, p, o in edge_terms(backs, ontology, NT_TERMS)
    }


# -- what the records may name ----------------------------------------------------------------------


def test_known_sources_reads_from_the_store_only_what_the_files_name(example_store, tmp_path):
    claim = "sources:\n  mine: {title: Mine}\nassertions:\n  - {claim: turkey backs sna, source: newarab-2020-12-29}\n"
    doc = read_document(write(tmp_path / "more.yaml", claim))
    found = known_sources([doc], example_store)
    assert sorted(found) == ["mine", "newarab-2020-12-29"]
    assert found["newarab-2020-12-29"].where.path == example_store.location  # read from the store
    assert sorted(known_sources([doc])) == ["mine"]


def test_a_gdelt_document_takes_names_as_exact_ids_but_for_its_references(ontology):
    doc = read_document(GDELT)
    assert doc.ids_only
    index = ActorIndex(doc.actors)
    assert document_index(read_document(EXAMPLE_FILE), index) is index
    exact = document_index(doc, index)
    assert all(exact.lookup(a.id) == a.id for a in doc.actors)


# -- a whole document, and every record -----------------------------------------------------------


def test_both_paths_give_the_same_triples_for_a_valid_file(ontology):
    doc = read_document(EXAMPLE_FILE)
    index, sources = context(doc)
    whole = document_triples(doc, index, sources, ontology)
    checks = list(check_records(doc, index, sources, ontology))
    assert [c.error for c in checks if c.error] == []
    assert set().union(*(c.triples for c in checks)) == whole
    assert len(checks) == len(doc.actors) + len(doc.sources) + len(doc.assertions)
    statements = {c.node for c in checks if c.record.startswith("assertion")}
    assert statements == {s for s, p, o in whole if p == RDF.type and o == KGO.Assertion}
    assert all(str(node).startswith(str(STMT)) for node in statements)
    nt = set(document_terms(doc, index, sources, ontology, terms=NT_TERMS))
    assert len(nt) == len(whole)


MANY = """\
sources:
  s1: {title: "One \\x07", date: 2020-01-01}
  s2: {title: Two}
actors:
  a: {label: A, type: State}
  c: {label: C, type: Statee}
assertions:
  - claim: a backs c
  - claim: a backs a
    source: s2
  - claim: c fights nobody
    source: s1
  - claim: a opposes c
    source: s2
  - claim: c opposes a
    source: s1
"""


def test_check_records_reports_every_broken_record_with_line_field_and_name(tmp_path, ontology):
    doc = read_document(write(tmp_path / "many.yaml", MANY))
    index, sources = context(doc)
    checks = list(check_records(doc, index, sources, ontology))
    broken = [(c.record, c.where.line, c.error.line, c.error.field, c.node) for c in checks if c.error]
    assert broken == [
        ("actor 'c'", 6, 6, "type", ACTOR.c),  # the node of a broken actor or source is known: kg validate ignores
        ("source 's1'", 2, 2, "title", SOURCE.s1),  # what SHACL says of it, a consequence of this error
        ("assertion 'a backs c'", 8, 8, "source", None),  # two sources, none named
        ("assertion 'a backs a'", 9, 9, "object", None),
        ("assertion 'c fights nobody'", 11, 11, "object", None),
        ("assertion 'a opposes c'", 13, 13, "date", None),  # s2 has no date, nor has the claim
    ]
    assert "unknown actor 'nobody'" in checks[6].error.message
    passed = [(c.record, c.where.line) for c in checks if not c.error]
    assert passed == [("actor 'a'", 5), ("source 's2'", 3), ("assertion 'c opposes a'", 15)]
    assert (ACTOR.c, KGO.opposes, ACTOR.a) in checks[-1].triples  # a claim still resolves to an actor that broke a rule
    with pytest.raises(KgError) as first:  # kg load stops at the first, in the same order of rules
        list(document_terms(doc, index, sources, ontology))
    assert (first.value.line, first.value.field) == (2, "title")  # text is checked in every record before anything else


def test_duplicate_ids_are_each_reported_and_the_records_still_checked(tmp_path, ontology):
    doc = read_document(write(tmp_path / "actors.csv", "id,label,type\nx,X,State\nx,X again,Statee\n"))
    checks = list(check_records(doc, *context(doc), ontology))
    assert [(c.record, c.where.line, c.error.field if c.error else None) for c in checks] == [
        ("actor", 3, "id"),
        ("actor 'x'", 2, None),
        ("actor 'x'", 3, "type"),
    ]


def test_a_gdelt_document_is_checked_as_one_record(ontology):
    doc = read_document(GDELT)
    index, sources = context(doc)
    (check,) = check_records(doc, index, sources, ontology)
    assert check.record == f"file {GDELT.name}" and check.error is None
    assert check.triples == document_triples(doc, index, sources, ontology)
    assert check.where == doc.assertions[0].where and (check.node, RDF.type, KGO.Assertion) in check.triples


def test_the_documented_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(kg.rules)
    assert result.attempted > 10 and result.failed == 0
