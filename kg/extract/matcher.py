"""Cue patterns matched against one analysed sentence: which words fired, and the actors in
their slots.

A pattern is anchored on its first word (the index ``Cues.by_anchor``); its later items are
matched forward from there, skipping articles; its leading slot is either next to it (``Iran's
proxy``, ``Iran-backed``, ``X, backed by``) or found by the clause rules of
``kg.extract.clauses``. Where several patterns match at one word the longest wins, and a match
inside the words of a longer one ("support" in "sent troops to support") is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.extract.clauses import ARTICLES, Analysis, Group
from kg.extract.cues import GAP, Cue, Cues, Pattern, Slot, Words
from kg.extract.mentions import Mention, NameIndex
from kg.extract.voice import Voice, accusation

#: Words skipped before an object besides the demonyms and titles of the cue dictionary.
BEFORE_OBJECT = ARTICLES | {"his", "her", "its", "their", "both", "fellow", "'s"}
MAX_GAP = 5


@dataclass(frozen=True)
class Hit:
    """One pattern matched: its body's tokens, the anchor, and the groups in its slots."""

    cue: Cue
    pattern: Pattern
    start: int  # first token of the words matched (the lead slot excluded)
    end: int
    anchor: int
    subjects: Group | None
    objects: Group | None
    how: str  # how the subject was found: clause, antecedent, sentence, adjacent
    voice: Voice | None = None  # set when the frame itself says who voices it ("accused Y of")


