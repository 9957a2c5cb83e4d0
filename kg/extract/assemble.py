"""From the cues matched in a sentence to proposed claims: who with whom, in which stance.

A group in a slot gives a claim per member; a symmetric relation over one group ("X and Y
clashed") a claim per pair; a mediation one joint claim whose parties, when the sentence
names none, are those of the sentence before ("The talks ..." refer back to it, and both
sentences are quoted). A process the sentence names (an actor of type Process, "the Astana
process") is the negotiation's or mediation's ``process``, not a party.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, replace

from kg.extract.clauses import Analysis, Group
from kg.extract.cues import Cue, Cues, Pattern
from kg.extract.matcher import Hit
from kg.extract.mentions import Mention, NameIndex
from kg.extract.text import Sentence
from kg.extract.voice import Voice, voice_of

#: Confidence factors: a subject taken from the sentence's subject, parties from the sentence before.
SENTENCE_SUBJECT, PARTIES_BEFORE = 0.9, 0.85
TALKS = {"mediates", "negotiates-with"}


@dataclass(frozen=True)
class Proposal:
    """A claim proposed by one cue, its actors still mentions (known or to be proposed)."""

    subjects: tuple[Mention, ...]  # one, or the mediators of a joint mediation
    relation: str
    objects: tuple[Mention, ...]
    quote: str
    sentence: int
    cue: Cue
    pattern: Pattern
    confidence: float
    voice: Voice
    notes: tuple[str, ...] = ()
    process: Mention | None = None
    host: Mention | None = None


@dataclass(frozen=True)
class Context:
    """What a sentence leaves for the next one: its text and the parties it names, if any."""

    sentence: Sentence
    parties: tuple[Mention, ...]


class Assembler:
    """Turns a sentence's hits into proposals, with the sentence before as context."""

    def __init__(self, cues: Cues, names: NameIndex) -> None:
        self.cues, self.names = cues, names

    def sentence(self, a: Analysis, hits: list[Hit], sentence: Sentence, before: Context | None) -> tuple[list[Proposal], Context]:
        """The claims of one sentence, and what it leaves for the next."""
        parties = self._parties(a, hits)
        found: list[Proposal] = []
        for hit in hits:
            found += self._claims(a, hit, sentence, parties, before)
        found = self._with_process(a, self._hosted(found))
        return found, Context(sentence, parties)

    def _is_process(self, mention: Mention) -> bool:
        actor = self.names.actors.get(mention.actor or "")
        return actor is not None and actor.type.lower() == "process"

    def _members(self, group: Group | None) -> tuple[Mention, ...]:
        return tuple(m for m in group.members if not self._is_process(m)) if group is not None else ()

    def _parties(self, a: Analysis, hits: list[Hit]) -> tuple[Mention, ...]:
        """The two or more sides a sentence names: "between X and Y", or the group of a
        symmetric cue ("X and Y clashed")."""
        for i, token in enumerate(a.tokens):
            if token.norm == "between":
                members = self._members(a.group_at(a.skip(i + 1, {"the", "a", "an"})))
                if len(members) >= 2:
                    return members
        for hit in hits:
            members = self._members(hit.objects or hit.subjects)
            if hit.cue.symmetric and hit.cue.role is None and len(members) >= 2:
                return members
        return ()

    def _claims(self, a: Analysis, hit: Hit, sentence: Sentence, parties: tuple[Mention, ...], before: Context | None) -> list[Proposal]:
        subjects, objects = self._members(hit.subjects), self._members(hit.objects)
        extension = a.extension(hit.anchor) if hit.how in ("clause", "sentence") else None
        subjects += self._members(extension)
        subject_end = hit.subjects.end if hit.subjects is not None and hit.how == "clause" else None
        voice = voice_of(a, self.cues, hit.anchor, subject_end, hit.cue.voice == "writer", hit.voice)
        notes = [f"kg extract rule {hit.cue.rule} ({hit.pattern.text})"]
        factor = voice.factor
        if hit.how == "sentence":
            notes.append("subject is the sentence's subject")
            factor *= SENTENCE_SUBJECT
        if extension is not None:
            notes.append(f"subject with {', '.join(m.text for m in extension.members)} (along with)")
        if voice.why:
            notes.append(voice.why)
        quote = sentence.text
        if hit.cue.role is not None and not objects:
            objects, quote, factor, notes = self._context_parties(parties, before, sentence, factor, notes)
        make = functools.partial(
            Proposal,
            relation=hit.cue.relation,
            quote=quote,
            sentence=sentence.number,
            cue=hit.cue,
            pattern=hit.pattern,
            confidence=round(hit.cue.confidence * factor, 2),
            voice=voice,
            notes=tuple(notes),
        )
        if hit.cue.role == "mediation":
            mediators = tuple(m for m in subjects if all(_differ(m, party) for party in objects))
            return [make(subjects=mediators, objects=objects)] if mediators and len(objects) >= 2 else []
        if hit.cue.role == "host":
            if not subjects or len(objects) < 2:
                return []
            pairs = [(x, y) for x, y in itertools.combinations(objects, 2) if _differ(x, y)]
            return [make(subjects=(x,), objects=(y,), host=subjects[0]) for x, y in pairs]
        return self._pairs(hit.cue, subjects, objects, make)

    def _context_parties(
        self, parties: tuple[Mention, ...], before: Context | None, sentence: Sentence, factor: float, notes: list[str]
    ) -> tuple[tuple[Mention, ...], str, float, list[str]]:
        """The parties of a mediation or hosted talks that name none: the sentence's own sides,
        else those of the sentence before (then both sentences are the quote)."""
        if parties:
            return parties, sentence.text, factor, notes
        if before is not None and before.parties:
            notes = [*notes, "parties named in the sentence before"]
            return before.parties, f"{before.sentence.text} {sentence.text}", factor * PARTIES_BEFORE, notes
        return (), sentence.text, factor, notes

    def _pairs(self, cue: Cue, subjects: tuple[Mention, ...], objects: tuple[Mention, ...], make) -> list[Proposal]:
        """A claim per subject and object, or per pair of one group; both ways if mutual."""
        if not objects or not subjects:
            group = subjects or objects
            pairs = list(itertools.combinations(group, 2))
        else:
            pairs = [(s, o) for s in subjects for o in objects]
        pairs = [(s, o) for s, o in pairs if _differ(s, o)]
        if cue.mutual:
            pairs += [(o, s) for s, o in pairs]
        return [make(subjects=(s,), objects=(o,)) for s, o in pairs]

    def _hosted(self, found: list[Proposal]) -> list[Proposal]:
        """A host named apart from the talks ("talks between X and Y, hosted by Z") is the
        host of the sentence's other negotiation claims, where there are any."""
        hosts = [p for p in found if p.cue.role == "host"]
        talks = [p for p in found if p.relation == "negotiates-with" and p.cue.role != "host"]
        if not hosts or not talks:
            return found
        host = hosts[0].host
        return [replace(p, host=host) if p in talks else p for p in found if p not in hosts or not _covered(p, talks)]

    def _with_process(self, a: Analysis, found: list[Proposal]) -> list[Proposal]:
        process = next((m for m in a.mentions if self._is_process(m)), None)
        if process is None:
            return found
        return [replace(p, process=process) if p.relation in TALKS else p for p in found]


def _differ(x: Mention, y: Mention) -> bool:
    return (x.actor or x.text) != (y.actor or y.text)


def _covered(hosted: Proposal, talks: list[Proposal]) -> bool:
    ends = {(hosted.subjects[0].actor, hosted.objects[0].actor)}
    return any({(t.subjects[0].actor, t.objects[0].actor), (t.objects[0].actor, t.subjects[0].actor)} & ends for t in talks)
