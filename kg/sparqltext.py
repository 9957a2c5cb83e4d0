"""SPARQL as text: what a query says outside its strings and IRIs, and bound values
written into it by pyoxigraph's term serializer (validated and escaped), never by hand."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg.errors import KgError

#: Comments, string literals and IRIs: the parts of a query whose text is not SPARQL syntax.
_NOT_CODE = re.compile(
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|' + r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n\r]|\\.)*"|' + r"'(?:[^'\\\n\r]|\\.)*'|" + r'<[^<>"{}|^`\\\x00-\x20]*>',
    re.DOTALL,
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def sparql_code(query: str, decode: bool = False) -> str:
    """The query with comments, strings and IRIs blanked out: what is left is keywords,
    variables, prefixed names and punctuation, at the same positions.

    ``decode``: first decode the ``\\uXXXX`` escapes that SPARQL 1.1 allows anywhere in a
    query (some engines do, Oxigraph does not), so that no keyword can hide behind one.
    """
    if decode:
        query = _UCHAR.sub(lambda m: _codepoint(m.group(1) or m.group(2)), query)
    return _NOT_CODE.sub(lambda m: " " * len(m.group(0)), query)


def _codepoint(hex_digits: str) -> str:
    value = int(hex_digits, 16)
    return chr(value) if value < 0x110000 else "?"


def with_values(query: str, bindings: Mapping[str, object]) -> str:
    """Bind variables the standard way: a ``VALUES`` block opening the query's WHERE group.

    There it joins before any FILTER of that group runs, and Oxigraph evaluates the group's
    patterns with the values bound (with its own ``substitutions`` it planned multi-pattern
    queries as if they were unbound: 40 times slower). Not inside a UNION: Oxigraph
    evaluates each branch without them. The values are N-Triples terms written by
    pyoxigraph: a malformed IRI raises instead of reaching the query or the server.
    """
    if not bindings:
        return query
    code = sparql_code(query)
    form = re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", code)
    where = re.search(r"(?i)\bWHERE\s*\{", code) or re.search(r"\{", code)
    if form is None or form.group(1).upper() not in ("SELECT", "ASK") or where is None:
        raise ValueError("bound values are supported in SELECT and ASK queries")
    names = " ".join("?" + name for name in bindings)
    row = " ".join(str(to_ox(value)) for value in bindings.values())
    at = where.end()
    return f"{query[:at]} VALUES ({names}) {{ ({row}) }} {query[at:]}"


def to_ox(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term (which validates it)."""
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
            return ox.Literal(str(term), language=term.language, datatype=datatype)
    except ValueError as err:
        raise KgError(f"not a valid RDF term: {' '.join(str(term).split())[:80]!r} ({err})") from None
    raise TypeError(f"not an RDF term: {term!r}")


def uses_service(query: str) -> bool:
    """Whether the query has a ``SERVICE`` clause (a federated query), however written.

    Looks at the query text outside comments, strings and IRIs, with and without decoding
    ``\\u`` escapes. Errs on the side of refusing: a prefixed name spelt ``ex:a.SERVICE``
    also counts.
    """
    keyword = re.compile(r"(?i)(?<![\w:?$@-])SERVICE(?![\w:-])")
    return any(keyword.search(sparql_code(query, decode=decode)) for decode in (False, True))


def declares_dataset(query: str) -> bool:
    """Whether the query names its own dataset (``FROM`` or ``FROM NAMED``).

    Such a query must run over that dataset, not over the union of every graph that the
    store's reads use by default (where Oxigraph ignores ``FROM``: a count ``FROM`` a graph
    that does not exist would answer every triple).
    """
    return re.search(r"(?i)(?<![\w:?$@-])FROM(?![\w:-])", sparql_code(query)) is not None
