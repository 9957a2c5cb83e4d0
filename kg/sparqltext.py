"""SPARQL as text: what a query says outside its strings and IRIs, and bound values
written into it by pyoxigraph's term serializer (validated and escaped), never by hand."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg.errors import KgError
from kg.namespaces import PREFIXES

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


# -- a query as the engine reads it: tokens -------------------------------------------------------
#
# What a query may make this machine do is decided on tokens, not on a regular expression over
# the text: a comment, string, IRI or escaped prefixed name (``ex:a\#``) decides what the rest
# of a line means, and a check that misreads one of them is blind to everything after it.
#
# The tokens are the terminals of the SPARQL 1.1 grammar, longest match first. Oxigraph 0.5
# (a PEG parser, no separate tokenizer) reads some text differently, and each difference was a
# way to send a SERVICE request past a check that follows the grammar alone (each has a test
# in tests/test_sparql_safety.py):
#   - a keyword needs no word boundary: ``?s ?p trueSERVICE <u> {}``, ``1SERVICE``,
#     ``SERVICESILENT<u>``, ``SERVICE:x {}`` (SERVICE to the IRI ``:x``) all federate;
#   - a prefixed name whose IRI is not valid falls back to the bare prefix, and its local
#     part is read again as code (``ex:SERVICE<u>{}`` where ``ex:`` is ``<http://h:>``), and a
#     local part has at most one dotted group (``ex:a.b.SERVICE`` is ``ex:a.b . SERVICE``);
#   - a long string holding an escape of no character (``\uD800``) falls back to ``""`` and
#     a new string: where the string ends moves;
#   - ``<`` after an operand inside parentheses is "less than", not the start of an IRI.
# So the word SERVICE counts wherever the engine could read it, not only as a keyword token;
# the check errs on the side of refusing.


@dataclass(frozen=True)
class Token:
    kind: str  # ws is skipped; comment, iri, string, var, bnode, pname, langtag, number, word, punct, error
    text: str
    start: int


_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR_TEXT = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_CHAR = rf"\\[tbnrf\\\"']|{_UCHAR_TEXT}"  # ECHAR or UCHAR: what may follow a backslash in a string
_TOKEN_PARTS = [  # the terminals, in the order they are tried at each position
    r"(?P<ws>[ \t\r\n]+)",
    r"(?P<comment>#[^\r\n]*)",
    rf"(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR_TEXT})*>)",
    rf"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|{_CHAR}))*'''"
    rf'|"""(?:(?:"|"")?(?:[^"\\]|{_CHAR}))*"""'
    rf"|'(?:[^'\\\n\r]|{_CHAR})*'"
    rf'|"(?:[^"\\\n\r]|{_CHAR})*")',
    rf"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f\u2040]*)",
    rf"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
    rf"(?P<pname>(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:"
    rf"(?:(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?)?)",
    r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)",
    r"(?P<number>[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)",
    r"(?P<word>[A-Za-z][A-Za-z0-9_]*)",
    r"(?P<punct>&&|\|\||\^\^|<=|>=|!=|<<|>>|[{}()\[\],;.=!<>+\-*/^|&~])",
    r"(?P<error>[\s\S])",
]


@cache
def _token_pattern() -> re.Pattern:
    """Compiled on first use (25 ms): commands that never read a query do not pay for it."""
    return re.compile("|".join(_TOKEN_PARTS))


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|.)", re.DOTALL)


def tokens(query: str) -> Iterator[Token]:
    """The query's tokens as Oxigraph reads them, whitespace left out.

    Text that no terminal matches is an ``error`` token of one character, and reading goes on.
    """
    at = 0
    while at < len(query):
        match = _token_pattern().match(query, at)
        assert match is not None and match.lastgroup is not None  # the error group matches any character
        kind, text = match.lastgroup, match.group()
        if kind == "string" and not _escapes_are_characters(text):
            # Oxigraph then tries the next kind of string: a long one falls back to the empty
            # string '' (or ""), which the next token follows; a short one cannot be read.
            kind, text = ("string", text[:2]) if text[:3] in ("'''", '"""') else ("error", text[0])
        if kind != "ws":
            yield Token(kind, text, at)
        at += len(text)


def _escapes_are_characters(text: str) -> bool:
    """Whether every ``\\u``/``\\U`` escape in a string or IRI names a character (Oxigraph
    refuses surrogates and code points past U+10FFFF, and then reads the text otherwise)."""
    for escape in _ESCAPE.finditer(text):
        digits = escape.group(1) or escape.group(2)
        if digits and not _is_character(int(digits, 16)):
            return False
    return True


def _is_character(value: int) -> bool:
    return value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF


