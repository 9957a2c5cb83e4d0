"""``kg.validate``: broken files and stores reported in user terms; the fast SHACL path agrees with pySHACL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from kg.errors import KgError
from kg.loader import load
from kg.namespaces import ACTOR, KGO
from kg.rules import document_triples, graph_iri
from kg.shacl import check_load, shacl_report
from kg.sources import read_document
from kg.store import open_store
from kg.validate import validate_files, validate_store
from tests.conftest import EXAMPLE_FILE, write

HEADER = """\
sources:
  s1: {title: One, date: 2020-01-01}
  s2: {title: Two, date: 2020-01-02}
actors:
  a: {label: A, type: State}
  c: {label: C, type: ArmedGroup}
"""


@pytest.fixture
def broken(tmp_path):
    """One deliberately broken file per kind of mistake (the record on line 8 or 7)."""
    write(tmp_path / "missing-source.yaml", HEADER + "assertions:\n  - claim: a backs c\n")
    write(tmp_path / "confidence.yaml", HEADER + "assertions:\n  - claim: a backs c\n    source: s1\n    confidence: 1.7\n")
    write(tmp_path / "self.yaml", HEADER + "assertions:\n  - claim: a fights a\n    source: s1\n")
    write(tmp_path / "type.yaml", HEADER.replace("ArmedGroup}", "ArmedGroup}\n  d: {label: D, type: Militia}") + "assertions: []\n")
    return tmp_path


def test_each_broken_file_is_reported_with_its_file_line_and_field(broken):
    result = validate_files([broken])
    assert not result.conforms
    found = {(p.path.rsplit("/", 1)[-1], p.line, p.field) for p in result.problems}
    assert found == {
        ("confidence.yaml", 10, "confidence"),  # the field's own line
        ("missing-source.yaml", 8, "source"),
        ("self.yaml", 8, "object"),
        ("type.yaml", 7, "type"),
    }
    texts = "\n".join(p.text() for p in result.problems)
    assert "confidence.yaml:10: file: confidence: 1.7 is outside [0, 1]" in texts
    assert "self.yaml:8: assertion 'a fights a': object:" in texts
    assert "type.yaml:7: actor 'd': type: unknown actor type 'Militia'" in texts
    assert "missing-source.yaml:8: assertion 'a backs c': source: missing" in texts


def test_every_bad_record_of_a_file_is_reported_not_just_the_first(tmp_path):
    text = HEADER.replace("ArmedGroup}", "ArmedGroup}\n  d: {label: D, type: Statee}") + (
        "assertions:\n"
        "  - claim: a backs c\n"  # line 9: two sources, none named
        "  - claim: a backs a\n"  # line 10
        "    source: s1\n"
        "  - claim: c fights a\n"  # line 12
        "    source: s9\n"
        "  - claim: c opposes a\n"  # line 14: fine
        "    source: s2\n"
        "  - claim: c opposes nobody\n"  # line 16
        "    source: s2\n"
    )
    result = validate_files([write(tmp_path / "many.yaml", text)])
    assert [(p.line, p.record, p.field) for p in result.problems] == [
        (7, "actor 'd'", "type"),
        (9, "assertion 'a backs c'", "source"),
        (10, "assertion 'a backs a'", "object"),
        (12, "assertion 'c fights a'", "source"),
        (16, "assertion 'c opposes nobody'", "object"),
    ]
    assert result.problems[3].message.startswith("unknown source 's9'")


def test_every_record_a_reader_rejects_is_reported_with_the_rest(tmp_path):
    text = HEADER + (
        "  d: {label: D, type: State, wikidata: nope}\n"  # line 7
        "  e: {label: E, type: State, aliases: [[x]]}\n"
        "assertions:\n"
        "  - claim: a backs c\n"  # line 10
        "    source: s1\n"
        "    confidence: 1.7\n"
        "  - claim: a backs c\n"  # line 13
        "    source: s1\n"
        "    date: 2020-13-45\n"
        "  - claim: c fights a\n"  # line 16
        "    source: s1\n"
        "    colour: red\n"
        "  - claim: c opposes nobody\n"  # line 19: the loader's rules, still applied
        "    source: s2\n"
        "  - claim: c opposes a\n"  # fine
        "    source: s2\n"
    )
    rows = "subject,relation,object,source,confidence\na,backs,c,s1,2\na,backs,c,s1,0.5\nc,fights,a,s1,x\n"
    result = validate_files([write(tmp_path / "many.yaml", text), write(tmp_path / "rows.csv", rows)])
    found = [(p.path.rsplit("/", 1)[-1], p.line, p.record, p.field) for p in result.problems]
    assert found == [
        ("many.yaml", 7, "file", "wikidata"),
        ("many.yaml", 8, "file", "aliases"),
        ("many.yaml", 12, "file", "confidence"),
        ("many.yaml", 15, "file", "date"),
        ("many.yaml", 16, "file", "colour"),
        ("many.yaml", 19, "assertion 'c opposes nobody'", "object"),
        ("rows.csv", 2, "file", "confidence"),
        ("rows.csv", 4, "file", "confidence"),
    ]
    assert result.problems[3].text().endswith("many.yaml:15: file: date: '2020-13-45' is not a date; write YYYY-MM-DD, e.g. 2020-12-29")


def test_a_file_of_bad_records_is_read_up_to_a_bound(tmp_path, monkeypatch):
    monkeypatch.setattr("kg.validate.READER_PROBLEMS", 3)
    rows = "subject,relation,object,source,confidence\n" + "a,backs,c,s1,2\n" * 10
    problems = validate_files([write(tmp_path / "rows.csv", rows)]).problems
    assert [(p.line, p.field) for p in problems] == [(None, None), (2, "confidence"), (3, "confidence"), (4, "confidence")]
    assert problems[0].message == "stopped reading after 3 problems"


def test_the_example_is_valid_as_a_file_and_in_the_store(example_store):
    assert validate_files([EXAMPLE_FILE]).problems == []
    assert validate_store(example_store).problems == []


def test_files_may_name_actors_the_store_already_has(example_store, tmp_path):
    claim = write(tmp_path / "more.yaml", "sources:\n  s: {title: S, date: 2021-01-01}\nassertions:\n  - claim: Ankara backs SNA\n")
    assert validate_files([claim], example_store).problems == []
    alone = validate_files([claim])
    assert sorted((p.line, p.field) for p in alone.problems) == [(4, "object"), (4, "subject")]  # Ankara and SNA


def test_a_broken_store_is_reported_by_file_record_and_field(example_store):
    graph = example_store.data_graphs()[0]
    example_store.dataset.update(
        f"""DELETE {{ GRAPH {graph.n3()} {{ ?st kgo:confidence ?c }} }}
            INSERT {{ GRAPH {graph.n3()} {{ ?st kgo:confidence 1.7 }} }}
            WHERE {{ GRAPH {graph.n3()} {{ ?st kgo:subject actor:turkey ; kgo:relation kgo:backs ; kgo:confidence ?c }} }}"""
    )
    problems = validate_store(example_store).problems
    assert {(p.record, p.field) for p in problems} == {("assertion 'turkey backs sna'", "confidence")}
    assert all(p.path.endswith("ain-issa.yaml") and p.line is None for p in problems)
    assert "between 0 and 1" in problems[0].message and "1.7" in problems[0].message


def test_the_turtle_report_is_a_shacl_report_of_everything_found(broken, example_store):
    result = validate_files([broken])
    report = Graph().parse(data=result.report.serialize(format="turtle"), format="turtle")
    top = report.value(predicate=RDF.type, object=SH.ValidationReport)
    assert report.value(top, SH.conforms) == Literal(False)
    assert len(list(report.objects(top, SH.result))) == len(result.problems) == 4
    clean = validate_store(example_store).report
    assert clean.value(clean.value(predicate=RDF.type, object=SH.ValidationReport), SH.conforms) == Literal(True)


# -- the SHACL stage --------------------------------------------------------------------------------


def example_graph(store) -> Graph:
    graph = Graph()
    for quad in store.quads():
        if quad.graph_name.value.startswith("file:"):
            graph.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    return graph


def test_sparql_constraints_run_in_oxigraph_find_what_pyshacl_finds(example_store):
    """Our one-query-per-shape evaluation against pySHACL's own, on a graph breaking both constraints."""
    from pyshacl import validate

    from kg.ontology import load_ontology, ontology_path

    graph = example_graph(example_store)
    backs = sorted(graph.subjects(KGO.relation, KGO.backs))
    graph.add((backs[0], KGO.object, ACTOR["iran"]))  # two objects, not a mediation
    graph.add((backs[1], KGO.object, ACTOR["russia"]))
    graph.add((backs[1], RDF.type, KGO.EventAggregate))  # an aggregate whose count is wrong
    graph.add((backs[1], KGO.gdeltEventId, Literal(1)))
    graph.add((backs[1], KGO.eventCount, Literal(2)))
    shapes = Graph().parse(ontology_path("shapes.ttl"))
    _, reference, _ = validate(graph + load_ontology().graph, shacl_graph=shapes, inference="none", advanced=True)
    _, ours = shacl_report(graph)

    def sparql_results(report):
        results = report.subjects(SH.sourceConstraintComponent, SH.SPARQLConstraintComponent)
        return sorted((str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultMessage))) for r in results)

    assert sparql_results(reference) == sparql_results(shacl_report(graph)[0])
    assert len(sparql_results(reference)) == 3
    assert {v.message for v in ours} >= {"only a mediation may name more than one object (party)"}


