"""The write side of claims with stances (issue 15): every reader takes stance, said_by, joint
mediators, process, host, partial dates and a source's note; the loader makes direct edges only
for asserted claims (for each mediator of a joint mediation), and the statement triples survive an
export and a load back. Real stores, files under ``tmp_path``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from kg.errors import KgError
from kg.export import export
from kg.loader import load
from kg.model import Actor, Assertion, actor_triples, assertion_triples, source_triples
from kg.names import ActorIndex
from kg.namespaces import ACTOR, KGO
from kg.ontology import load_ontology
from kg.rules import document_triples, known_sources
from kg.shacl import shacl_violations
from kg.sources import read_document
from kg.store import open_store
from kg.validate import validate_files
from tests.conftest import TURTLE_PREFIXES

ROOT = Path(__file__).resolve().parent.parent

ACTORS_YAML = """
actors:
  saudi-arabia: {label: Saudi Arabia, type: State, aliases: [Riyadh]}
  united-states: {label: United States, type: State, aliases: [Washington]}
  uae: {label: United Arab Emirates, type: State, aliases: [UAE]}
  saf: {label: Sudanese Armed Forces, type: ArmedGroup, aliases: [SAF]}
  rsf: {label: Rapid Support Forces, type: ArmedGroup, aliases: [RSF]}
  jeddah-talks: {label: Jeddah talks, type: Process}
sources:
  s1: {title: An article, date: 2023-05-20, note: Read from a stored copy.}
"""

CLAIMS_YAML = """
defaults:
  source: s1
assertions:
  - subject: [united-states, Riyadh]
    relation: mediates
    objects: [saf, rsf]
    process: jeddah-talks
    host: saudi-arabia
    date: 2023-05
    valid_from: 2023
  - claim: UAE backs rsf
    stance: alleged
    said_by: UN panel of experts
    note: an accusation
  - claim: UAE backs rsf
    stance: denied
    said_by: UAE
    valid_until: 2024-02
  - claim: saf opposes rsf
    date: 2023-04-15
"""

CLAIMS_CSV = """subject,relation,object,source,date,valid_from,valid_until,stance,said_by,process,host,note
united-states; Riyadh,mediates,"saf, rsf",s1,2023-05,2023,,,,jeddah-talks,saudi-arabia,
UAE,backs,rsf,s1,,,,alleged,UN panel of experts,,,an accusation
UAE,backs,rsf,s1,,,2024-02,denied,UAE,,,
saf,opposes,rsf,s1,2023-04-15,,,,,,,
"""

CLAIMS_JSON = {
    "defaults": {"source": "s1"},
    "assertions": [
        {"subject": ["united-states", "Riyadh"], "relation": "mediates", "objects": ["saf", "rsf"], "process": "jeddah-talks",
         "host": "saudi-arabia", "date": "2023-05", "valid_from": 2023},
        {"claim": "UAE backs rsf", "stance": "alleged", "said_by": "UN panel of experts", "note": "an accusation"},
        {"claim": "UAE backs rsf", "stance": "denied", "said_by": "UAE", "valid_until": "2024-02"},
        {"claim": "saf opposes rsf", "date": "2023-04-15"},
    ],
}  # fmt: skip

CLAIMS_TURTLE = TURTLE_PREFIXES + """
source:s1 a kgo:Source ; <http://purl.org/dc/terms/title> "An article" ;
    <http://purl.org/dc/terms/date> "2023-05-20"^^xsd:date ; rdfs:comment "Read from a stored copy." .

stmt:joint a kgo:Assertion ; kgo:subject actor:united-states , actor:saudi-arabia ; kgo:relation kgo:mediates ;
    kgo:object actor:saf , actor:rsf ; prov:wasDerivedFrom source:s1 ; kgo:confidence 1.0 ;
    kgo:dateReported "2023-05-01"^^xsd:date ; kgo:dateReportedPrecision "month" ;
    kgo:validFrom "2023-01-01"^^xsd:date ; kgo:validFromPrecision "year" ;
    kgo:process actor:jeddah-talks ; kgo:host actor:saudi-arabia .