def _decode_escapes(query: str) -> str:
    """The query with its ``\\uXXXX``/``\\UXXXXXXXX`` escapes decoded, as SPARQL 1.1 says
    before any parsing (some engines do; Oxigraph 0.5 does not). Escapes of no character stay."""

    def decode(match: re.Match) -> str:
        value = int(match.group(1) or match.group(2), 16)
        return chr(value) if _is_character(value) else match.group(0)

    return _UCHAR.sub(decode, query)


def _readings(query: str) -> list[str]:
    """The query as Oxigraph reads it, and with escapes decoded as other engines read it."""
    decoded = _decode_escapes(query)
    return [query] if decoded == query else [query, decoded]


# -- SERVICE: a query must not make this machine call another ------------------------------------

PARSE_TREE_LIMIT = 2_000  # characters: longer queries are read on tokens only (see uses_service)
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_-]+")
_OPERANDS = {"var", "string", "number", "iri", "pname", "word", "langtag", "bnode"}


def uses_service(query: str) -> bool:
    """Whether the engine could read a ``SERVICE`` clause (a federated query) in the query.

    Two readings, and either one finding SERVICE is enough: the query's tokens (as Oxigraph
    reads them, and with ``\\u`` escapes decoded), and rdflib's SPARQL parser. The tokens
    decide alone when rdflib cannot parse the query: rdflib refuses queries that Oxigraph runs
    (``ex:a\\#``), so a failure says nothing about SERVICE, while the tokens over-approximate
    what Oxigraph can read. They also decide alone past ``PARSE_TREE_LIMIT`` characters:
    rdflib's parser takes 0.1 to 0.3 ms a character (16 s for a 75 KB expression), which would
    let one long query that mentions SERVICE in a comment hold a server thread for seconds.

    Errs on the side of refusing: the word SERVICE anywhere but in a comment, a string, an
    IRI, a variable, a blank node or the local part of a valid prefixed name counts
    (``trueSERVICE``, ``PREFIX service: <…>``), and so does any SERVICE after text that the
    engine may read in two ways or not at all.
    """
    readings = _readings(query)
    if not any(_mentions_service(text) for text in readings):
        return False  # the engine cannot read a keyword that is not there
    if any(_service_in_tokens(text) for text in readings):
        return True
    return len(query) <= PARSE_TREE_LIMIT and _service_in_parse_tree(query)


def _mentions_service(text: str) -> bool:
    # upper() maps more than ASCII to "SERVICE" (ſ to S); Oxigraph compares ASCII letters only.
    return "SERVICE" in text.upper()


def _service_in_tokens(text: str) -> bool:
    found = [token for token in tokens(text) if token.kind != "comment"]
    namespaces = _namespaces(found)
    brackets: list[str] = []
    previous: Token | None = None
    for token in found:
        if token.kind == "error" or (token.kind == "iri" and _iri_in_doubt(token, brackets, previous)):
            return _mentions_service(text[token.start :])  # what follows may be code: all of it counts
        if _may_read_service(token, namespaces):
            return True
        if token.text in ("(", "[", "{"):
            brackets.append(token.text)
        elif token.text in (")", "]", "}") and brackets:
            brackets.pop()
        previous = token
    return False


def _may_read_service(token: Token, namespaces: dict[str, set[str | None]]) -> bool:
    """Whether the engine could read the keyword SERVICE in this token."""
    if token.kind in ("word", "langtag"):
        return _mentions_service(token.text)
    if token.kind != "pname":
        return False  # comments, strings, variables, blank nodes, numbers, punctuation
    prefix, _, local = token.text.partition(":")
    if _mentions_service(prefix):
        return True
    if not _mentions_service(local):
        return False
    # Inert only when Oxigraph reads the whole name as one valid IRI under every namespace the
    # prefix may have; otherwise it reads the local part again as code.
    known = namespaces.get(prefix)
    return not (_PLAIN_LOCAL.fullmatch(local) and known and all(ns is not None and _is_iri(ns + local) for ns in known))


def undeclared_prefixes(query: str) -> list[str]:
    """The prefixes the query uses in prefixed names (``foo:bar``) that neither it nor the
    project declares: Oxigraph's error for them is only "unexpected text".

    >>> undeclared_prefixes("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:p ?o ; foo:q ?v ; kgo:backs ?x }")
    ['foo']
    """
    found = list(tokens(query))
    known = _namespaces(found)
    used = (token.text.split(":", 1)[0] for token in found if token.kind == "pname")
    return sorted({prefix for prefix in used if prefix not in known and not prefix.upper().startswith("PREFIX")})


