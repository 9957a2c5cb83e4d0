"""The query page of ``kg serve`` (``GET /``): a query box, example queries, results as a table.

One inline script and one inline style, allowed by their hashes in ``PAGE_POLICY`` (the
page's Content-Security-Policy): the page runs nothing else and talks only to its server.
Every value from the store is shown as text (``textContent``), never as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json

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

SCRIPT = (
    "const PREFIXES = "
    + json.dumps(PREFIX_MAP)
    + """;
const short = (term) => {
  if (term.type !== "uri") return term.value;
  for (const [prefix, namespace] of Object.entries(PREFIXES)) {
    if (term.value.startsWith(namespace)) return prefix + ":" + term.value.slice(namespace.length);
  }
  return term.value;
};
const form = document.getElementById("form"), out = document.getElementById("out"), box = document.getElementById("query");
for (const button of document.querySelectorAll("button[data-query]")) {
  button.addEventListener("click", () => { box.value = button.dataset.query; });
}
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  out.replaceChildren();
  const accept = document.getElementById("accept").value;
  const response = await fetch("sparql", {method: "POST", headers: {"Accept": accept},
                                          body: new URLSearchParams({query: box.value})});
  const text = await response.text();
  const type = response.headers.get("Content-Type") || "";
  if (response.ok && type.startsWith("application/sparql-results+json")) {
    const data = JSON.parse(text);
    if ("boolean" in data) { out.textContent = String(data.boolean); return; }
    const table = document.createElement("table"), head = table.insertRow();
    for (const name of data.head.vars) { const th = document.createElement("th"); th.textContent = name; head.appendChild(th); }
    for (const row of data.results.bindings) {
      const tr = table.insertRow();
      for (const name of data.head.vars) { tr.insertCell().textContent = row[name] ? short(row[name]) : ""; }
    }
    out.appendChild(table);
  } else {
    const pre = document.createElement("pre");
    pre.textContent = response.ok ? text : `HTTP ${response.status}: ${text}`;
    out.appendChild(pre);
  }
});
"""
)
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; }
textarea { width: 100%; font-family: monospace; font-size: 0.95em; }
table { border-collapse: collapse; margin-top: 1em; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; max-width: 40em; }
pre { background: #f6f6f6; padding: 0.5em; overflow: auto; }
"""


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


#: The page runs its one inline script and style and nothing else, and talks only to this server.
PAGE_POLICY = f"default-src 'none'; script-src {_digest(SCRIPT)}; style-src {_digest(STYLE)}; connect-src 'self'; form-action 'self'"


def page(query: str = "") -> bytes:
    """The query page; ``query`` (from ``/?query=...``) fills the box, escaped."""
    buttons = "\n".join(
        f'<button type="button" data-query="{html.escape(text)}">{html.escape(name)}</button>' for name, text in EXAMPLES.items()
    )
    prefixes = " ".join(f"{prefix}:" for prefix in PREFIXES)
    initial = query or next(iter(EXAMPLES.values()))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>actorgraph SPARQL endpoint</title><style>{STYLE}</style></head>
<body>
<h1>actorgraph SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 at <code>/sparql</code> (GET or POST). The default graph is the union of all loaded files
(unless the query names its own with <code>FROM</code>);
prefixes {html.escape(prefixes)} are predeclared. No updates, no <code>SERVICE</code>.</p>
<p>Examples: {buttons}</p>
<form id="form" method="post" action="sparql">
<textarea id="query" name="query" rows="12" spellcheck="false">{html.escape(initial)}</textarea>
<p><label>Answer as <select id="accept">
<option value="application/sparql-results+json, text/turtle;q=0.9">table (graphs as Turtle)</option>
<option value="text/csv, text/turtle;q=0.9">CSV</option>
<option value="application/sparql-results+xml, application/rdf+xml;q=0.9">XML</option>
<option value="text/tab-separated-values, application/n-triples;q=0.9">TSV / N-Triples</option>
<option value="application/sparql-results+json, application/ld+json;q=0.9">JSON / JSON-LD</option>
</select></label> <button type="submit">Run</button></p>
</form>
<div id="out"></div>
<script>{SCRIPT}</script>
</body></html>
""".encode()
