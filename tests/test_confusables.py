"""Look-alike names: UTS #39 skeletons and mixed scripts, and the warnings a load reports."""

from __future__ import annotations

import pytest

from kg import loader
from kg.confusables import TABLE, lookalikes, make_table, mixed_scripts, script_name, skeleton
from kg.loader import load
from kg.model import Actor, Where
from kg.store import open_store
from tests.conftest import EXAMPLE, EXAMPLE_FILE, write

CYRILLIC_A, CYRILLIC_E, CYRILLIC_O, ZERO_WIDTH_SPACE = "\u0430", "\u0435", "\u043e", "\u200b"


@pytest.mark.parametrize(
    "first, second",
    [
        ("Russia", "Russi" + CYRILLIC_A),
        ("paypal", "\u0440\u0430ypal"),  # Cyrillic er and a
        ("Al-Qaeda", "AI-Qaeda"),  # capital i for l
        ("Burma", "Burrna"),
        ("Russia", "Rus" + ZERO_WIDTH_SPACE + "sia"),  # default ignorable: dropped
        ("Caf\u00e9", "Cafe\u0301"),  # composed and decomposed
        ("Hezbollah", "Hezbo11ah"),
        ("Ελλάδα", "Ελλ\u03b1\u0301δα"),
    ],
)
def test_names_that_look_alike_have_one_skeleton(first, second):
    assert first != second and skeleton(first) == skeleton(second)


@pytest.mark.parametrize("first, second", [("Turkey", "Türkiye"), ("Russia", "Prussia"), ("Iran", "Iraq"), ("SDF", "SNA")])
def test_names_that_differ_visibly_do_not(first, second):
    assert skeleton(first) != skeleton(second)


def test_mixed_scripts_as_uts_39_resolves_them():
    assert mixed_scripts("Russi" + CYRILLIC_A) == ["Latn", "Cyrl"]
    assert [script_name(s) for s in mixed_scripts("Hezbollah حزب الله")] == ["Latin", "Arabic"]
    for single in ("Russia", "Россия", "حزب الله", "東京タワー", "서울特別市", "Ελλάδα", "Bashar al-Assad (2000–)", "Kurdistan 2.0", ""):
        assert mixed_scripts(single) == [], single


def test_the_shipped_table_is_unicodes():
    header = TABLE.read_text(encoding="utf-8").splitlines()[0]
    assert "confusables.txt 17.0.0" in header and "Scripts.txt" in header
    assert skeleton("\u0410\u0412\u0421") == "ABC" and skeleton("\u0391\u0392\u0395") == "ABE"  # Cyrillic, Greek capitals


def test_the_table_is_made_from_unicode_data_files(tmp_path):
    """The generator reads the real formats (here, a few lines of each file)."""
    files = {
        "confusables.txt": "# confusables.txt\n# Version: 99.0.0\n0430 ;\t0061 ;\tMA\t# ( а → a ) CYRILLIC\n",
        "Scripts.txt": "# Scripts-99.0.0.txt\n0041..005A    ; Latin # L&  [26]\n0430          ; Cyrillic # Ll\n0020 ; Common # Zs\n",
        "ScriptExtensions.txt": "# ScriptExtensions-99.0.0.txt\n0640          ; Adlm Arab Mand # Lm\n",
        "PropertyValueAliases.txt": "sc ; Latn ; Latin\nsc ; Cyrl ; Cyrillic\nsc ; Zyyy ; Common\nsc ; Arab ; Arabic\n",
        "DerivedCoreProperties.txt": "# DerivedCoreProperties-99.0.0.txt\n200B          ; Default_Ignorable_Code_Point # Cf\n",
    }
    for name, text in files.items():
        write(tmp_path / name, text)
    table = make_table(*(str(tmp_path / name) for name in files)).splitlines()
    assert "confusables.txt 99.0.0" in table[0] and "Scripts.txt 99.0.0" in table[0]
    assert "p\t0430\t0061" in table and "s\t0041\t005A\tLatn" in table and "s\t0640\t0640\tAdlm Arab Mand" in table
    assert "s\t0020\t0020\tZyyy" in table and "i\t200B\t200B" in table and "n\tCyrl\tCyrillic" in table


# -- warnings of a load ---------------------------------------------------------------------------

LOOKALIKES = (
    "id,label,type,aliases\n"
    f"fake-russia,Russi{CYRILLIC_A},State,\n"
    f"beta,Beta,ArmedGroup,Mosc{CYRILLIC_O}w|Beta Front\n"
    "gamma,Gamma,ArmedGroup,\n"
)


def test_a_load_warns_of_lookalike_and_mixed_script_names_and_loads_them(tmp_path):
    store = open_store(tmp_path / "store")
    assert load(store, [EXAMPLE_FILE])[0].warnings == []
    path = write(tmp_path / "actors.csv", LOOKALIKES)
    (report,) = load(store, [path])
    assert {"fake-russia", "beta", "gamma"} <= {actor.id for actor in store.actors()}  # a warning, not an error
    assert report.warnings == [
        f"{path}:2: actor 'fake-russia': label 'Russi{CYRILLIC_A}' mixes Latin and Cyrillic (U+0430 CYRILLIC SMALL LETTER A)",
        f"{path}:3: actor 'beta': alias 'Mosc{CYRILLIC_O}w' mixes Latin and Cyrillic (U+043E CYRILLIC SMALL LETTER O)",
        f"{path}:2: actor 'fake-russia': label 'Russi{CYRILLIC_A}' looks like 'Russia', the label of actor 'russia' "
        f"(in the store {tmp_path / 'store'}); they differ in U+0430 CYRILLIC SMALL LETTER A",
        f"{path}:3: actor 'beta': alias 'Mosc{CYRILLIC_O}w' looks like 'Moscow', the alias of actor 'russia' "
        f"(in the store {tmp_path / 'store'}); they differ in U+043E CYRILLIC SMALL LETTER O",
    ]
    store.close()


