"""What a SPARQL server answered: parsed, checked against the question and for
completeness, made into what the embedded store gives (rdflib results, pyoxigraph terms
and quads).

A server may answer well-formed results that do not fit the query (true/false to a
SELECT, other variables than asked for, an RDF-star term): each is ``Unexpected``, which
the remote store turns into one clear line naming the server, never a ``KeyError`` deep
inside kg or a silent wrong answer.

A server may also answer part of what was asked and say so only in a header: Virtuoso
cuts answers at its ``ResultSetMaxRows`` (``X-SPARQL-MaxRows``), and answers what it
found when its time limit struck (``X-SQL-State``, its "anytime" queries). ``row_cap``
and ``check_complete`` read those headers; ``page_query`` writes the query that asks for
one page of a capped answer in a stable order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result

from kg.sparqltext import sparql_code, tokens
from kg.store.http import Reply, one_line

#: What we ask for: SELECT/ASK results as JSON, CONSTRUCT/DESCRIBE graphs as N-Triples.
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, application/sparql-results+xml;q=0.5"
#: For CONSTRUCT and DESCRIBE: Virtuoso answers them with JSON "results" when those come first.
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
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


def accept(sparql: str) -> str:
    """The Accept header for this query: graphs for CONSTRUCT and DESCRIBE, results otherwise.

    Examples
    --------
    >>> accept("DESCRIBE <urn:x>") == ACCEPT_GRAPH
    True
    """
    return ACCEPT_GRAPH if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else ACCEPT


# -- complete answers -----------------------------------------------------------------------------


def check_complete(reply: Reply) -> None:
    """Refuse an answer the server says it cut short when its time limit struck (Virtuoso's
    "anytime" answers: status 200 or 206, ``X-SQL-State`` and ``X-SQL-Message`` set)."""
    state = reply.headers.get("x-sql-state")
    if state is not None:
        message = one_line(reply.headers.get("x-sql-message", ""), 120)
        raise Unexpected(
            f"the server answered only part of the query, cut at its time limit ({one_line(state, 20)}: {message}); "
            "kg shows no partial answer: ask the server's administrator to raise the limit (Virtuoso: MaxQueryExecutionTime)"
        )


def row_cap(reply: Reply) -> int | None:
    """The most rows the server answers, when it says so (Virtuoso's ``X-SPARQL-MaxRows``: sent
    whenever an answer reaches its ``ResultSetMaxRows``, cut or not)."""
    text = reply.headers.get("x-sparql-maxrows", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def row_count(reply: Reply) -> int:
    """How many solutions a results answer holds (0 for true/false)."""
    parsed = ox.parse_query_results(reply.body, RESULT_FORMATS[reply.media_type])
    return 0 if isinstance(parsed, ox.QueryBoolean) else sum(1 for _ in parsed)


def page_query(sparql: str, variables: list[str], size: int, offset: int) -> str:
    """One page of a SELECT query's answer: the query as a subquery, its order made total
    (its own ORDER BY, then every variable it answers, so that each run of it sorts the same
    rows the same way), and ``LIMIT``/``OFFSET`` outside it. Sorting inside the subquery is
    what Virtuoso needs to page past its ``MaxSortedTopRows`` (10,000 by default).

    Examples
    --------
    >>> page_query("PREFIX a: <urn:a#> SELECT ?x WHERE { ?x a:p ?y } ORDER BY DESC(?y) LIMIT 5000", ["x"], 1000, 2000)
    'PREFIX a: <urn:a#> SELECT ?x WHERE { { SELECT ?x WHERE { ?x a:p ?y } ORDER BY DESC(?y) ?x LIMIT 5000 } } LIMIT 1000 OFFSET 2000'
    """
    select, where_end = _select_parts(sparql)
    rest = sparql[where_end:]
    order, at = _order_insertion(rest)
    head, tail = rest[:at].strip(), rest[at:].strip()
    tiebreak = " ".join("?" + name for name in variables)
    head = f"{head} {tiebreak}" if order else f"{head} ORDER BY {tiebreak}".strip()
    inner = f"{sparql[select:where_end]} {head}" + (f" {tail}" if tail else "")
    return f"{sparql[:select]}SELECT {tiebreak} WHERE {{ {{ {inner} }} }} LIMIT {size} OFFSET {offset}"


def _select_parts(sparql: str) -> tuple[int, int]:
    """Where the outer SELECT starts, and where its WHERE group ends (just after its ``}``)."""
    select = depth = parens = None
    for token in tokens(sparql):
        if select is None:
            if token.kind == "word" and token.text.upper() == "SELECT":
                select, depth, parens = token.start, 0, 0
            continue
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.text == "{" and parens == 0:
            depth += 1
        elif token.text == "}" and parens == 0:
            depth -= 1
            if depth == 0:
                return select, token.start + 1
    raise ValueError("not a SELECT query with a WHERE group")


def _order_insertion(modifiers: str) -> tuple[bool, int]:
    """Whether the solution modifiers after the WHERE group have an ORDER BY, and where the
    order's conditions end (before LIMIT, OFFSET or a VALUES block; else the end)."""
    found = [token for token in tokens(modifiers) if token.kind == "word"]
    order = any(token.text.upper() == "ORDER" for token in found)
    ends = [token.start for token in found if token.text.upper() in ("LIMIT", "OFFSET", "VALUES")]
    return order, min(ends, default=len(modifiers))


