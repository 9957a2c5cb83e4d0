"""The draft ``kg extract`` writes: claims for an analyst to review, in the loader's own format.

``Draft.to_yaml()`` is a data file ``kg load`` accepts unchanged (README "Data format"): the
source, the proposed new actors and the claims, each quoting its sentence, with its stance,
who voices it, a confidence from its rule and a note naming that rule. New actors are
proposals: each says so in its description, with its type guessed, and none takes the id of a
known actor (a name is never merged with a known one behind the reviewer's back).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import yaml

from kg.extract.assemble import Proposal
from kg.extract.mentions import Mention, NameIndex
from kg.model import Source

HEADER = """\
# A draft by `kg extract`: review every claim before `kg load`. Each quotes the sentence it rests
# on; its note names the cue rule that fired (kg/ontology/cues.yaml) and why its stance is what
# it is. Delete what is wrong, fix what is close. New actors are proposals with a guessed type:
# check that none is a known actor under another name (then use that actor's id instead).
"""

#: Quotes and notes stay on one line each, as in the curated files (an editor wraps them).
WIDTH = 100_000


@dataclass(frozen=True)
class NewActor:
    """A capitalised name next to a cue that no known actor has, proposed for review."""

    id: str
    label: str
    type: str
    sentence: int  # number of the first sentence naming it (0-based)

    def record(self) -> dict:
        description = f"Proposed by kg extract (sentence {self.sentence + 1}); review: the type {self.type} is a guess."
        return {"label": self.label, "type": self.type, "description": description}


@dataclass(frozen=True)
class DraftClaim:
    """One proposed assertion, actors as ids (known or proposed)."""

    subject: str
    relation: str
    objects: tuple[str, ...]
    quote: str
    confidence: float
    rule: str
    note: str
    sentence: int
    stance: str = "asserted"
    said_by: str | None = None
    co_subjects: tuple[str, ...] = ()
    process: str | None = None
    host: str | None = None

    def record(self) -> dict:
        """The assertion in the loader's long form (empty fields left out)."""
        subject: str | list[str] = [self.subject, *self.co_subjects] if self.co_subjects else self.subject
        record = {"subject": subject, "relation": self.relation, "objects": list(self.objects), "quote": self.quote}
        optional = {"stance": None if self.stance == "asserted" else self.stance, "said_by": self.said_by}
        optional |= {"process": self.process, "host": self.host, "confidence": self.confidence, "note": self.note}
        return record | {key: value for key, value in optional.items() if value is not None}


@dataclass
class Draft:
    """What ``kg.extract.extract`` proposes from one article.

    ``source_defined``: the draft defines its source (else it names one already in the store).

    Examples
    --------
    >>> from kg.extract import extract, new_source
    >>> from kg.model import Actor
    >>> draft = extract("Qatar backs Hamas.", [Actor("qatar", "Qatar", "State")], new_source("Note", date="2024-01-02"))
    >>> print(draft.to_yaml().removeprefix(HEADER).strip())
    sources:
      note-2024-01-02:
        title: Note
        date: '2024-01-02'
    actors:
      hamas:
        label: Hamas
        type: Organization
        description: 'Proposed by kg extract (sentence 1); review: the type Organization is a guess.'
    defaults:
      source: note-2024-01-02
    assertions:
    - subject: qatar
      relation: backs
      objects: [hamas]
      quote: Qatar backs Hamas.
      confidence: 0.85
      note: kg extract rule backs-verb ($ back+ +)
    """

    source: Source
    actors: list[NewActor] = field(default_factory=list)
    claims: list[DraftClaim] = field(default_factory=list)
    sentences: int = 0
    source_defined: bool = True

    def records(self) -> dict:
        """The draft as the loader's sections: sources and actors keyed by id, defaults, assertions."""
        data: dict = {}
        if self.source_defined:
            data["sources"] = {self.source.id: _source_record(self.source)}
        if self.actors:
            data["actors"] = {actor.id: actor.record() for actor in self.actors}
        data["defaults"] = {"source": self.source.id}
        data["assertions"] = [claim.record() for claim in self.claims]
        return data

    def to_yaml(self) -> str:
        """The draft as a YAML data file for ``kg load``, with a header saying to review it."""
        body = yaml.dump(self.records(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDTH)
        return HEADER + "\n" + body

    def to_json(self) -> str:
        """The same records as JSON (``kg load`` reads a ``.json`` file of them too)."""
        return json.dumps(self.records(), indent=2, ensure_ascii=False)


class _Dumper(yaml.SafeDumper):
    """Writes every value out (the loader refuses YAML aliases, which a shared list would get),
    and lists of ids on one line: ``objects: [sna, ypg]``."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _ids(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(item, str) and len(item) < 60 for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _ids)


def _source_record(source: Source) -> dict:
    record = {"title": source.title, "publisher": source.publisher, "url": source.url}
    record |= {"date": source.date.isoformat() if source.date else None, "note": source.note}
    return {key: value for key, value in record.items() if value is not None}


def slug(text: str) -> str:
    """An id made of a name: lower case, words joined by ``-``.

    >>> slug("Rapid Support Forces"), slug("Hay'at Tahrir al-Sham")
    ('rapid-support-forces', 'hayat-tahrir-al-sham')
    """
    words = re.sub(r"['’]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-") or "actor"


def build(proposals: list[Proposal], names: NameIndex, source: Source, types: dict[str, str], sentences: int) -> Draft:
    """The draft of these proposals: unknown names become new actors, duplicates go."""
    draft = Draft(source, sentences=sentences)
    new: dict[str, NewActor] = {}
    taken = set(names.actors)

    def actor_id(mention: Mention, sentence: int) -> str:
        if mention.actor is not None:
            return mention.actor
        label = mention.text
        if label not in new:
            base = slug(label)
            candidate, n = base, 1
            while candidate in taken:
                n += 1
                candidate = f"{base}-new" if n == 2 else f"{base}-new-{n - 1}"
            taken.add(candidate)
            new[label] = NewActor(candidate, label, "Person" if mention.titled else guess_type(label, types), sentence)
        return new[label].id

    seen: set[tuple] = set()
    for p in proposals:
        subjects = [actor_id(m, p.sentence) for m in p.subjects]
        objects = tuple(actor_id(m, p.sentence) for m in p.objects)
        key = (tuple(subjects), p.relation, objects, p.voice.stance, p.voice.said_by, p.quote)
        if key in seen:
            continue
        seen.add(key)
        said_by = p.voice.said_by
        draft.claims.append(
            DraftClaim(
                subject=subjects[0],
                relation=p.relation,
                objects=objects,
                quote=p.quote,
                confidence=p.confidence,
                rule=p.cue.rule,
                note="; ".join(p.notes),
                sentence=p.sentence,
                stance=p.voice.stance,
                said_by=said_by,
                co_subjects=tuple(subjects[1:]),
                process=actor_id(p.process, p.sentence) if p.process else None,
                host=actor_id(p.host, p.sentence) if p.host else None,
            )
        )
    draft.actors = list(new.values())
    return draft


def guess_type(label: str, types: dict[str, str]) -> str:
    """The actor type a new name's last word suggests ("... Forces": ArmedGroup); else Organization."""
    words = label.lower().split()
    return types.get(words[-1], "Organization") if words else "Organization"
