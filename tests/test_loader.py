"""Loading: formats, aliases, named graphs per file, idempotence, replacement, drop, inference."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph

from kg.errors import KgError
from kg.loader import drop, drop_files, graph_iri, load
from kg.namespaces import ACTOR, KGO, STMT
from kg.query import match, why
from kg.store import open_store
from tests.conftest import EXAMPLE_FILE, snapshot, write

SMALL = """
sources:
  s1: {title: First report, date: 2021-01-02, url: "https://example.org/a"}
  s2: {title: Second report, date: 2021-02-03}
actors:
  alpha: {label: Alphaland, type: State, aliases: [The Alphas]}
  beta: {label: Beta Front, type: ArmedGroup}
  gamma: {type: State}
assertions:
  - {claim: alpha militarily-backs beta, source: s1, quote: "Alpha arms Beta."}
  - {claim: "'The Alphas' backs 'beta front'", source: s2, quote: "Alpha pays Beta.", confidence: 0.5}
  - {claim: gamma negotiates-with alpha, source: s1}
"""


def who(store, pattern: str, var: str = "x") -> set[str]:
    return {row[var] for row in match(store, [pattern])}


def test_aliases_labels_and_ids_resolve_case_insensitively(store, tmp_path):
    load(store, [write(tmp_path / "small.yaml", SMALL)])
    assert who(store, "?x backs BETA") == {"alpha"}
    assert who(store, "the alphas backs ?x") == {"beta"}
    assert who(store, "?x backed-by alphaland") == {"beta"}


def test_same_claim_from_two_sources_is_one_edge_two_statements(store, tmp_path):
    load(store, [write(tmp_path / "small.yaml", SMALL)])
    edges = list(store.dataset.triples((ACTOR.alpha, KGO.backs, ACTOR.beta)))
    assert len(edges) == 1
    assert {row["source"] for row in why(store, "alpha", "backs", "beta")} == {"s1", "s2"}


def test_inference_inverse_symmetry_roll_up(store, tmp_path):
    load(store, [write(tmp_path / "small.yaml", SMALL)])
    assert who(store, "?x militarily-backs beta") == {"alpha"}
    assert who(store, "?x backs beta") == {"alpha"}  # militarily-backs rolls up to backs
    assert who(store, "beta backed-by ?x") == {"alpha"}  # inverse
    assert who(store, "alpha negotiates-with ?x") == {"gamma"}  # symmetric
    # plain SPARQL sees the same (materialised), so other tools do too
    rows = store.query("SELECT ?x WHERE { ?x kgo:negotiatesWith actor:gamma }")
    assert {str(r.x) for r in rows} == {str(ACTOR.alpha)}


def test_loading_twice_changes_nothing(tmp_path):
    path = write(tmp_path / "small.yaml", SMALL)
    store = open_store(tmp_path / "st")
    load(store, [path])
    before = snapshot(store)
    load(store, [path])
    assert snapshot(store) == before


def test_reloading_a_changed_file_replaces_what_it_loaded(store, tmp_path):
    path = write(tmp_path / "small.yaml", SMALL)
    load(store, [path])
    write(path, SMALL.replace("alpha militarily-backs beta", "alpha fights beta"))
    load(store, [path])
    assert who(store, "?x militarily-backs beta") == set()
    assert who(store, "?x fights beta") == {"alpha"}
    assert who(store, "?x backs beta") == {"alpha"}  # still backed through s2


def test_each_file_is_a_named_graph_and_drop_removes_it(store, tmp_path):
    load(store, [EXAMPLE_FILE])
    alone = snapshot(store)
    path = write(tmp_path / "small.yaml", SMALL.replace("gamma negotiates-with alpha", "gamma opposes sna"))
    load(store, [path])
    assert graph_iri(path) in store.data_graphs()
    assert who(store, "?x opposes sna") == {"gamma"}  # references an actor of the other file
    drop(store, path)
    assert snapshot(store) == alone


def test_statement_iris_are_derived_from_content(store, tmp_path):
    load(store, [write(tmp_path / "a.yaml", SMALL)])
    first = {s for s in store.dataset.subjects() if str(s).startswith(str(STMT))}
    other = open_store(":memory:")
    load(other, [write(tmp_path / "b" / "a.yaml", SMALL)])
    assert {s for s in other.dataset.subjects() if str(s).startswith(str(STMT))} == first


def test_csv_rows_with_inline_sources(store, tmp_path):
    load(store, [EXAMPLE_FILE])
    csv_path = write(
        tmp_path / "claims.csv",
        "subject,relation,object,quote,date,confidence,source_title,source_url\n"
        'Tehran,backs,Syrian regime,"Iran, a key ally, backs Damascus.",2021-03-01,0.8,Wire story,https://example.org/w\n'
        "iran,opposes,islamic-state,,2021-03-02,,Wire story,https://example.org/w\n",
    )
    load(store, [csv_path])
    assert who(store, "?x backs syrian-government") == {"iran", "russia"}
    (row,) = why(store, "iran", "backs", "syrian-government")
    assert row["quote"] == "Iran, a key ally, backs Damascus." and row["url"] == "https://example.org/w"


def test_csv_actor_file(store, tmp_path):
    write(tmp_path / "d" / "actors.csv", "id,label,type,aliases\nhts,Hayat Tahrir al-Sham,ArmedGroup,HTS|Tahrir al-Sham\n")
    write(tmp_path / "d" / "claims.csv", "subject,relation,object,source_title,date\nHTS,fights,islamic-state,Report,2020-01-01\n")
    load(store, [EXAMPLE_FILE, tmp_path / "d"])
    assert who(store, "?x fights islamic-state") == {"hts", "turkey", "sna"}


def test_json_input(store, tmp_path):
    data = {
        "sources": [{"id": "j", "title": "JSON source", "date": "2022-05-05"}],
        "actors": [{"id": "x1", "label": "X One", "type": "Organization"}, {"id": "x2", "type": "Person"}],
        "assertions": [{"subject": "x2", "relation": "represents", "object": "X One"}],
    }
    load(store, [write(tmp_path / "data.json", json.dumps(data))])
    assert who(store, "?x represents x1") == {"x2"}


def data_triples(store) -> set[tuple]:
    """Every triple of the loaded files, whichever named graph it is in."""
    return {t for iri in store.data_graphs() for t in store.dataset.graph(iri)}


def test_rdf_export_loads_back_identically(example_store, tmp_path):
    graph = Graph()
    for triple in data_triples(example_store):
        graph.add(triple)
    for fmt, suffix in (("turtle", ".ttl"), ("nt", ".nt"), ("json-ld", ".jsonld")):
        path = tmp_path / f"export{suffix}"
        graph.serialize(path, format=fmt)
        again = open_store(":memory:")
        load(again, [path])
        assert data_triples(again) == data_triples(example_store), fmt


TRICKY = r"""
sources:
  s1: {title: "Report with \"quotes\", a back\\slash and ünïcödé", date: 2021-01-02, url: "https://example.org/a?b=1&c=2"}
  s2: {title: "Tab	inside", publisher: "Agence \"AFP\""}
