"""One sentence read for ``kg extract``: its actor mentions joined into groups ("X, Y and Z"),
its clauses, and the rules that find the subject a cue does not name next to itself.

Without a parser, clauses are cut at commas, semicolons, colons, brackets, quotation marks,
dashes and a few conjunctions (but, while, although ...). The subject of a cue is the nearest
actor before it *in its own clause*; a clause opened by which/who/that, or by a participle with
"by", refers to the actor just before it; a clause with no subject of its own ("..., has been
trying to broker a truce", "Although on opposite sides, X and Y ...") takes the sentence's
subject. Never merely the nearest actor of another clause.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.extract.mentions import Mention
from kg.extract.text import Token

MARKS = {",", ";", ":", "(", ")", "[", "]", '"'}
CONJUNCTIONS = {"but", "while", "whereas", "although", "though", "because"}
ARTICLES = {"the", "a", "an"}
RELATIVES = {"which", "who", "whom", "that"}
#: Words that open a clause with a subject of its own that names no actor ("the mediators", "he").
SUBJECT_WORDS = ARTICLES | {"he", "she", "it", "they", "we", "i", "this", "these", "those", "his", "her", "its", "their", "our",
                            "some", "many", "several", "officials", "there"}  # fmt: skip
#: Capitalised words that may open a clause without being its subject (In his comments, ...).
OPENERS = {"in", "on", "at", "after", "before", "during", "despite", "with", "without", "since", "as", "by", "for",
           "although", "though", "while", "when", "earlier", "later", "meanwhile", "also", "and", "then", "once"}  # fmt: skip
#: Finite verbs after "X and Y" that start a new clause when "X" is an object ("attacked X and Y said ...").
AUXILIARIES = {"has", "have", "had", "is", "are", "was", "were", "will", "would", "could", "can", "may", "might",
               "should", "must", "did", "does", "do"}  # fmt: skip
#: Verbs after which an actor is the subject of what is said, not an object ("said Y backs Z").
SPEECH = {"said", "say", "says", "told", "tells", "stated", "claimed", "added", "insisted", "warned", "announced"}
#: "between X and Y was ...": after a preposition, "X and Y" are one object whatever follows.
PREPOSITIONS = {"between", "with", "against", "from", "of", "by", "to", "for", "among", "alongside", "on", "at", "in", "near",
                "across", "into", "around", "inside", "within", "over", "under", "through"}  # fmt: skip
JOINERS = (("and",), ("or",), (",", "and"), (",", "or"), ("as", "well", "as"), ("along", "with"), ("together", "with"))
EXTENDERS = (("along", "with"), ("together", "with"), ("as", "well", "as"))


@dataclass(frozen=True)
class Group:
    """Mentions joined by "and", "or" and commas ("the US, Saudi Arabia and Egypt"): one slot."""

    members: tuple[Mention, ...]

    @property
    def start(self) -> int:
        return self.members[0].start

    @property
    def end(self) -> int:
        return self.members[-1].end


class Analysis:
    """A sentence's tokens, mention groups and clauses, with the subject rules."""

    def __init__(self, tokens: tuple[Token, ...], mentions: list[Mention], verbs: frozenset[str]) -> None:
        self.tokens = tokens
        self.mentions = mentions
        self.in_mention = {i: m for m in mentions for i in range(m.start, m.end)}
        self.groups = _groups(tokens, mentions, verbs)
        self._starting = {g.start: g for g in self.groups}
        self._ending = {g.end: g for g in self.groups}
        self.clause = _clauses(tokens, self.groups, self.in_mention)
        self._spans: dict[int, tuple[int, int]] = {}
        for i, number in enumerate(self.clause):
            start, _ = self._spans.get(number, (i, i))
            self._spans[number] = (start, i + 1)

    def group_at(self, i: int) -> Group | None:
        return self._starting.get(i)

    def group_ending(self, end: int) -> Group | None:
        return self._ending.get(end)

    def skip(self, i: int, words: set[str] | frozenset[str]) -> int:
        while i < len(self.tokens) and self.tokens[i].norm in words and i not in self.in_mention:
            i += 1
        return i

    def clause_span(self, i: int) -> tuple[int, int]:
        """First and last+1 token of the clause holding token ``i`` (a mark between clauses: itself)."""
        return self._spans[self.clause[i]] if self.clause[i] != -1 else (i, i + 1)

    def nearest_before(self, i: int) -> Group | None:
        """The nearest group before token ``i`` in its clause that is no preposition's object
        ("Iran, having denied meddling in Yemen, accused ...": Iran; "Militias in Syria backed
        ...": none)."""
        start, _ = self.clause_span(i)
        for group in sorted((g for g in self.groups if start <= g.start and g.end <= i), key=lambda g: -g.end):
            infinitive = any(t.norm == "to" for t in self.tokens[group.end : i])  # "called on X to stop ...": X
            if infinitive or not self.after_preposition(group):
                return group
        return None

    def after_preposition(self, group: Group) -> bool:
        before = self.skip_back(group.start - 1, ARTICLES)
        return before >= 0 and self.tokens[before].norm in PREPOSITIONS and self.tokens[before].lower

    def skip_back(self, i: int, words: set[str] | frozenset[str]) -> int:
        while i >= 0 and self.tokens[i].norm in words and i not in self.in_mention:
            i -= 1
        return i

    def opens_clause(self, group: Group) -> bool:
        start, _ = self.clause_span(group.start)
        return self.skip(self.skip(start, {"and", "both", "then"}), ARTICLES) == group.start

    def subject(self) -> Group | None:
        """The sentence's subject: the first group that opens a clause."""
        return next((g for g in self.groups if self.opens_clause(g)), None)

    def open_subject(self, trigger: int) -> tuple[Group | None, str]:
        """The subject of a cue at token ``trigger`` that is not next to it, and how it was found:
        "clause", "antecedent" (which/who/that, a participle with "by") or "sentence"."""
        near = self.nearest_before(trigger)
        if near is not None:
            verb = self._verb_of_object(near, trigger)
            return (near, "clause") if verb is None else self.open_subject(verb)
        start, _ = self.clause_span(trigger)
        first = self.skip(start, {"and", "then", "also"})
        word = self.tokens[first] if first < len(self.tokens) else None
        passive = first == trigger and trigger + 1 < len(self.tokens) and self.tokens[trigger + 1].norm == "by"
        if word is not None and (word.norm in RELATIVES or passive):
            return (self.group_ending(start - 1) if start > 0 else None), "antecedent"
        if word is None or word.norm in SUBJECT_WORDS or (word.text[:1].isupper() and word.norm not in OPENERS):
            return None, "clause"
        subject = self.subject()
        if subject is None or self.clause[subject.start] == self.clause[trigger]:
            return None, "clause"
        return subject, "sentence"

    def _verb_of_object(self, group: Group, trigger: int) -> int | None:
        """The verb whose object ``group`` is, when the cue at ``trigger`` is that verb's
        subject's second verb: "X criticised Y and accused Z" (X accused Z, not Y)."""
        verb = self.skip_back(group.start - 1, ARTICLES)
        if verb < 0 or not any(t.norm == "and" for t in self.tokens[group.end : trigger]):
            return None
        word = self.tokens[verb]
        objecting = word.lower and word.word and word.norm not in PREPOSITIONS | RELATIVES | CONJUNCTIONS | SPEECH | {"and", "or"}
        return verb if objecting else None

    def extension(self, trigger: int) -> Group | None:
        """ "..., along with Iran" right after the clause of ``trigger``: more members of its subject."""
        _, end = self.clause_span(trigger)
        if end >= len(self.tokens) or self.tokens[end].norm != ",":
            return None
        for words in EXTENDERS:
            at = end + 1
            if tuple(t.norm for t in self.tokens[at : at + len(words)]) == words:
                group = self.group_at(self.skip(at + len(words), ARTICLES))
                if group is not None and not any(t.word for t in self.tokens[group.end : self.clause_span(group.start)[1]]):
                    return group
        return None


