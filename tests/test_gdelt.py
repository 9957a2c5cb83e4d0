"""GDELT 2.0 events: the real file loads and its counts match an independent recount; the
hand-made file covers each way a row is kept, aggregated or skipped; GDELT and curated
evidence merge in answers and stay apart in `why`."""

from __future__ import annotations

import csv
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import PROV

from kg.errors import KgError
from kg.loader import load
from kg.model import event_evidence, source_events
from kg.namespaces import ACTOR, KGO, SOURCE
from kg.query import match, why
from kg.shacl import shacl_violations
from kg.sources import gdelt
from kg.store import open_store
from tests.conftest import EXAMPLE_FILE, snapshot, write

DATA = Path(__file__).parent / "data" / "gdelt"
REAL = DATA / "20191024143000.export.CSV"
HANDMADE = DATA / "handmade.export.CSV"
USER_MAP = DATA / "actor-map.yaml"


def who(store, pattern: str) -> set[str]:
    table = match(store, [pattern])
    return set(table.column(table.columns[0]))


def aggregates(store, subject: str, relation: str, obj: str) -> list[dict]:
    """Every event aggregate behind one claim: its event ids, counts and sources."""
    rows = store.query(
        """SELECT ?st ?s ?r ?o ?n ?mentions ?confidence ?from ?until
                  (GROUP_CONCAT(DISTINCT STR(?id)) AS ?ids) (GROUP_CONCAT(DISTINCT STR(?src)) AS ?sources) WHERE {
             ?st a kgo:EventAggregate ; kgo:subject ?s ; kgo:relation ?r ; kgo:object ?o ; kgo:eventCount ?n ;
                 kgo:mentionCount ?mentions ; kgo:confidence ?confidence ; kgo:gdeltEventId ?id ; prov:wasDerivedFrom ?src .
             OPTIONAL { ?st kgo:validFrom ?from } OPTIONAL { ?st kgo:validUntil ?until }
           } GROUP BY ?st ?s ?r ?o ?n ?mentions ?confidence ?from ?until ORDER BY ?from""",
        {"s": ACTOR[subject], "r": KGO[relation], "o": ACTOR[obj]},
    )
    return [
        {
            "ids": {int(i) for i in str(row.ids).split()},
            "count": int(row.n),
            "mentions": int(row.mentions),
            "confidence": float(row.confidence),
            "sources": len(str(row.sources).split()),
            "from": str(row["from"]),
            "until": str(row.until),
        }
        for row in rows
    ]


# -- the real file ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_store():
    """The real GDELT file and the curated Ain Issa example, loaded together once."""
    store = open_store(":memory:")
    reports = load(store, [REAL, EXAMPLE_FILE])
    return store, {Path(r.path).name: r for r in reports}