actors:
  alpha: {label: "Alpha \"the first\"", type: State, aliases: ["Al\\pha", "Ålpha"], wikidata: Q159, description: "line one\nline two"}
  beta: {label: Beta Front, type: ArmedGroup}
  gamma: {label: Gamma, type: Organization}
assertions:
  - {claim: alpha militarily-backs beta, source: s1, quote: "He said \"arm them\" \\ now.", confidence: 0.00001}
  - {claim: "gamma mediates alpha, beta", sources: [s1, s2], date: 2021-03-04, valid_from: 2020-01-01, valid_until: 2022-01-01, note: n}
  - {claim: beta fights alpha, source: s2, date: 2021-03-05, confidence: 1}
"""


def test_large_load_path_stores_exactly_the_same_quads(tmp_path, monkeypatch):
    """Large loads write N-Triples text straight to the bulk loader instead of rdflib terms:
    the two encodings of the one layout must give the same store, escapes, datatypes and all."""
    from kg import loader
    from tests.conftest import EXAMPLE

    files = [EXAMPLE, EXAMPLE.parent / "gdelt-2019-10-24", write(tmp_path / "tricky.yaml", TRICKY)]
    usual = open_store(":memory:")
    load(usual, files)
    monkeypatch.setattr(loader, "BULK_ASSERTIONS", 0)
    streamed = open_store(tmp_path / "store")
    reports = load(streamed, files)
    assert snapshot(streamed) == snapshot(usual)
    assert sum(r.triples for r in reports) == len([q for q in snapshot(usual) if "file:" in q.rsplit(" ", 2)[-2]])
    assert not list((tmp_path / "store").glob("kg-load-*"))  # the N-Quads file is gone


def test_a_load_reads_only_the_store_sources_it_names(store, tmp_path):
    """A small load into a large store looks up the few sources it names, not all of them."""
    load(store, [write(tmp_path / "sources.csv", "id,title,date\ns1,First,2021-01-02\ns2,Second,2021-02-03\n")])
    assert [s.id for s in store.sources(["s2", "nope", "Not An Id", 'x" } ; DROP ALL'])] == ["s2"]
    assert store.sources([]) == []
    load(store, [write(tmp_path / "actors.csv", "id,label,type\na,A,State\nb,B,State\n")])
    load(store, [write(tmp_path / "claims.csv", "subject,relation,object,source\na,backs,b,s2\n")])
    assert [row["date"] for row in why(store, "a", "backs", "b")] == ["2021-02-03"]  # the date came from s2


# -- kg drop of several files: all or nothing -----------------------------------------------------


def test_dropping_several_files_is_all_or_nothing(tmp_path):
    store = open_store(tmp_path / "store")
    loaded = [write(tmp_path / "small.yaml", SMALL), write(tmp_path / "more.csv", "id,label,type\nzeta,Zeta,State\n")]
    load(store, loaded)
    before = snapshot(store)
    never = write(tmp_path / "never.csv", "id,label,type\neta,Eta,State\n")  # there, but never loaded
    with pytest.raises(KgError, match="not loaded.*nothing was dropped") as raised:
        drop_files(store, [loaded[0], never])
    assert raised.value.path == str(never)
    assert snapshot(store) == before  # small.yaml is still loaded
    assert drop_files(store, [*loaded, loaded[0]]) == [str(graph_iri(path)) for path in loaded]
    assert store.data_graphs() == []
    store.close()


def test_kg_drop_a_b_with_b_not_loaded_changes_nothing(kg, store_dir, tmp_path):
    a = write(tmp_path / "a.csv", "id,label,type\nzeta,Zeta,State\n")
    assert kg("load", str(a), str(EXAMPLE_FILE)).exit_code == 0
    before = snapshot(store_dir)
    result = kg("drop", str(a), str(tmp_path / "b.csv"))
    assert result.exit_code == 1 and "nothing was dropped" in result.stderr and str(tmp_path / "b.csv") in result.stderr
    assert "dropped" not in result.stdout
    assert snapshot(store_dir) == before
    result = kg("drop", str(a), str(EXAMPLE_FILE))
    assert result.exit_code == 0 and result.stdout == f"dropped {a}\ndropped {EXAMPLE_FILE}\n"


# -- a folder load stays inside the folder --------------------------------------------------------


def test_a_folder_load_refuses_a_link_to_a_file_outside_the_folder(store, tmp_path):
    secret = write(tmp_path / "elsewhere" / "secret.csv", "root:x:0:0:root:/root:/bin/bash\n")
    folder = tmp_path / "data"
    write(folder / "actors.csv", "id,label,type\nzeta,Zeta,State\n")
    (folder / "passwd.csv").symlink_to(secret)
    with pytest.raises(KgError) as raised:
        load(store, [folder])
    assert raised.value.path == str(folder / "passwd.csv")
    assert "outside the folder" in str(raised.value) and "root:x" not in str(raised.value)
    assert store.data_graphs() == []


def test_links_inside_the_folder_and_links_named_by_the_user_are_read(store, tmp_path):
    outside = write(tmp_path / "elsewhere" / "more.csv", "id,label,type\neta,Eta,State\n")
    (tmp_path / "elsewhere" / "sub").mkdir()
    write(tmp_path / "elsewhere" / "sub" / "hidden.csv", "id,label,type\ntheta,Theta,State\n")
    folder = tmp_path / "data"
    actors = write(folder / "actors.csv", "id,label,type\nzeta,Zeta,State\n")
    (folder / "again.csv").symlink_to(actors)  # inside the folder: the same file, read once
    (folder / "linked").symlink_to(tmp_path / "elsewhere" / "sub", target_is_directory=True)  # not followed
    named = tmp_path / "named.csv"
    named.symlink_to(outside)  # given on the command line: the user's choice
    reports = load(store, [folder, named])
    assert [r.path for r in reports] == [str(actors), str(named)]
    assert {a.id for a in store.actors()} == {"zeta", "eta"}


def test_kg_load_of_a_folder_with_a_link_out_is_one_error_line(kg, tmp_path):
    folder = tmp_path / "data"
    write(folder / "actors.csv", "id,label,type\nzeta,Zeta,State\n")
    (folder / "passwd.csv").symlink_to(write(tmp_path / "secret.csv", "root:x:0:0\n"))
    result = kg("load", str(folder))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {folder / 'passwd.csv'}: a symbolic link to a file outside the folder")
    assert "root:x" not in result.stderr