def test_a_load_is_stopped_at_a_shape_violation_the_loader_rules_do_not_catch(example_store, tmp_path, monkeypatch):
    """What ``kg load`` runs before writing: SHACL over the graphs, reported at the record's line."""
    from kg.names import ActorIndex
    from kg.ontology import load_ontology

    doc = read_document(EXAMPLE_FILE)
    index = ActorIndex(doc.actors)
    triples = document_triples(doc, index, {s.id: s for s in doc.sources}, load_ontology())
    statement = next(s for s, p, o in triples if p == KGO.relation and o == KGO.mediates)
    check_load(example_store, [doc], {graph_iri(doc.path): triples})  # valid: nothing raised
    broken = triples | {(statement, KGO.dateReported, Literal(dt.date(2021, 1, 1)))}  # two dates reported
    with pytest.raises(KgError) as error:
        check_load(example_store, [doc], {graph_iri(doc.path): broken})
    line = next(a.where.line for a in doc.assertions if a.relation == "mediates")
    assert f"ain-issa.yaml:{line}: date: assertion 'russia mediates sna, ypg': an assertion needs exactly one date" in error.value.message
    monkeypatch.setattr("kg.shacl.LOAD_SHACL_LIMIT", 10)  # big loads keep the loader's own checks only
    check_load(example_store, [doc], {graph_iri(doc.path): broken})