class Matcher:
    """Matches the cue dictionary against sentences, resolving names with the known actors."""

    def __init__(self, cues: Cues, names: NameIndex) -> None:
        self.cues, self.names = cues, names
        self.skip_before_object = BEFORE_OBJECT | cues.titles | {d.lower() for d in cues.demonyms}

    def hits(self, a: Analysis) -> list[Hit]:
        found: list[Hit] = []
        for p, token in enumerate(a.tokens):
            for cue, pattern in self.cues.by_anchor.get(token.norm, ()):
                hit = self._match(a, cue, pattern, p)
                if hit is not None:
                    found.append(hit)
                    break
        return _outermost(found)

    def _match(self, a: Analysis, cue: Cue, pattern: Pattern, p: int) -> Hit | None:
        anchor_item = pattern.items[pattern.anchor]
        hyphen = pattern.anchor > 0 and isinstance(pattern.items[0], Slot) and pattern.items[0].hyphen
        if not self._word_fits(a, p, anchor_item, inside_names=hyphen):  # type: ignore[arg-type]
            return None
        body = self._forward(a, pattern.items, pattern.anchor + 1, p + 1, {}, hyphen_object=hyphen and p in a.in_mention)
        if body is None:
            return None
        end, slots = body
        if hyphen and p in a.in_mention:  # "Ankara-backed rebel groups": a name holding the cue
            slots["+"] = next(g for g in a.groups if g.start <= p < g.end)
        how, voice = "adjacent", None
        if pattern.anchor == 1:
            lead, how, voice = self._lead(a, pattern, p)
            if lead is None:
                return None
            slots[pattern.items[0].name] = lead  # type: ignore[union-attr]
        if not _complete(cue, pattern, slots):
            return None
        return Hit(cue, pattern, p, end, p, slots.get("$"), slots.get("+"), how, voice)

    def _word_fits(self, a: Analysis, i: int, item: Words, inside_names: bool = False) -> bool:
        if i >= len(a.tokens) or a.tokens[i].norm not in item.forms:
            return False
        token = a.tokens[i]
        first_word = not any(t.word for t in a.tokens[:i])
        return (token.lower or first_word) and (inside_names or i not in a.in_mention)

    def _forward(self, a: Analysis, items: tuple, k: int, i: int, slots: dict, hyphen_object: bool = False):
        """Match ``items[k:]`` from token ``i``: (end, slots) or None."""
        if k == len(items):
            return i, slots
        item = items[k]
        if isinstance(item, Words):
            j = i
            while not self._word_fits(a, j, item) and j < len(a.tokens) and a.tokens[j].norm in ARTICLES and item.forms != {","}:
                j += 1
            return self._forward(a, items, k + 1, j + 1, slots, hyphen_object) if self._word_fits(a, j, item) else None
        if item == GAP:
            for j in range(i, min(i + MAX_GAP, len(a.tokens)) + 1):
                if j > i and (a.clause[j - 1] == -1 or j - 1 in a.in_mention):
                    break
                found = self._forward(a, items, k + 1, j, slots, hyphen_object)
                if found is not None:
                    return found
            return None
        if hyphen_object:  # the object is the name holding the cue, filled by the caller
            return self._forward(a, items, k + 1, i, slots)
        group = a.group_at(self._skip_to_object(a, i)) or self._after_other_object(a, i)
        if group is not None and group.members[-1].possessive and not item.possessive:
            group = self._after_possessive(a, group)
        if group is None or (item.possessive and not group.members[-1].possessive):
            return None
        return self._forward(a, items, k + 1, group.end, {**slots, item.name: group})

    def _skip_to_object(self, a: Analysis, i: int) -> int:
        while i < len(a.tokens) and i not in a.in_mention and (a.tokens[i].norm in self.skip_before_object):
            i += 1
        return i

    def _after_possessive(self, a: Analysis, group: Group) -> Group | None:
        """The object after a possessive: "arming Yemen's Houthis" the Houthis; "met Qatar's emir"
        Qatar (whom the emir represents); "arming Iran's allies" none."""
        after = self._skip_to_object(a, group.end)
        return a.group_at(after) or (group if after > group.end and a.tokens[after - 1].norm in self.cues.titles else None)

    def _after_other_object(self, a: Analysis, i: int) -> Group | None:
        """The actors coordinated with an object that names none: "captured territory from
        Kurdish militias and the Islamic State group" has the Islamic State as an object."""
        for j in range(i, min(i + MAX_GAP, len(a.tokens))):
            token = a.tokens[j]
            if token.norm in ("and", "or") and j > i:
                return a.group_at(a.skip(j + 1, ARTICLES))
            if a.clause[j] == -1 or j in a.in_mention or not token.word or not (token.lower or token.text in self.cues.demonyms):
                return None
        return None

    def _lead(self, a: Analysis, pattern: Pattern, p: int) -> tuple[Group | None, str, Voice | None]:
        """The slot before the anchor: next to it, or by the clause rules."""
        slot: Slot = pattern.items[0]  # type: ignore[assignment]
        if slot.hyphen:
            return self._hyphen_subject(a, p), "adjacent", None
        if slot.possessive:
            group = a.group_ending(p)
            return (group if group is not None and group.members[-1].possessive else None), "adjacent", None
        if not pattern.open_lead:  # "+ , backed by $": the group right before the comma
            return a.group_ending(p), "adjacent", None
        if slot.name == "$":
            accused = accusation(a, self.cues, p)
            if accused is not None:
                return accused[0], "accused", accused[1]
            group, how = a.open_subject(p)
            return group, how, None
        group = a.group_ending(p)  # an object before its cue: next to it ("the Houthis backed by Iran")
        if group is None or a.after_preposition(group):
            group, how = a.open_subject(p)
            return (group if how == "antecedent" else None), how, None
        return group, "adjacent", None

    def _hyphen_subject(self, a: Analysis, p: int) -> Group | None:
        """X of "X-backed": a known name or a demonym ending at the hyphen, else a capitalised
        word (a new actor to propose). Looked up inside a longer name too (an alias
        "Ankara-backed rebel groups" still says that Ankara backs them)."""
        tokens = a.tokens
        if p < 2 or tokens[p - 1].norm != "-" or not tokens[p - 1].joined or not tokens[p].joined:
            return None
        end = p - 1
        for start in range(max(0, end - 5), end):
            actor = self.names.lookup(_text(tokens[start:end]))
            if actor is not None:
                return Group((Mention(start, end, actor, _text(tokens[start:end])),))
        word = tokens[end - 1]
        for name in self.cues.demonyms.get(word.text, ()):
            actor = self.names.lookup(name)
            if actor is not None:
                return Group((Mention(end - 1, end, actor, word.text),))
        if word.text[:1].isupper() and word.word and word.text not in self.cues.demonyms:
            return Group((Mention(end - 1, end, None, word.text),))
        return None


def _text(tokens) -> str:
    return "".join(("" if t.joined or i == 0 else " ") + t.text for i, t in enumerate(tokens))


def _complete(cue: Cue, pattern: Pattern, slots: dict) -> bool:
    """Whether the slots filled make a claim: both ends; one group of two or more for a
    symmetric or mutual relation; a mediator or host alone (the parties come later)."""
    subjects, objects = slots.get("$"), slots.get("+")
    if pattern.slot("$") and subjects is None or pattern.slot("+") and objects is None:
        return False
    if subjects is not None and objects is not None:
        return True
    if cue.role is not None:
        return subjects is not None or objects is not None
    group = subjects or objects
    return group is not None and (cue.symmetric or cue.mutual) and len(group.members) >= 2


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Drop a hit whose words lie inside another's ("support" in "sent troops to support")."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if not any(k.start <= hit.start and hit.end <= k.end and (k.start, k.end) != (hit.start, hit.end) for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)