def _namespaces(found: list[Token]) -> dict[str, set[str | None]]:
    """Every namespace each prefix may stand for: the project's predeclared ones, and any
    ``PREFIX p: <iri>`` of the query (also spelt ``PREFIXp:<iri>``, which Oxigraph reads as a
    declaration too; None for an IRI that is not valid on its own)."""
    namespaces: dict[str, set[str | None]] = {prefix: {str(namespace)} for prefix, namespace in PREFIXES.items()}
    for name, iri in zip(found, found[1:], strict=False):
        if name.kind == "pname" and name.text.endswith(":") and name.text.count(":") == 1 and iri.kind == "iri":
            value = _iri_value(iri.text)
            declared = name.text[:-1]
            for prefix in {declared, declared[6:] if declared.upper().startswith("PREFIX") else declared}:
                namespaces.setdefault(prefix, set()).add(value if value is not None and _is_iri(value) else None)
    return namespaces


def _iri_in_doubt(token: Token, brackets: list[str], previous: Token | None) -> bool:
    """Whether Oxigraph may read this ``<…>`` as something else than an IRI in a way that moves
    where later comments, strings and IRIs start, or that shows a SERVICE hidden in it.

    It reads ``<`` as "less than" after an operand inside parentheses (``FILTER(1<2)…``), and
    not as an IRI when the IRI is not valid (relative, or with a bad escape). Then the text
    inside is code: that matters when it holds SERVICE, or a comment, quote or bracket.
    """
    after_operand = previous is not None and (previous.kind in _OPERANDS or previous.text in (")", "]", "}"))
    in_doubt = (brackets[-1:] == ["("] and after_operand) or not _is_iri(_iri_value(token.text) or "")
    return in_doubt and (re.search(r"[#'()\[\]\\]", token.text) is not None or _mentions_service(token.text))


def _iri_value(text: str) -> str | None:
    """The IRI of an ``<…>`` token, escapes decoded; None if an escape names no character."""
    return _decode_escapes(text[1:-1]) if _escapes_are_characters(text) else None


def _is_iri(text: str) -> bool:
    """Whether Oxigraph takes the text as an absolute IRI (its own validator decides)."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _service_in_parse_tree(query: str) -> bool:
    """Whether rdflib's SPARQL parser finds a SERVICE clause anywhere in the query
    (sub-queries, EXISTS, OPTIONAL…); False when it cannot parse the query."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parseQuery(query)
    except Exception:  # any failure to parse (pyparsing, recursion depth): the tokens decide alone
        return False
    pending: list[object] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            pending.extend(node)
    return False


# -- updates and datasets -------------------------------------------------------------------------

_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


def is_update(query: str) -> bool:
    """Whether the text is a SPARQL Update (``INSERT``, ``LOAD <iri>``…), read on tokens after
    the prologue (``BASE``, ``PREFIX``), as Oxigraph reads it and with ``\\u`` escapes decoded.

    Oxigraph's query parser has no update operations at all, so an update never runs as a
    query; this is for saying so clearly instead of reporting a syntax error.
    """
    for text in _readings(query):
        opening = _after_prologue([token for token in tokens(text) if token.kind != "comment"])
        if opening is not None and opening.kind in ("word", "pname") and opening.text.upper().startswith(_UPDATE_WORDS):
            return True
    return False


def _after_prologue(found: list[Token]) -> Token | None:
    """The first token after the ``BASE <iri>``, ``PREFIX p: <iri>`` and ``VERSION "…"`` lines."""
    at = 0
    while at < len(found):
        word = found[at].text.upper()
        if word in ("BASE", "VERSION"):
            at += 2
        elif word == "PREFIX":
            at += 3
        elif found[at].kind == "pname" and word.startswith("PREFIX") and word.endswith(":"):
            at += 2  # PREFIXp:<iri>, which Oxigraph reads as PREFIX p: <iri>
        else:
            return found[at]
    return None


def declares_dataset(query: str) -> bool:
    """Whether the query names its own dataset (``FROM`` or ``FROM NAMED``).

    Such a query must run over that dataset, not over the union of every graph that the
    store's reads use by default (where Oxigraph ignores ``FROM``: a count ``FROM`` a graph
    that does not exist would answer every triple). Read on tokens, so that a FROM in a
    comment, string or IRI does not count, and ``FROM<g>``, ``FROMNAMED<g>`` (which Oxigraph
    reads as FROM NAMED) and ``FROM:g`` do (but not a prefixed name such as ``fromage:x``).
    """
    return any(_names_from(token) for token in tokens(query))


def _names_from(token: Token) -> bool:
    text = token.text.upper()
    if token.kind == "pname":
        prefix = text.partition(":")[0]
        return prefix == "FROM" or prefix.startswith("FROMNAMED")
    return token.kind == "word" and text.startswith("FROM")