def recount(actor1: str, actor2: str, codes: tuple[str, ...], month: str = "201910") -> tuple[set[int], int]:
    """Event ids and summed mentions, straight from the file with the csv module alone.

    Column positions from the GDELT 2.0 codebook: 0 GlobalEventID, 1 Day, 5 Actor1Code,
    15 Actor2Code, 26 EventCode, 31 NumMentions.
    """
    ids, mentions = set(), 0
    with REAL.open(newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row[5] == actor1 and row[15] == actor2 and row[26].startswith(codes) and row[1].startswith(month):
                ids.add(int(row[0]))
                mentions += int(row[31])
    return ids, mentions


def test_the_real_file_loads_with_no_errors_and_a_summary(real_store):
    _, reports = real_store
    report = reports[REAL.name]
    assert report.rows_read == 2111
    broken = set(gdelt.MALFORMED) - {"missing actor"}  # one-actor events are normal in GDELT
    assert not set(report.skipped) & broken
    assert report.skipped["missing actor"] == 705  # 174 rows without actor 1, 531 without actor 2
    kept = report.rows_read - sum(report.skipped.values())
    assert kept > 100 and report.assertions > 50
    assert report.summary().startswith(f"2111 events read, {report.assertions} assertions written; skipped ")
    assert reports[EXAMPLE_FILE.name].summary() is None


@pytest.mark.parametrize(
    "actor1, actor2, codes, subject, relation, obj",
    [
        ("RUS", "SYRGOV", ("051", "052", "053", "054"), "russia", "politicallyBacks", "syrian-government"),
        ("IRN", "SYRGOV", ("051", "052", "053", "054"), "iran", "politicallyBacks", "syrian-government"),
        ("TUR", "ISR", ("045",), "turkey", "mediates", "israel"),
        ("IRN", "TUR", ("045",), "iran", "mediates", "turkey"),
        ("TUR", "SYR", ("13", "14", "15", "16", "17", "18"), "turkey", "opposes", "syria"),
        ("SYR", "ISR", ("19", "20"), "syria", "fights", "israel"),
        ("RUS", "SYR", ("13", "14", "15", "16", "17", "18"), "russia", "opposes", "syria"),
    ],
)
def test_imported_counts_match_an_independent_recount(real_store, actor1, actor2, codes, subject, relation, obj):
    store, _ = real_store
    ids, mentions = recount(actor1, actor2, codes)
    assert ids, "the recount must find events, or the test proves nothing"
    (found,) = aggregates(store, subject, relation, obj)
    assert found["ids"] == ids
    assert found["count"] == len(ids)
    assert found["mentions"] == mentions


def test_curated_and_gdelt_evidence_merge_in_answers(real_store):
    store, _ = real_store
    assert who(store, "?who backs syrian-government") == {"russia", "iran"}  # russia: both; iran: GDELT only
    assert who(store, "russia-gov part-of ?x") == {"russia"}
    assert "turkey" in who(store, "?x opposes syria")


def test_why_separates_curated_from_gdelt_evidence(real_store):
    store, _ = real_store
    rows = why(store, "russia", "backs", "syrian-government")
    assert [r["evidence"] for r in rows] == ["curated", "curated", "GDELT"]  # curated first
    curated, gdelt_row = rows[0], rows[-1]
    assert curated["events"] is None and curated["event_stats"] is None and curated["file"].endswith("ain-issa.yaml")
    assert gdelt_row["claim"] == "russia politically-backs syrian-government"
    assert gdelt_row["url"] == "https://www.bworldonline.com/iran-is-losing-leverage-in-syria/"
    assert gdelt_row["events"] == "881992392 881992393 881992394"
    assert gdelt_row["event_stats"] == (
        "3 events (CAMEO 051); GDELT counts 8 mentions, 3 sources, 8 articles; mean Goldstein 3.4, mean tone -2.417"
    )
    assert gdelt_row["file"].endswith(REAL.name)


def test_strict_stops_at_the_first_one_actor_event_of_a_real_file():
    with pytest.raises(KgError, match=r"20191024143000\.export\.CSV:1: Actor1Code: missing"):
        gdelt.read(REAL, strict=True)


# -- the hand-made file ------------------------------------------------------------------------


@pytest.fixture
def handmade(store):
    (report,) = load(store, [HANDMADE])
    return store, report


def test_every_row_is_kept_or_skipped_for_its_reason(handmade):
    _, report = handmade
    assert report.rows_read == 16
    assert report.skipped == {
        "bad date": 1,
        "bad event code": 1,
        "missing actor": 1,
        "same actor": 1,
        "unmapped actor": 1,
        "unmapped event code": 1,
        "wrong number of columns": 1,
    }
    assert report.assertions == 7 + 3  # seven claims, three part-of
    assert report.summary() == (
        "16 events read, 10 assertions written; skipped 7: 1 bad date, 1 bad event code, 1 missing actor, "
        "1 same actor, 1 unmapped actor, 1 unmapped event code, 1 wrong number of columns"
    )


def test_events_aggregate_by_month_with_publisher_based_confidence(handmade):
    store, _ = handmade
    october, november = aggregates(store, "russia", "militarilyBacks", "syrian-government")
    assert october == {
        "ids": {1001, 1002},
        "count": 2,
        "mentions": 6,
        "confidence": 0.75,  # two publishers: example.org, example.net
        "sources": 2,
        "from": "2019-10-03",
        "until": "2019-10-10",
    }
    assert november["ids"] == {1003} and november["confidence"] == 0.5
    assert who(store, "?who backs syrian-government") == {"russia"}  # militarily-backs rolls up


def test_codes_keep_their_leading_zeros(handmade):
    store, _ = handmade
    codes = {str(row[0]) for row in store.query("SELECT DISTINCT ?c WHERE { ?st kgo:eventCode ?c }")}
    assert codes == {"045", "046", "072", "074", "1121", "190"}
    assert who(store, "turkey mediates ?x") == {"syria"}
    assert gdelt.relation_for("0874") is None and gdelt.relation_for("075") is None
    assert gdelt.relation_for("073").name == "backs"
    assert gdelt.relation_for("1123").name == "condemns"  # most specific listed: 11


def test_symmetric_relations_aggregate_both_directions(handmade):
    store, _ = handmade
    (talks,) = aggregates(store, "russia", "negotiatesWith", "turkey")
    assert talks["ids"] == {1005, 1006} and talks["sources"] == 1
    assert aggregates(store, "turkey", "negotiatesWith", "russia") == []
    assert who(store, "?x negotiates-with russia") == {"turkey"}


def test_role_codes_give_sub_actors_part_of_their_state(handmade):
    store, _ = handmade
    assert who(store, "turkey-mil part-of ?x") == {"turkey"}
    assert who(store, "?x fights syria") == {"turkey-mil"}
    (part,) = aggregates(store, "turkey-mil", "partOf", "turkey")
    assert part["ids"] == {1007} and part["confidence"] == 1.0
    (sub,) = [a for a in store.actors() if a.id == "turkey-mil"]
    assert (sub.label, sub.type) == ("Military of Turkey", "MilitaryUnit")
    assert who(store, "syrian-government part-of ?x") == {"syria"}


def test_sources_are_the_articles_with_their_event_ids(handmade):
    store, _ = handmade
    sources = {s.id: s for s in store.sources()}
    article = sources[gdelt.source_id("https://example.org/news/russia-arms-damascus")]
    assert (article.title, article.publisher, str(article.date)) == ("example.org/news/russia-arms-damascus", "example.org", "2019-10-24")
    events = store.query("SELECT ?e ?s WHERE { ?s kgo:gdeltEventId ?e }", {"s": SOURCE[article.id]})
    assert {int(row.e) for row in events} == {1001}
    monitoring = sources[gdelt.source_id("BBC Monitoring")]
    assert monitoring.url is None and monitoring.title == "BBC Monitoring"
    assert who(store, "united-nations condemns ?x") == {"syria"}


def test_the_zipped_form_reads_the_same(store, tmp_path):
    archive = tmp_path / "20191024143000.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(HANDMADE, "20191024143000.export.CSV")
    assert gdelt.read(archive).assertions == gdelt.read(HANDMADE).assertions
    (report,) = load(store, [tmp_path])  # found in a folder by its name
    assert report.path == str(archive) and report.rows_read == 16


def test_a_broken_zip_is_one_clear_error(store, tmp_path):
    broken = write(tmp_path / "x.export.CSV.zip", "not a zip")
    with pytest.raises(KgError, match="not a readable zip file"):
        load(store, [broken])


def test_a_zip_of_an_empty_events_file_is_no_records(store, tmp_path):
    archive = tmp_path / "20191024143000.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("20191024143000.export.CSV", "\n")
    with pytest.raises(KgError, match=r"export.CSV.zip: no records: nothing to load"):
        load(store, [archive])


def test_only_deflate_zips_are_unzipped(store, tmp_path):
    """bzip2 and LZMA unzip a whole read at once, whatever it grows to: GDELT never uses them."""
    archive = tmp_path / "20191024143000.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_BZIP2) as z:
        z.write(HANDMADE, "20191024143000.export.CSV")
    with pytest.raises(KgError, match="20191024143000.export.CSV is compressed with method 12; GDELT zips use deflate"):
        load(store, [archive])


def test_the_unzip_caps_leave_real_files_alone_and_refuse_from_the_header(tmp_path, monkeypatch):
    archive = tmp_path / "20191024143000.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(REAL, "20191024143000.export.CSV")  # 855 kB, about 6 times its zipped size
    assert gdelt.read(archive).rows_read == 2111
    monkeypatch.setattr(gdelt.rows, "RATIO_FROM", 0)
    monkeypatch.setattr(gdelt.rows, "MAX_RATIO", 5)
    with pytest.raises(KgError, match=r"would unzip to 855,412 bytes, 6 times its zipped size"):
        gdelt.read(archive)


def test_other_names_need_the_format_and_other_gdelt_tables_are_left_alone(store, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(HANDMADE, folder / "events.tsv")
    write(folder / "20191024143000.mentions.CSV", "881990832\t20191024\n")
    with pytest.raises(KgError, match="no data files"):
        load(store, [folder])
    gdelt_report, curated = load(store, [folder, EXAMPLE_FILE], format="gdelt")  # YAML stays YAML
    assert gdelt_report.path.endswith("events.tsv") and gdelt_report.rows_read == 16
    assert curated.rows_read is None and curated.assertions == 26
    with pytest.raises(KgError, match="GDELT mentions or GKG table"):
        load(store, [folder / "20191024143000.mentions.CSV"])
    with pytest.raises(KgError, match="unknown format 'gdeltt'"):
        load(store, [folder], format="gdeltt")


@pytest.mark.parametrize(
    "line, field, message",
    [
        (10, "Actor2Code", "missing: the event has no actor 2"),
        (12, "Day", "'2019-10-22' is not a date written YYYYMMDD"),
        (13, None, "60 tab-separated columns; a GDELT 2.0 event row has 61"),
        (16, "EventCode", "'72' (base '72', root '72') is not a CAMEO event code"),
    ],
)
def test_strict_makes_a_malformed_row_an_error_and_writes_nothing(store, tmp_path, line, field, message):
    rows = HANDMADE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = write(tmp_path / "one.export.CSV", rows[0] + rows[line - 1])
    before = snapshot(store)
    with pytest.raises(KgError) as error:
        load(store, [path], strict=True)
    where = f"{path}:2: " + (f"{field}: " if field else "")
    assert str(error.value.message).startswith(where) and message in error.value.message
    assert snapshot(store) == before
    (report,) = load(store, [path])  # without --strict: skipped and counted
    assert sum(report.skipped.values()) == 1


def test_strict_still_counts_what_the_mapping_does_not_cover(store, tmp_path):
    rows = [line for n, line in enumerate(HANDMADE.read_text(encoding="utf-8").splitlines(), 1) if n not in (10, 12, 13, 16)]
    (report,) = load(store, [write(tmp_path / "well-formed.export.CSV", "\n".join(rows) + "\n")], strict=True)
    assert report.skipped == {"same actor": 1, "unmapped actor": 1, "unmapped event code": 1}


# -- the actor map ------------------------------------------------------------------------------


def test_a_user_map_sends_gdelt_actors_to_curated_ones(store):
    load(store, [EXAMPLE_FILE, HANDMADE], actor_map=USER_MAP)
    assert who(store, "turkey militarily-backs ?x") == {"sna"}  # SYRREB -> "Syrian National Army" -> sna
    assert [r["evidence"] for r in why(store, "turkey", "backs", "sna")] == ["curated", "curated", "GDELT"]
    assert "syria-reb" not in {a.id for a in store.actors()}
    assert gdelt.load_actor_map(USER_MAP).countries.get("USA") is None  # null removes an entry
    assert gdelt.load_actor_map().countries["USA"].id == "united-states"


def test_a_curated_alias_does_not_make_a_gdelt_id_ambiguous(store, tmp_path):
    curated = write(tmp_path / "c.yaml", "actors:\n  damascus-regime: {label: Damascus regime, type: Government, aliases: [Syria]}\n")
    load(store, [curated, HANDMADE])
    assert who(store, "turkey mediates ?x") == {"syria"}


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("codes:\n  SYRREB: nobody\n", 2, "unknown actor 'nobody'"),
        ("cods:\n  SYRREB: sna\n", 1, "did you mean 'codes'"),
        ("codes:\n  SYRREB: {id: syr-rebels, label: Rebels, type: Militia}\n", 2, "unknown actor type 'Militia'"),
        ("codes:\n  SYRREB: {id: syr-rebels, label: Rebels, type: ArmedGroup, part_of: XXX}\n", 2, "'XXX' maps to no other actor"),
        ("roles:\n  REB: {label: 'Rebels of {country}', type: ArmedGroup}\n", 2, "the only placeholder"),
        ("countries:\n  SYRIA: syria\n", 2, "not a CAMEO code"),
    ],
)
def test_actor_map_mistakes_name_the_map_file_and_line(store, tmp_path, text, line, message):
    path = write(tmp_path / "map.yaml", text)
    with pytest.raises(KgError) as error:
        load(store, [HANDMADE], actor_map=path)
    assert error.value.message.startswith(f"{path}:{line}: ") and message in error.value.message


