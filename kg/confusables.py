"""Names that look alike: Unicode's confusable skeletons and mixed scripts (UTS #39).

``Russiа`` spelt with a Cyrillic ``а`` looks exactly like ``Russia``. Loaded beside it,
claims about one actor read as claims about the other. ``skeleton`` is UTS #39's
transform (section 4): two strings that look the same have the same skeleton.
``mixed_scripts`` applies its resolved script set (section 5.1): a name whose letters
come from scripts that no single writing system shares (Latin with Cyrillic; not
Japanese kanji with kana) is suspect on its own. ``lookalikes`` turns both into
warnings for a load.

The table ``confusables.tsv`` beside this file is made from Unicode's data files::

    python -m kg.confusables confusables.txt Scripts.txt ScriptExtensions.txt \\
        PropertyValueAliases.txt DerivedCoreProperties.txt > kg/confusables.tsv

(``confusables.txt`` from https://www.unicode.org/Public/security/latest/, the others
from https://www.unicode.org/Public/UCD/latest/ucd/). Its header names the versions.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.model import Actor

TABLE = Path(__file__).with_name("confusables.tsv")
#: Script_Extensions values standing for "any script" (UTS #39: they join every script).
ANY_SCRIPT = frozenset({"Zyyy", "Zinh"})
#: The writing systems that mix scripts by design (UTS #39 section 5.1, augmented sets).
AUGMENTED = {"Hani": {"Hanb", "Jpan", "Kore"}, "Hira": {"Jpan"}, "Kana": {"Jpan"}, "Hang": {"Kore"}, "Bopo": {"Hanb"}}
#: Pairs of look-alike names shown for one load at most: past that, one line says how many more.
MAX_WARNINGS = 100


@dataclass(frozen=True)
class Tables:
    prototypes: dict[int, str | None]  # code point -> its prototype (None: default ignorable, dropped)
    starts: list[int]  # script ranges: first code point of each, sorted
    ends: list[int]
    scripts: list[frozenset[str]]
    names: dict[str, str]  # Latn -> Latin


@functools.cache
def tables() -> Tables:
    """The table, read once per process (about 10 ms)."""
    prototypes: dict[int, str | None] = {}
    starts, ends, scripts, names = [], [], [], {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        kind, *fields = line.split("\t")
        if kind == "p":
            prototypes[int(fields[0], 16)] = "".join(chr(int(code, 16)) for code in fields[1].split())
        elif kind == "s":
            starts.append(int(fields[0], 16))
            ends.append(int(fields[1], 16))
            scripts.append(frozenset(fields[2].split()))
        elif kind == "i":
            for code in range(int(fields[0], 16), int(fields[1], 16) + 1):
                prototypes[code] = None
        elif kind == "n":
            names[fields[0]] = fields[1]
    return Tables(prototypes, starts, ends, scripts, names)


def skeleton(text: str) -> str:
    """UTS #39's skeleton: NFD, default ignorable code points removed, each character
    replaced by its prototype, NFD again. Equal skeletons: the strings look alike."""
    if not text.isascii():  # NFD leaves ASCII as it is: most names skip both
        text = unicodedata.normalize("NFD", text)
    mapped = text.translate(tables().prototypes)
    return mapped if mapped.isascii() else unicodedata.normalize("NFD", mapped)


def script_set(char: str) -> frozenset[str]:
    """A character's Script_Extensions (its Script where it has none); Zzzz if unassigned."""
    table, code = tables(), ord(char)
    at = bisect.bisect_right(table.starts, code) - 1
    return table.scripts[at] if at >= 0 and code <= table.ends[at] else frozenset({"Zzzz"})


def mixed_scripts(text: str) -> list[str]:
    """The scripts a string mixes (most used first), or [] if it is single-script in the
    sense of UTS #39: its letters' script sets, augmented for Han, kana and Hangul, meet.

    ``Russiа`` (Cyrillic ``а``) mixes Latin and Cyrillic; ``Bashar al-Assad``, ``東京タワー``
    and ``Hezbollah 2`` do not (digits, spaces and punctuation belong to every script).
    """
    if text.isascii():
        return []
    resolved: set[str] | None = None
    used: Counter[str] = Counter()
    for char in text:
        scripts = script_set(char)
        if scripts & ANY_SCRIPT:
            continue
        used[min(scripts)] += 1
        augmented = set(scripts).union(*(AUGMENTED.get(script, ()) for script in scripts))
        resolved = augmented if resolved is None else resolved & augmented
    if resolved is None or resolved:
        return []
    return [script for script, _ in used.most_common()]


def script_name(code: str) -> str:
    return tables().names.get(code, code).replace("_", " ")


# -- warnings for a load ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Name:
    actor: Actor
    field: str  # id, label or alias
    text: str
    document: str | None  # the file being loaded that defines the actor; None: the store

    @property
    def place(self) -> str:
        where = self.actor.where
        if self.document is None:
            return f"in the store {where.path}"
        return f"{where.path}:{where.line}" if where.line else where.path