def _groups(tokens: tuple[Token, ...], mentions: list[Mention], verbs: frozenset[str]) -> list[Group]:
    """Mentions joined into groups: "X and Y", "X, Y and Z" (commas only with a final "and" or
    "or": "X, Y's ally," is no list), never across a possessive or a new clause's verb."""
    groups: list[Group] = []
    i = 0
    while i < len(mentions):
        chain, last_and = [mentions[i]], 0
        while i + len(chain) < len(mentions):
            following = mentions[i + len(chain)]
            between = tuple(t.norm for t in tokens[chain[-1].end : following.start] if t.norm not in ARTICLES | {"both"})
            if between not in JOINERS + ((",",),) or chain[-1].possessive:
                break
            if between != (",",) and _new_clause(tokens, chain[0], following, verbs):
                break
            chain.append(following)
            if between != (",",):
                last_and = len(chain) - 1
        chain = chain[: last_and + 1]
        groups.append(Group(tuple(chain)))
        i += len(chain)
    return groups


def _new_clause(tokens: tuple[Token, ...], first: Mention, following: Mention, verbs: frozenset[str]) -> bool:
    """Whether "and Y" starts a new clause: Y is followed by a verb and X is an object."""
    after = tokens[following.end].norm if following.end < len(tokens) else ""
    i = first.start - 1
    while i >= 0 and tokens[i].norm in ARTICLES | {"both"}:
        i -= 1
    before = tokens[i].norm if i >= 0 else ","
    return (after in AUXILIARIES or after in verbs) and before not in MARKS | CONJUNCTIONS | PREPOSITIONS | {"both"}


def _clauses(tokens: tuple[Token, ...], groups: list[Group], in_mention: dict[int, Mention]) -> list[int]:
    """Each token's clause number; -1 for the marks and conjunctions between clauses."""
    inside = {i for g in groups for i in range(g.start, g.end)}
    numbers, number = [], 0
    for i, token in enumerate(tokens):
        dash = token.norm == "-" and not token.joined
        mark = token.norm in MARKS or dash or (token.norm in CONJUNCTIONS and token.lower)
        if mark and i not in inside and i not in in_mention:
            number += 1
            numbers.append(-1)
        else:
            numbers.append(number)
    return numbers