def test_an_actor_map_without_gdelt_files_is_an_error(store):
    with pytest.raises(KgError, match="applies to GDELT event files only"):
        load(store, [EXAMPLE_FILE], actor_map=USER_MAP)


# -- RDF: valid, stable, readable back ----------------------------------------------------------


def gdelt_graph(store) -> Graph:
    graph = Graph()
    for iri in store.data_graphs():
        graph += store.dataset.graph(iri)
    return graph


def test_the_gdelt_graph_conforms_to_the_shapes(handmade):
    store, _ = handmade
    graph = gdelt_graph(store)
    assert shacl_violations(graph) == []
    statement = next(graph.subjects(KGO.eventCount, None))
    graph.set((statement, KGO.eventCount, Literal(99)))
    assert [v.message for v in shacl_violations(graph)] == ["the event count must equal the number of GDELT event ids"]


def test_loading_again_changes_nothing(handmade):
    store, _ = handmade
    before = snapshot(store)
    load(store, [HANDMADE])
    assert snapshot(store) == before


def test_event_evidence_reads_back_from_rdf(handmade):
    store, _ = handmade
    graph = gdelt_graph(store)
    doc = gdelt.read(HANDMADE)
    by_statement = {a.statement_id: a for a in doc.assertions}
    for node in set(graph.subjects(KGO.eventCount, None)):
        assertion = by_statement[str(node).rsplit("/", 1)[1]]
        assert event_evidence(graph, node) == assertion.events
        for source in graph.objects(node, PROV.wasDerivedFrom):
            assert source_events(graph, source)
    means = {graph.value(node, KGO.meanTone) for node in graph.subjects(KGO.eventCount, None)}
    assert Literal(Decimal("-8.25")) in means


def test_confidence_grows_with_independent_publishers():
    assert [gdelt.confidence(n) for n in (1, 2, 3, 4, 10)] == [0.5, 0.75, 0.875, 0.9, 0.9]
