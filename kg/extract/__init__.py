"""``kg extract``: a news article's first draft of claims, each resting on its sentence.

A dictionary coder in the tradition of KEDS/TABARI and PETRARCH, offline and without models:
the article is split into sentences and tokens (``kg.extract.text``), the known actors' names
are found in each (``kg.extract.mentions``), the relation cues of ``kg/ontology/cues.yaml``
are matched (``kg.extract.matcher``) with clause rules for their subjects
(``kg.extract.clauses``), each claim gets its stance and who voices it
(``kg.extract.voice``), and the result is a draft in the loader's own format
(``kg.extract.draft``) for an analyst to review, edit and ``kg load``. A web page is first
reduced to its article by ``kg.extract.html`` (trafilatura, an optional extra).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

from kg.errors import KgError
from kg.extract.assemble import Assembler, Context
from kg.extract.clauses import Analysis
from kg.extract.cues import Cues, load_cues, read_cues
from kg.extract.draft import Draft, DraftClaim, NewActor, build, slug
from kg.extract.matcher import Matcher
from kg.extract.mentions import NameIndex, find_mentions
from kg.extract.text import sentences
from kg.model import Actor, Source
from kg.sources import read_document
from kg.store import Store

__all__ = ["Cues", "Draft", "DraftClaim", "NewActor", "extract", "known_actors", "load_cues", "new_source", "read_cues"]


def extract(text: str, actors: Iterable[Actor], source: Source | str | None = None, cues: Cues | None = None) -> Draft:
    """Draft the claims an article makes about the known ``actors``.

    Parameters
    ----------
    text
        The article as plain text (a paragraph a line, or blank lines between paragraphs).
    actors
        The actors whose ids, labels and aliases are looked for (``known_actors``).
    source
        The article's source: a ``Source`` the draft defines (``new_source``), or the id of one
        already in the store. Default: a source titled with the article's first line, dated today.
    cues
        A cue dictionary (``read_cues``); default: the shipped ``kg/ontology/cues.yaml``.

    Examples
    --------
    >>> from kg.model import Actor
    >>> known = [Actor("iran", "Iran", "State"), Actor("houthis", "Houthis", "ArmedGroup"),
    ...          Actor("saudi-arabia", "Saudi Arabia", "State")]
    >>> draft = extract("The Iran-backed Houthis clashed with Saudi Arabia. Iran denied arming the Houthis.",
    ...                 known, new_source("Wire story", date="2024-05-01"))
    >>> for claim in draft.claims:
    ...     print(claim.subject, claim.relation, *claim.objects, claim.stance, claim.said_by)
    iran backs houthis asserted None
    houthis clashes-with saudi-arabia asserted None
    iran arms houthis denied iran
    """
    cues = cues or load_cues()
    names = NameIndex(actors)
    matcher, assembler = Matcher(cues, names), Assembler(cues, names)
    verbs = frozenset(word for word in cues.by_anchor if word.isalpha()) | cues.speech
    demonyms = set(cues.demonyms)
    found, before = [], None
    split = sentences(text)
    for sentence in split:
        analysis = Analysis(sentence.tokens, find_mentions(sentence.tokens, names, demonyms, cues.titles), verbs)
        proposals, context = assembler.sentence(analysis, matcher.hits(analysis), sentence, before)
        found += proposals
        before = context if context.parties else Context(sentence, ())
    defined = not isinstance(source, str)
    if source is None:
        source = new_source(split[0].text[:200] if split else "article")
    elif isinstance(source, str):
        source = Source(source, source)
    draft = build(found, names, source, cues.actor_types, len(split))
    draft.source_defined = defined
    return draft


def new_source(
    title: str,
    url: str | None = None,
    date: str | dt.date | None = None,
    publisher: str | None = None,
    id: str | None = None,  # noqa: A002 - the CLI's --source
    note: str | None = None,
) -> Source:
    """A source for a draft: ``id`` by default the URL's site (or the title) and the date.

    Without a date, today's: the loader needs a date reported, and the note says to check it.

    >>> new_source("Talks resume", url="https://www.example.org/news/1", date="2024-05-01").id
    'example-2024-05-01'
    """
    try:
        when = dt.date.fromisoformat(date) if isinstance(date, str) else date
    except ValueError:
        raise KgError(f"{date!r} is not a date; write YYYY-MM-DD, e.g. 2020-12-29", field="date") from None
    if when is None:
        when = dt.date.today()
        note = note or "date: the day of extraction, not given; put the article's date"
    if id is None:
        host = urlparse(url).hostname if url else None
        stem = host.removeprefix("www.").split(".")[0] if host else slug(title)[:40].rstrip("-")
        id = f"{slug(stem)}-{when.isoformat()}"  # noqa: A001
    return Source(id=id, title=" ".join(title.split()), publisher=publisher, url=url, date=when, note=note)


def known_actors(store: Store | None = None, files: Iterable[str | Path] = ()) -> list[Actor]:
    """The actors a draft may name: those of the store and of actor files in the loader's formats.

    An actor a file defines replaces the store's of the same id.

    >>> [a.id for a in known_actors(files=["examples/sudan-2025/sudan-quad.yaml"])][:3]
    ['united-states', 'saudi-arabia', 'egypt']
    """
    found = {actor.id: actor for actor in store.actors()} if store is not None else {}
    for path in files:
        document = read_document(Path(path))
        if not document.actors:
            raise KgError("defines no actors (give a data file with an 'actors' section)", path=str(path))
        found |= {actor.id: actor for actor in document.actors}
    return list(found.values())
