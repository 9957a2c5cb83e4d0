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
