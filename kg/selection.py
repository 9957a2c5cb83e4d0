"""Which claims a question looks at: one ``Selection`` for match, why, analyses, the map and exports.

A selection has two forms, written here side by side so that they select the same
assertions: a SPARQL one (``Selection.sparql``: the patterns and filters ``kg match`` and
``kg why`` add to their queries, values bound, never spliced) and a Python one
(``Selection.keeps``: the test ``kg.projection`` applies to the claims it has read).
``tests/test_selection.py`` checks that they agree, edges of the date intervals and
confidences equal to the minimum included.

An assertion holds from its ``valid_from`` (or, without one, from the date it was
reported) until its ``valid_until`` included (or, without one, for good).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.model import decimal_lexical
from kg.ontology import load_ontology


class Dated(Protocol):
    """What ``Selection.keeps`` reads of a claim (``kg.projection.Claim`` has it)."""

    relation: str  # forward name, e.g. "fights"
    confidence: float
    valid_until: dt.date | None

    @property
    def start(self) -> dt.date: ...


@dataclass(frozen=True)
class StatementFilter:
    """The SPARQL form of a selection for one statement variable: text and its bound values."""

    text: str
    bindings: dict[str, object]


@dataclass(frozen=True)
class Selection:
    """Which claims to look at. Empty fields select everything.

    ``relations`` names relations whose sub-relations count too (``backs`` keeps
    ``militarily-backs``); ``focus`` keeps the actors within ``depth`` claims of one actor
    (the projection applies it: it needs the selected claims as a whole).

    Examples
    --------
    >>> import datetime as dt
    >>> selection = Selection(dt.date(2020, 12, 31), 0.8, ("backs",))
    >>> sorted(selection.relation_names)
    ['backs', 'financially-backs', 'militarily-backs', 'politically-backs']
    >>> print(selection.sparql("?st", selection.relation_iris).text.splitlines()[1])
    ?st kgo:confidence ?st_c . FILTER(?st_c >= ?st_least)
    """

    as_of: dt.date | None = None
    min_confidence: float | None = None
    relations: tuple[str, ...] = ()  # relation names; sub-relations are included
    focus: str | None = None  # actor id, label or alias
    depth: int = 1
    #: Which stances count (kg.model.STANCES). Only asserted claims are facts: alleged ones
    #: join when asked for (``--stance asserted,alleged``); denied ones are listed by ``why``.
    stances: tuple[str, ...] = ("asserted",)

    @property
    def reads_statements(self) -> bool:
        """Whether a query must read the assertions themselves: the direct edges carry no
        dates, confidences or asserted relation."""
        return self.as_of is not None or self.min_confidence is not None or bool(self.relations)

    @cached_property
    def relation_iris(self) -> frozenset[URIRef]:
        """The chosen relations and every relation rolling up to them, in forward form
        (every relation when none is chosen). Unknown names raise ``KgError``."""
        ontology = load_ontology()
        if not self.relations:
            return frozenset(ontology.relations)
        chosen = (ontology.forward(ontology.relation(name, field="--relation"))[0] for name in self.relations)
        return frozenset(iri for relation in chosen for iri in ontology.narrower(relation.iri))

    @cached_property
    def relation_names(self) -> frozenset[str]:
        relations = load_ontology().relations
        return frozenset(relations[iri].name for iri in self.relation_iris)

    # -- the Python form --------------------------------------------------------------------------

    def keeps(self, claim: Dated) -> bool:
        """Whether the claim holds on ``as_of``, with at least ``min_confidence``, and is
        of a chosen relation (the focus aside)."""
        if self.as_of is not None and not (claim.start <= self.as_of and (claim.valid_until is None or self.as_of <= claim.valid_until)):
            return False
        if self.min_confidence is not None and claim.confidence < self.min_confidence:
            return False
        return not self.relations or claim.relation in self.relation_names

    # -- the SPARQL form --------------------------------------------------------------------------

    def sparql(self, statement: str, relations: Iterable[URIRef]) -> StatementFilter:
        """Patterns and filters keeping the statement nodes of ``statement`` (a variable, e.g.
        ``?st``) that this selection keeps and whose relation is one of ``relations`` (a
        pattern's relation and its sub-relations).

        Variables are named after ``statement`` (``?st_r``, ``?st_least``): give each
        statement of a query its own. Values are bound, never written into the text.
        """
        name = statement.removeprefix("?")
        bindings: dict[str, object] = {}

        def bind(suffix: str, value: object) -> str:
            bindings[f"{name}_{suffix}"] = value
            return f"?{name}_{suffix}"

        wanted = sorted(set(relations) & self.relation_iris)
        choices = ", ".join(bind(f"r{i}", iri) for i, iri in enumerate(wanted))
        lines = [f"{statement} kgo:relation {statement}_r . FILTER({statement}_r IN ({choices}))"]
        if self.min_confidence is not None:
            least = bind("least", Literal(decimal_lexical(self.min_confidence), datatype=XSD.decimal))
            lines.append(f"{statement} kgo:confidence {statement}_c . FILTER({statement}_c >= {least})")
        if self.as_of is not None:
            day = bind("day", Literal(self.as_of, datatype=XSD.date))
            lines += [
                f"{statement} kgo:dateReported {statement}_d .",
                f"OPTIONAL {{ {statement} kgo:validFrom {statement}_f }} OPTIONAL {{ {statement} kgo:validUntil {statement}_u }}",
                f"FILTER(COALESCE({statement}_f, {statement}_d) <= {day} && (!BOUND({statement}_u) || {statement}_u >= {day}))",
            ]
        return StatementFilter("\n".join(lines), bindings)
