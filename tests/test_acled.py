"""ACLED exports: the hand-made file (ACLED's layout, our own rows) loads into a real store with
the right claims and skip counts; `why` shows event ids, counts, fatalities and notes, apart from
curated and GDELT evidence; a malformed row names file, line and column; a user's actor map
merges ACLED's actors with curated ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import PROV

from kg.errors import KgError
from kg.loader import load
from kg.model import event_evidence, source_events
from kg.namespaces import ACTOR, KGO, SOURCE
from kg.query import match, why
from kg.shacl import shacl_violations
from kg.sources import acled, read_document
from kg.sources.acled.mapping import load_actors
from tests.conftest import EXAMPLE_FILE, ROOT, snapshot, write
from tests.test_gdelt import HANDMADE as GDELT_FILE

DATA = Path(__file__).parents[1] / "examples" / "acled-sudan-2023"
SUDAN = DATA / "sudan-2023.csv"
USER_MAP = DATA / "actor-map.yaml"
CURATED = ROOT / "examples" / "sudan-2025" / "sudan-quad.yaml"


def who(store, pattern: str) -> set[str]:
    table = match(store, [pattern])
    return set(table.column(table.columns[0]))


def aggregates(store, subject: str, relation: str, obj: str) -> list[dict]:
    """Every ACLED aggregate behind one claim: ids, counts, dates, confidence, quote."""
    rows = store.query(
        """SELECT ?st ?n ?fatalities ?sources ?confidence ?from ?until ?precision ?quote
                  (GROUP_CONCAT(DISTINCT STR(?id)) AS ?ids) (GROUP_CONCAT(DISTINCT ?type; separator="|") AS ?types) WHERE {
             ?st a kgo:EventAggregate ; kgo:subject ?s ; kgo:relation ?r ; kgo:object ?o ; kgo:eventCount ?n ;
                 kgo:fatalityCount ?fatalities ; kgo:sourceCount ?sources ; kgo:confidence ?confidence ; kgo:acledEventId ?id .
             OPTIONAL { ?st kgo:validFrom ?from } OPTIONAL { ?st kgo:validUntil ?until }
             OPTIONAL { ?st kgo:validFromPrecision ?precision } OPTIONAL { ?st kgo:quote ?quote }
             OPTIONAL { ?st kgo:acledSubEventType ?type }
           } GROUP BY ?st ?n ?fatalities ?sources ?confidence ?from ?until ?precision ?quote ORDER BY ?from""",
        {"s": ACTOR[subject], "r": KGO[relation], "o": ACTOR[obj]},
    )
    return [
        {
            "ids": set(str(row.ids).split()),
            "count": int(row.n),
            "fatalities": int(row.fatalities),
            "sources": int(row.sources),
            "confidence": float(row.confidence),
            "from": str(row["from"]) if row["from"] is not None else None,
            "until": str(row.until) if row.until is not None else None,
            "precision": str(row.precision) if row.precision is not None else None,
            "types": set(str(row.types).split("|")) if str(row.types or "") else set(),
            "quote": str(row.quote) if row.quote is not None else None,
        }
        for row in rows
    ]


@pytest.fixture
def sudan(store):
    (report,) = load(store, [SUDAN])
    return store, report


# -- rows kept, rows skipped ----------------------------------------------------------------------


def test_every_row_is_kept_or_skipped_for_its_reason(sudan):
    _, report = sudan
    assert report.rows_read == 40
    assert report.skipped == {
        "protests": 3,
        "riots": 2,
        "unidentified actor": 2,
        "bad date": 2,
        "bad number": 2,
        "violence against civilians": 1,
        "arrests": 1,
        "looting/property destruction": 1,
        "headquarters or base established": 1,
        "disrupted weapons use": 1,
        "non-violent transfer of territory": 1,
        "civilians": 1,
        "one-actor event": 1,
        "unmapped actor": 1,
        "same actor": 1,
        "unmapped event type": 1,
        "bad event id": 1,
        "bad inter code": 1,
        "missing source": 1,
        "wrong number of columns": 1,
        acled.ASSOCIATED_UNMAPPED: 2,  # names, not rows: line 7's two associated actors
    }
    rows_skipped = sum(report.skipped.values()) - 2
    assert rows_skipped == 40 - 14  # fourteen rows make claims
    assert report.assertions == 12 + 3  # twelve aggregates, three part-of
    assert report.summary().startswith("40 events read, 15 assertions written; skipped 26: 3 protests, 2 bad date, 2 bad number, ")
    assert report.summary().endswith("1 wrong number of columns; 2 associated actors unmapped")


def test_battles_are_mutual_clashes_aggregated_by_month_whatever_the_actor_order(sudan):
    store, _ = sudan
    old, april, may, june = aggregates(store, "rsf", "clashesWith", "sudan-mil")
    assert april["ids"] == {"SDN1001", "SDN1002", "SDN1003", "SDN1004", "SDN1005"}  # SDN1002 is RSF-army, dated "15 April 2023"
    assert (april["count"], april["fatalities"], april["sources"]) == (5, 28, 4)
    assert april["types"] == {"Armed clash", "Government regains territory"}
    assert (april["from"], april["until"], april["confidence"]) == ("2023-04-15", "2023-04-25", 0.9)
    assert may["ids"] == {"SDN1006"} and may["confidence"] == 0.7
    assert (may["from"], may["until"], may["precision"]) == ("2023-05-01", "2023-05-01", "month")  # time_precision 3: May
    assert june["ids"] == {"SDN1007", "SDN1008"} and june["sources"] == 3
    assert old["ids"] == {"SDN1031"} and old["from"] == "2015-03-12"  # "(1989-2019)": the same sudan-mil
    assert aggregates(store, "sudan-mil", "clashesWith", "rsf") == []  # symmetric: one order only
    assert who(store, "?x clashes-with rsf") == {"sudan-mil"} and who(store, "?x opposes rsf") == {"sudan-mil"}


def test_strikes_are_directed_fights(sudan):
    store, _ = sudan
    ((strike,), (shelling,)) = aggregates(store, "sudan-mil", "fights", "rsf"), aggregates(store, "rsf", "fights", "sudan-mil")
    assert strike["ids"] == {"SDN1009"} and strike["confidence"] == 0.8  # one event, two sources
    assert shelling["ids"] == {"SDN1010"} and shelling["types"] == {"Shelling/artillery/missile attack"}


def test_associated_actors_fight_alongside_their_side(sudan):
    store, _ = sudan
    april, june = aggregates(store, "rsf", "fightsAlongside", "wagner-group")
    assert april["ids"] == {"SDN1003"} and june["ids"] == {"SDN1007"}
    (russia,) = aggregates(store, "rsf", "fightsAlongside", "russia-mil")
    assert russia["ids"] == {"SDN1003"}
    (bashir_years,) = aggregates(store, "rsf", "fightsAlongside", "sudan-mil")
    assert bashir_years["ids"] == {"SDN1030"}  # kept although actor2 is unidentified
    assert who(store, "?x fights-alongside rsf") == {"wagner-group", "russia-mil", "sudan-mil"}
    assert who(store, "?x backs rsf") >= {"wagner-group", "russia-mil"}  # fights-alongside < allied-with < backs
    assert who(store, "russia-mil part-of ?x") == {"russia"}


def test_agreements_are_negotiations_and_state_forces_parts_of_their_state(sudan):
    store, _ = sudan
    (jeddah,) = aggregates(store, "rsf", "negotiatesWith", "sudan-mil")
    assert jeddah["ids"] == {"SDN1025"} and jeddah["types"] == {"Agreement"}
    (truce,) = aggregates(store, "rsf", "negotiatesWith", "sudan-gov")
    assert truce["ids"] == {"SDN1026"} and truce["from"] == "2023-05-20"  # "20 May 2023"
    assert who(store, "?x part-of sudan") == {"sudan-mil", "sudan-gov"}
    actors = {a.id: a for a in store.actors()}
    assert (actors["sudan-mil"].label, actors["sudan-mil"].type) == ("Military of Sudan", "MilitaryUnit")  # GDELT's SDNMIL
    assert (actors["rsf"].label, actors["rsf"].type) == ("Rapid Support Forces", "ArmedGroup")
    assert "kordofan-hills-militia" not in actors  # unmapped, never guessed


def test_notes_are_quoted_on_one_line_and_sources_list_their_events(sudan):
    store, _ = sudan
    april = aggregates(store, "rsf", "clashesWith", "sudan-mil")[1]
    assert april["quote"] == (
        '[SDN1001, 2023-04-15] On 15 April 2023, the army and the RSF clashed near the airport, the presidential palace and "several" '
        "bases in Khartoum. [SDN1002, 2023-04-15] On 15 April 2023, RSF fighters attacked an army base in Omdurman; fighting lasted "
        "into the night. [SDN1003, 2023-04-16] On 16 April 2023, the army fought the RSF in central Khartoum. Reports said foreign "
        "fighters were seen with the RSF."
    )
    june = aggregates(store, "rsf", "clashesWith", "sudan-mil")[3]
    assert june["quote"].endswith("…") and len(june["quote"].split("[SDN1008, 2023-06-05] ")[1]) == acled.aggregate.NOTE_LENGTH
    sources = {s.id: s for s in store.sources()}
    dabanga = sources[acled.source_id("Radio Dabanga")]
    assert (dabanga.title, dabanga.publisher, dabanga.url, dabanga.date) == ("Radio Dabanga", "Radio Dabanga", None, None)
    events = store.query("SELECT ?e WHERE { ?s kgo:acledEventId ?e }", {"s": SOURCE[dabanga.id]})
    assert {str(row.e) for row in events} == {"SDN1001", "SDN1005", "SDN1006", "SDN1008", "SDN1009"}  # kept events only


# -- why ----------------------------------------------------------------------------------------


def test_why_shows_acled_evidence_apart_from_curated_and_gdelt(store):
    load(store, [SUDAN, CURATED, GDELT_FILE, EXAMPLE_FILE], actor_map=USER_MAP)  # the map's CAMEO part names the SNA
    rows = why(store, "saf", "clashes-with", "rsf")
    assert [r["evidence"] for r in rows] == ["curated"] + ["ACLED"] * 8  # curated first; one row per (claim, source)
    curated, first = rows[0], rows[1]
    assert curated["events"] is None and curated["event_stats"] is None
    assert first["claim"] == "rsf clashes-with saf" and first["title"] == "Reuters"
    assert first["events"] == "SDN1003"  # the claim's events that Reuters reported
    assert first["event_stats"] == "5 events (Armed clash, Government regains territory); 28 fatalities; 4 sources"
    assert first["quote"].startswith("[SDN1001, 2023-04-15] On 15 April 2023, the army and the RSF clashed near the airport,")
    assert first["file"].endswith(SUDAN.name)
    may = next(r for r in rows if r["events"] == "SDN1006")
    assert (may["date"], may["valid_from"], may["valid_until"]) == ("2023-05", "2023-05", "2023-05")
    assert may["event_stats"] == "1 event (Armed clash); 3 fatalities; 1 source"
    gdelt = why(store, "russia", "militarily-backs", "syrian-government")
    assert {r["evidence"] for r in gdelt} == {"GDELT"}


def test_kg_why_on_the_command_line(kg):
    assert kg("load", str(SUDAN)).exit_code == 0
    result = kg("why", "sudan-mil", "fights", "rsf")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "   evidence: ACLED" in lines
    assert "     events: SDN1009" in lines
    assert "event_stats: 1 event (Air/drone strike); 20 fatalities; 2 sources" in lines
    assert "      quote: [SDN1009, 2023-04-18] On 18 April 2023, army jets struck RSF bases in Khartoum." in lines


# -- malformed rows, strict, the header ------------------------------------------------------------


@pytest.mark.parametrize(
    "line, field, message",
    [
        (34, "event_date", "'2023-13-01' is not a date written 2023-04-15 or 15 April 2023"),
        (35, "year", "'2022' is not the year of event_date 2023-04-16"),
        (36, "fatalities", "'many' is not a whole number"),
        (37, "source", "missing: the event names no source"),
        (38, None, "the row does not have the header's 31 columns (a stray comma or quote?)"),
        (39, "event_id_cnty", "'sdn1037' is not an ACLED event id (country letters then digits, e.g. SDN12345)"),
        (40, "time_precision", "'4' is not a time precision (1, 2 or 3)"),
        (41, "inter1", "'9' is not an ACLED inter code (1 to 8, or its name)"),
    ],
)
def test_strict_names_the_file_line_and_column_of_a_malformed_row(tmp_path, line, field, message):
    """Each malformed row alone after the header, at its own line (blank lines before it)."""
    lines = SUDAN.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path = write(tmp_path / "one.csv", lines[0] + "\n" * (line - 2) + lines[line - 1])
    assert acled.read(path).skipped != {}
    with pytest.raises(KgError) as error:
        acled.read(path, strict=True)
    place = f"{path}:{line}: " + (f"{field}: " if field else "")
    assert str(error.value) == place + message


def test_strict_stops_at_the_first_malformed_row_and_writes_nothing(store):
    with pytest.raises(KgError, match=rf"{SUDAN.name}:34: event_date: '2023-13-01' is not a date"):
        load(store, [SUDAN], strict=True)
    assert store.data_graphs() == []


def test_files_are_known_by_their_header_and_any_name_by_the_format(store, tmp_path):
    renamed = shutil.copy(SUDAN, tmp_path / "export.csv")
    assert acled.is_acled(Path(renamed)) and read_document(Path(renamed)).rows_read == 40
    plain = write(tmp_path / "acled.txt", SUDAN.read_text(encoding="utf-8-sig"))  # no BOM, another suffix
    with pytest.raises(KgError, match="cannot read .txt"):
        load(store, [plain])
    (report,) = load(store, [plain], format="acled")
    assert report.rows_read == 40 and report.skipped == read_document(SUDAN).skipped
    claims = write(tmp_path / "claims.csv", "subject,relation,object,source\nrsf,fights,saf,x\n")
    assert not acled.is_acled(claims)
    with pytest.raises(KgError, match=r"claims.csv:1: not an ACLED export: the header lacks the column\(s\) event_id_cnty, event_date"):
        load(store, [claims], format="acled")


def test_crlf_and_no_bom_read_the_same(tmp_path):
    text = SUDAN.read_text(encoding="utf-8-sig")
    windows = tmp_path / "sudan.csv"
    windows.write_bytes(text.replace("\n", "\r\n").encode())
    assert acled.read(windows).assertions == acled.read(SUDAN).assertions


# -- the actor map ------------------------------------------------------------------------------


def test_a_user_map_merges_acled_with_curated_actors(store):
    reports = load(store, [SUDAN, CURATED], actor_map=USER_MAP)
    assert reports[0].skipped.get("unmapped actor") is None  # the militia is mapped now
    assert who(store, "?x clashes-with rsf") == {"saf", "sudan-mil-1989"}  # "(2019-)" is the curated saf
    assert who(store, "?x fights-alongside rsf") == {"russia-mil", "sudan-mil-1989"}  # Wagner dropped by null
    actors = {a.id: a for a in store.actors()}
    assert actors["kordofan-hills-militia"].type == "ArmedGroup"  # no type given: inter code 4, identity militia
    assert who(store, "sudan-mil-1989 part-of ?x") == {"sudan"}
    assert who(store, "saf clashes-with ?x") == {"rsf", "kordofan-hills-militia"}


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("acled:\n  nmaes: {}\n", 2, "unknown ACLED actor map section field 'nmaes'; did you mean 'names'?"),
        ("acled:\n  names:\n    Rapid Support Forces: {id: RSF!, label: x, type: ArmedGroup}\n", 3, "'RSF!' is not a valid id"),
        ("acled:\n  names:\n    Rapid Support Forces: {id: rsf, label: x, type: Army}\n", 3, "unknown actor type 'Army'"),
        ("acled:\n  names:\n    Rapid Support Forces: {id: rsf, part_of: Atlantis, type: ArmedGroup}\n", 3, "'Atlantis' maps to no"),
        ("acled:\n  inter:\n    7: {name: Civilians, type: ArmedGroup, skip: civilians}\n", 3, "an inter code is {name: N, type: T}"),
    ],
)
def test_actor_map_mistakes_name_the_map_file_and_line(store, tmp_path, text, line, message):
    path = write(tmp_path / "map.yaml", text)
    with pytest.raises(KgError) as error:
        load(store, [SUDAN], actor_map=path)
    assert error.value.message.startswith(f"{path}:{line}: ") and message in error.value.message


def test_the_shipped_maps_follow_the_codebook():
    actors = load_actors()
    assert actors.actor("Military Forces of Sudan (1969-1985)").id == "sudan-mil"  # a closed period
    assert actors.actor("Military Forces of Russia (2000-)").part_of.id == "russia"
    assert actors.actor("Government of Syria (2000-2024)").id == "syrian-government"  # the CAMEO map's SYRGOV
    assert actors.actor("Military Forces of the Democratic Republic of Congo (2019-)").id == "democratic-republic-of-the-congo-mil"
    assert actors.actor("Islamic State (Syria)").id == "islamic-state"
    assert actors.actor("Some Unknown Brigade") is None
    skipped = [("Protesters (Sudan)", "6"), ("X", "Rioters"), ("Unidentified Gang", "3")]  # by inter number, inter name, name
    assert [actors.skip_reason(name, inter) for name, inter in skipped] == ["protesters", "rioters", "unidentified actor"]
    rules = acled.event_rules()
    assert len(rules) == 25  # every sub-event type of the codebook's six event types
    assert {rule.relation.name for rule in rules.values() if rule.relation} == {"clashes-with", "fights", "negotiates-with"}
    assert {rule.associated.name for rule in rules.values() if rule.associated} == {"fights-alongside"}


# -- RDF: valid, stable, readable back ----------------------------------------------------------


def data_graph(store) -> Graph:
    """The loaded files' triples, read back through N-Quads (as plain literals, as written)."""
    dataset = Dataset()
    dataset.parse(data=ox.serialize(store.quads(), format=ox.RdfFormat.N_QUADS), format="nquads")
    graph = Graph()
    for iri in store.data_graphs():
        graph += dataset.graph(iri)
    return graph


