"""A safe YAML (and JSON) parser that keeps line numbers and reports errors in user terms.

Both the data-file reader (``kg.sources.yaml_file``) and the GDELT actor map
(``kg.sources.gdelt.cameo``) read YAML through ``read_yaml``, so both name the exact line
to fix, leave dates as text for ``kg.model.parse_date``, refuse duplicate keys, and
refuse YAML aliases.

YAML aliases (``*name``) are refused: a file of a few lines that nests them ("billion
laughs") stands for billions of values, which any code that walks the data (a ``str()``,
a check of every alias) would build. Data files have no use for them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kg.errors import KgError

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


def read_yaml(path: Path) -> Any:
    """The data of a YAML or JSON file: mappings as ``LineDict``, lists as ``LineList``,
    dates as text; None for an empty file. Every error is a ``KgError`` naming the line.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "a.yaml")
    ...     _ = path.write_text("actors:\\n  turkey: State\\ndate: 2021-13-45\\n")
    ...     data = read_yaml(path)
    >>> data["actors"].line, data.line_of("date"), data["date"]
    (2, 3, '2021-13-45')
    """
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
