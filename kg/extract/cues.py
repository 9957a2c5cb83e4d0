"""The cue dictionary (``kg/ontology/cues.yaml``) read into patterns ready to match.

The phrases are data, next to the ontology, in the tradition of the PETRARCH verb dictionaries;
this module only reads them: it expands ``back+`` into the forms of the word, splits each
pattern into items, checks every relation against the ontology and indexes the patterns by
the word they are anchored on, so matching a sentence looks at only the cues its words can start.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.errors import KgError
from kg.ontology import load_ontology, ontology_path
from kg.sources.safe_yaml import read_yaml

#: Relation slots: the subject (source) and the object (target) of the relation.
SUBJECT, OBJECT = "$", "+"
GAP = "..."
TOP_FIELDS = {"version", "negators", "denials", "accusations", "speech", "according", "hedges", "demonyms", "titles", "actor_types", "cues"}
CUE_FIELDS = {"rule", "patterns", "relation", "confidence", "mutual", "role", "voice"}
ROLES = {None, "mediation", "host"}


@dataclass(frozen=True)
class Slot:
    """``$`` or ``+``; ``possessive`` for ``$'s``, ``hyphen`` for ``$-backed`` (the word after
    the hyphen is then the next item)."""

    name: str
    possessive: bool = False
    hyphen: bool = False


@dataclass(frozen=True)
class Words:
    """A literal item: any one of ``forms`` (lower case)."""

    forms: frozenset[str]


Item = Slot | Words | str  # str: GAP


@dataclass(frozen=True)
class Pattern:
    text: str
    items: tuple[Item, ...]

    @property
    def anchor(self) -> int:
        """Index of the first literal item: where a match starts."""
        return next(i for i, item in enumerate(self.items) if isinstance(item, Words))

    @property
    def open_lead(self) -> bool:
        """Whether the slot before the anchor is found by the clause rules (``$ back+ +``)
        rather than next to the words (``+ , backed by $``, ``$'s proxy +``)."""
        lead = self.items[0]
        return isinstance(lead, Slot) and not (lead.possessive or lead.hyphen) and self.items[1] != Words(frozenset({","}))

    def slot(self, name: str) -> bool:
        return any(isinstance(item, Slot) and item.name == name for item in self.items)


@dataclass(frozen=True)
class Cue:
    rule: str
    patterns: tuple[Pattern, ...]
    relation: str  # the forward relation's name
    confidence: float
    mutual: bool = False
    role: str | None = None
    voice: str | None = None
    symmetric: bool = False


@dataclass
class Cues:
    """Everything ``cues.yaml`` holds, ready to match."""

    cues: list[Cue]
    negators: frozenset[str]
    denials: frozenset[str]
    accusations: frozenset[str]
    speech: frozenset[str]
    according: tuple[tuple[str, ...], ...]
    hedges: frozenset[str]
    demonyms: dict[str, tuple[str, ...]]
    titles: frozenset[str]
    actor_types: dict[str, str]  # a name's last word -> the actor type it suggests
    #: anchor word -> (cue, pattern) pairs anchored on it, longest pattern first.
    by_anchor: dict[str, list[tuple[Cue, Pattern]]] = field(default_factory=dict)


def forms(word: str) -> set[str]:
    """``back+`` -> back backs backed backing; ``a|b`` -> a, b; the regular English forms only
    (irregular ones are written out with ``|``).

    >>> sorted(forms("ally+")), sorted(forms("mediate+")), sorted(forms("met|meet"))
    (['allied', 'allies', 'ally', 'allying'], ['mediate', 'mediated', 'mediates', 'mediating'], ['meet', 'met'])
    """
    found: set[str] = set()
    for alternative in word.lower().split("|"):
        if not alternative.endswith("+"):
            found.add(alternative)
            continue
        stem = alternative[:-1]
        if stem.endswith("e"):
            found |= {stem, stem + "s", stem + "d", stem[:-1] + "ing"}
        elif stem.endswith("y") and stem[-2:-1] not in set("aeiou"):
            found |= {stem, stem[:-1] + "ies", stem[:-1] + "ied", stem + "ing"}
        elif stem.endswith(("s", "sh", "ch", "x", "z")):
            found |= {stem, stem + "es", stem + "ed", stem + "ing"}
        else:
            found |= {stem, stem + "s", stem + "ed", stem + "ing"}
    return found


def parse_pattern(text: str) -> Pattern:
    """Split a pattern into items.

    >>> [type(item).__name__ for item in parse_pattern("$-backed +").items]
    ['Slot', 'Words', 'Slot']
    >>> parse_pattern("$'s proxy+ +").items[0]
    Slot(name='$', possessive=True, hyphen=False)
    """
    items: list[Item] = []
    for part in text.replace(",", " , ").split():
        if part == GAP:
            items.append(GAP)
        elif part in (SUBJECT, OBJECT):
            items.append(Slot(part))
        elif part[:1] in (SUBJECT, OBJECT) and part[1:].startswith("'s"):
            items.append(Slot(part[0], possessive=True))
        elif part[:1] in (SUBJECT, OBJECT) and part[1:2] == "-":
            items += [Slot(part[0], hyphen=True), Words(frozenset(forms(part[2:])))]
        else:
            items.append(Words(frozenset(forms(part))))
    if not any(isinstance(item, Words) for item in items):
        raise KgError(f"cue pattern {text!r} has no word to start from", path=ontology_path("cues.yaml"))
    if any(isinstance(item, Slot) and item.hyphen for item in items[1:]):
        raise KgError(f"cue pattern {text!r}: a hyphened slot ($-backed) comes first", path=ontology_path("cues.yaml"))
    return Pattern(text, tuple(items))


def _words(values: object) -> frozenset[str]:
    return frozenset(form for value in values or () for form in forms(str(value)))


def _cue(record: dict) -> Cue:
    where = {"path": ontology_path("cues.yaml"), "field": str(record.get("rule", "cues"))}
    unknown = set(record) - CUE_FIELDS
    if unknown or not record.get("patterns") or record.get("role") not in ROLES:
        raise KgError(f"cue {record.get('rule')!r}: needs rule, patterns and relation; unknown fields {sorted(unknown)}", **where)
    ontology = load_ontology()
    relation, swapped = ontology.forward(ontology.relation(str(record["relation"]), **where))
    if swapped:
        raise KgError(f"cue {record['rule']!r}: write the forward relation ({relation.name}) and swap $ and +", **where)
    return Cue(
        rule=str(record["rule"]),
        patterns=tuple(parse_pattern(str(p)) for p in record["patterns"]),
        relation=relation.name,
        confidence=float(record.get("confidence", 0.7)),
        mutual=bool(record.get("mutual")),
        role=record.get("role"),
        voice=record.get("voice"),
        symmetric=relation.symmetric,
    )


def read_cues(path: str | Path) -> Cues:
    """The cues of a dictionary file in the format of ``kg/ontology/cues.yaml`` (its header
    explains it): a project's own phrases, or the shipped ones extended.

    Examples
    --------
    >>> cues = read_cues(ontology_path("cues.yaml"))
    >>> [(cue.relation, pattern.text) for cue, pattern in cues.by_anchor["proxies"]][:2]
    [('backs', "$'s proxy+ , +"), ('backs', "$'s proxy+ +")]
    """
    data = read_yaml(Path(path))
    if not isinstance(data, dict) or set(data) - TOP_FIELDS:
        unknown = sorted(set(data) - TOP_FIELDS) if isinstance(data, dict) else "not a mapping"
        raise KgError(f"a cue dictionary is a mapping of {', '.join(sorted(TOP_FIELDS))}; found {unknown}", path=str(path))
    cues = Cues(
        cues=[_cue(dict(record)) for record in data.get("cues") or ()],
        negators=frozenset(str(w).lower() for w in data.get("negators") or ()),
        denials=_words(data.get("denials")),
        accusations=_words(data.get("accusations")),
        speech=_words(data.get("speech")),
        according=tuple(tuple(str(phrase).lower().split()) for phrase in data.get("according") or ()),
        hedges=_words(data.get("hedges")),
        demonyms={str(k): tuple(v if isinstance(v, list) else [v]) for k, v in (data.get("demonyms") or {}).items()},
        titles=frozenset(str(w).lower() for w in data.get("titles") or ()),
        actor_types={str(word).lower(): kind for kind, words in (data.get("actor_types") or {}).items() for word in words},
    )
    index: dict[str, list[tuple[Cue, Pattern]]] = defaultdict(list)
    for cue in cues.cues:
        for pattern in cue.patterns:
            for word in pattern.items[pattern.anchor].forms:  # type: ignore[union-attr]
                index[word].append((cue, pattern))
    cues.by_anchor = {word: sorted(found, key=lambda pair: -len(pair[1].items)) for word, found in index.items()}
    return cues


@cache
def load_cues() -> Cues:
    """The shipped cue dictionary, read once per process.

    >>> sorted({cue.relation for cue in load_cues().cues if cue.rule.endswith("compound")})
    ['allied-with', 'arms', 'backs', 'funds', 'trains']
    """
    return read_cues(ontology_path("cues.yaml"))