def test_the_acled_graph_conforms_to_the_shapes(sudan):
    store, _ = sudan
    graph = data_graph(store)
    assert shacl_violations(graph) == []
    statement = next(graph.subjects(KGO.fatalityCount, None))
    graph.set((statement, KGO.eventCount, Literal(99)))
    graph.add((statement, KGO.gdeltEventId, Literal(1)))
    messages = {v.message for v in shacl_violations(graph)}
    assert "the event count must equal the number of ACLED event ids" in messages
    assert "an event aggregate names its events by GDELT ids or by ACLED ids: at least one, and not both kinds" in messages


def test_loading_again_changes_nothing(sudan):
    store, _ = sudan
    before = snapshot(store)
    load(store, [SUDAN])
    assert snapshot(store) == before


def test_event_evidence_reads_back_from_rdf(sudan):
    store, _ = sudan
    graph = data_graph(store)
    by_statement = {a.statement_id: a for a in acled.read(SUDAN).assertions}
    nodes = set(graph.subjects(KGO.eventCount, None))
    assert len(nodes) == 15
    for node in nodes:
        assertion = by_statement[str(node).rsplit("/", 1)[1]]
        assert event_evidence(graph, node) == assertion.events
        for source in graph.objects(node, PROV.wasDerivedFrom):
            assert all(isinstance(e, str) for e in source_events(graph, source))


def test_confidence_grows_with_events_and_sources():
    assert [acled.confidence(e, s) for e, s in ((1, 1), (2, 1), (1, 2), (2, 2), (9, 1))] == [0.7, 0.8, 0.8, 0.9, 0.9]


def test_an_empty_export_is_no_records(store, tmp_path):
    header = SUDAN.read_text(encoding="utf-8-sig").splitlines()[0]
    with pytest.raises(KgError, match="no records: nothing to load"):
        load(store, [write(tmp_path / "empty.csv", header + "\n")])