def test_lookalikes_within_one_load_are_warned_once_on_the_file_being_loaded(store, tmp_path):
    first = write(tmp_path / "a.yaml", "actors:\n  alqaeda: {label: Al-Qaeda, type: ArmedGroup}\n")
    second = write(tmp_path / "b.csv", f"id,label,type\naiqaeda,AI-Qaeda,ArmedGroup\nother,Rus{ZERO_WIDTH_SPACE}sia,State\n")
    reports = load(store, [first, second])
    assert reports[0].warnings == [
        f"{first}:2: actor 'alqaeda': label 'Al-Qaeda' looks like 'AI-Qaeda', the label of actor 'aiqaeda' ({second}:2); "
        "they differ in U+006C LATIN SMALL LETTER L"
    ]
    assert reports[1].warnings == []  # the other actor of the file is new: no Russia loaded yet
    (again,) = load(store, [EXAMPLE_FILE])  # now a name in the store looks like one being loaded
    assert again.warnings == [
        f"{EXAMPLE_FILE}:{_line_of('russia')}: actor 'russia': label 'Russia' looks like 'Rus\\u200bsia', the label of actor "
        f"'other' (in the store :memory:); they differ in U+200B ZERO WIDTH SPACE",
        f"{EXAMPLE_FILE}:{_line_of('russia')}: actor 'russia': 'Russia' is also a name of actor 'other' (in the store :memory:); "
        "a claim naming it must use the id",
    ]


def _line_of(actor_id: str) -> int:
    lines = EXAMPLE_FILE.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.strip().startswith(f"{actor_id}:") or f"id: {actor_id}" in line)


def test_the_same_name_for_two_actors_and_names_differing_in_case_are_not_lookalikes():
    """Names resolve ignoring case, and a name shared by two actors is already an error
    when a claim uses it: neither is a look-alike."""
    known = [Actor("syria", "Syria", "State", where=Where("st"))]
    new = [Actor("syrian-government", "Syrian government", "Government", ("Syria", "SYRIA", "Damascus"), where=Where("f.yaml", 3))]
    assert lookalikes({"f.yaml": new}, known) == {}


def test_the_examples_load_without_warnings(store):
    assert all(report.warnings == [] for report in load(store, [EXAMPLE, EXAMPLE.parent / "gdelt-2019-10-24"]))


def test_the_large_load_path_warns_too(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "BULK_ASSERTIONS", 0)
    store = open_store(tmp_path / "store")
    load(store, [EXAMPLE_FILE])
    text = f"actors:\n  x: {{label: Turkey, type: State}}\n  y: {{label: 'Turk{CYRILLIC_E}y', type: State}}\n"
    path = write(tmp_path / "actors.yaml", text)
    (report,) = load(store, [path])
    looks = f"{path}:3: actor 'y': label 'Turk{CYRILLIC_E}y' looks like 'Turkey', the label of actor"
    assert report.warnings == [
        f"{path}:3: actor 'y': label 'Turk{CYRILLIC_E}y' mixes Latin and Cyrillic (U+0435 CYRILLIC SMALL LETTER IE)",
        f"{looks} 'x' ({path}:2); they differ in U+0435 CYRILLIC SMALL LETTER IE",
        f"{looks} 'turkey' (in the store {tmp_path / 'store'}); they differ in U+0435 CYRILLIC SMALL LETTER IE",
        f"{path}:2: actor 'x': 'Turkey' is also a name of actor 'turkey' (in the store {tmp_path / 'store'}); "
        "a claim naming it must use the id",
    ]  # x, named Turkey like turkey, is no look-alike: the same name is an ambiguity, warned as such (an error where a claim uses it)
    store.close()


def test_many_lookalikes_are_capped(monkeypatch):
    monkeypatch.setattr("kg.confusables.MAX_WARNINGS", 3)
    known = [Actor(f"a{i}", f"Name {i}", "State", where=Where("st")) for i in range(6)]
    new = [Actor(f"b{i}", f"Name {i}".replace("e", "\u0435"), "State", where=Where("f.csv", i + 2)) for i in range(6)]
    warnings = lookalikes({"f.csv": new}, known)["f.csv"]
    assert len([w for w in warnings if "looks like" in w]) == 3 and warnings[-1] == "and 3 more pairs of look-alike names"


def test_kg_load_prints_the_warnings_on_stderr_and_succeeds(kg, tmp_path):
    assert kg("load", str(EXAMPLE_FILE)).exit_code == 0
    path = write(tmp_path / "actors.csv", LOOKALIKES)
    result = kg("load", str(path))
    assert result.exit_code == 0 and result.stdout.startswith(f"loaded {path}: 3 actors")
    lines = result.stderr.splitlines()
    assert len(lines) == 4 and all(line.startswith(f"warning: {path}:") for line in lines)
    assert f"label 'Russi{CYRILLIC_A}' looks like 'Russia', the label of actor 'russia'" in result.stderr
