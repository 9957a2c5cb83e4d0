"""Where a sentence names an actor: the known actors' labels and aliases, longest first, and the
capitalised names no known actor has (candidates for new actors, proposed only if a cue uses them).

A name is matched on whole tokens ignoring case, except that a text match must be capitalised
where the name is (``turkey`` the bird is not Turkey) and a short all-capitals name only
matches itself (``IS`` the group, never the verb ``is``; ``US``, never ``us``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg.extract.text import Token, tokenize
from kg.model import Actor

#: Lower-case words that may sit inside a capitalised name (Ministry of Defence, Mohammed bin Salman).
NAME_LINKS = {"of", "for", "al", "bin", "ibn", "el", "de", "la", "du", "von", "van"}
#: Capitalised words that do not make a name on their own (they are trimmed from a candidate's ends).
NOT_NAMES = {
    "the", "a", "an", "in", "on", "at", "by", "for", "with", "from", "to", "of", "it", "he", "she", "they", "we",
    "i", "this", "that", "these", "those", "his", "her", "its", "their", "our", "but", "and", "or", "after",
    "before", "since", "while", "although", "though", "when", "where", "meanwhile", "however", "earlier", "later",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "mr", "mrs", "ms",
    "dr", "follow", "read", "also", "there", "here", "now", "then", "today", "yesterday", "according", "as",
}  # fmt: skip


@dataclass(frozen=True)
class Mention:
    """Tokens ``start`` to ``end`` (exclusive) of a sentence naming an actor: a known one
    (``actor`` is its id) or a capitalised name no known actor has (``actor`` is None)."""

    start: int
    end: int
    actor: str | None
    text: str
    possessive: bool = False
    titled: bool = False  # a new name after an office title ("President ..."): a person

    @property
    def known(self) -> bool:
        return self.actor is not None


class NameIndex:
    """The known actors' labels and aliases as token sequences, to find them in a sentence.

    A name two actors share is left out: it could mean either, and a draft never guesses.
    """

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.actors = {actor.id: actor for actor in actors}
        owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
        written: dict[tuple[str, ...], str] = {}
        for actor in self.actors.values():
            for name in dict.fromkeys((actor.label, *actor.aliases)):
                keys = tuple(token.key for token in tokenize(name))
                if keys:
                    owners[keys].add(actor.id)
                    written.setdefault(keys, name)
        self._names: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
        for keys, ids in owners.items():
            if len(ids) == 1:
                self._names[keys[0]].append((keys, next(iter(ids)), written[keys]))
        for candidates in self._names.values():
            candidates.sort(key=lambda candidate: -len(candidate[0]))

    def lookup(self, name: str) -> str | None:
        """The actor a whole name means, if exactly one does."""
        keys = tuple(token.key for token in tokenize(name))
        return next((actor for found, actor, _ in self._names.get(keys[0], ()) if found == keys), None) if keys else None

    def match_at(self, tokens: tuple[Token, ...], i: int) -> Mention | None:
        """The longest known name starting at token ``i``."""
        key = tokens[i].key
        candidates = self._names.get(key, []) + (self._names.get(key[:-2], []) if key.endswith("'s") else [])
        for keys, actor, name in sorted(candidates, key=lambda c: -len(c[0])):
            end = i + len(keys)
            if end > len(tokens):
                continue
            last = tokens[end - 1].key
            possessive = last != keys[-1] and last == keys[-1] + "'s"
            if [t.key for t in tokens[i : end - 1]] == list(keys[:-1]) and (last == keys[-1] or possessive):
                if _case_fits(name, tokens[i:end]):
                    return Mention(i, end, actor, _surface(tokens[i:end]), possessive)
        return None


def _case_fits(name: str, tokens: tuple[Token, ...]) -> bool:
    text = "".join(t.text.replace(".", "") for t in tokens)
    bare = "".join(c for c in name if c.isalnum())
    if bare.isupper() and len(bare) <= 6:  # an acronym: only itself (IS, US, SNA)
        return text.removesuffix("'s") == bare
    return not any(c.isupper() for c in name) or any(c.isupper() for c in text)


def _surface(tokens: tuple[Token, ...]) -> str:
    return "".join(("" if t.joined or i == 0 else " ") + t.text for i, t in enumerate(tokens)).removesuffix("'s")


def find_mentions(tokens: tuple[Token, ...], index: NameIndex, demonyms: set[str], titles: frozenset[str] = frozenset()) -> list[Mention]:
    """The known actors a sentence names, then the capitalised names left over, left to right.

    A known name repeated in brackets right after itself ("People's Protection Units (YPG)")
    is one mention.
    """
    found: list[Mention] = []
    i = 0
    while i < len(tokens):
        mention = index.match_at(tokens, i)
        if mention is None:
            i += 1
            continue
        found.append(mention)
        i = mention.end
    found = _merge_brackets(tokens, found)
    taken = {i for m in found for i in range(m.start, m.end)}
    return sorted(found + _unknown_names(tokens, taken, demonyms, titles), key=lambda m: m.start)


def _merge_brackets(tokens: tuple[Token, ...], found: list[Mention]) -> list[Mention]:
    merged: list[Mention] = []
    for mention in found:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.actor == mention.actor
            and mention.start == last.end + 1
            and tokens[last.end].norm == "("
            and mention.end < len(tokens)
            and tokens[mention.end].norm == ")"
        ):
            merged[-1] = Mention(last.start, mention.end + 1, last.actor, last.text, mention.possessive)
        else:
            merged.append(mention)
    return merged


def _capital(token: Token) -> bool:
    return token.text[:1].isupper()


def _unknown_names(tokens: tuple[Token, ...], taken: set[int], demonyms: set[str], titles: frozenset[str]) -> list[Mention]:
    """Runs of capitalised words (with links such as "of" inside) that name no known actor.

    Trimmed of words that are no name (The, Sunday, President ...); a run of demonyms alone
    ("Turkish-Kurdish") is none; a single capitalised word opening the sentence is none (every
    sentence starts with one); a run glued by a hyphen to a lower-case word ("US-led") is none.
    """
    runs: list[Mention] = []
    i = 0
    while i < len(tokens):
        if i in taken or not _capital(tokens[i]) or not tokens[i].word:
            i += 1
            continue
        end = i + 1
        while end < len(tokens) and end not in taken:
            token = tokens[end]
            if _capital(token) and token.word or _links(tokens, end):
                end += 1
            else:
                break
        runs += _trimmed(tokens, i, end, demonyms, titles)
        i = end
    return runs


def _links(tokens: tuple[Token, ...], i: int) -> bool:
    """Whether token ``i`` links two parts of one name: "of", "bin", a hyphen ("el-Sisi")."""
    j = i
    while j < len(tokens) and j < i + 2 and (tokens[j].norm in NAME_LINKS or (tokens[j].norm == "-" and tokens[j].joined)):
        j += 1
    return j > i and j < len(tokens) and _capital(tokens[j])


def _trimmed(tokens: tuple[Token, ...], start: int, end: int, demonyms: set[str], titles: frozenset[str]) -> list[Mention]:
    while start < end and (tokens[start].norm in NOT_NAMES or tokens[start].norm in NAME_LINKS or tokens[start].norm == "-"):
        start += 1
    while end > start and (tokens[end - 1].norm in NOT_NAMES or tokens[end - 1].norm in NAME_LINKS or tokens[end - 1].norm == "-"):
        end -= 1
    start, titled = _after_title(tokens, start, end, demonyms, titles)
    words = [t for t in tokens[start:end] if t.word]
    if not words or all(t.text in demonyms for t in words):
        return []
    if len(words) == 1 and not any(t.word for t in tokens[:start]):
        return []
    if end < len(tokens) and tokens[end].norm == "-" and tokens[end].joined:
        return []  # "Hamas-led": the name is the modifier of what follows
    possessive = tokens[end - 1].key.endswith("'s")
    return [Mention(start, end, None, _surface(tokens[start:end]), possessive, titled)]


def _after_title(tokens: tuple[Token, ...], start: int, end: int, demonyms: set[str], titles: frozenset[str]) -> tuple[int, bool]:
    """Where a name starts after an office title and the demonym before it ("Egyptian President
    Abdel Fattah el-Sisi" -> "Abdel Fattah el-Sisi"), and whether there was a title."""
    i = start
    while i < end and tokens[i].text in demonyms:
        i += 1
    j = i
    while j < end and tokens[j].norm in titles:
        j += 1
    if j == i or j == end:  # no title, or nothing after it ("the Sudanese Army")
        return start, False
    return j, True
