"""kg extract: every hard case of issue 17 on a sentence written for it, and the round trip of a
draft through the real `kg load` and `kg why`.

The sentences are made up (they are about real actors, but none is taken from an article); the
known actors are a small cast of the kind an analyst's store holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.extract import Draft, extract, known_actors, new_source, read_cues
from kg.extract.text import sentences
from kg.loader import load
from kg.model import Actor

DATA = Path(__file__).parent / "data" / "extract"
SOURCE = new_source("Wire report", url="https://news.example.org/a/1", date="2024-03-05", publisher="Example Wire")


def actor(id: str, label: str, type: str, *aliases: str) -> Actor:  # noqa: A002
    return Actor(id, label, type, tuple(aliases))


CAST = [
    actor("iran", "Iran", "State", "Tehran"),
    actor("houthis", "Houthis", "ArmedGroup", "Ansar Allah", "Houthi rebels"),
    actor("hezbollah", "Hezbollah", "ArmedGroup"),
    actor("israel", "Israel", "State"),
    actor("hamas", "Hamas", "ArmedGroup"),
    actor("qatar", "Qatar", "State", "Doha"),
    actor("egypt", "Egypt", "State", "Cairo"),
    actor("ethiopia", "Ethiopia", "State", "Addis Ababa"),
    actor("eritrea", "Eritrea", "State", "Asmara"),
    actor("armenia", "Armenia", "State"),
    actor("azerbaijan", "Azerbaijan", "State", "Baku"),
    actor("uae", "United Arab Emirates", "State", "UAE", "Abu Dhabi"),
    actor("rsf", "Rapid Support Forces", "ArmedGroup", "RSF"),
    actor("saf", "Sudanese Armed Forces", "MilitaryUnit", "SAF", "Sudanese army"),
    actor("russia", "Russia", "State", "Moscow"),
    actor("ukraine", "Ukraine", "State", "Kyiv"),
    actor("united-states", "United States", "State", "US", "Washington"),
    actor("turkey", "Turkey", "State", "Ankara"),
    actor("sna", "Syrian National Army", "ArmedGroup", "SNA", "Ankara-backed rebels"),
    actor("ypg", "People's Protection Units", "ArmedGroup", "YPG"),
    actor("kazakhstan", "Kazakhstan", "State", "Astana"),
    actor("geneva-talks", "Geneva talks", "Process"),
    actor("un", "United Nations", "Organization", "UN"),
]


def claims(text: str, actors=CAST) -> list[tuple]:
    """(subject(s), relation, objects, stance, said_by) of each drafted claim."""
    draft = extract(text, actors, SOURCE)
    return [(_subjects(c), c.relation, c.objects, c.stance, c.said_by) for c in draft.claims]


def _subjects(claim) -> str | tuple[str, ...]:
    return (claim.subject, *claim.co_subjects) if claim.co_subjects else claim.subject


def test_x_backed_y():
    assert claims("The Iran-backed Houthis fired two missiles at a tanker on Monday.") == [
        ("iran", "backs", ("houthis",), "asserted", None)
    ]


def test_a_demonym_backs_like_its_country():
    assert claims("Clashes erupted after Egyptian-backed militias entered the town.") == []  # no known object
    assert claims("The Iranian-backed Hezbollah stayed out of the fighting.") == [("iran", "backs", ("hezbollah",), "asserted", None)]


def test_a_compound_inside_a_known_alias_still_says_who_backs():
    assert claims("The Ankara-backed rebels shelled a village overnight.") == [("turkey", "backs", ("sna",), "asserted", None)]


def test_y_comma_backed_by_x():
    assert claims("The Houthis, backed by Iran, have blockaded the strait for months.") == [
        ("iran", "backs", ("houthis",), "asserted", None)
    ]


def test_xs_proxy_y():
    assert claims("Israel struck positions held by Iran's proxy Hezbollah near the border.") == [
        ("iran", "backs", ("hezbollah",), "asserted", None)
    ]


def test_x_and_y_clashed():
    assert claims("Ethiopia and Eritrea clashed along their disputed border last week.") == [
        ("ethiopia", "clashes-with", ("eritrea",), "asserted", None)
    ]


def test_talks_between_x_and_y():
    assert claims("Talks between Armenia and Azerbaijan resumed on Tuesday.") == [
        ("armenia", "negotiates-with", ("azerbaijan",), "asserted", None)
    ]


def test_brokered_by_x():
    assert claims("A truce between Israel and Hamas was brokered by Qatar in November.") == [
        ("qatar", "mediates", ("israel", "hamas"), "asserted", None)
    ]


def test_mediated_by_x():
    assert claims("Negotiations between the RSF and the Sudanese army, mediated by the United States, stalled.") == [
        ("rsf", "negotiates-with", ("saf",), "asserted", None),
        ("united-states", "mediates", ("rsf", "saf"), "asserted", None),
    ]


def test_hosted_by_x():
    draft = extract("Talks between Armenia and Azerbaijan, hosted by Kazakhstan, ended without a deal.", CAST, SOURCE)
    assert [(c.subject, c.relation, c.objects, c.host) for c in draft.claims] == [
        ("armenia", "negotiates-with", ("azerbaijan",), "kazakhstan")
    ]


def test_joint_mediators():
    assert claims("Egypt and Qatar, which mediate between Israel and Hamas, proposed a new ceasefire plan.") == [
        (("egypt", "qatar"), "mediates", ("israel", "hamas"), "asserted", None)
    ]


def test_mediation_parties_in_the_sentence_before():
    text = "Armenia and Azerbaijan held talks in Abu Dhabi on Monday. The talks were mediated by Qatar."
    draft = extract(text, CAST, SOURCE)
    mediation = [c for c in draft.claims if c.relation == "mediates"]
    assert [(c.subject, c.objects) for c in mediation] == [("qatar", ("armenia", "azerbaijan"))]
    assert mediation[0].quote == text  # both sentences: the second alone names no party
    assert "sentence before" in mediation[0].note


def test_parties_are_not_taken_from_further_back():
    text = "Armenia and Azerbaijan held talks on Monday. Prices rose in the capital. The talks were mediated by Qatar."
    assert [c for c in claims(text) if c[1] == "mediates"] == []


def test_denied_arming():
    assert claims("Iran has repeatedly denied arming the Houthis.") == [("iran", "arms", ("houthis",), "denied", "iran")]


def test_refused_to_negotiate():
    assert claims("Russia refused to negotiate with Ukraine until the spring.") == [
        ("russia", "negotiates-with", ("ukraine",), "denied", "russia")
    ]


def test_did_not_back():
    assert claims("Egypt did not back the RSF during the siege.") == [("egypt", "backs", ("rsf",), "denied", None)]
    assert claims("Egypt no longer backs the RSF.") == [("egypt", "backs", ("rsf",), "denied", None)]
    assert claims("Egypt didn't arm the RSF.") == [("egypt", "arms", ("rsf",), "denied", None)]


def test_accused_x_of_backing_y():
    assert claims("The Sudanese army accused the UAE of arming the RSF.") == [
        ("saf", "condemns", ("uae",), "asserted", None),
        ("uae", "arms", ("rsf",), "alleged", "saf"),
    ]


def test_accused_by_x_of_arming_y():
    assert claims("The UAE has been accused by UN experts of supplying weapons to the RSF.") == [
        ("uae", "arms", ("rsf",), "alleged", "UN experts")
    ]


def test_according_to_x():
    assert claims("According to the UN, Iran funds the Houthis.") == [("iran", "funds", ("houthis",), "alleged", "un")]


def test_x_said():
    assert claims("Israel said that Iran trains Hezbollah fighters.") == [("iran", "trains", ("hezbollah",), "alleged", "israel")]
    assert claims("Iran funds Hezbollah, Israel said on Sunday.") == [("iran", "funds", ("hezbollah",), "alleged", "israel")]


def test_a_name_level_cue_stays_the_writers_own():
    found = claims("The Iran-backed Houthis attacked Israel, according to the UN.")
    assert ("iran", "backs", ("houthis",), "asserted", None) in found
    assert ("houthis", "fights", ("israel",), "alleged", "un") in found


def test_a_cue_word_inside_a_name_is_no_cue():
    assert claims("Egypt hosted envoys of the Rapid Support Forces in Cairo.") == []
    unknown = [Actor("egypt", "Egypt", "State")]  # the RSF unknown: a capitalised name still holds no cue
    assert claims("Egypt met the Rapid Support Forces in Cairo.", unknown)[0][1] == "negotiates-with"
    assert all(c[1] != "backs" for c in claims("Egypt met the Rapid Support Forces in Cairo.", unknown))


def test_the_nearest_actor_across_a_clause_boundary_is_not_a_party():
    assert claims("After a call with Turkey, the rebels attacked the YPG.") == []
    assert claims("Qatar hosted the envoys; Egypt brokered a truce between Israel and Hamas.") == [
        ("egypt", "mediates", ("israel", "hamas"), "asserted", None)
    ]


def test_an_actor_named_after_a_preposition_is_no_party():
    assert claims("Militias in Egypt backed by Iran attacked a border post.") == []
    assert claims("Fighters from Eritrea attacked Ethiopia.") == []
    assert claims("Iran has denied meddling in Egypt and instead accused Israel of aggression.") == [
        ("iran", "condemns", ("israel",), "asserted", None)
    ]


def test_an_object_after_a_possessive_is_what_it_owns():
    assert claims("Iran kept arming Yemen's Houthi rebels.") == [("iran", "arms", ("houthis",), "asserted", None)]
    assert claims("Iran kept arming Yemen's tribes.") == []


def test_a_second_verb_has_the_first_ones_subject_not_its_object():
    assert claims("Turkey attacked the YPG and backs the SNA.") == [
        ("turkey", "fights", ("ypg",), "asserted", None),
        ("turkey", "backs", ("sna",), "asserted", None),
    ]
    assert claims("Turkey attacked the YPG and Russia backs the SNA.")[1] == ("russia", "backs", ("sna",), "asserted", None)


def test_a_clause_without_its_own_subject_takes_the_sentences():
    assert claims("Iran, which backs Hezbollah, has also armed the Houthis.") == [
        ("iran", "backs", ("hezbollah",), "asserted", None),
        ("iran", "arms", ("houthis",), "asserted", None),
    ]


@pytest.mark.parametrize(
    ("sentence", "relation"),
    [
        ("Iran armed the Houthis throughout the war.", ("iran", "arms", "houthis")),
        ("Qatar has funded Hamas for a decade.", ("qatar", "funds", "hamas")),
        ("Russia trained the RSF in 2022.", ("russia", "trains", "rsf")),
        ("Egypt is allied with the Sudanese army.", ("egypt", "allied-with", "saf")),
        ("Israel fought Hezbollah in 2006.", ("israel", "fights", "hezbollah")),
        ("Egypt condemned Israel for the strike.", ("egypt", "condemns", "israel")),
    ],
)
def test_typed_relations(sentence, relation):
    assert [(c[0], c[1], c[2][0]) for c in claims(sentence)] == [relation]


def test_an_unknown_name_next_to_a_cue_is_proposed_never_merged():
    known = [*CAST, Actor("popular-mobilization-forces", "PMF", "ArmedGroup")]  # same id, other names
    draft = extract("Iran backs the Popular Mobilization Forces in Iraq.", known, SOURCE)
    assert [(a.id, a.label, a.type) for a in draft.actors] == [
        ("popular-mobilization-forces-new", "Popular Mobilization Forces", "ArmedGroup")
    ]
    assert [(c.subject, c.objects) for c in draft.claims] == [("iran", ("popular-mobilization-forces-new",))]
    assert "review" in draft.records()["actors"]["popular-mobilization-forces-new"]["description"]


def test_a_process_named_is_the_talks_process_not_a_party():
    draft = extract("Russia and Ukraine negotiated through the Geneva talks, along with Turkey.", CAST, SOURCE)
    found = {(c.subject, c.objects, c.process) for c in draft.claims}
    assert found == {
        ("russia", ("ukraine",), "geneva-talks"),
        ("russia", ("turkey",), "geneva-talks"),
        ("ukraine", ("turkey",), "geneva-talks"),
    }


def test_a_hedge_makes_a_claim_alleged_with_less_confidence():
    plain, hedged = extract("Iran armed the Houthis.", CAST, SOURCE), extract("Iran reportedly armed the Houthis.", CAST, SOURCE)
    assert (hedged.claims[0].stance, hedged.claims[0].said_by) == ("alleged", None)
    assert hedged.claims[0].confidence < plain.claims[0].confidence


def test_every_claim_quotes_its_sentence_and_names_its_rule():
    text = "Iran armed the Houthis. Talks between Armenia and Azerbaijan resumed."
    draft = extract(text, CAST, SOURCE)
    assert [c.quote for c in draft.claims] == ["Iran armed the Houthis.", "Talks between Armenia and Azerbaijan resumed."]
    assert [c.rule for c in draft.claims] == ["arms-verb", "talks-between"]
    assert all(c.rule in c.note for c in draft.claims)


def test_sentences_end_at_marks_not_at_abbreviations():
    text = 'Gen. Hemedti met U.S. envoys. "We agreed," he said.\nHeadline without a stop\nBody.'
    assert [s.text for s in sentences(text)] == [
        "Gen. Hemedti met U.S. envoys.",
        '"We agreed," he said.',
        "Headline without a stop",
        "Body.",
    ]


def test_hard_wrapped_lines_run_on():
    text = "Iran armed the Houthis, the\nUnited Nations said.\n"
    assert [s.text for s in sentences(text)] == ["Iran armed the Houthis, the United Nations said."]


def test_known_actors_from_a_store_and_a_file(example_store):
    found = {a.id for a in known_actors(example_store, [DATA / "actors.yaml"])}
    assert {"turkey", "sna", "hezbollah"} <= found


def test_a_cue_dictionary_of_ones_own(tmp_path: Path):
    path = tmp_path / "cues.yaml"
    path.write_text("cues:\n  - rule: shields\n    patterns: ['$ shield+ +']\n    relation: gives-safe-haven\n    confidence: 0.6\n")
    draft = extract("Qatar shielded Hamas leaders.", CAST, SOURCE, read_cues(path))
    assert [(c.subject, c.relation, c.objects, c.confidence) for c in draft.claims] == [("qatar", "gives-safe-haven", ("hamas",), 0.6)]


def test_a_cue_naming_no_relation_of_the_ontology_is_refused(tmp_path: Path):
    path = tmp_path / "cues.yaml"
    path.write_text("cues:\n  - rule: likes\n    patterns: ['$ like+ +']\n    relation: likes\n")
    with pytest.raises(KgError, match="unknown relation 'likes'"):
        read_cues(path)


def test_json_has_the_records_of_the_yaml():
    draft = extract("Iran armed the Houthis.", CAST, SOURCE)
    assert json.loads(draft.to_json()) == json.loads(json.dumps(draft.records()))


def test_a_web_page_is_read_for_its_article():
    from kg.extract.html import main_text

    page = (
        "<html><head><title>Truce holds</title></head><body><nav>World | Sport | Weather</nav><article>"
        "<h1>Truce holds</h1><p>A truce between Israel and Hamas, brokered by Qatar, held for a third day on "
        "Sunday, officials on both sides said.</p><p>Aid lorries crossed into the territory overnight.</p>"
        "</article><footer>Support our journalism</footer></body></html>"
    )
    text = main_text(page)
    assert "Sport" not in text and "Support our" not in text
    assert [(c.subject, c.relation, c.objects) for c in extract(text, CAST, SOURCE).claims] == [("qatar", "mediates", ("israel", "hamas"))]


# -- the round trip: extract -> kg load -> kg why ----------------------------------------------------


def draft_of_article() -> Draft:
    text = (DATA / "article.txt").read_text(encoding="utf-8")
    return extract(text, known_actors(files=[DATA / "actors.yaml"]), SOURCE)


def test_the_draft_loads_with_kg_load_and_why_shows_the_sentence(kg, tmp_path: Path):
    draft = draft_of_article()
    path = tmp_path / "draft.yaml"
    path.write_text(draft.to_yaml(), encoding="utf-8")
    result = kg("load", str(DATA / "actors.yaml"), str(path))
    assert result.exit_code == 0, result.output
    rows = json.loads(kg("why", "Tehran", "backs", "Houthis", "--format", "json").output)
    expected = "The Iran-backed Houthis have fired missiles at ships in the Red Sea since November."
    assert expected in [row["quote"] for row in rows]
    hosted = json.loads(kg("why", "armenia", "negotiates-with", "azerbaijan", "--format", "json").output)
    assert {row["host"] for row in hosted} == {"kazakhstan"}


def test_the_json_draft_loads_too(store, tmp_path: Path):
    path = tmp_path / "draft.json"
    path.write_text(draft_of_article().to_json(), encoding="utf-8")
    reports = load(store, [DATA / "actors.yaml", path])
    assert reports[-1].assertions == len(draft_of_article().claims) > 5
