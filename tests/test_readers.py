"""What the readers refuse in files a careless user writes: empty files, aliases that are no
names, keys longer than YAML allows; and the one context a JSON-LD file may name by IRI."""

from __future__ import annotations

import json

import pytest

from kg.errors import KgError
from kg.export import export_to
from kg.sources import Problems, read_document
from kg.sources.rdf_file import CONTEXT_IRI
from tests.conftest import EXAMPLE_FILE, snapshot, write

NO_RECORDS = "no records: nothing to load"

# -- empty files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.yaml", ""),
        ("blank.yaml", "  \n\n\t\n"),  # a tab: YAML's parser would call it a bad token
        ("comments.yaml", "# nothing yet\n"),
        ("null.yaml", "~\n"),
        ("sections.yaml", "sources: []\nactors: {}\nassertions:\n"),
        ("empty.json", ""),
        ("object.json", "{}"),
        ("empty.csv", ""),
        ("blank.csv", "\n \n"),
        ("header.csv", "subject,relation,object,source\n"),
        ("actors.csv", "id,label,type\n"),
        ("empty.ttl", ""),
        ("prefixes.ttl", "@prefix kgo: <https://w3id.org/actorgraph/ontology#> .\n"),
        ("empty.nt", ""),
        ("empty.jsonld", "{}"),
        ("20191024143000.export.CSV", ""),
        ("20191024150000.export.CSV", "\n\n"),
    ],
)
def test_a_file_with_no_records_is_refused_and_the_store_kept(kg, store_dir, tmp_path, name, text):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    before = snapshot(store_dir)
    empty = write(tmp_path / name, text)
    result = kg("load", str(empty))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {empty}: {NO_RECORDS}"), result.stderr
    assert snapshot(store_dir) == before


def test_a_loaded_file_truncated_to_nothing_keeps_what_it_loaded(kg, store_dir, tmp_path):
    copy = write(tmp_path / "ain-issa.yaml", EXAMPLE_FILE.read_text(encoding="utf-8"))
    assert "26 assertions" in kg("load", str(copy)).output
    before = snapshot(store_dir)
    copy.write_bytes(b"")  # a half-written file, say
    result = kg("load", str(copy))
    assert result.exit_code == 1 and NO_RECORDS in result.stderr and "kg drop" in result.stderr
    assert snapshot(store_dir) == before


def test_a_file_whose_records_are_all_bad_is_not_called_empty(tmp_path):
    bad = write(tmp_path / "bad.yaml", "actors:\n  a: {type: State, wikidata: nope}\n  b: {type: State, aliases: [[b]]}\n")
    problems = Problems(limit=10)
    assert read_document(bad, problems=problems).empty
    assert [(err.line, err.field) for err in problems.found] == [(2, "wikidata"), (3, "aliases")]


# -- aliases are names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("actors:\n  a:\n    type: State\n    aliases: [[a, b], {k: v}]\n", "alias 1 is a list, not a name"),
        ("actors:\n  a:\n    type: State\n    aliases: [ok, {k: v}]\n", "alias 2 is a mapping, not a name"),
        ("actors:\n  a:\n    type: State\n    aliases: {k: v}\n", "aliases are a name or a list of names, not a mapping"),
        ("actors:\n  a:\n    type: State\n    aliases: 42\n", "aliases are a name or a list of names, not 42 (int)"),
        ("actors:\n  a:\n    type: State\n    aliases: [Norway, no]\n", "alias 2 is False (bool), not a name (quote it"),
        ("actors:\n  a:\n    type: State\n    aliases: [~]\n", "alias 1 is empty, not a name"),
    ],
)
def test_each_alias_must_be_a_name_in_yaml(tmp_path, text, message):
    path = write(tmp_path / "aliases.yaml", text)
    with pytest.raises(KgError) as found:
        read_document(path)
    assert found.value.message.startswith(f"{path}:4: aliases: {message}"), found.value.message


def test_each_alias_must_be_a_name_in_json(tmp_path):
    text = '{\n  "actors": [\n    {"id": "a", "type": "State",\n     "aliases": [["a", "b"], {"k": "v"}]}\n  ]\n}\n'
    path = write(tmp_path / "aliases.json", text)
    with pytest.raises(KgError) as found:
        read_document(path)
    assert (found.value.path, found.value.line, found.value.field) == (str(path), 4, "aliases")
    assert "alias 1 is a list, not a name" in found.value.message