stmt:alleged a kgo:Assertion ; kgo:subject actor:uae ; kgo:relation kgo:backs ; kgo:object actor:rsf ;
    prov:wasDerivedFrom source:s1 ; kgo:confidence 1.0 ; kgo:dateReported "2023-05-20"^^xsd:date ;
    kgo:stance kgo:Alleged ; kgo:saidByName "UN panel of experts" ; rdfs:comment "an accusation" .
stmt:denied a kgo:Assertion ; kgo:subject actor:uae ; kgo:relation kgo:backs ; kgo:object actor:rsf ;
    prov:wasDerivedFrom source:s1 ; kgo:confidence 1.0 ; kgo:dateReported "2023-05-20"^^xsd:date ;
    kgo:validUntil "2024-02-01"^^xsd:date ; kgo:validUntilPrecision "month" ;
    kgo:stance kgo:Denied ; kgo:saidBy actor:uae .
stmt:fact a kgo:Assertion ; kgo:subject actor:saf ; kgo:relation kgo:opposes ; kgo:object actor:rsf ;
    prov:wasDerivedFrom source:s1 ; kgo:confidence 1.0 ; kgo:dateReported "2023-04-15"^^xsd:date .
actor:saf kgo:opposes actor:rsf .
"""

STATEMENTS = """
SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s a kgo:Assertion ; ?p ?o } }
"""


def statement_triples(store) -> set[tuple[str, str, str]]:
    """Every triple about a statement node, as text."""
    return {(str(row["s"]), str(row["p"]), str(row["o"])) for row in store.query(STATEMENTS)}


def write_files(folder: Path, kind: str) -> list[Path]:
    """The actors and the source as YAML (or Turtle, for Turtle), and the claims in ``kind``."""
    folder.mkdir()
    if kind == "turtle":
        actors = folder / "actors.ttl"
        graph = Graph()
        for actor in read_document(_written(folder / "a.yaml", ACTORS_YAML)).actors:
            for triple in actor_triples(actor):
                graph.add(triple)
        (folder / "a.yaml").unlink()
        graph.serialize(actors, format="turtle")
        return [actors, _written(folder / "claims.ttl", CLAIMS_TURTLE)]
    actors = _written(folder / "actors.yaml", ACTORS_YAML)
    claims = {
        "yaml": ("claims.yaml", CLAIMS_YAML),
        "csv": ("claims.csv", CLAIMS_CSV),
        "json": ("claims.json", json.dumps(CLAIMS_JSON)),
    }[kind]
    return [actors, _written(folder / claims[0], claims[1])]


def _written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def loaded(paths: list[Path]):
    store = open_store(":memory:")
    load(store, paths)
    return store


def ask(store, pattern: str) -> bool:
    return store.query(f"ASK {{ {pattern} }}").askAnswer


@pytest.fixture(params=["yaml", "csv", "json", "turtle"])
def claims_store(request, tmp_path):
    return loaded(write_files(tmp_path / request.param, request.param))


def test_every_format_reads_every_new_field(claims_store):
    found = statement_triples(claims_store)
    predicates = {p.removeprefix(str(KGO)) for _, p, _ in found}
    assert {"stance", "saidBy", "saidByName", "process", "host", "dateReportedPrecision", "validFromPrecision"} <= predicates
    assert {"validUntilPrecision"} <= predicates
    (joint,) = {s for s, p, o in found if p == str(KGO.relation) and o == str(KGO.mediates)}
    assert {o for s, p, o in found if s == joint and p == str(KGO.subject)} == {str(ACTOR["saudi-arabia"]), str(ACTOR["united-states"])}
    assert {(p, o) for s, p, o in found if s == joint and p.endswith("Precision")} == {
        (str(KGO.dateReportedPrecision), "month"),
        (str(KGO.validFromPrecision), "year"),
    }
    assert (joint, str(KGO.dateReported), "2023-05-01") in found  # the first day of the month
    assert (joint, str(KGO.validFrom), "2023-01-01") in found
    assert any(p == str(KGO.saidByName) and o == "UN panel of experts" for _, p, o in found)
    assert any(p == str(KGO.saidBy) and o == str(ACTOR.uae) for _, p, o in found)
    assert ask(claims_store, 'source:s1 rdfs:comment "Read from a stored copy."')


def test_only_asserted_claims_make_direct_edges(claims_store):
    assert not ask(claims_store, "actor:uae kgo:backs actor:rsf")
    assert not ask(claims_store, "actor:uae ?relation actor:rsf")
    assert ask(claims_store, "actor:saf kgo:opposes actor:rsf")


def test_a_joint_mediation_is_one_statement_and_an_edge_per_mediator(claims_store):
    for mediator in ("saudi-arabia", "united-states"):
        for party in ("saf", "rsf"):
            assert ask(claims_store, f"actor:{mediator} kgo:mediates actor:{party}")
    count = claims_store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s kgo:relation kgo:mediates } }")
    assert [int(row["n"]) for row in count] == [1]


def test_the_statements_survive_an_export_and_a_load_back(claims_store, tmp_path):
    exported = tmp_path / "export.ttl"
    exported.write_bytes(export(claims_store, "turtle")[""])
    again = loaded([exported])
    assert statement_triples(again) == statement_triples(claims_store)
    assert not ask(again, "actor:uae kgo:backs actor:rsf")


def test_yaml_csv_and_json_give_the_same_statements(tmp_path):
    stores = [loaded(write_files(tmp_path / kind, kind)) for kind in ("yaml", "csv", "json")]
    assert statement_triples(stores[0]) == statement_triples(stores[1]) == statement_triples(stores[2])


def test_mediators_in_any_order_are_the_same_statement(tmp_path):
    one = loaded(write_files(tmp_path / "one", "yaml"))
    folder = tmp_path / "two"
    files = write_files(folder, "yaml")
    files[1].write_text(CLAIMS_YAML.replace("[united-states, Riyadh]", "[saudi-arabia, Washington]"), encoding="utf-8")
    assert statement_triples(loaded(files)) == statement_triples(one)


# -- the rules, with file, line and field --------------------------------------------------------------


def claim_file(tmp_path: Path, claim: str) -> Path:
    _written(tmp_path / "actors.yaml", ACTORS_YAML)
    return _written(tmp_path / "claim.yaml", "defaults:\n  source: s1\nassertions:\n" + claim)


@pytest.mark.parametrize(
    "claim, field, message",
    [
        ("  - {subject: [uae, saudi-arabia], relation: backs, object: rsf}\n", "subject", "only 'mediates' may name several subjects"),
        ("  - {subject: [uae, saudi-arabia], relation: mediated-by, object: rsf}\n", "subject", "exactly one actor on each side"),
        (
            "  - {claim: uae backs rsf, process: saf}\n",
            "process",
            "'saf' is of type ArmedGroup: a claim's process is an actor of type Process",
        ),
        ("  - {claim: uae backs rsf, host: nobody}\n", "host", "unknown actor 'nobody'"),
        ("  - {claim: uae backs rsf, stance: rumoured}\n", "stance", "not a stance"),
        ("  - {claim: uae backs rsf, date: 2023-13}\n", "date", "not a date"),
        ("  - {claim: uae backs rsf, valid_from: 2024-03, valid_until: 2024-02}\n", "valid_until", "is after valid_until 2024-02"),
    ],
)
def test_a_broken_claim_is_refused_at_its_line_and_field(tmp_path, claim, field, message):
    with pytest.raises(KgError) as caught:
        loaded([tmp_path / "actors.yaml", claim_file(tmp_path, claim)])
    assert (caught.value.line, caught.value.field) == (4, field)
    assert message in str(caught.value)


def test_a_partial_valid_until_covers_its_whole_period(tmp_path):
    store = loaded(
        [tmp_path / "actors.yaml", claim_file(tmp_path, "  - {claim: uae backs rsf, valid_from: 2024-02-10, valid_until: 2024-02}\n")]
    )
    assert ask(store, "actor:uae kgo:backs actor:rsf")


def test_said_by_resolves_an_actor_keeps_free_text_and_refuses_an_ambiguous_name(tmp_path):
    actors = ACTORS_YAML + "  s2: {title: Another article, date: 2023-06-01}\n"
    (tmp_path / "actors.yaml").write_text(actors.replace("aliases: [SAF]", "aliases: [SAF, the army, Forces]"), encoding="utf-8")
    doc = _written(tmp_path / "c.yaml", "assertions:\n  - {claim: uae backs rsf, source: s1, stance: alleged, said_by: the army}\n")
    store = loaded([tmp_path / "actors.yaml", doc])
    assert ask(store, "?s kgo:saidBy actor:saf") and not ask(store, "?s kgo:saidByName ?name")
    both = actors.replace("aliases: [SAF]", "aliases: [SAF, Forces]").replace("aliases: [RSF]", "aliases: [RSF, Forces]")
    (tmp_path / "actors.yaml").write_text(both, encoding="utf-8")
    doc.write_text("assertions:\n  - {claim: uae backs rsf, source: s1, stance: alleged, said_by: Forces}\n", encoding="utf-8")
    with pytest.raises(KgError, match="could mean any of rsf, saf") as caught:
        loaded([tmp_path / "actors.yaml", doc])
    assert caught.value.field == "said_by"


# -- SHACL ---------------------------------------------------------------------------------------------


def shape_graph(assertion: Assertion, kinds: dict[str, str]) -> Graph:
    graph = Graph()
    for actor_id, kind in kinds.items():
        for triple in actor_triples(Actor(actor_id, actor_id.title(), kind)):
            graph.add(triple)
    for triple in (*source_triples(read_document(_source_file()).sources[0]), *assertion_triples(assertion)):
        graph.add(triple)
    return graph


def _source_file() -> Path:
    return ROOT / "examples" / "ain-issa-2020" / "ain-issa.yaml"


KINDS = {"uae": "State", "usa": "State", "rsf": "ArmedGroup", "saf": "ArmedGroup", "talks": "Process"}
SOURCE = "newarab-2020-12-29"


def shaped(**fields) -> Assertion:
    base = {
        "subject": "uae",
        "relation": "mediates",
        "objects": ("rsf", "saf"),
        "sources": (SOURCE,),
        "date": dt.date(2023, 5, 1),
        "confidence": 1.0,
    }
    return Assertion(**(base | fields))


def test_shacl_accepts_the_new_terms():
    joint = shaped(co_subjects=("usa",), process="talks", host="usa", date_precision="month", stance="alleged", said_by="uae")
    assert shacl_violations(shape_graph(joint, KINDS)) == []
    assert shacl_violations(shape_graph(shaped(stance="denied", said_by_text="a UN panel"), KINDS)) == []


def test_shacl_refuses_two_subjects_on_a_non_mediation_and_a_process_that_is_no_process():
    two = shaped(relation="backs", objects=("rsf",), co_subjects=("usa",))
    assert any("only a mediation may name more than one subject" in v.message for v in shacl_violations(shape_graph(two, KINDS)))
    wrong = shape_graph(shaped(process="usa"), KINDS)
    assert any(v.path == str(KGO.process) for v in shacl_violations(wrong))
    bad_stance = shape_graph(shaped(), KINDS)
    node = next(bad_stance.subjects(RDF.type, KGO.Assertion))
    bad_stance.add((node, KGO.dateReportedPrecision, Literal("week")))
    assert any(v.path == str(KGO.dateReportedPrecision) for v in shacl_violations(bad_stance))


# -- existing data ---------------------------------------------------------------------------------------


def test_the_example_loads_to_exactly_the_triples_it_loaded_before():
    """The digest of the 379 triples of examples/ain-issa-2020 as the loader wrote them before issue 15."""
    doc = read_document(ROOT / "examples" / "ain-issa-2020" / "ain-issa.yaml")
    triples = document_triples(doc, ActorIndex(doc.actors), known_sources([doc]), load_ontology())
    lines = sorted(" ".join(term.n3() for term in triple) for triple in triples)
    assert len(lines) == 379
    assert hashlib.sha256("\n".join(lines).encode()).hexdigest() == "d14a3d2488cfbed0a0b8191377d7de56ea53bd2deac679865714788fe7172738"


def test_the_sudan_example_loads_with_its_stances_and_its_joint_mediation():
    store = loaded([ROOT / "examples" / "sudan-2025" / "sudan-quad.yaml"])
    assert ask(store, "actor:egypt kgo:mediates actor:rsf") and ask(store, "actor:uae kgo:mediates actor:saf")
    assert not ask(store, "actor:uae kgo:backs actor:rsf")
    assert not ask(store, "actor:uae kgo:militarilyBacks actor:rsf")
    assert ask(store, "?s kgo:stance kgo:Denied ; kgo:saidBy actor:uae ; kgo:relation kgo:militarilyBacks")
    assert ask(store, '?s kgo:stance kgo:Alleged ; kgo:saidByName "rights groups"')
    assert ask(store, "?s kgo:process actor:sudan-quad ; kgo:subject actor:egypt , actor:saudi-arabia")
    assert ask(store, "source:africanews-2025-11-24 rdfs:comment ?note")


def test_defaults_give_stance_said_by_process_and_host_to_every_claim(tmp_path):
    _written(tmp_path / "actors.yaml", ACTORS_YAML)
    text = "defaults: {source: s1, stance: alleged, said_by: UAE, process: jeddah-talks, host: Riyadh}\nassertions:\n  - uae backs rsf\n"
    store = loaded([tmp_path / "actors.yaml", _written(tmp_path / "c.yaml", text)])
    pattern = "?s kgo:stance kgo:Alleged ; kgo:saidBy actor:uae ; kgo:process actor:jeddah-talks ; kgo:host actor:saudi-arabia"
    assert ask(store, pattern)
    assert not ask(store, "actor:uae kgo:backs actor:rsf")


def test_validate_reports_both_bad_fields_of_one_claim(tmp_path):
    path = claim_file(tmp_path, "  - {claim: uae backs rsf, stance: rumoured, date: 2023-13}\n")
    found = {(p.line, p.field) for p in validate_files([tmp_path / "actors.yaml", path]).problems}
    assert {(4, "stance"), (4, "date")} <= found


def test_a_name_two_actors_share_and_an_id_with_two_labels_are_load_warnings(tmp_path):
    first = _written(tmp_path / "a.yaml", "actors:\n  saf: {label: Sudanese Armed Forces, type: ArmedGroup, aliases: [the army]}\n")
    second = _written(
        tmp_path / "b.yaml",
        "actors:\n  rsf: {type: ArmedGroup, aliases: [The Army]}\n  saf: {label: Sudan army, type: ArmedGroup}\n",
    )
    store = open_store(":memory:")
    reports = load(store, [first, second])
    assert reports[0].warnings == []
    assert reports[1].warnings == [
        f"{second}:2: actor 'rsf': 'The Army' is also a name of actor 'saf' ({first}:2); a claim naming it must use the id",
        f"{second}:3: actor 'saf' is labelled 'Sudan army' here but 'Sudanese Armed Forces' in {first}:2",
    ]
    third = _written(tmp_path / "c.yaml", "actors:\n  wagner: {type: ArmedGroup, aliases: [the army]}\n")
    (report,) = load(store, [third])  # against the store's actors too
    assert report.warnings == [
        f"{third}:2: actor 'wagner': 'the army' is also a name of actor 'rsf' (in the store :memory:); a claim naming it must use the id"
    ]
