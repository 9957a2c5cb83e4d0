"""What a SPARQL server answered: parsed, checked against the question, made into what the
embedded store gives (rdflib results, pyoxigraph terms and quads).

A server may answer well-formed results that do not fit the query (true/false to a
SELECT, other variables than asked for, an RDF-star term): each is ``Unexpected``, which
the remote store turns into one clear line naming the server, never a ``KeyError`` deep
inside kg or a silent wrong answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result

from kg.sparqltext import sparql_code
from kg.store.http import one_line

#: What we ask for: SELECT/ASK results as JSON, CONSTRUCT/DESCRIBE graphs as N-Triples.
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, application/sparql-results+xml;q=0.5"
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # the old N-Triples media type
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


class Unexpected(Exception):
    """A well-formed answer that is not what the query asks for; ``reason`` says what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- what the query asks for ----------------------------------------------------------------------


def _keyword(words: str) -> str:
    """A pattern for SPARQL keywords, not parts of prefixed names (``ask:x``) or variables."""
    return rf"(?<![\w:?$@-])(?:{words})(?![\w:-])"


def query_form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these keywords outside strings and IRIs.

    Examples
    --------
    >>> query_form("# SELECT\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    found = re.search("(?i)" + _keyword("SELECT|ASK|CONSTRUCT|DESCRIBE"), sparql_code(sparql))
    return found.group(0).upper() if found else None


_PROJECTION_TOKEN = re.compile("(?i)" + _keyword(r"AS\s+[?$](\w+)") + r"|[?$](\w+)|[(){*]|" + _keyword("WHERE|FROM"))


def projection(sparql: str) -> list[str] | None:
    """The variables the (outer) SELECT of a query names, ``None`` for ``SELECT *`` or no
    SELECT: each ``?x`` outside parentheses and each ``AS ?x``, up to WHERE, FROM or ``{``.

    Examples
    --------
    >>> projection("SELECT ?a (COUNT(?c) AS ?n) WHERE { ?a ?b ?c }")
    ['a', 'n']
    """
    code = sparql_code(sparql)
    select = re.search("(?i)" + _keyword("SELECT"), code)
    if select is None:
        return None
    names, depth = [], 0
    for token in _PROJECTION_TOKEN.finditer(code, select.end()):
        text = token.group(0)
        if token.group(1) or (token.group(2) and depth == 0):
            names.append(token.group(1) or token.group(2))
        elif text in "()":
            depth += 1 if text == "(" else -1
        elif depth == 0 and text == "*":
            return None
        elif depth == 0 and not token.group(2):  # "{", WHERE or FROM: the projection ends
            break
    return names


def check_answer(sparql: str, parsed: ox.QuerySolutions | ox.QueryBoolean | None) -> None:
    """Refuse a well-formed answer that does not fit the query (``parsed`` None: a graph):
    true/false to a SELECT, solutions without a variable the query names, and so on.
    Callers index rows by the variables they asked for; a server that answers others
    must give one clear line, not a ``KeyError`` deep inside kg."""
    form = query_form(sparql)
    got = "a graph" if parsed is None else "true/false" if isinstance(parsed, ox.QueryBoolean) else "solutions"
    wanted = {"SELECT": "solutions", "ASK": "true/false", "CONSTRUCT": "a graph", "DESCRIBE": "a graph"}.get(form or "")
    if wanted and got != wanted:
        article = "an" if form == "ASK" else "a"
        raise Unexpected(f"the server answered {got} to {article} {form} query, which asks for {wanted}")
    if got == "solutions":
        answered = {variable.value for variable in parsed.variables}
        missing = [name for name in dict.fromkeys(projection(sparql) or ()) if name not in answered]
        if missing:
            shown = ", ".join("?" + name for name in missing)
            raise Unexpected(f"the server's answer lacks {shown}, which the query asks for (it answered {_variables(answered)})")


def _variables(names: Iterable[str]) -> str:
    shown = ", ".join("?" + one_line(name, 40) for name in sorted(names)[:5])
    return shown or "no variables"


# -- the answer in the embedded store's terms -----------------------------------------------------


def to_rdflib(term: object):
    """A pyoxigraph term as the rdflib term the embedded store gives (oxrdflib's conversion).

    A server may answer what kg never stores, such as an RDF-star triple term: ``Unexpected``."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise Unexpected(f"the server answered a {type(term).__name__} term, which kg does not use")


def rdflib_result(sparql: str, media_type: str, body: bytes) -> Result | None:
    """The server's answer as the rdflib ``Result`` the embedded store returns (None: not a
    SPARQL answer at all)."""
    if media_type in RESULT_FORMATS:
        parsed = ox.parse_query_results(body, RESULT_FORMATS[media_type])
        check_answer(sparql, parsed)
        if isinstance(parsed, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(parsed)
            return result
        result = Result("SELECT")
        result.vars = [Variable(v.value) for v in parsed.variables]
        result.bindings = [{var: to_rdflib(value) for var, value in zip(result.vars, solution, strict=True)} for solution in parsed]
        return result
    if media_type in GRAPH_FORMATS:
        check_answer(sparql, None)
        result = Result("CONSTRUCT")
        result.graph = Graph()
        for quad in ox.parse(body, GRAPH_FORMATS[media_type]):
            result.graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return result
    return None


def solution_rows(sparql: str, media_type: str, body: bytes) -> list[dict[str, object]]:
    """SELECT rows as pyoxigraph terms, checked against the query."""
    parsed = ox.parse_query_results(body, RESULT_FORMATS[media_type])
    check_answer(sparql, parsed)
    names = [v.value for v in parsed.variables]
    return [dict(zip(names, solution, strict=True)) for solution in parsed]


def protocol_results(sparql: str, media_type: str, body: bytes) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple] | None:
    """The answer as pyoxigraph objects, as the embedded store's ``results`` gives them
    (None: not a SPARQL answer). Read whole once here, so that a malformed answer fails
    now, not half-way through its serialisation; solutions are then parsed again, fresh."""
    if media_type in RESULT_FORMATS:
        parsed = ox.parse_query_results(body, RESULT_FORMATS[media_type])
        check_answer(sparql, parsed)
        if isinstance(parsed, ox.QueryBoolean):
            return parsed
        for _ in parsed:  # a malformed row: SyntaxError now
            pass
        return ox.parse_query_results(body, RESULT_FORMATS[media_type])
    if media_type in GRAPH_FORMATS:
        check_answer(sparql, None)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, GRAPH_FORMATS[media_type])]
    return None


def quad(row: Mapping[str, object]) -> ox.Quad | None:
    """The quad of a ``?s ?p ?o ?g`` row, or None if a part is unbound or of the wrong kind."""
    s, p, o, g = (row.get(name) for name in "spog")
    resources = (ox.NamedNode, ox.BlankNode)
    if isinstance(s, resources) and isinstance(p, ox.NamedNode) and isinstance(o, (*resources, ox.Literal)) and isinstance(g, resources):
        return ox.Quad(s, p, o, g)
    return None