def test_confidence_out_of_range_in_rdf_is_a_violation_with_its_value():
    graph = Graph()
    statement = KGO["x"]
    for triple in [
        (statement, RDF.type, KGO.Assertion),
        (statement, KGO.confidence, Literal(Decimal("1.7"))),
    ]:
        graph.add(triple)
    problems = {(v.path, v.value) for v in shacl_report(graph)[1]}
    assert (str(KGO.confidence), "1.7") in problems


# -- every problem once, where it is ----------------------------------------------------------------


def test_a_broken_record_is_reported_once_not_again_by_each_claim_naming_it(tmp_path):
    text = (
        "sources:\n"
        '  s1: {title: "One \\x07", date: 2020-01-01}\n'  # line 2: a control character
        "actors:\n"
        "  a: {label: A, type: State}\n"
        "  c: {label: C, type: Statee}\n"  # line 5
        "  d: {label: D, type: State}\n"
        "assertions:\n"
        "  - claim: a backs c\n"  # names the broken actor and (by default) the broken source
        "  - claim: c fights d\n"
        "  - claim: d opposes a\n"  # fine but for its source
        "  - claim: d opposes d\n"  # line 11: its own problem
    )
    result = validate_files([write(tmp_path / "f.yaml", text)])
    assert [(p.line, p.record, p.field) for p in result.problems] == [
        (2, "source 's1'", "title"),
        (5, "actor 'c'", "type"),
        (11, "assertion 'd opposes d'", "object"),
    ]
    report = result.report
    top = report.value(predicate=RDF.type, object=SH.ValidationReport)
    assert len(list(report.objects(top, SH.result))) == 3  # the SHACL results about s1 and c are gone too


def test_every_bad_row_of_a_csv_file_is_reported_at_its_line(example_store, tmp_path):
    rows = (
        "subject,relation,object,source,date\n"
        "turkey,backs,sna,newarab-2020-12-29,\n"  # fine: the store's source and its date
        "turkey,backs,nobody,newarab-2020-12-29,\n"  # line 3
        "turkey,backs,sna,nowhere,2021-01-01\n"  # line 4
        "sna,fights,sna,newarab-2020-12-29,\n"  # line 5
        "Ankara,opposes,ypg,newarab-2020-12-29,\n"  # fine: a label in the store
    )
    problems = validate_files([write(tmp_path / "rows.csv", rows)], example_store).problems
    assert [(p.line, p.record, p.field) for p in problems] == [
        (3, "assertion 'turkey backs nobody'", "object"),
        (4, "assertion 'turkey backs sna'", "source"),
        (5, "assertion 'sna fights sna'", "object"),
    ]
    assert problems[1].text().endswith("rows.csv:4: assertion 'turkey backs sna': source: unknown source 'nowhere'")