def lookalikes(new: Mapping[str, Iterable[Actor]], known: Iterable[Actor]) -> dict[str, list[str]]:
    """Warnings about the names of the actors being loaded, by the file being loaded.

    ``new``: the actors of each file being loaded; ``known``: the store's. Warned: a label
    or alias that mixes scripts, and two different actors (in the files or the store)
    whose ids, labels or aliases have the same skeleton (as typed, or case-folded: names
    resolve ignoring case) but are not the same name. Each message names both actors and
    where each is defined. Names only: cheap for a load of a million assertions.
    """
    names = [name for document, actors in new.items() for actor in actors for name in _names(actor, document)]
    loading = {name.actor.id for name in names}
    names += [name for actor in known if actor.id not in loading for name in _names(actor, None)]
    warnings: dict[str, list[str]] = defaultdict(list)
    warned: set[tuple[str, str]] = set()
    for name in names:
        if name.document and name.field != "id" and (name.actor.id, name.text) not in warned and (scripts := mixed_scripts(name.text)):
            warned.add((name.actor.id, name.text))
            odd = _describe(c for c in name.text if not script_set(c) & {scripts[0], *ANY_SCRIPT})
            mixed = " and ".join(script_name(script) for script in scripts[:3])
            warnings[name.document].append(f"{name.place}: actor {name.actor.id!r}: {name.field} {shown(name.text)} mixes {mixed} ({odd})")
    pairs = _pairs(names)
    for first, second in pairs[:MAX_WARNINGS]:
        warnings[first.document].append(
            f"{first.place}: actor {first.actor.id!r}: {first.field} {shown(first.text)} looks like {shown(second.text)}, "
            f"the {second.field} of actor {second.actor.id!r} ({second.place}); they differ in {_difference(first.text, second.text)}"
        )
    if len(pairs) > MAX_WARNINGS:
        warnings[pairs[MAX_WARNINGS - 1][0].document].append(f"and {len(pairs) - MAX_WARNINGS} more pairs of look-alike names")
    return dict(warnings)


def _names(actor: Actor, document: str | None) -> list[_Name]:
    texts = [("label", actor.label), *(("alias", alias) for alias in actor.aliases), ("id", actor.id)]  # ids last: shown least
    return [_Name(actor, field, text, document) for field, text in texts]


def _pairs(names: list[_Name]) -> list[tuple[_Name, _Name]]:
    """Look-alike names of two different actors, at least one of them being loaded, a name
    being loaded first: once per pair of actors (labels and aliases before ids)."""
    groups: dict[str, list[_Name]] = defaultdict(list)
    for name in names:
        for key in {skeleton(name.text), skeleton(name.text.casefold())}:
            groups[key].append(name)
    pairs, seen = [], set()
    for group in groups.values():
        if len(group) < 2 or len({name.actor.id for name in group}) < 2:
            continue
        for first in sorted((name for name in group if name.document), key=lambda name: name.text.isascii()):  # the odd one first
            for second in group:
                actors = frozenset({first.actor.id, second.actor.id})
                if len(actors) == 2 and actors not in seen and first.text.casefold() != second.text.casefold():
                    seen.add(actors)
                    pairs.append((first, second))
    return pairs


def shown(text: str) -> str:
    """A name quoted for a terminal line: invisible and control characters as \\u escapes."""
    return "'" + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + "'"


def _difference(first: str, second: str) -> str:
    """The characters of ``first`` that ``second`` lacks (ignoring case), else the reverse."""
    odd = [c for c in first if c.casefold() not in second.casefold()] or [c for c in second if c.casefold() not in first.casefold()]
    return _describe(odd)


def _describe(chars: Iterable[str]) -> str:
    unique = list(dict.fromkeys(chars))
    described = [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in unique[:3]]
    return ", ".join(described) + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")


# -- making the table -----------------------------------------------------------------------------

_LINE = re.compile(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*([^#;]+?)\s*(?:;|#|$)")


def _ranges(path: str) -> list[tuple[int, int, str]]:
    """``first..last ; value`` lines of a Unicode data file."""
    found = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        if match := _LINE.match(line):
            first = int(match.group(1), 16)
            found.append((first, int(match.group(2) or match.group(1), 16), match.group(3)))
    return found


def _version(path: str) -> str:
    """``confusables.txt 17.0.0``: the file's name and the version its header states."""
    head = "\n".join(Path(path).read_text(encoding="utf-8-sig").splitlines()[:10])
    found = re.search(r"\d+\.\d+\.\d+", head)
    return f"{Path(path).name} {found.group() if found else '(no version)'}"


def make_table(confusables: str, scripts: str, extensions: str, aliases: str, derived: str) -> str:
    """The text of ``confusables.tsv`` from Unicode's data files (see the module's docstring)."""
    codes = {}
    for line in Path(aliases).read_text(encoding="utf-8").splitlines():
        fields = [field.strip() for field in line.split("#")[0].split(";")]
        if fields[0] == "sc" and len(fields) >= 3:
            codes[fields[2]] = fields[1]
    per_char: dict[int, str] = {}
    for first, last, value in _ranges(scripts):
        for code in range(first, last + 1):
            per_char[code] = codes[value]
    for first, last, value in _ranges(extensions):
        for code in range(first, last + 1):
            per_char[code] = " ".join(sorted(value.split()))
    out = [f"# Made by `python -m kg.confusables` from: {', '.join(_version(p) for p in (confusables, scripts, extensions, derived))}"]
    out += [f"n\t{code}\t{name}" for name, code in sorted(codes.items(), key=lambda item: item[1])]
    with open(confusables, encoding="utf-8-sig") as lines:
        for line in lines:
            fields = line.split("#")[0].split(";")
            if len(fields) >= 3:
                out.append(f"p\t{fields[0].strip()}\t{fields[1].strip()}")
    run: list = []
    for code in sorted(per_char):
        if run and code == run[1] + 1 and per_char[code] == run[2]:
            run[1] = code
            continue
        if run:
            out.append(f"s\t{run[0]:04X}\t{run[1]:04X}\t{run[2]}")
        run = [code, code, per_char[code]]
    out.append(f"s\t{run[0]:04X}\t{run[1]:04X}\t{run[2]}")
    for first, last, value in _ranges(derived):
        if value == "Default_Ignorable_Code_Point":
            out.append(f"i\t{first:04X}\t{last:04X}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(make_table(*sys.argv[1:6]))
