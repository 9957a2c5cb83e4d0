"""The ontology as data: relation names, inverses, symmetry, roll-up, families and actor types.

Everything the code knows about relations is read from ``ontology/kgo.ttl`` (shipped
as package data), so adding a sub-relation there is enough for the loader, ``match``,
inference, the analytics and the map to understand it. A relation *family* is a top
relation marked with ``kgo:sign`` (+1 cooperative, -1 hostile, 0 neither); every relation
rolls up to one, and the projection groups claims by it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import KgError
from kg.namespaces import KGO

#: The datasets whose codes a relation may carry besides CAMEO, and the property holding each.
CODE_SCHEMES = {"ESD": KGO.esdCode, "MMP": KGO.mmpCode, "ATOP": KGO.atopCode, "COW": KGO.cowCode}


def normalise(name: str) -> str:
    """Fold a user-typed name so that ``negotiates-with``, ``negotiatesWith`` and
    ``Negotiates with`` compare equal.

    Letters and digits of every script are kept: folding ``Россия`` or ``中国`` to nothing
    made every non-Latin name match whichever actor had one.
    """
    return re.sub(r"[\W_]", "", unicodedata.normalize("NFKC", name).casefold())


def odd_character(name: str) -> str | None:
    """The first character of a relation name that is not a letter, digit, ``-``, ``_`` or
    space (ASCII), if any.

    ``normalise`` drops every other character, so without this check ``!backs``, ``^backs``,
    ``backs+`` and ``backsé`` would all silently mean ``backs``: "not backs" answered with the
    backers. Property-path operators are not a syntax of relation names.
    """
    return next((c for c in name if not (c.isascii() and (c.isalnum() or c in "-_ "))), None)


def kebab(local_name: str) -> str:
    """``negotiatesWith`` -> ``negotiates-with``: the CLI spelling of a relation or type."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", local_name).lower()


@dataclass(frozen=True)
class Relation:
    """One relation of the ontology, with what inference needs to know about it."""

    iri: URIRef
    name: str  # CLI spelling, e.g. "backed-by"
    label: str
    comment: str
    inverse_of: URIRef | None  # set on the derived name (backedBy -> backs)
    inverse: URIRef | None  # set on the forward name (backs -> backedBy)
    symmetric: bool
    parents: tuple[URIRef, ...]  # every super-relation, nearest first
    cameo: tuple[str, ...]
    #: Codes of the datasets this relation corresponds to, other than CAMEO: (scheme, code) pairs
    #: such as ("ESD", "ext_w") or ("ATOP", "DEFENSE"), so that data can move between them.
    codes: tuple[tuple[str, str], ...] = ()
    #: Other words for it (skos:altLabel: "supports", "ally of"): not accepted as names, which
    #: would make data ambiguous, but used to suggest the relation a user meant.
    synonyms: tuple[str, ...] = ()
    sign: int | None = None  # set on a family: +1 cooperative, -1 hostile, 0 neither
    decides_camps: bool = False  # a family that says whether two actors are on one side

    @property
    def forward(self) -> bool:
        """Assertions are always stored with the forward relation (backs, not backed-by)."""
        return self.inverse_of is None


@dataclass(frozen=True)
class ActorType:
    iri: URIRef
    name: str  # local name, e.g. "ArmedGroup"
    label: str
    comment: str


