"""The human-authored format: one YAML (or JSON) file with sources, actors and assertions.

See README "Data format". Every mapping remembers the line it started on, so an
error names the exact line to fix.

YAML aliases (``*name``) are refused: a file of a few lines that nests them ("billion
laughs") stands for billions of values, which any code that walks the data (a ``str()``,
a check of every alias) would build. Data files have no use for them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from kg.errors import KgError
from kg.model import (
    Actor,
    Source,
    Where,
    parse_date,
    parse_id,
    parse_url,
    parse_wikidata,
)
from kg.sources import ASSERTION_FIELDS, Document, Problems, assertion_from_record, check_fields, field_where

TOP_FIELDS = {"sources", "actors", "assertions", "defaults"}
ACTOR_FIELDS = {"id", "label", "type", "aliases", "wikidata", "description"}
SOURCE_FIELDS = {"id", "title", "publisher", "url", "date"}
DEFAULT_FIELDS = {"source", "date", "confidence"}
#: The longest key YAML allows (an implicit key, YAML 1.2 section 7.4), in JSON files too.
MAX_KEY = 1024


class LineDict(dict):
    """A mapping that knows the line it started on (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: object) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LineList(list):
    """A sequence that knows the line of each item (1-based)."""

    item_lines: list[int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: ~10x faster
    """A safe loader that keeps line numbers and leaves dates as text for ``parse_date``
    (YAML's own date parsing crashes on 2021-13-45 instead of reporting it)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise KgError(f"duplicate key {key!r}", line=key_node.start_mark.line + 1, path=loader.name)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read(path: Path, problems: Problems | None = None) -> Document:
    problems = problems if problems is not None else Problems()
    data = _parse(path)
    doc = Document(str(path))
    if data is None:
        return doc
    where = Where(str(path), getattr(data, "line", 1))
    if not isinstance(data, dict):
        raise where.error("the file must be a mapping with 'sources', 'actors' and 'assertions'")
    check_fields(data, TOP_FIELDS, where, "top-level")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise Where(str(path), data.line_of("defaults")).error("'defaults' must be a mapping", "defaults")
    try:
        check_fields(defaults, DEFAULT_FIELDS, _where(path, defaults), "defaults")
    except KgError as err:
        problems.add(err)
    doc.sources = problems.each(_records(data, path, "sources", problems), _source)
    doc.actors = problems.each(_records(data, path, "actors", problems), _actor)
    doc.assertions = problems.each(_records(data, path, "assertions", problems), lambda record, at: _assertion(record, at, defaults))
    return doc


def _parse(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        _refuse_aliases(text, path)
        loader = _Loader(text)
        loader.name = str(path)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        raise _yaml_error(err, text, path) from None


def _refuse_aliases(text: str, path: Path) -> None:
    """Fail at the first alias, before anything is built (a cheap look at the events, and
    only for a file with a ``*`` in it)."""
    if "*" not in text:
        return
    parser = _Loader(text)
    try:
        while not isinstance(event := parser.get_event(), yaml.StreamEndEvent):
            if isinstance(event, yaml.AliasEvent):
                raise KgError(
                    f"a YAML alias (*{event.anchor}): data files may not use anchors and aliases; write the value out",
                    path=str(path),
                    line=event.start_mark.line + 1,
                )
    finally:
        parser.dispose()


def _yaml_error(err: yaml.YAMLError, text: str, path: Path) -> KgError:
    mark, context = getattr(err, "problem_mark", None), getattr(err, "context_mark", None)
    line = mark.line + 1 if mark else None
    key = _long_key(text, mark.index) if mark else None
    if key:
        size = len(key) - 2 if key[0] in "'\"" else len(key)
        message = f"a key of {size:,} characters; keys in YAML and JSON data files are at most {MAX_KEY:,} characters, quotes included"
        return KgError(message, path=str(path), line=line)
    problem = getattr(err, "problem", None) or str(err)
    if context and mark and context.line != mark.line:
        problem += f" ({getattr(err, 'context', '')} started on line {context.line + 1})"
    return KgError(f"not valid YAML/JSON: {problem}", path=str(path), line=line)


#: A key at the end of a line's text: after the line's indentation (and a list's ``-``) or
#: after ``{ [ ,``; double-quoted, single-quoted or plain (which ": " would end).
_KEY_BEFORE = re.compile(
    r"""(?:^[ \t]*(?:-[ \t]+)?|[{\[,][ \t]*)("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s"'{\[,](?:[^:\n{\[,]|:(?!\s))*?)[ \t]*$""",
    re.MULTILINE,
)


def _long_key(text: str, index: int) -> str | None:
    """A key longer than YAML allows just before where the parser stopped, if there is one:
    the parser's own message for it ("did not find expected ',' or '}'") says nothing of it."""
    found = _KEY_BEFORE.search(text, text.rfind("\n", 0, index) + 1, index)
    return found[1] if found and len(found[1]) > MAX_KEY else None


def _where(path: Path, value: object, fallback: int | None = None) -> Where:
    return Where(str(path), getattr(value, "line", None) or fallback)


def _records(data: dict, path: Path, name: str, problems: Problems) -> list[tuple[object, Where]]:
    """Items of a section, given either as a list or as a mapping keyed by id."""
    section = data.get(name)
    if section is None:
        return []
    if isinstance(section, dict):
        items = []
        for key, value in section.items():
            record = value if isinstance(value, dict) else _short_form(name, value)
            record.setdefault("id", key)
            items.append((record, Where(str(path), section.line_of(key))))
        return items
    if isinstance(section, list):
        lines = getattr(section, "item_lines", [None] * len(section))
        return [(item, _where(path, item, line)) for item, line in zip(section, lines, strict=False)]
    problems.add(Where(str(path), data.line_of(name)).error(f"'{name}' must be a list or a mapping", name))
    return []


def _short_form(section: str, value: object) -> dict:
    """``turkey: State`` for an actor; ``"turkey backs sna"`` for an assertion."""
    if section == "actors":
        return {"type": value}
    if section == "sources":
        return {"title": value}
    return {"claim": value}


def _source(record: object, where: Where) -> Source:
    if not isinstance(record, dict):
        record = _short_form("sources", record)
    check_fields(record, SOURCE_FIELDS, where, "source")
    _check_scalars(record, ("id", "title", "publisher", "url", "date"), where)
    title = record.get("title")
    if not title:
        raise where.error("missing: every source needs a title", "title")
    return Source(
        id=parse_id(record.get("id"), where, "id"),
        title=" ".join(str(title).split()),
        publisher=_opt(record.get("publisher")),
        url=parse_url(record.get("url"), where),
        date=parse_date(record.get("date"), where, "date"),
        where=where,
    )


def _actor(record: object, where: Where) -> Actor:
    if not isinstance(record, dict):
        raise where.error("an actor is a mapping with id, label and type", "actors")
    check_fields(record, ACTOR_FIELDS, where, "actor")
    _check_scalars(record, ("id", "label", "type", "wikidata", "description"), where)
    actor_id = parse_id(record.get("id"), where, "id")
    if not record.get("type"):
        raise where.error(f"missing: actor {actor_id!r} needs a type (State, Government, ArmedGroup, ...)", "type")
    return Actor(
        id=actor_id,
        label=_opt(record.get("label")) or actor_id.replace("-", " ").title(),
        type=str(record["type"]),
        aliases=_aliases(record.get("aliases"), field_where(record, where, "aliases")),
        wikidata=parse_wikidata(record.get("wikidata"), where),
        description=_opt(record.get("description")),
        where=where,
    )


def _aliases(value: object, where: Where) -> tuple[str, ...]:
    """One name or a list of names, each a string: a nested list or mapping would be stored
    as its Python repr, and YAML reads an unquoted ``no`` or ``1984`` as no text at all."""
    if value is None or value == "":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise where.error(f"aliases are a name or a list of names, not {_kind(value)}", "aliases")
    for number, item in enumerate(items, 1):
        if not isinstance(item, str):
            hint = " (quote it to make it a name)" if not isinstance(item, (list, dict)) else ""
            raise where.error(f"alias {number} is {_kind(item)}, not a name{hint}", "aliases")
    return tuple(" ".join(item.split()) for item in items)


def _kind(value: object) -> str:
    """How a message names a value that is not text."""
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    return f"{value!r} ({type(value).__name__})" if value is not None else "empty"


def _assertion(record: object, where: Where, defaults: Mapping):
    if not isinstance(record, dict):
        record = _short_form("assertions", record)
    check_fields(record, ASSERTION_FIELDS, where, "assertion")
    _check_scalars(record, ("claim", "subject", "relation", "quote", "date", "valid_from", "valid_until", "confidence", "note"), where)
    return assertion_from_record(record, where, defaults)


def _check_scalars(record: dict, fields: tuple[str, ...], where: Where) -> None:
    """A list or mapping where one value belongs is a mistake, not text to store."""
    for field in fields:
        if isinstance(record.get(field), (list, dict)):
            kind = "list" if isinstance(record[field], list) else "mapping"
            raise where.error(f"expected one value, not a {kind}", field)


def _opt(value: object) -> str | None:
    return " ".join(str(value).split()) or None if value is not None else None