def test_shacl_results_about_ignored_nodes_are_dropped(example_store):
    graph = example_graph(example_store)
    graph.remove((ACTOR.sna, None, None))  # every claim naming sna now names no kgo:Actor
    report, violations = shacl_report(graph)
    assert violations and all(str(ACTOR.sna) in (v.focus, v.value) for v in violations)
    clean, none = shacl_report(graph, ignore={ACTOR.sna})
    assert none == [] and clean.value(clean.value(predicate=RDF.type, object=SH.ValidationReport), SH.conforms) == Literal(True)


def test_the_documented_example_runs(monkeypatch):
    import doctest

    import kg.validate
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = doctest.testmod(kg.validate)
    assert result.attempted and not result.failed


def test_every_unknown_name_and_source_of_one_claim_is_a_problem_of_its_own(tmp_path):
    """Not only the first: a claim naming an unknown subject, object and source gives three
    problems on its line, each with its field; `kg load` still stops at the first."""
    path = write(
        tmp_path / "claims.yaml",
        "sources: {s: {title: T, date: 2021-01-01}}\nactors: {a: State}\n"
        "assertions:\n  - {subject: nobody, relation: backs, object: nothing, source: nosource}\n",
    )
    problems = validate_files([path]).problems
    assert sorted((p.line, p.field) for p in problems) == [(4, "object"), (4, "source"), (4, "subject")]
    with pytest.raises(KgError, match="unknown actor 'nobody'"):
        load(open_store(":memory:"), [path])


# -- validate agrees with load --------------------------------------------------------------------

AGREEMENT_CASES = {
    "type differs from the store": "actors:\n  turkey: {label: Turkey, type: Organization}\n",
    "type differs between two files": "actors:\n  zz: {label: ZZ, type: State}\n---\nactors:\n  zz: {label: ZZ, type: ArmedGroup}\n",
    "name two actors share": (
        "sources:\n  s: {title: S, date: 2021-01-01}\nactors:\n  ankara-fc: {label: Ankara FC, type: Organization, aliases: [Ankara]}\n"
        "assertions:\n  - {claim: Ankara backs ypg, source: s}\n"
    ),
    "unknown source": "assertions:\n  - {claim: turkey backs sna, source: nowhere}\n",
    "valid": "sources:\n  s: {title: S, date: 2021-01-01}\nassertions:\n  - {claim: turkey backs sna, source: s}\n",
}


@pytest.mark.parametrize("case", sorted(AGREEMENT_CASES))
def test_validate_finds_a_problem_exactly_when_load_fails_and_the_same_one(example_store, tmp_path, case):
    files = [write(tmp_path / f"part{n}.yaml", text) for n, text in enumerate(AGREEMENT_CASES[case].split("---\n"))]
    problems = validate_files(files, example_store).problems
    try:
        load(example_store, files)
    except KgError as err:
        assert problems, f"{case}: kg load fails ({err}) but kg validate finds nothing"
        assert any(p.message in err.message for p in problems), (err.message, [p.text() for p in problems])
    else:
        assert problems == [], f"{case}: kg load succeeds but kg validate says {[p.text() for p in problems]}"


def test_validate_lists_every_type_conflict_and_says_what_it_could_not_check(tmp_path):
    first = write(tmp_path / "a.yaml", "actors:\n  x: {label: X, type: State}\n  y: {label: Y, type: State}\n")
    second = write(tmp_path / "b.yaml", "actors:\n  x: {label: X, type: ArmedGroup}\n  y: {label: Y, type: Person}\n")
    result = validate_files([first, second])
    assert [(p.path, p.line, p.record, p.field) for p in result.problems] == [
        (str(second), 2, "actor 'x'", "type"),
        (str(second), 3, "actor 'y'", "type"),
    ]
    assert "an ArmedGroup here but a State in" in result.problems[0].message
    assert result.skipped and "not against a store" in result.skipped[0]


def test_validate_gives_the_warnings_load_gives(example_store, tmp_path, kg):
    shared = write(tmp_path / "shared.yaml", "actors:\n  ankara-fc: {label: Ankara FC, type: Organization, aliases: [Ankara]}\n")
    assert any("'Ankara' is also a name of actor 'turkey'" in w for w in validate_files([shared], example_store).warnings)
    kg("load", str(EXAMPLE_FILE))
    result = kg("validate", str(shared))
    assert result.exit_code == 0 and "warning: " in result.stderr and "'Ankara' is also a name" in result.stderr
