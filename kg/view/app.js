// actorgraph map: filters, search, time slider and evidence panel over vis-network.
// Alleged claims travel with the page and count only while "show allegations" is on; denied
// ones are never drawn and count nowhere: they are listed in the evidence of the line they deny.
// A map of changes (kg view --diff FROM TO, data.diff) draws the graph of TO and the lines of
// FROM gone by TO; each line's change (gained, lost, unchanged) is kg diff's, and filters here.
// Every text from the data reaches the page through textContent, never innerHTML, inside a
// <bdi> (right-to-left text cannot reorder the words around it) and with control and bidi
// characters shown as \uXXXX (a label "abc\u202egpj.exe" must not read "abcexe.jpg").
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var DAY = 86400000;

  var state = {
    families: new Set(Object.keys(data.families)),
    types: new Set(Object.keys(data.types)),
    date: null, // ISO date string, or null for all dates
    focus: null, // Set of node ids, or null
    allegations: data.allegations, // whether alleged claims count (the legend's "show allegations")
    changes: new Set(["gained", "lost", "unchanged"]), // the kinds of line shown on a map of changes
    visibleNodes: new Set(),
    visibleEdges: new Set(),
  };

  // Same characters as kg.output.HIDDEN, less tab and newlines: quotes keep their lines.
  var HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  function visible(text) {
    return String(text).replace(HIDDEN, function (c) { return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4); });
  }
  // vis-network draws labels on a canvas, where no markup can isolate them: escape them there.
  data.nodes.forEach(function (n) { n.name = n.label; n.label = visible(n.label); });

  if (data.camps) {
    data.nodes.forEach(function (n) { if (n.camp) n.color = data.campColors[(n.camp - 1) % data.campColors.length]; else n.color = "#b0b7c0"; });
  }
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);

  function holds(claim, day) {
    return claim.start <= day && (claim.until === null || day <= claim.until);
  }

  // The claims that draw a line now: asserted ones the selection keeps, alleged ones (and
  // asserted ones only they bring into a focus) while allegations show; never a denial.
  function counts(claim) {
    return claim.stance !== "denied" && (claim.fact || state.allegations);
  }
  // Actors some claim links with allegations hidden; the others show only with allegations.
  var factNodes = new Set();
  data.edges.forEach(function (e) {
    if (e.claims.some(function (c) { return c.fact; })) { factNodes.add(e.from); factNodes.add(e.to); }
  });

  // The claims that draw a line now, as of the slider's date.
  function drawing(edge) {
    return edge.claims.filter(function (c) { return counts(c) && (state.date === null || holds(c, state.date)); });
  }

  function edgePasses(edge) {
    if (!state.families.has(edge.family)) return false;
    if (data.diff && !state.changes.has(edge.change)) return false;
    if (!drawing(edge).length) return false;
    var a = nodes.get(edge.from), b = nodes.get(edge.to);
    if (!state.types.has(a.type) || !state.types.has(b.type)) return false;
    if (state.focus && !(state.focus.has(edge.from) && state.focus.has(edge.to))) return false;
    return true;
  }

  function refresh() {
    state.visibleEdges = new Set(edges.getIds({ filter: edgePasses }));
    var touched = new Set();
    state.visibleEdges.forEach(function (id) { var e = edges.get(id); touched.add(e.from); touched.add(e.to); });
    var filtering = state.date !== null || state.focus !== null || state.families.size < Object.keys(data.families).length || state.changes.size < 3;
    state.visibleNodes = new Set(nodes.getIds({
      filter: function (n) {
        if (!state.types.has(n.type)) return false;
        if (!state.allegations && !factNodes.has(n.id)) return false;
        if (state.focus && !state.focus.has(n.id)) return false;
        return filtering ? touched.has(n.id) : true;
      },
    }));
    markContested();
    updateTitles();
    nodeView.refresh();
    edgeView.refresh();
    updateCounts();
  }

  // A contested line: a bar across its middle and an orange halo. Which lines are contested
  // depends on whether allegations count (an allegation and its denial are contested).
  var marked = {};
  function markContested() {
    var changes = [];
    edges.forEach(function (e) {
      var on = e.contested || (state.allegations && e.contestedWithAllegations);
      if (Boolean(marked[e.id]) === on) return;
      marked[e.id] = on;
      changes.push({
        id: e.id,
        arrows: { to: { enabled: data.families[e.family].arrow }, middle: { enabled: on, type: "bar", scaleFactor: 1.4 } },
        shadow: on ? { enabled: true, color: "rgba(255, 143, 0, 0.9)", size: 9, x: 0, y: 0 } : e.change === "gained" ? data.diff.styles.gained.shadow : { enabled: false },
      });
    });
    if (changes.length) edges.update(changes);
  }

  // A line's tooltip names the relations of the claims behind it, the most specific ones as
  // asserted (arms, allied-with, not just "backs"), with their stances; allegations only while
  // they show. Rewritten when "show allegations" changes.
  var titled = null;
  function updateTitles() {
    if (titled === state.allegations) return;
    titled = state.allegations;
    edges.update(edges.map(function (e) { return { id: e.id, title: tooltip(e) }; }));
  }
  function tooltip(edge) {
    var family = data.families[edge.family];
    var order = family.relations.map(function (r) { return r.name; });
    var stances = {};
    edge.claims.forEach(function (c) {
      if (c.stance !== "denied" && !counts(c)) return;
      var counted = stances[c.relation] = stances[c.relation] || {};
      counted[c.stance] = (counted[c.stance] || 0) + 1;
    });
    var box = el("div", el("div", [datum(label(edge.from)), " " + family.label + " ", datum(label(edge.to))], "tip-title"), "edge-tip");
    Object.keys(stances).sort(function (a, b) { return rank(order, a) - rank(order, b) || (a < b ? -1 : 1); }).forEach(function (relation) {
      var counted = Object.keys(stances[relation]).sort().map(function (s) { return stances[relation][s] + " " + s; });
      box.appendChild(el("div", [el("span", relation, "tip-relation"), " " + counted.join(", ")]));
    });
    if (data.diff) box.appendChild(el("div", changeText(edge), "tip-change"));
    box.appendChild(el("div", "click for the evidence", "hint"));
    return box;
  }
  // What a line of a map of changes did between the two dates (our own words only).
  function changeText(edge) {
    var from = data.diff.from, to = data.diff.to;
    var text = {
      gained: "new since " + from + ": holds on " + to + ", not on " + from,
      lost: "ended before " + to + ": held on " + from + ", not on " + to,
      unchanged: "unchanged: holds on " + from + " and on " + to,
    }[edge.change];
    return edge.turned ? text + "; the pair turned: " + edge.turned[0] + " \u2192 " + edge.turned[1] : text;
  }
  function actorChange(node) {
    var from = data.diff.from, to = data.diff.to;
    if (node.change === "appeared") return ["new since " + from + ": no claim on " + from];
    if (node.change === "vanished") return ["gone by " + to + ": no claim on " + to];
    if (node.change === "moved") {
      return ["changed camp: with "].concat(joined(node.mates[0].map(label)), [" on " + from + "; with "], joined(node.mates[1].map(label)), [" on " + to]);
    }
    return null;
  }
  function rank(order, name) { var i = order.indexOf(name); return i < 0 ? order.length : i; }

  var nodeView = new vis.DataView(nodes, { filter: function (n) { return state.visibleNodes.has(n.id); } });
  var edgeView = new vis.DataView(edges, { filter: function (e) { return state.visibleEdges.has(e.id); } });

  var options = {
    nodes: { font: { size: 14, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" }, borderWidth: 1 },
    edges: { smooth: { type: "dynamic" }, selectionWidth: 2, arrows: { to: { scaleFactor: 0.6 } } },
    interaction: { hover: true, tooltipDelay: 150, navigationButtons: false, keyboard: true },
    physics: data.large
      ? false
      : { solver: "forceAtlas2Based", forceAtlas2Based: { gravitationalConstant: -60, springLength: 140 }, stabilization: { iterations: 400, updateInterval: 25 } },
    layout: { improvedLayout: !data.large, randomSeed: 7 },
  };

  refresh();
  var container = document.getElementById("network");
  var started = performance.now();
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);
  var physicsButton = document.getElementById("physics");

  function setPhysics(on) {
    network.setOptions({ physics: on ? { enabled: true } : false });
    physicsButton.setAttribute("aria-pressed", String(on));
    physicsButton.textContent = on ? "Layout: running" : "Layout: still";
  }
  physicsButton.addEventListener("click", function () { setPhysics(physicsButton.getAttribute("aria-pressed") !== "true"); });

  function settled() {
    if (window.kg.settledMs === null) window.kg.settledMs = Math.round(performance.now() - started);
    state.visibleNodes.forEach(function (id) { placed.add(id); });
    setPhysics(false);
  }
  if (data.large) {
    window.setTimeout(function () { settled(); status("Large graph (" + data.nodes.length + " actors): physics is off; use kg view --focus ACTOR or filters for a readable layout.", true); }, 0);
  } else if (!state.visibleNodes.size) {
    // Nothing to lay out (no relations, or allegations only): vis-network would never settle.
    window.setTimeout(function () {
      settled();
      var none = data.diff ? "No claim holds on " + data.diff.from + " or on " + data.diff.to + " (kg view --diff)."
        : data.as_of ? "No claim holds on " + data.as_of + " (kg view --as-of)." : "No relations to show.";
      status(data.edges.length ? "Nothing asserted here: tick \u201cshow allegations\u201d in the legend for " + data.edges.length + " alleged relation(s)." : none, true);
    }, 0);
  } else {
    network.once("stabilizationIterationsDone", settled);
  }

  // -- small DOM helpers: text only --------------------------------------------------------------
  // el(tag, content, className): content is text of our own, or a list of such text and
  // nodes; text from the data goes in as datum(text), never as a plain string.
  function el(tag, content, className) {
    var node = document.createElement(tag);
    if (content !== undefined && content !== null) {
      (Array.isArray(content) ? content : [content]).forEach(function (part) {
        node.appendChild(typeof part === "object" ? part : document.createTextNode(String(part)));
      });
    }
    if (className) node.className = className;
    return node;
  }
  function datum(text) { return el("bdi", visible(text)); }
  function joined(texts) {
    var parts = [];
    texts.forEach(function (text, i) { if (i) parts.push(", "); parts.push(datum(text)); });
    return parts;
  }
  function safeLink(url, text) {
    if (typeof url === "string" && /^https?:\/\//i.test(url)) {
      var a = el("a", datum(text || url));
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    return el("span", text ? datum(text) : "");
  }
  function status(content, warning) {
    var line = document.getElementById("status");
    while (line.firstChild) line.removeChild(line.firstChild);
    line.appendChild(el("span", content));
    line.className = warning ? "status warning" : "status";
  }
  function label(id) { var n = nodes.get(id); return n ? n.label : id; }

  // -- legend with filters -------------------------------------------------------------------------
  function legendItem(parent, key, text, swatch, set) {
    var row = el("label", null, "legend-item");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.key = key;
    box.addEventListener("change", function () { if (box.checked) set.add(key); else set.delete(key); refresh(); });
    row.appendChild(box);
    row.appendChild(swatch);
    row.appendChild(el("span", text));
    var count = el("span", "", "count");
    count.dataset.count = key;
    row.appendChild(count);
    parent.appendChild(row);
  }
  // A family's line as drawn: its colour and exact dash pattern (an SVG line, as on the canvas).
  var SVG = "http://www.w3.org/2000/svg";
  function lineSwatch(family) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "swatch-svg");
    svg.setAttribute("width", "34");
    svg.setAttribute("height", "8");
    svg.setAttribute("aria-hidden", "true");
    var line = document.createElementNS(SVG, "line");
    [["x1", "0"], ["y1", "4"], ["x2", "34"], ["y2", "4"], ["stroke", family.color], ["stroke-width", "3"]].forEach(function (a) { line.setAttribute(a[0], a[1]); });
    if (family.dashes) line.setAttribute("stroke-dasharray", family.dashes.join(" "));
    svg.appendChild(line);
    return svg;
  }
  // Each family's row, and a collapsible list of the sub-relations the page's claims use
  // (arms, allied-with, ...): collapsed, the legend fits a laptop screen.
  function familyGroup(parent, key) {
    var family = data.families[key];
    var group = el("div", null, "legend-family");
    group.dataset.family = key;
    var row = el("div", null, "legend-row");
    legendItem(row, key, family.label + (family.arrow ? " →" : " (no arrow)"), lineSwatch(family), state.families);
    group.appendChild(row);
    parent.appendChild(group);
    if (!family.relations.some(function (r) { return r.name !== key; })) return;
    var list = el("ul", null, "sub-relations");
    list.id = "sub-relations-" + key;
    list.hidden = true;
    family.relations.forEach(function (relation) {
      var item = el("li", [el("span", relation.name === key ? relation.name + " (as such)" : relation.name)]);
      item.dataset.relation = relation.name;
      item.title = relation.label;
      if (relation.via) item.appendChild(el("span", " · " + relation.via, "via"));
      var count = el("span", "", "count");
      count.dataset.relationCount = key + " " + relation.name;
      item.appendChild(count);
      list.appendChild(item);
    });
    var toggle = el("button", null, "expand");
    toggle.type = "button";
    toggle.setAttribute("aria-controls", list.id);
    toggle.setAttribute("aria-label", "kinds of " + family.label);
    function show(open) {
      list.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = (open ? "▾ " : "▸ ") + family.relations.length;
    }
    toggle.addEventListener("click", function () { show(list.hidden); });
    show(false);
    row.appendChild(toggle);
    group.appendChild(list);
  }
  Object.keys(data.families).forEach(function (key) { familyGroup(document.getElementById("legend-relations"), key); });

  // The legend of a map of changes: the three kinds of line (filters, with counts), pairs that
  // turned, and actors that appeared, vanished or changed camp; drawn as on the canvas.
  function changesLegend() {
    var styles = data.diff.styles, from = data.diff.from, to = data.diff.to, ink = "#455a64";
    document.getElementById("legend-changes").hidden = false;
    var lines = document.getElementById("legend-change-lines");
    var gained = lineSwatch({ color: ink, dashes: false });
    gained.firstChild.setAttribute("stroke-width", "5");
    gained.style.filter = "drop-shadow(0 0 3px " + styles.gained.shadow.color + ")";
    legendItem(lines, "gained", "gained since " + from + ": wide, glowing", gained, state.changes);
    var lost = lineSwatch({ color: ink, dashes: styles.lost.dashes });
    lost.setAttribute("opacity", String(styles.lost.opacity));
    legendItem(lines, "lost", "lost by " + to + ": ghosted", lost, state.changes);
    legendItem(lines, "unchanged", "unchanged: on both dates", lineSwatch({ color: ink, dashes: false }), state.changes);
    var turned = el("div", [el("span", "a\u2192b", "swatch-turned"), el("span", "turned: allied \u2194 opposed, said on the line"), el("span", "", "count")], "legend-item");
    turned.lastChild.id = "count-turned";
    lines.appendChild(turned);
    var actors = document.getElementById("legend-change-actors");
    [["appeared", "new actor: glowing"], ["vanished", "vanished actor: faded, dashed"], ["moved", "changed camp: purple glow"]].forEach(function (kind) {
      var dot = el("span", null, "swatch-node");
      var style = styles[kind[0]];
      dot.style.background = ink;
      if (style.shadow) dot.style.boxShadow = "0 0 4px 2px " + style.shadow.color;
      if (style.opacity) { dot.style.opacity = String(style.opacity); dot.style.border = "2px dashed #000"; }
      var count = el("span", "", "count");
      count.dataset.actorChange = kind[0];
      actors.appendChild(el("div", [dot, el("span", kind[1]), count], "legend-item"));
    });
    document.getElementById("changes-hint").textContent = "The map of " + to + ", with the lines of " + from +
      " gone by then. A line is gained when no claim drew it on " + from + ", lost when none draws it on " + to + " (kg diff lists each change with its claims).";
  }
  Object.keys(data.types).forEach(function (key) {
    var dot = el("span", null, "swatch-node");
    dot.style.background = data.types[key].color;
    legendItem(document.getElementById("legend-types"), key, key + " (" + data.types[key].shape + ")", dot, state.types);
  });
  if (data.diff) changesLegend();
  // A map of changes shows the claims kg diff compares: whether they include allegations is
  // the selection's (--stance), not a box's.
  var showAllegations = document.getElementById("show-allegations");
  showAllegations.checked = state.allegations;
  showAllegations.disabled = Boolean(data.diff);
  // Actors first shown with the allegations have no place yet: a short layout finds them one.
  var placed = new Set();
  showAllegations.addEventListener("change", function () {
    state.allegations = showAllegations.checked;
    refresh();
    var fresh = Array.from(state.visibleNodes).filter(function (id) { return !placed.has(id); });
    state.visibleNodes.forEach(function (id) { placed.add(id); });
    if (fresh.length && !data.large) {
      window.kg.settling = true;
      network.once("stabilizationIterationsDone", function () { window.kg.settling = false; });
      network.stabilize(200);
    }
  });
  updateCounts();
  function updateCounts() {
    var perFamily = {}, perType = {}, perRelation = {}, perChange = {}, perActorChange = {}, turned = new Set(), alleged = 0, contested = 0;
    state.visibleEdges.forEach(function (id) {
      var e = edges.get(id);
      perFamily[e.family] = (perFamily[e.family] || 0) + 1;
      if (e.change) perChange[e.change] = (perChange[e.change] || 0) + 1;
      if (e.turned) turned.add([e.from, e.to].sort().join(" "));
      new Set(drawing(e).map(function (c) { return c.relation; })).forEach(function (r) {
        var key = e.family + " " + r;
        perRelation[key] = (perRelation[key] || 0) + 1;
      });
      if (e.alleged) alleged += 1;
      if (marked[id]) contested += 1;
    });
    document.getElementById("count-alleged").textContent = String(alleged);
    document.getElementById("count-contested").textContent = String(contested);
    state.visibleNodes.forEach(function (id) {
      var n = nodes.get(id);
      perType[n.type] = (perType[n.type] || 0) + 1;
      if (n.change) perActorChange[n.change] = (perActorChange[n.change] || 0) + 1;
    });
    var counted = Object.assign({}, perType, perFamily, perChange); // no family is named like a type or a change
    document.querySelectorAll("[data-count]").forEach(function (span) { span.textContent = String(counted[span.dataset.count] || 0); });
    document.querySelectorAll("[data-actor-change]").forEach(function (span) { span.textContent = String(perActorChange[span.dataset.actorChange] || 0); });
    var turnedCount = document.getElementById("count-turned"); // none before the legend is built
    if (turnedCount) turnedCount.textContent = String(turned.size);
    document.querySelectorAll("[data-relation-count]").forEach(function (span) {
      span.textContent = String(perRelation[span.dataset.relationCount] || 0);
    });
  }

  // -- search and focus ----------------------------------------------------------------------------
  var names = {};
  var list = document.getElementById("actor-names");
  nodes.forEach(function (n) {
    [n.id, n.name, n.label].concat(n.aliases || []).forEach(function (name) { names[String(name).toLowerCase()] = n.id; });
    var option = el("option");
    option.value = n.label;
    list.appendChild(option);
  });
  function focusOn(id) {
    var around = new Set([id]);
    edges.forEach(function (e) { if (e.from === id) around.add(e.to); if (e.to === id) around.add(e.from); });
    state.focus = around;
    refresh();
    document.getElementById("show-all").hidden = false;
    network.selectNodes([id]);
    network.focus(id, { scale: 1.1, animation: { duration: 400 } });
    showNode(id);
  }
  var search = document.getElementById("search");
  search.addEventListener("change", function () {
    var id = names[search.value.trim().toLowerCase()];
    if (id) focusOn(id);
    else status(["No actor named ", datum(search.value)], true);
  });
  document.getElementById("show-all").addEventListener("click", function () {
    state.focus = null;
    search.value = "";
    document.getElementById("show-all").hidden = true;
    refresh();
    network.fit();
  });

  // -- time slider ---------------------------------------------------------------------------------
  var slider = document.getElementById("date-slider");
  var useDate = document.getElementById("use-date");
  var dateLabel = document.getElementById("date-label");
  var first = data.dates ? Date.parse(data.dates[0]) : 0;
  slider.max = data.dates ? String(Math.round((Date.parse(data.dates[1]) - first) / DAY)) : "0";
  slider.value = slider.max;
  function dayOf(value) { return new Date(first + Number(value) * DAY).toISOString().slice(0, 10); }
  function setDate() {
    state.date = useDate.checked ? dayOf(slider.value) : null;
    slider.disabled = !useDate.checked;
    dateLabel.textContent = state.date || "all dates";
    refresh();
  }
  useDate.addEventListener("change", setDate);
  slider.addEventListener("input", setDate);
  if (!data.dates) useDate.disabled = true;
  if (data.diff) {  // one picture of two dates: no slider, the dates instead
    useDate.disabled = true;
    document.querySelector("label.date").style.display = "none";
    var dates = document.getElementById("diff-dates");
    dates.hidden = false;
    dates.textContent = "changes from " + data.diff.from + " to " + data.diff.to + " (kg view --diff)";
  }
  if (data.as_of) {  // written with kg view --as-of: the slider starts on that date
    useDate.checked = true;
    slider.value = slider.max;
    setDate();
    dateLabel.textContent = data.as_of + " (kg view --as-of)";
  }

  // -- side panel ----------------------------------------------------------------------------------
  var panel = document.getElementById("panel");
  function clearPanel() { while (panel.firstChild) panel.removeChild(panel.firstChild); }
  function showEdge(id) {
    var edge = edges.get(id);
    clearPanel();
    var family = data.families[edge.family];
    panel.appendChild(el("h3", [datum(label(edge.from)), " " + family.label + " ", datum(label(edge.to))]));
    var shown = edge.claims.filter(function (c) { return c.stance === "denied" || counts(c); });
    var stances = {};
    shown.forEach(function (c) { if (c.stance !== "asserted") stances[c.stance] = (stances[c.stance] || 0) + 1; });
    var other = Object.keys(stances).sort().map(function (s) { return stances[s] + " " + s; });
    panel.appendChild(el("p", shown.length + " assertion(s)" + (other.length ? " (" + other.join(", ") + ")" : "") + ", " + edge.sources + " source(s); " + (edge.alleged ? "alleged" : "asserted") + " as: " + edge.relations.join(", "), "hint"));
    if (data.diff) panel.appendChild(el("p", changeText(edge), "change-note " + edge.change));
    if (marked[id]) panel.appendChild(el("p", "Contested: one source's claim is denied or contradicted by another's.", "contested-note"));
    shown.forEach(function (claim) {
      var box = el("div", null, "claim " + claim.stance);
      box.appendChild(el("div", [el("span", claim.stance, "stance"), " ", datum(claim.text)], "meta"));
      if (claim.saidBy) box.appendChild(el("div", ["said by ", datum(claim.saidBy)], "said-by"));
      var context = [];
      if (claim.process) context.push("process ", datum(claim.process));
      if (claim.host) context.push(context.length ? " · host " : "host ", datum(claim.host));
      if (context.length) box.appendChild(el("div", context, "meta"));
      if (claim.quote) box.appendChild(el("blockquote", datum(claim.quote)));
      if (claim.note) box.appendChild(el("div", ["note: ", datum(claim.note)], "note"));
      claim.sources.forEach(function (source) {
        var line = el("div");
        line.appendChild(safeLink(source.url, source.title));
        if (source.publisher) line.appendChild(el("span", [" — ", datum(source.publisher)], "meta"));
        box.appendChild(line);
      });
      var when = "reported " + claim.reported + (claim.from ? ", holds from " + claim.from : "") + (claim.to ? " until " + claim.to : "");
      box.appendChild(el("div", when + " · confidence " + claim.confidence, "meta"));
      panel.appendChild(box);
    });
  }
  function showNode(id) {
    var node = nodes.get(id);
    clearPanel();
    panel.appendChild(el("h3", datum(node.label)));
    var about = [node.type + (node.camp ? " · camp " + node.camp : "")];
    if (node.aliases && node.aliases.length) about = about.concat([" · also: "], joined(node.aliases));
    panel.appendChild(el("p", about, "hint"));
    if (data.diff && node.change) panel.appendChild(el("p", actorChange(node), "change-note " + node.change));
    var items = el("ul", null, "relations");
    edges.forEach(function (e) {
      if (!state.visibleEdges.has(e.id) || (e.from !== id && e.to !== id)) return;
      var kinds = Array.from(new Set(drawing(e).map(function (c) { return c.relation; }))).filter(function (r) { return r !== e.family; });
      var family = data.families[e.family].label + (kinds.length ? " (" + kinds.sort().join(", ") + ")" : "");
      var text = e.from === id ? [family + " → ", datum(label(e.to))] : [datum(label(e.from)), " " + family + " → this"];
      var item = el("li", text);
      item.style.cursor = "pointer";
      item.addEventListener("click", function () { network.selectEdges([e.id]); showEdge(e.id); });
      items.appendChild(item);
    });
    panel.appendChild(items);
  }
  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });

  // For tests and the curious: the live state of the page.
  window.kg = {
    network: network, nodes: nodes, edges: edges, state: state, settledMs: null, settling: false,
    visibleNodes: function () { return Array.from(state.visibleNodes).sort(); },
    visibleEdges: function () {
      return Array.from(state.visibleEdges).map(function (id) { var e = edges.get(id); return [e.from, e.family, e.to]; }).sort();
    },
    visibleChanges: function () {  // [from, family, to, change] of each line shown, on a map of changes
      return Array.from(state.visibleEdges).map(function (id) { var e = edges.get(id); return [e.from, e.family, e.to, e.change]; }).sort();
    },
    showEdge: showEdge, showNode: showNode, focusOn: focusOn,
  };
  if (state.visibleNodes.size) {
    var undrawn = data.undrawn ? "; " + data.undrawn + " actor(s) with no claim here not drawn (kg analyse blocs lists them)" : "";
    var leftOut = data.leftOut.lines ? "; " + data.leftOut.lines + " less-sourced relations not drawn (kg view --max-lines)" : "";
    status(data.nodes.length + " actors, " + data.edges.length + " relations" + leftOut + undrawn);
  }
})();
