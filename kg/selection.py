"""Which claims a question looks at: one ``Selection`` for match, why, analyses, the map and exports.

A selection has two forms, written here side by side so that they select the same
assertions: a SPARQL one (``Selection.sparql``: the patterns and filters ``kg match`` and
``kg why`` add to their queries, values bound, never spliced) and a Python one
(``Selection.keeps``: the test ``kg.projection`` applies to the claims it has read).
``tests/test_selection.py`` checks that they agree, edges of the date intervals and
confidences equal to the minimum included.

An assertion holds from its ``valid_from`` (or, without one, from the date it was
reported) until its ``valid_until`` included (or, without one, for good). A partial date
covers its whole period: a claim valid from ``2023-05`` holds from 1 May 2023, one valid
until ``2023`` holds until 31 December 2023 (the store keeps the first day of the period
and its precision, ``kgo:validUntilPrecision``; see ``kg.model.last_day``).

Only the stances asked for count (``Selection.stances``; an assertion without
``kgo:stance`` is asserted): by default only asserted claims, the facts, as only they
make direct edges.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import KgError
from kg.model import STANCES, decimal_lexical
from kg.namespaces import KGO
from kg.ontology import load_ontology


class Dated(Protocol):
    """What ``Selection.keeps`` reads of a claim (``kg.projection.Claim`` has it)."""

    relation: str  # forward name, e.g. "fights"
    confidence: float
    valid_until: dt.date | None  # the LAST day it holds (a partial date's whole period)
    stance: str  # kg.model.STANCES

    @property
    def start(self) -> dt.date: ...


@dataclass(frozen=True)
class StatementFilter:
    """The SPARQL form of a selection for one statement variable: text and its bound values.

    ``required`` holds the patterns and every filter; ``optional`` the OPTIONAL patterns the
    filters read (stance, validity), for the caller to write after all its required
    patterns: an OPTIONAL between two of them makes Oxigraph evaluate the second apart
    (``kg why`` went from 5 to 100 ms at 100k claims). Filters apply to their whole group.
    """

    required: str
    optional: str
    bindings: dict[str, object]

    @property
    def text(self) -> str:
        """Everything, for a query reading only this statement."""
        return f"{self.required}\n{self.optional}"


@dataclass(frozen=True)
class Selection:
    """Which claims to look at. Empty fields select everything.

    ``relations`` names relations whose sub-relations count too (``backs`` keeps
    ``militarily-backs``); ``focus`` keeps the actors within ``depth`` claims of one actor
    (the projection applies it: it needs the selected claims as a whole).

    Examples
    --------
    >>> import datetime as dt
    >>> selection = Selection(dt.date(2020, 12, 31), 0.8, ("financially-backs",))
    >>> sorted(selection.relation_names)
    ['financially-backs', 'funds']
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

    def __post_init__(self) -> None:
        unknown = [stance for stance in self.stances if stance not in STANCES]
        if unknown or not self.stances:
            given = repr(unknown[0]) if unknown else "no stance"
            raise KgError(f"{given} is not a stance; use {', '.join(STANCES)}", field="--stance")

    @property
    def facts_only(self) -> bool:
        """Whether only asserted claims count: what the direct edges hold."""
        return set(self.stances) == {"asserted"}

    @property
    def reads_statements(self) -> bool:
        """Whether a query must read the assertions themselves: the direct edges carry no
        dates, confidences, stances or asserted relation, and stand only for asserted claims."""
        chosen = self.as_of is not None or self.min_confidence is not None or bool(self.relations)
        return chosen or not self.facts_only

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
        """Whether the claim holds on ``as_of``, with at least ``min_confidence``, is of a
        chosen relation and of a chosen stance (the focus aside)."""
        if claim.stance not in self.stances:
            return False
        if self.as_of is not None and not (claim.start <= self.as_of and (claim.valid_until is None or self.as_of <= claim.valid_until)):
            return False
        if self.min_confidence is not None and claim.confidence < self.min_confidence:
            return False
        return not self.relations or claim.relation in self.relation_names

    # -- the SPARQL form --------------------------------------------------------------------------

    def sparql(self, statement: str, relations: Iterable[URIRef], absent: Collection[URIRef] = ()) -> StatementFilter:
        """Patterns and filters keeping the statement nodes of ``statement`` (a variable, e.g.
        ``?st``) that this selection keeps and whose relation is one of ``relations`` (a
        pattern's relation and its sub-relations).

        ``absent`` names properties no statement of the store uses (``kgo:stance``,
        ``kgo:validUntilPrecision``), when the caller knows: the tests on them are left out,
        so data without stances or partial dates is read as fast as before they existed.

        Variables are named after ``statement`` (``?st_r``, ``?st_least``): give each
        statement of a query its own. Values are bound, never written into the text.
        """
        name = statement.removeprefix("?")
        bindings: dict[str, object] = {}

        def bind(suffix: str, value: object) -> str:
            bindings[f"{name}_{suffix}"] = value
            return f"?{name}_{suffix}"

        st = statement
        wanted = sorted(set(relations) & self.relation_iris)
        choices = ", ".join(bind(f"r{i}", iri) for i, iri in enumerate(wanted))
        lines = [f"{st} kgo:relation {st}_r . FILTER({st}_r IN ({choices}))"]
        if self.min_confidence is not None:
            least = bind("least", Literal(decimal_lexical(self.min_confidence), datatype=XSD.decimal))
            lines.append(f"{st} kgo:confidence {st}_c . FILTER({st}_c >= {least})")
        optional = []
        if self.as_of is not None:
            partial = KGO.validUntilPrecision not in absent
            lines.append(self._holding(st, bind, partial))
            precision = f" OPTIONAL {{ {st} kgo:validUntilPrecision {st}_up }}" if partial else ""
            optional += [f"OPTIONAL {{ {st} kgo:validFrom {st}_f }}", f"OPTIONAL {{ {st} kgo:validUntil {st}_u{precision} }}"]
        if KGO.stance not in absent:
            lines.append(self._stance(st, bind))
            optional.append(stated(st))
        elif "asserted" not in self.stances:  # every statement is asserted
            lines.append("FILTER(false)")
        return StatementFilter("\n".join(lines), "\n".join(optional), bindings)

    def _holding(self, statement: str, bind, partial: bool = True) -> str:
        """Holding on ``as_of``: started by then, and a ``valid_until`` whose period has not
        ended before it. The store keeps a partial date's first day, so a ``2023-05`` end
        holds on ``as_of`` when it is on or after the first day of ``as_of``'s month."""
        assert self.as_of is not None
        day = bind("day", Literal(self.as_of, datatype=XSD.date))
        st, until = statement, day
        if partial:
            month = bind("month", Literal(self.as_of.replace(day=1), datatype=XSD.date))
            year = bind("year", Literal(self.as_of.replace(month=1, day=1), datatype=XSD.date))
            period = f'COALESCE({st}_up, "day")'
            until = f'IF({period} = "year", {year}, IF({period} = "month", {month}, {day}))'
        return f"{st} kgo:dateReported {st}_d . FILTER(COALESCE({st}_f, {st}_d) <= {day} && (!BOUND({st}_u) || {st}_u >= {until}))"

    def _stance(self, statement: str, bind) -> str:
        """The chosen stances. ``{statement}_stated`` holds the stance; unbound, asserted (no
        ``kgo:stance``). No BIND: Oxigraph would then evaluate the rest of the query apart."""
        chosen = ", ".join(bind(f"s{i}", KGO[stance.capitalize()]) for i, stance in enumerate(self.stances))
        return f"FILTER(COALESCE({statement}_stated, kgo:Asserted) IN ({chosen}))"


def stated(statement: str) -> str:
    """The pattern reading the stance of ``statement`` (a variable, e.g. ``?st``) into
    ``{statement}_stated``: unbound, the statement is asserted (no ``kgo:stance``)."""
    return f"OPTIONAL {{ {statement} kgo:stance {statement}_stated }}"