class Ontology:
    """The parsed ontology graph plus lookup tables built from it once."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.relations = {iri: self._relation(iri) for iri in graph.subjects(RDF.type, KGO.Relation)}
        self.actor_types = {
            iri: ActorType(iri, iri.removeprefix(str(KGO)), self._text(iri, RDFS.label), self._text(iri, RDFS.comment))
            for iri in graph.subjects(RDFS.subClassOf, KGO.Actor)
        }
        self._relation_names = {normalise(r.name): r for r in self.relations.values()}
        self._relation_names.update({normalise(r.label): r for r in self.relations.values()})
        self._type_names = {normalise(t.name): t for t in self.actor_types.values()}
        self._type_names.update({normalise(t.label): t for t in self.actor_types.values()})
        self._edge_rules: dict[URIRef, tuple[tuple[URIRef, bool], ...]] = {}
        #: The relation families by name, in name order: the relations marked with kgo:sign.
        self.families = {r.name: r for r in sorted(self.relations.values(), key=lambda r: r.name) if r.sign is not None}

    def _text(self, iri: URIRef, prop: URIRef) -> str:
        return str(self.graph.value(iri, prop) or "")

    def _relation(self, iri: URIRef) -> Relation:
        g = self.graph
        parents = tuple(p for p in g.transitive_objects(iri, RDFS.subPropertyOf) if p != iri)
        sign = g.value(iri, KGO.sign)
        return Relation(
            iri=iri,
            name=kebab(iri.removeprefix(str(KGO))),
            label=self._text(iri, RDFS.label),
            comment=self._text(iri, RDFS.comment),
            inverse_of=g.value(iri, OWL.inverseOf),
            inverse=g.value(predicate=OWL.inverseOf, object=iri),
            symmetric=(iri, RDF.type, OWL.SymmetricProperty) in g,
            parents=parents,
            cameo=tuple(sorted(str(c) for c in g.objects(iri, KGO.cameoCode))),
            codes=tuple((scheme, str(c)) for scheme, prop in CODE_SCHEMES.items() for c in sorted(g.objects(iri, prop))),
            synonyms=tuple(sorted(str(word) for word in g.objects(iri, SKOS.altLabel))),
            sign=None if sign is None else int(sign),
            decides_camps=(iri, KGO.decidesCamps, Literal(True)) in g,
        )

    def relation(self, name: str, **where: object) -> Relation:
        """Look a relation up by its CLI name, label or IRI local name; ``where`` locates errors."""
        odd = odd_character(name)
        if odd is not None:
            allowed = "letters, digits, '-', '_' and spaces, e.g. negotiates-with"
            raise KgError(f"relation {name!r}: {odd!r} is not allowed in a relation name ({allowed})", **where)  # type: ignore[arg-type]
        found = self._relation_names.get(normalise(name))
        if found is None:
            known = sorted(r.name for r in self.relations.values())
            raise KgError(f"unknown relation {name!r}{self._suggest_relation(name)} (known: {', '.join(known)})", **where)  # type: ignore[arg-type]
        return found

    def _suggest_relation(self, name: str) -> str:
        """``; did you mean 'backs'?`` for ``support``: the closest of every relation's name,
        label and synonyms, answered with the relation's name (``""`` when none is close).

        Examples
        --------
        >>> load_ontology()._suggest_relation("support"), load_ontology()._suggest_relation("ally")
        ("; did you mean 'backs'?", "; did you mean 'allied-with'?")
        """
        words = {}
        for relation in sorted(self.relations.values(), key=lambda r: r.name):
            for word in (*relation.synonyms, relation.label, relation.name):  # the name wins a tie
                words[normalise(word)] = relation.name
        close = difflib.get_close_matches(normalise(name), list(words), n=1, cutoff=0.6)
        return f"; did you mean {words[close[0]]!r}?" if close else ""

    def looks_like_relation(self, name: str) -> bool:
        """Whether ``name`` would name a relation but for characters that are not allowed in one
        (``!backs``): a claim splitter can then report the character instead of failing to
        find the relation."""
        return odd_character(name) is not None and normalise(name) in self._relation_names

    def actor_type(self, name: str, **where: object) -> ActorType:
        """Look an actor type up by its class name or label (``ArmedGroup``, ``armed group``)."""
        found = self._type_names.get(normalise(name))
        if found is None:
            known = sorted(t.name for t in self.actor_types.values())
            raise KgError(f"unknown actor type {name!r}{_suggest(name, known)}", **where)  # type: ignore[arg-type]
        return found

    def forward(self, relation: Relation) -> tuple[Relation, bool]:
        """The forward relation a name stands for, and whether subject and object swap."""
        if relation.inverse_of is None:
            return relation, False
        return self.relations[relation.inverse_of], True

    def family(self, relation: Relation) -> Relation:
        """The family a relation rolls up to: ``fights`` -> ``opposes``, ``backed-by`` -> ``backs``.

        Examples
        --------
        >>> ontology = load_ontology()
        >>> ontology.family(ontology.relation("fights")).name, ontology.family(ontology.relation("backed-by")).sign
        ('opposes', 1)
        """
        forward, _ = self.forward(relation)
        for iri in (forward.iri, *forward.parents):
            if self.relations[iri].sign is not None:
                return self.relations[iri]
        raise KgError(f"relation {relation.name!r} rolls up to no relation family (a relation with kgo:sign)")

    def sign(self, family: str) -> int:
        """A family's sign by name: +1 cooperative, -1 hostile, 0 neither."""
        sign = self.families[family].sign
        assert sign is not None  # the families are the relations with a sign
        return sign

    def implied_edges(self, subject: URIRef, relation: URIRef, obj: URIRef) -> set[tuple[URIRef, URIRef, URIRef]]:
        """Every direct edge one asserted edge entails: itself, its super-relations
        (fights -> opposes), their inverses (opposedBy) and symmetric mirrors.

        This is the whole of the inference: materialised at load time so that plain
        SPARQL over the store, on any backend, sees the same answers as ``kg match``.
        """
        return {(obj, prop, subject) if reverse else (subject, prop, obj) for prop, reverse in self.edge_rules(relation)}

    def narrower(self, relation: URIRef) -> list[URIRef]:
        """The relation and every relation that rolls up to it (backs: militarily-backs, ...)."""
        return sorted(iri for iri, r in self.relations.items() if relation == iri or relation in r.parents)

    def edge_rules(self, relation: URIRef) -> tuple[tuple[URIRef, bool], ...]:
        """``implied_edges`` as rules: (property, whether subject and object swap)."""
        rules = self._edge_rules.get(relation)
        if rules is None:
            found: dict[tuple[URIRef, bool], None] = {}
            # a symmetric relation holds both ways, and so do its super-relations:
            # saf clashes-with rsf entails rsf clashes-with saf, hence rsf opposes saf too
            directions = (False, True) if self.relations[relation].symmetric else (False,)
            for iri in (relation, *self.relations[relation].parents):
                r = self.relations[iri]
                for swap in directions + ((True,) if r.symmetric else ()):
                    found[(iri, swap)] = None
                    if r.inverse is not None:
                        found[(r.inverse, not swap)] = None
            rules = self._edge_rules[relation] = tuple(found)
        return rules


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{hint} (known: {', '.join(known)})"


def ontology_path(name: str = "kgo.ttl") -> str:
    """Path of a file of the packaged ontology (``kgo.ttl``, ``shapes.ttl``)."""
    return str(resources.files("kg") / "ontology" / name)


@cache
def load_ontology() -> Ontology:
    """The packaged ontology, parsed once per process."""
    graph = Graph()
    graph.parse(ontology_path("kgo.ttl"), format="turtle")
    return Ontology(graph)
