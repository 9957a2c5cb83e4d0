"""What every kind of store shares: the layout constants, the format check, short messages.

Kept apart from the store classes so that each of them, and the reads they share
(``kg.store.reads``), can import it without importing one another.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse
from urllib.request import url2pathname

from rdflib import URIRef

from kg.errors import KgError
from kg.namespaces import BASE, PREFIXES, STDIN_GRAPH, STDIN_NAME

if TYPE_CHECKING:
    from kg.store.interface import Store

#: Layout version of a store; bumped when the RDF layout changes incompatibly.
FORMAT_VERSION = 2  # 2: statements carry kgo:dyad
#: The node the meta graph describes the store with (its type and format version).
STORE_NODE = URIRef(BASE + "store")
#: The location of a throw-away store in memory.
MEMORY = ":memory:"
#: The store folder when none is named (and ``$KG_STORE`` is not set).
DEFAULT_LOCATION = ".kg"
#: The project's prefixes as pyoxigraph takes them (predeclared in every query).
PREFIX_TEXTS = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def check_format(store: Store, version: int | None) -> None:
    """Refuse a store whose layout this kg cannot read: newer, or older with data in it."""
    if version is not None and version > FORMAT_VERSION:
        raise KgError(f"this store has format version {version}; this kg reads up to {FORMAT_VERSION}: upgrade kg", path=store.location)
    if version is not None and version < FORMAT_VERSION and store.data_graphs():
        raise KgError(
            f"this store has format version {version}, from an older kg; this one needs {FORMAT_VERSION}: "
            "make it again (remove it, then kg load your files)",
            path=store.location,
        )


def short_syntax_error(message: str, shift: int = 0) -> str:
    """Oxigraph's syntax error, short: where and what, without the list of every token it
    expected (hundreds of characters over several lines). ``shift`` moves first-line columns
    back by the text a caller put before the user's query (a remote store's prefixes).

    Examples
    --------
    >>> short_syntax_error("error at 1:25: expected one of '.', '}'\\nmore")
    'error at 1:25: unexpected text or end of query'
    >>> short_syntax_error("error at 1:130: expected one of x", shift=100)
    'error at 1:30: unexpected text or end of query'
    """

    def column(match: re.Match) -> str:
        number = int(match.group(1))
        return f"error at 1:{number - shift}" if number > shift else match.group(0)

    first = message.splitlines()[0] if message else message
    first = re.sub(r"error at 1:(\d+)", column, first)
    return re.sub(r":? expected one of .*", ": unexpected text or end of query", first)


def file_label(graph: object) -> str:
    """A loaded file's graph IRI as a path, relative to the current folder when inside it.

    Examples
    --------
    >>> file_label("urn:other-tool")
    'urn:other-tool'
    >>> file_label(Path.cwd().resolve().joinpath("data", "a b.yaml").as_uri())
    'data/a b.yaml'
    """
    text = str(graph)
    if text == str(STDIN_GRAPH):
        return STDIN_NAME
    if not text.startswith("file://"):
        return text
    path = Path(url2pathname(urlparse(text).path))
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