def merged_pages(pages: list[Reply], variables: list[str]) -> Reply:
    """The pages of one answer as one JSON results answer."""
    rows = [row for page in pages for row in json.loads(page.body)["results"]["bindings"]]
    body = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()
    return Reply("application/sparql-results+json", body, {})


def cap_probe(rows: int) -> str:
    """A query answering ``rows`` solutions from nothing stored (digits multiplied out), to
    learn whether the server would cut an answer of that many rows.

    Examples
    --------
    >>> cap_probe(150)
    'SELECT * WHERE { VALUES ?d0 { 0 1 2 3 4 5 6 7 8 9 } VALUES ?d1 { 0 1 2 3 4 5 6 7 8 9 } VALUES ?d2 { 0 1 2 3 4 5 6 7 8 9 } } LIMIT 150'
    """
    digits = len(str(max(rows - 1, 1)))
    blocks = " ".join(f"VALUES ?d{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(digits))
    return f"SELECT * WHERE {{ {blocks} }} LIMIT {rows}"


# -- Virtuoso's JSON made standard ---------------------------------------------------------------

_BNODE_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")
_ASK_TABLE = "__ASK_RETVAL"
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEAN_DIGIT = re.compile(r'(?<![\\])"([01])"\^\^<' + re.escape(_BOOLEAN) + ">")


def standard_json(sparql: str, body: bytes) -> bytes:
    """JSON results as the standard writes them, from Virtuoso's own ways, which pyoxigraph
    refuses or misreads: blank node labels such as ``nodeID://b10001`` (each that is no
    valid label becomes ``b`` and its hexadecimal UTF-8 bytes: one label, one node, the same
    in every answer), ASK answered as a table of one ``__ASK_RETVAL`` row (1) or none, and
    booleans stored as ``"1"``/``"0"`` (written ``true``/``false``, as kg wrote them).

    Examples
    --------
    >>> standard_json("ASK {}", b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}}')
    b'{"head": {}, "boolean": false}'
    >>> standard_json("SELECT ?x {}", b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "bnode", "value": "nodeID://b1"}}]}}')
    b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "bnode", "value": "b6e6f646549443a2f2f6231"}}]}}'
    """
    if not any(mark in body for mark in (b'"bnode"', _ASK_TABLE.encode(), _BOOLEAN.encode())):
        return body
    document = json.loads(body)
    rows = document.get("results", {}).get("bindings", [])
    if query_form(sparql) == "ASK" and document.get("head", {}).get("vars") == [_ASK_TABLE]:
        answer = any(row.get(_ASK_TABLE, {}).get("value") in ("1", "true") for row in rows)
        return json.dumps({"head": {}, "boolean": answer}).encode()
    for row in rows:
        for term in row.values():
            if term.get("type") == "bnode" and not _BNODE_LABEL.fullmatch(term.get("value", "")):
                term["value"] = "b" + term["value"].encode("utf-8").hex()
            elif term.get("datatype") == _BOOLEAN and term.get("value") in ("0", "1"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(document).encode()


def standard_ntriples(body: bytes) -> bytes:
    """N-Triples with Virtuoso's ``"1"``/``"0"`` booleans written ``true``/``false``.

    Examples
    --------
    >>> standard_ntriples(b'<urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#boolean> .')
    b'<urn:a> <urn:p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .'
    """
    if _BOOLEAN.encode() not in body:
        return body
    text = _BOOLEAN_DIGIT.sub(lambda m: f'"{"true" if m.group(1) == "1" else "false"}"^^<{_BOOLEAN}>', body.decode("utf-8"))
    return text.encode("utf-8")
