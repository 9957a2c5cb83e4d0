"""The assertion record that YAML, JSON and CSV files share, and the checks every reader makes.

A YAML mapping and a CSV row name the same fields (``subject, relation, object`` or a
``claim`` sentence, ``source``, ``date``, ``confidence``, ``stance``, ``said_by``, ...), so one function turns
either into an unresolved ``Assertion``; ``kg.names`` splits a ``claim`` pattern with
the same ``split_claim`` so that a claim reads the same in a file and on the command line.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Mapping

from kg.errors import KgError
from kg.model import Assertion, Where, parse_confidence, parse_partial_date, parse_stance
from kg.ontology import Ontology, load_ontology
from kg.sources.document import Checks

#: Default confidence of a claim whose file does not say (see README, "Data format").
DEFAULT_CONFIDENCE = 1.0

ASSERTION_FIELDS = {
    "claim", "subject", "relation", "object", "objects", "source", "sources", "quote",
    "date", "valid_from", "valid_until", "confidence", "note", "stance", "said_by", "process", "host",
}  # fmt: skip
#: Fields a YAML file's ``defaults:`` may give for all its claims.
DEFAULT_FIELDS = {"source", "date", "confidence", "stance", "said_by", "process", "host"}
#: What separates the mediators of a joint mediation in one CSV cell (``saudi-arabia; united-states``).
SUBJECT_SEPARATOR = ";"


def check_fields(record: Mapping, allowed: set[str], where: Where, what: str) -> None:
    """Reject misspelt field names instead of silently ignoring the value (each of them).

    >>> check_fields({"dat": "2020"}, {"date", "note"}, Where("a.yaml", 4), "assertion")
    Traceback (most recent call last):
    kg.errors.KgError: a.yaml:4: dat: unknown assertion field 'dat'; did you mean 'date'?
    """
    checks = Checks()
    for key in record:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(allowed))})"
            checks.fail(where.error(f"unknown {what} field {key!r}{hint}", str(key)))
    checks.done()


def split_claim(text: str, where: Where, field: str = "claim") -> tuple[str, str, tuple[str, ...]]:
    """Split ``"Moscow backs 'Syrian regime'"`` into subject, relation and object name(s).

    The relation is the first word (or two words, for ``negotiates with``) that names a
    relation of the ontology; everything before is the subject, everything after the
    object. Several objects (parties of a mediation) are separated by commas.

    >>> split_claim("Moscow backs 'Syrian regime'", Where("a.yaml", 3))
    ('Moscow', 'backs', ('Syrian regime',))
    """
    ontology = load_ontology()
    try:
        words = shlex.split(text)
    except ValueError as err:
        raise where.error(f"cannot split {text!r}: {err}", field) from None
    for start in range(1, len(words) - 1):
        for width in (2, 1):
            candidate = " ".join(words[start : start + width])
            if start + width < len(words) and _is_relation(ontology, candidate):
                subject = " ".join(words[:start])
                objects = " ".join(words[start + width :])
                return subject, candidate, tuple(o.strip() for o in objects.split(",") if o.strip())
    for word in words[1:-1]:  # a relation spelt with punctuation (!backs): name the character
        if len(words) == 3 or ontology.looks_like_relation(word):
            ontology.relation(word, path=where.path, line=where.line, field=field)
    raise where.error(
        f"cannot find 'SUBJECT RELATION OBJECT' in {text!r} (quote multi-word names, e.g. \"'Syrian regime' backed-by Moscow\")",
        field,
    )


def _is_relation(ontology: Ontology, name: str) -> bool:
    try:
        ontology.relation(name)
    except KgError:
        return False
    return True


def assertion_from_record(record: Mapping, where: Where, defaults: Mapping, names: dict[str, str] | None = None) -> Assertion:
    """Build an unresolved assertion from a YAML/JSON mapping or a CSV row.

    Every field is checked, past a bad one: a record with two bad fields raises
    ``RecordErrors`` (reading as the first error) naming both.

    ``names``: a reader's table of the names seen so far, so that a million rows naming
    the same few thousand actors and sources share one string each (and free them with
    the document, where ``sys.intern`` would keep them, scattered over the heap, for good).

    >>> found = assertion_from_record({"claim": "turkey backs sna", "source": "s1"}, Where("a.csv", 2), {})
    >>> found.subject, found.relation, found.objects, found.sources, found.confidence
    ('turkey', 'backs', ('sna',), ('s1',), 1.0)
    >>> row = {"subject": ["saudi-arabia", "united-states"], "relation": "mediates", "object": "saf, rsf", "date": "2023-05"}
    >>> joint = assertion_from_record(row, Where("a.csv", 3), {})
    >>> joint.subjects, joint.objects, joint.date, joint.date_precision
    (('saudi-arabia', 'united-states'), ('saf', 'rsf'), datetime.date(2023, 5, 1), 'month')
    """
    table = names if names is not None else {}
    share = lambda name: table.setdefault(name, name)  # noqa: E731
    at = lambda field: field_where(record, where, field)  # noqa: E731
    checks = Checks()
    subjects, relation, objects = checks.run(_ends, record, where, share, default=(("",), "", ()))
    sources = tuple(map(share, _names(record.get("sources") or record.get("source") or defaults.get("source"))))
    confidence = record.get("confidence")
    if confidence is None or confidence == "":
        confidence = defaults.get("confidence", DEFAULT_CONFIDENCE)
    given = lambda key: record.get(key) or defaults.get(key)  # noqa: E731  (the file's defaults: apply to every claim)
    partial = lambda key: checks.run(parse_partial_date, given(key), at(key), key, default=(None, "day"))  # noqa: E731
    date, date_precision = partial("date")
    confidence = checks.run(parse_confidence, confidence, at("confidence"), default=DEFAULT_CONFIDENCE)
    (valid_from, from_precision), (valid_until, until_precision) = partial("valid_from"), partial("valid_until")
    stance = checks.run(parse_stance, given("stance"), at("stance"), default="asserted")
    checks.done()
    return Assertion(
        subject=subjects[0],
        relation=relation,
        objects=objects,
        sources=sources,
        date=date,
        confidence=confidence,
        quote=_text(record.get("quote")),
        valid_from=valid_from,
        valid_until=valid_until,
        note=_text(record.get("note")),
        where=where,
        co_subjects=subjects[1:],
        stance=stance,
        said_by=_text(given("said_by")),
        process=_text(given("process")),
        host=_text(given("host")),
        date_precision=date_precision,
        valid_from_precision=from_precision,
        valid_until_precision=until_precision,
    )


def _ends(record: Mapping, where: Where, share) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """Subject(s), relation and object(s), from ``claim`` or from their own fields."""
    if record.get("claim"):
        for key in ("subject", "relation", "object", "objects"):
            if record.get(key):
                raise where.error(f"give either 'claim' or subject/relation/object, not both ({key!r})", key)
        subject, relation, objects = split_claim(str(record["claim"]), where)
        return (subject,), relation, objects
    checks = Checks()
    subjects = checks.run(_subjects, record.get("subject"), where, default=())
    relation = checks.run(_required, record, "relation", where, default="")
    objects = tuple(map(share, _names(record.get("objects") or record.get("object"))))
    if not objects:
        checks.fail(where.error("missing: name the other actor with 'object'", "object"))
    checks.done()
    return tuple(map(share, subjects)), share(relation), objects


def field_where(record: Mapping, where: Where, field: str) -> Where:
    """The field's own line where the reader knows it (YAML), else the record's.

    >>> field_where({"date": "2020"}, Where("a.csv", 7), "date").line
    7
    """
    line_of = getattr(record, "line_of", None)
    return Where(where.path, line_of(field)) if line_of is not None and field in record else where


def _required(record: Mapping, key: str, where: Where) -> str:
    value = _text(record.get(key))
    if not value:
        raise where.error(f"missing: every assertion needs a {key} (or a 'claim' such as 'turkey backs sna')", key)
    return value


def _subjects(value: object, where: Where) -> tuple[str, ...]:
    """The subject, or the mediators of a joint mediation: a list of names (the CSV reader
    splits a cell at ``;`` into one). A single name is taken whole, whatever it holds."""
    if isinstance(value, list):
        for number, item in enumerate(value, 1):
            if isinstance(item, (list, dict)) or _text(item) is None:
                raise where.error(f"subject {number} is not a name", "subject")
        names = tuple(_text(item) for item in value)
    else:
        names = tuple(name for name in (_text(value),) if name)
    if not names:
        raise where.error("missing: every assertion needs a subject (or a 'claim' such as 'turkey backs sna')", "subject")
    return names  # type: ignore[return-value]


def _names(value: object) -> tuple[str, ...]:
    """One name, a comma-separated string of names, or a list of names."""
    if value is None or value == "":
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())  # quotes often arrive wrapped over lines
    return text or None