def test_each_alias_must_be_a_name_in_json_ld(tmp_path):
    document = {
        "@id": "https://w3id.org/actorgraph/actor/a",
        "@type": "https://w3id.org/actorgraph/ontology#State",
        "http://www.w3.org/2004/02/skos/core#altLabel": [{"http://www.w3.org/2000/01/rdf-schema#label": "not a name"}],
    }
    path = write(tmp_path / "aliases.jsonld", json.dumps(document))
    with pytest.raises(KgError) as found:
        read_document(path)
    assert found.value.field == "aliases" and "an alias (skos:altLabel) is a name, not a blank node" in found.value.message


def test_names_as_aliases_still_load(tmp_path):
    path = write(tmp_path / "ok.yaml", "actors:\n  a: {type: State, aliases: [\"no\", ' Two  words ']}\n  b: {type: State, aliases: one}\n")
    actors = {actor.id: actor.aliases for actor in read_document(path).actors}
    assert actors == {"a": ("no", "Two words"), "b": ("one",)}


# -- long keys ------------------------------------------------------------------------------------


def test_an_id_key_longer_than_yaml_allows_is_a_length_error_on_its_line(tmp_path):
    long_id = "a" * 1100
    document = {"sources": {"s": {"title": "T", "date": "2020-01-01"}}, "actors": {long_id: {"type": "State"}}}
    path = write(tmp_path / "long.json", json.dumps(document, indent=2))
    with pytest.raises(KgError) as found:
        read_document(path)
    assert found.value.message == (
        f"{path}:9: a key of 1,100 characters; keys in YAML and JSON data files are at most 1,024 characters, quotes included"
    )


def test_a_key_of_1024_characters_with_its_quotes_is_fine(tmp_path):
    document = {"sources": {"s": {"title": "T", "date": "2020-01-01"}}, "actors": {"a" * 1022: {"type": "State"}}}
    path = write(tmp_path / "long.json", json.dumps(document))
    assert [actor.id for actor in read_document(path).actors] == ["a" * 1022]
    path.write_text(json.dumps(document).replace("a" * 1022, "a" * 1023), encoding="utf-8")
    with pytest.raises(KgError, match="a key of 1,023 characters"):
        read_document(path)


def test_an_id_in_a_csv_cell_is_held_to_the_same_length_as_a_key(tmp_path):
    path = write(tmp_path / "actors.csv", "id,label,type\n" + "a" * 1023 + ",Long,State\n")
    with pytest.raises(KgError) as found:
        read_document(path)
    assert found.value.message == f"{path}:2: id: an id of 1,023 characters; ids are at most 1,022"


# -- JSON-LD contexts -----------------------------------------------------------------------------


def test_json_ld_may_name_the_project_context_by_its_iri(example_store, tmp_path):
    (inline,) = export_to(example_store, "json-ld", tmp_path / "inline.jsonld")
    document = json.loads(inline.read_text(encoding="utf-8"))
    document["@context"] = CONTEXT_IRI
    named = write(tmp_path / "named.jsonld", json.dumps(document))
    read = [read_document(path) for path in (inline, named)]
    assert [(doc.actors, doc.sources, doc.assertions) for doc in read] == [(read[0].actors, read[0].sources, read[0].assertions)] * 2
    assert len(read[1].assertions) == 26


def test_the_csv_samples_in_the_readme_load_as_documented(tmp_path, kg):
    """The README documents three CSV kinds by header; its sources and claims samples load."""
    import re

    from tests.conftest import ROOT

    blocks = re.findall(r"```csv\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    sources = next(block for block in blocks if block.startswith("id,title"))
    claims = next(block for block in blocks if block.startswith("subject,"))
    (tmp_path / "sources.csv").write_text(sources, encoding="utf-8")
    (tmp_path / "claims.csv").write_text(claims, encoding="utf-8")
    (tmp_path / "actors.csv").write_text("id,label,type,aliases\niran,Iran,State,Tehran\nsyria,Syria,Government,Syrian regime|Damascus\n")
    result = kg("load", str(tmp_path / "sources.csv"), str(tmp_path / "actors.csv"), str(tmp_path / "claims.csv"))
    assert result.exit_code == 0, result.output
    listed = kg("sparql", "SELECT ?p WHERE { source:reuters-2021-03-01 dcterms:publisher ?p }", "--format", "csv")
    assert listed.output.splitlines()[1:] == ["Reuters"]
