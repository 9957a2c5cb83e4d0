"""Sentences and tokens of an article, written by hand for news prose.

No library: what ``kg extract`` needs is narrow (words, hyphens, possessives, quotation marks,
sentence ends after the usual abbreviations), and a hand-written splitter installs nothing,
downloads no model and is fast. Offsets point into the original text, so a quote is the
article's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Same-length replacements, so offsets into the folded text are offsets into the original.
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " "})

_TOKEN = re.compile(
    r"(?P<acronym>(?:[A-Z]\.){2,})"  # U.S., U.N.
    r"|(?P<word>[^\W_](?:\w|'(?=\w))*)"  # words, with inner apostrophes: People's, didn't
    r"|(?P<punct>\S)"
)

#: Words after which a full stop does not end a sentence.
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "capt", "maj", "brig", "sen", "rep", "gov", "st",
    "jr", "sr", "no", "vol", "vs", "etc", "inc", "corp", "ltd", "jan", "feb", "aug", "sept", "oct", "nov",
    "dec", "adm", "cmdr", "prof", "rev", "hon", "pres", "approx", "e", "i",
}  # fmt: skip
_CLOSERS = {'"', "'", ")", "]"}
#: Text whose longest line is this short is taken as hard-wrapped: a line break inside it
#: ends a sentence only after a sentence mark or a short line. Otherwise (a paragraph a line,
#: as articles are saved from the web) every line break does.
WRAPPED_WIDTH = 100
_ENDS = {".", "!", "?"}


@dataclass(frozen=True)
class Token:
    """One word or punctuation mark: ``text`` as written, ``norm`` folded and lower case,
    ``joined`` when no space separates it from the token before (``Iran`` ``-`` ``backed``)."""

    text: str
    norm: str
    start: int
    end: int
    joined: bool

    @property
    def word(self) -> bool:
        return self.norm[:1].isalnum()

    @property
    def lower(self) -> bool:
        """Written in lower case: only such words are cues (a capitalised one is part of a name)."""
        return self.text == self.text.lower()

    @property
    def key(self) -> str:
        """The form names are compared in: folded, without an acronym's dots (U.S. -> us)."""
        return self.norm.replace(".", "") if self.norm.endswith(".") and len(self.norm) > 2 else self.norm


@dataclass(frozen=True)
class Sentence:
    """A sentence: its text (white space runs made one space) and its tokens."""

    number: int
    text: str
    tokens: tuple[Token, ...]


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """The tokens of ``text``.

    >>> [t.text for t in tokenize("Iran’s U.S.-backed allies didn't")]
    ["Iran's", 'U.S.', '-', 'backed', 'allies', "didn't"]
    """
    folded = text.translate(_FOLD)
    tokens, last_end = [], None
    for found in _TOKEN.finditer(folded):
        start, end = found.span()
        value = found.group()
        tokens.append(Token(value, value.lower(), start + offset, end + offset, last_end == start))
        last_end = end
    return tokens


def sentences(text: str) -> list[Sentence]:
    """Split an article into sentences.

    A sentence ends at ``.``, ``!`` or ``?`` (with any closing quote or bracket) before a
    capital, a quote or a digit, unless the word before is an abbreviation or an initial; at a
    blank line; and at a line break, except in hard-wrapped text (no line longer than
    ``WRAPPED_WIDTH``), where only a line ending in such a mark or a short line (a headline)
    ends one.

    >>> [s.text for s in sentences("Gen. Smith met the U.S. envoy. He left.\\nHeadline\\nBody text.")]
    ['Gen. Smith met the U.S. envoy.', 'He left.', 'Headline', 'Body text.']
    """
    tokens = tokenize(text)
    width = max((len(line) for line in text.splitlines()), default=0)
    wrapped = width <= WRAPPED_WIDTH
    found: list[Sentence] = []
    begin = 0
    for i in range(len(tokens)):
        if _ends_here(text, tokens, i, width if wrapped else None):
            _add(found, text, tokens[begin : i + 1])
            begin = i + 1
    _add(found, text, tokens[begin:])
    return found


def _ends_here(text: str, tokens: list[Token], i: int, wrapped: int | None) -> bool:
    token = tokens[i]
    if i + 1 == len(tokens):
        return True
    following = tokens[i + 1]
    gap = text[token.end : following.start]
    if gap.count("\n") >= 2 or ("\n" in gap and (wrapped is None or _line_ends(text, token, wrapped))):
        return True
    if token.norm in _CLOSERS and i > 0 and tokens[i - 1].norm in _ENDS and not following.joined:
        return _starts_sentence(following)
    if token.norm not in _ENDS or following.joined or following.norm in _CLOSERS and following.joined:
        return False
    if token.norm == "." and i > 0 and tokens[i].joined and _abbreviation(tokens[i - 1]):
        return False
    return _starts_sentence(following)


def _abbreviation(token: Token) -> bool:
    return token.norm in ABBREVIATIONS or (len(token.text) == 1 and token.text.isupper())


def _starts_sentence(token: Token) -> bool:
    return token.text[:1].isupper() or token.text[:1].isdigit() or token.norm in {'"', "'", "("}


def _line_ends(text: str, token: Token, width: int) -> bool:
    """Whether a line break after ``token`` ends a sentence in hard-wrapped text: the line
    ends with a sentence mark or is short (a headline, a date), not wrapped mid-sentence."""
    line_start = text.rfind("\n", 0, token.start) + 1
    return token.norm in _ENDS | _CLOSERS | {":"} or token.end - line_start < 0.6 * width


def _add(found: list[Sentence], text: str, tokens: list[Token]) -> None:
    if tokens:
        found.append(Sentence(len(found), " ".join(text[tokens[0].start : tokens[-1].end].split()), tuple(tokens)))
