"""Who voices a claim, and whether it is asserted, alleged or denied (README "Data format").

The article's own statements are asserted. A claim is *denied* when a negation stands before its
cue in its clause ("did not back", "has never armed") or its cue is the complement of a denial
("X denied arming Y", "X refused to negotiate with Y": said_by X). It is *alleged* when someone
else's words carry it: "X accused Y of arming Z" (said_by X), "according to X", "X said (that)
...", "..., X said." (said_by X, or the words naming the speaker when no known actor does), or a
hedge ("reportedly"). A name-level cue ("Iran-backed X") is the writer's own description and
stays asserted whoever speaks in the rest of the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.extract.clauses import ARTICLES, SUBJECT_WORDS, Analysis, Group
from kg.extract.cues import Cues

#: Words that may stand between a denial and what it denies ("denied that it had ever armed").
DENIAL_GAP = {"to", "that", "it", "they", "he", "she", "having", "ever", "any", "been", "being", "had", "has", "have", "of",
              "the", "once", "repeatedly", "strongly", "flatly", "categorically"}  # fmt: skip
#: Words after a speech verb that do not make what it says: "..., the ministry said Sunday."
AFTER_SPEECH = {"on", "in", "late", "early", "last", "this", "today", "yesterday", "tonight", "week", "month", "statement",
                "a", "the", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "night",
                "morning", "evening", "afternoon", "reporters", "journalists"}  # fmt: skip
PRONOUNS = SUBJECT_WORDS - ARTICLES


@dataclass(frozen=True)
class Voice:
    """A claim's stance, who voices it (an actor id or words) and why, for the draft's note."""

    stance: str = "asserted"
    said_by: str | None = None
    why: str | None = None
    factor: float = 1.0  # on the cue's confidence ("reportedly": 0.8)


def accusation(a: Analysis, cues: Cues, trigger: int) -> tuple[Group, Voice] | None:
    """ "X accused Y of <cue>" and "Y is accused by Z of <cue>": the accused as the cue's
    subject, and the accuser as the one who voices the claim."""
    of = trigger - 1
    if of < 1 or a.tokens[of].norm != "of":
        return None
    accused = a.group_ending(of)
    if accused is not None:
        verb = a.skip_back(accused.start - 1, ARTICLES)
        if verb >= 0 and a.tokens[verb].norm in cues.accusations:
            accuser, _ = a.open_subject(verb)
            return accused, Voice("alleged", _id(accuser), f"alleged, accused by {_name(accuser)}" if accuser else "alleged, an accusation")
        return None
    for by in range(of - 1, max(of - 8, 0), -1):
        if a.tokens[by].norm == "by" and by > 0 and a.tokens[by - 1].norm in cues.accusations:
            subject, _ = a.open_subject(by - 1)
            speaker = a.group_at(a.skip(by + 1, ARTICLES))
            said_by = _id(speaker) if speaker is not None and speaker.end == of else _words(a, by + 1, of)
            return (subject, Voice("alleged", said_by, f"alleged, accused by {said_by}")) if subject is not None else None
    return None


def voice_of(a: Analysis, cues: Cues, trigger: int, subject_end: int | None, writer: bool, accused: Voice | None = None) -> Voice:
    """The stance of the claim whose cue is at token ``trigger`` (its subject ends at
    ``subject_end`` when it is in the cue's clause; ``accused``: the voice of an accusation
    whose complement the cue is)."""
    denied = _denial(a, cues, trigger)
    if denied is not None:
        return denied
    negated = _negation(a, cues, trigger, subject_end)
    if negated is not None:  # "X did not back Y, Z said": denied, said by Z
        speaker = None if writer else _according(a, cues) or _speech(a, cues, trigger)
        return negated if speaker is None else Voice("denied", speaker.said_by, f"{negated.why}; {speaker.why}")
    if accused is not None or writer:
        return accused or Voice()
    return _according(a, cues) or _speech(a, cues, trigger) or _hedge(a, cues, trigger) or Voice()


def _denial(a: Analysis, cues: Cues, trigger: int) -> Voice | None:
    start, _ = a.clause_span(trigger)
    i = trigger - 1
    while i >= start and (a.tokens[i].norm in DENIAL_GAP or i in a.in_mention):
        i -= 1
    if i >= start and a.tokens[i].norm in cues.denials:
        denier, _ = a.open_subject(i)
        return Voice("denied", _id(denier), f"denied ({a.tokens[i].text})")
    return None


def _negation(a: Analysis, cues: Cues, trigger: int, subject_end: int | None) -> Voice | None:
    start, _ = a.clause_span(trigger)
    words = [t.norm for t in a.tokens[max(start, subject_end or 0, trigger - 4) : trigger]]
    text = f" {' '.join(words)} "
    negated = any(w.endswith("n't") for w in words) or any(f" {negator} " in text for negator in cues.negators)
    if negated:
        return Voice("denied", None, "denied (a negation)")
    return None


def _according(a: Analysis, cues: Cues) -> Voice | None:
    norms = [t.norm for t in a.tokens]
    for phrase in cues.according:
        for i in range(len(norms) - len(phrase) + 1):
            if tuple(norms[i : i + len(phrase)]) == phrase:
                at = a.skip(i + len(phrase), ARTICLES)
                group = a.group_at(at)
                said_by = _id(group) if group is not None else _words(a, i + len(phrase), a.clause_span(at)[1])
                return Voice("alleged", said_by, f"alleged ({' '.join(phrase)} {said_by or ''})".replace(" )", ")"))
    return None


def _speech(a: Analysis, cues: Cues, trigger: int) -> Voice | None:
    """ "X said (that) <claim>" or "<claim>, X said": said_by X."""
    for v, token in enumerate(a.tokens):
        if token.norm not in cues.speech or not token.lower or v in a.in_mention:
            continue
        reports_after = _reports_after(a, v)
        if reports_after != (trigger > v):
            continue
        said_by = _speaker(a, v)
        return Voice("alleged", said_by, f"alleged ({token.text})")
    return None


def _reports_after(a: Analysis, v: int) -> bool:
    """Whether what a speech verb reports follows it ("said that ...") or precedes it ("..., X said.")."""
    _, end = a.clause_span(v)
    following = [t.norm for t in a.tokens[v + 1 : end] if t.word]
    if "that" in following[:6]:
        return True
    return len([w for w in following if w not in AFTER_SPEECH]) > 3


def _hedge(a: Analysis, cues: Cues, trigger: int) -> Voice | None:
    start, end = a.clause_span(trigger)
    hedge = next((t for t in a.tokens[start:end] if t.norm in cues.hedges), None)
    return Voice("alleged", None, f"alleged ({hedge.text})", 0.8) if hedge is not None else None


def _speaker(a: Analysis, v: int) -> str | None:
    """Who speaks: the actor before the speech verb in its clause, or after it when the verb
    opens the clause ('", said the ministry'), else the words before it ("a source from the
    defence ministry" told Reuters), unless they are a pronoun ("he"), which names no one."""
    start, _ = a.clause_span(v)
    speaker = a.nearest_before(v) or (a.group_at(a.skip(v + 1, ARTICLES)) if start == v else None)
    if speaker is not None:
        return _id(speaker)
    words = _words(a, start, v)
    return None if words is None or words.lower() in PRONOUNS else words


def _words(a: Analysis, start: int, end: int) -> str | None:
    text = " ".join(t.text for t in a.tokens[start:end] if t.norm not in {",", '"'}).strip()
    return text or None


def _id(group: Group | None) -> str | None:
    """The actor a one-member group names (its id, or the words of a name no actor has)."""
    if group is None:
        return None
    member = group.members[0]
    return member.actor or member.text


def _name(group: Group) -> str:
    return " and ".join(m.text for m in group.members)
