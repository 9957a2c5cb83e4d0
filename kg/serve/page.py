"""The query page of ``kg serve`` (``GET /``): a query box, example queries, results as a table.

The page is ``page.html`` with its one script (``page.js``) and one style (``page.css``)
inline, allowed by their hashes in ``PAGE_POLICY`` (the page's Content-Security-Policy):
the page runs nothing else and talks only to its server. Every value from the store is
shown as text (``textContent``), never as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from importlib import resources
from string import Template

from kg.namespaces import PREFIXES

#: The prefixes the page shortens IRIs with (the same that queries have predeclared).
PREFIX_MAP = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}

EXAMPLES = {
    "Who backs whom": "SELECT ?backer ?backed WHERE { ?backer kgo:backs ?backed } ORDER BY ?backer ?backed",
    "Who opposes whom": "SELECT ?a ?b WHERE { ?a kgo:opposes ?b } ORDER BY ?a ?b",
    "Claims with their sources": (
        "SELECT ?subject ?relation ?object ?title ?quote WHERE {\n"
        "  ?st a kgo:Assertion ; kgo:subject ?subject ; kgo:relation ?relation ; kgo:object ?object ;\n"
        "      prov:wasDerivedFrom ?source .\n"
        "  OPTIONAL { ?source dcterms:title ?title } OPTIONAL { ?st kgo:quote ?quote }\n"
        "} ORDER BY ?subject LIMIT 100"
    ),
    "Actors by type": (
        "SELECT ?type (COUNT(DISTINCT ?actor) AS ?actors) WHERE {\n"
        "  ?actor a ?type . ?type rdfs:subClassOf kgo:Actor\n} GROUP BY ?type ORDER BY DESC(?actors)"
    ),
    "The opposition network (a graph)": "CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }",
}

_FILES = resources.files("kg") / "serve"
SCRIPT = f"const PREFIXES = {json.dumps(PREFIX_MAP)};\n" + (_FILES / "page.js").read_text(encoding="utf-8")
STYLE = "\n" + (_FILES / "page.css").read_text(encoding="utf-8")
TEMPLATE = Template((_FILES / "page.html").read_text(encoding="utf-8"))


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


#: The page runs its one inline script and style and nothing else, and talks only to this server.
PAGE_POLICY = f"default-src 'none'; script-src {_digest(SCRIPT)}; style-src {_digest(STYLE)}; connect-src 'self'; form-action 'self'"


def page(query: str = "") -> bytes:
    """The query page; ``query`` (from ``/?query=...``) fills the box, escaped.

    Examples
    --------
    >>> b"&lt;/textarea&gt;" in page("</textarea>")
    True
    """
    buttons = "\n".join(
        f'<button type="button" data-query="{html.escape(text)}">{html.escape(name)}</button>' for name, text in EXAMPLES.items()
    )
    prefixes = " ".join(f"{prefix}:" for prefix in PREFIXES)
    initial = query or next(iter(EXAMPLES.values()))
    return TEMPLATE.substitute(
        style=STYLE, prefixes=html.escape(prefixes), buttons=buttons, query=html.escape(initial), script=SCRIPT
    ).encode()
