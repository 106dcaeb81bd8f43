/* vaultlink graph page. Reads the JSON in #vaultlink-data, draws it with vis-network, and keeps
   filters, search, focus and the side panel in step. Every string from a note reaches the DOM
   through textContent or a property (href, value), never through innerHTML. */
(function () {
  "use strict";

  var timings = { start: performance.now() };
  var DATA = JSON.parse(document.getElementById("vaultlink-data").textContent);
  timings.parsed = performance.now();
  var ROWS = DATA.nodes;
  var EROWS = DATA.edges;
  var N = ROWS.length;
  var E = EROWS.length;
  var LIST_LIMIT = 40;
  var NODE_STYLE = {};
  var EDGE_STYLE = {};
  DATA.nodeTypes.forEach(function (t) { NODE_STYLE[t.type] = t; });
  DATA.edgeTypes.forEach(function (t) { EDGE_STYLE[t.type] = t; });
  /* Unpack what the page was sent compactly: a note node's id and label come from the notes
     table, an edge's type is an index, and an edge with no notes has no list. */
  ROWS.forEach(function (row) {
    if (row[1] === "note" && row[0] === "" && row[6] >= 0) {
      row[0] = "note:" + DATA.notes[row[6]][0];
      row[2] = DATA.notes[row[6]][1];
    }
  });
  EROWS.forEach(function (row) {
    row[2] = DATA.edgeTypes[row[2]].type;
    if (row.length < 5) row.push([]);
  });

  var indexOf = Object.create(null);
  var noteNode = new Int32Array(DATA.notes.length).fill(-1);
  var adjacency = [];
  for (var i = 0; i < N; i++) {
    indexOf[ROWS[i][0]] = i;
    adjacency.push([]);
    if (ROWS[i][6] >= 0 && (noteNode[ROWS[i][6]] < 0 || ROWS[i][1] !== "note")) noteNode[ROWS[i][6]] = i;
  }
  for (var j = 0; j < E; j++) {
    adjacency[EROWS[j][0]].push(j);
    adjacency[EROWS[j][1]].push(j);
  }
  var posX = new Float64Array(N);
  var posY = new Float64Array(N);
  for (i = 0; i < N; i++) { posX[i] = ROWS[i][3]; posY[i] = ROWS[i][4]; }

  /* notesAuto: notes are off only because the graph is large; a focus then brings in the notes
     around the selected node. Ticking or unticking Note ends it. */
  var state = { nodeOn: {}, edgeOn: {}, query: "", focus: 0, selected: -1, notesAuto: !DATA.showNotes };
  DATA.nodeTypes.forEach(function (t) { state.nodeOn[t.type] = t.type !== "note" || DATA.showNotes; });
  DATA.edgeTypes.forEach(function (t) { state.edgeOn[t.type] = true; });

  var member = new Uint8Array(N);
  var hidden = new Uint8Array(N);
  var edgeMember = new Uint8Array(E);
  var searchKeys = null;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function matches(i, query) {
    if (searchKeys === null) {
      searchKeys = ROWS.map(function (row) {
        var path = row[6] >= 0 ? DATA.notes[row[6]][0] : "";
        return fold([row[2]].concat(row[8], [path]).join("\n"));
      });
    }
    return searchKeys[i].indexOf(query) >= 0;
  }

  function shade(hex, factor) {
    var n = parseInt(hex.slice(1), 16);
    var r = Math.round(((n >> 16) & 255) * factor);
    var g = Math.round(((n >> 8) & 255) * factor);
    var b = Math.round((n & 255) * factor);
    return "rgb(" + Math.min(r, 255) + "," + Math.min(g, 255) + "," + Math.min(b, 255) + ")";
  }

  function visNode(i) {
    var row = ROWS[i];
    var style = NODE_STYLE[row[1]];
    var isNote = row[1] === "note";
    return {
      id: row[0],
      label: row[2],
      x: posX[i],
      y: posY[i],
      size: row[5],
      shape: style.shape,
      hidden: !!hidden[i],
      color: {
        background: style.color,
        border: shade(style.color, 0.7),
        highlight: { background: shade(style.color, 1.15), border: "#222" },
        hover: { background: shade(style.color, 1.15), border: "#222" }
      },
      font: { size: isNote ? 12 : 18, color: isNote ? "#666" : "#222", strokeWidth: 3, strokeColor: "#fff" },
      borderWidth: 1
    };
  }

  var edgeColors = {};
  DATA.edgeTypes.forEach(function (t) { edgeColors[t.type] = rgba(t.color, 0.75); });

  function rgba(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  /* A plain colour string, not a colour object: vis-network builds 20,000 edges about twice as
     fast that way, and the first draw of a big vault waits for every one of them. */
  function visEdge(j) {
    var row = EROWS[j];
    var edge = { id: "e" + j, from: ROWS[row[0]][0], to: ROWS[row[1]][0], color: edgeColors[row[2]] };
    if (row[3] > 1) edge.width = Math.min(1 + Math.log2(row[3]), 6);
    if (EDGE_STYLE[row[2]].directed) edge.arrows = "to";
    return edge;
  }

  /* Which nodes are in the DataSets (their type is on) and which of those are hidden (search, focus). */
  function desiredMembers() {
    var want = new Uint8Array(N);
    for (var i = 0; i < N; i++) want[i] = state.nodeOn[ROWS[i][1]] ? 1 : 0;
    return want;
  }

  function edgeWanted(j, want) {
    var row = EROWS[j];
    return state.edgeOn[row[2]] && want[row[0]] && want[row[1]];
  }

  function eligible(i) {
    var type = ROWS[i][1];
    return state.nodeOn[type] || (state.notesAuto && type === "note");
  }

  function focusSet() {
    if (!state.focus || state.selected < 0 || !eligible(state.selected)) return null;
    var seen = new Uint8Array(N);
    var frontier = [state.selected];
    seen[state.selected] = 1;
    for (var depth = 0; depth < state.focus; depth++) {
      var next = [];
      frontier.forEach(function (i) {
        adjacency[i].forEach(function (j) {
          var row = EROWS[j];
          var other = row[0] === i ? row[1] : row[0];
          if (seen[other] || !state.edgeOn[row[2]] || !eligible(other)) return;
          seen[other] = 1;
          next.push(other);
        });
      });
      frontier = next;
    }
    return seen;
  }

  /* Bring the DataSets in line with the filters. vis-network takes ~0.1 ms per edge it adds, so
     a big change (ticking Note in a 10k-note vault) runs in slices between frames, with progress
     shown and the page responsive; a newer refresh abandons an older one's remaining slices. */
  var generation = 0;
  var BIG_CHANGE = 5000;

  function refresh() {
    var gen = ++generation;
    var want = desiredMembers();
    var near = focusSet();
    if (near && state.notesAuto) for (var k = 0; k < N; k++) if (near[k]) want[k] = 1;
    var query = fold(state.query.trim());
    var wantHidden = new Uint8Array(N);
    for (var i = 0; i < N; i++) {
      if (!want[i]) continue;
      var show = (!query || matches(i, query)) && (!near || near[i]);
      wantHidden[i] = show ? 0 : 1;
    }
    var removeNodes = [], addNodes = [], updateNodes = [], removeEdges = [], addEdges = [];
    for (i = 0; i < N; i++) {
      if (want[i] && !member[i]) addNodes.push(i);
      else if (!want[i] && member[i]) removeNodes.push(i);
      else if (want[i] && hidden[i] !== wantHidden[i]) updateNodes.push(i);
    }
    for (var j = 0; j < E; j++) {
      var w = edgeWanted(j, want) ? 1 : 0;
      if (w && !edgeMember[j]) addEdges.push(j);
      else if (!w && edgeMember[j]) removeEdges.push(j);
    }
    if (removeNodes.length && network) {
      var leaving = removeNodes.map(function (k) { return ROWS[k][0]; });
      var kept = network.getPositions(leaving);
      removeNodes.forEach(function (k) {
        var p = kept[ROWS[k][0]];
        if (p) { posX[k] = p.x; posY[k] = p.y; }
      });
    }
    var steps = [
      [removeEdges, 6000, function (part) {
        edges.remove(part.map(function (k) { return "e" + k; }));
        part.forEach(function (k) { edgeMember[k] = 0; });
      }],
      [removeNodes, 2000, function (part) {
        nodes.remove(part.map(function (k) { return ROWS[k][0]; }));
        part.forEach(function (k) { member[k] = 0; });
      }],
      [updateNodes, 20000, function (part) {
        part.forEach(function (k) { hidden[k] = wantHidden[k]; });
        nodes.update(part.map(function (k) { return { id: ROWS[k][0], hidden: !!wantHidden[k] }; }));
      }],
      [addNodes, 1500, function (part) {
        part.forEach(function (k) { hidden[k] = wantHidden[k]; member[k] = 1; });
        nodes.add(part.map(visNode));
      }],
      [addEdges, 5000, function (part) {
        part.forEach(function (k) { edgeMember[k] = 1; });
        edges.add(part.map(visEdge));
      }]
    ];
    var total = removeEdges.length + removeNodes.length + addNodes.length + addEdges.length;
    if (total < BIG_CHANGE) {
      steps.forEach(function (step) { if (step[0].length) step[2](step[0]); });
      api.busy = false;
      updateCounts(query);
      return;
    }
    api.busy = true;
    var done = 0;
    var hint = document.getElementById("hint");
    var queue = [];
    steps.forEach(function (step) {
      for (var start = 0; start < step[0].length; start += step[1]) queue.push([step[0].slice(start, start + step[1]), step[2]]);
    });
    (function next() {
      if (gen !== generation) return;
      var task = queue.shift();
      if (!task) {
        api.busy = false;
        hint.textContent = "";
        updateCounts(query);
        return;
      }
      task[1](task[0]);
      done += task[0].length;
      hint.textContent = "Updating the graph\u2026 " + Math.round(100 * done / Math.max(total, 1)) + "%";
      setTimeout(next, 0);
    })();
  }

  function visibleCount() {
    var count = 0;
    for (var i = 0; i < N; i++) if (member[i] && !hidden[i]) count++;
    return count;
  }

  function updateCounts(query) {
    var shown = visibleCount();
    var text = shown + " of " + N + " nodes shown";
    if (query) text = shown + " match" + (shown === 1 ? "" : "es");
    document.getElementById("search-count").textContent = query || state.focus ? text : "";
    document.getElementById("stats").textContent = summary();
  }

  function summary() {
    var counts = {};
    ROWS.forEach(function (row) { counts[row[1]] = (counts[row[1]] || 0) + 1; });
    var parts = [];
    [["person", "people"], ["company", "companies"], ["topic", "topics"], ["note", "notes"]].forEach(function (p) {
      if (counts[p[0]]) parts.push(counts[p[0]] + " " + (counts[p[0]] === 1 ? p[0] : p[1]));
    });
    return parts.join(" · ");
  }

  /* ---- legend and toggles ---- */

  var SVG = "http://www.w3.org/2000/svg";

  function swatch(shape, color) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("class", "swatch");
    var el;
    if (shape === "dot") {
      el = document.createElementNS(SVG, "circle");
      el.setAttribute("cx", "8"); el.setAttribute("cy", "8"); el.setAttribute("r", "6.5");
    } else if (shape === "square") {
      el = document.createElementNS(SVG, "rect");
      el.setAttribute("x", "2"); el.setAttribute("y", "2"); el.setAttribute("width", "12"); el.setAttribute("height", "12");
    } else {
      el = document.createElementNS(SVG, "polygon");
      var points = {
        triangle: "8,1.5 14.5,14 1.5,14",
        diamond: "8,1 15,8 8,15 1,8",
        star: "8,1 9.9,6 15,6 10.9,9.2 12.4,14.5 8,11.4 3.6,14.5 5.1,9.2 1,6 6.1,6"
      };
      el.setAttribute("points", points[shape] || points.diamond);
    }
    el.setAttribute("fill", color);
    el.setAttribute("stroke", shade(color, 0.7));
    svg.appendChild(el);
    return svg;
  }

  function toggle(list, kind, style, count, checked, onChange) {
    var li = document.createElement("li");
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = checked;
    box.dataset.kind = kind;
    box.addEventListener("change", function () { onChange(box.checked); });
    label.appendChild(box);
    if (style.shape) label.appendChild(swatch(style.shape, style.color));
    else {
      var line = document.createElement("span");
      line.className = "line";
      line.style.background = style.color;
      label.appendChild(line);
    }
    label.appendChild(document.createTextNode(style.label));
    var number = document.createElement("span");
    number.className = "count";
    number.textContent = String(count);
    label.appendChild(number);
    if (!count) label.className = "absent";
    li.appendChild(label);
    list.appendChild(li);
  }

  function buildControls() {
    document.getElementById("vault-title").textContent = DATA.vault;
    var nodeCounts = {}, edgeCounts = {};
    ROWS.forEach(function (row) { nodeCounts[row[1]] = (nodeCounts[row[1]] || 0) + 1; });
    EROWS.forEach(function (row) { edgeCounts[row[2]] = (edgeCounts[row[2]] || 0) + 1; });
    var nodeList = document.getElementById("node-types");
    DATA.nodeTypes.forEach(function (t) {
      toggle(nodeList, t.type, t, nodeCounts[t.type] || 0, state.nodeOn[t.type], function (on) {
        state.nodeOn[t.type] = on;
        if (t.type === "note") state.notesAuto = false;
        refresh();
      });
    });
    var edgeList = document.getElementById("edge-types");
    DATA.edgeTypes.forEach(function (t) {
      toggle(edgeList, t.type, t, edgeCounts[t.type] || 0, true, function (on) {
        state.edgeOn[t.type] = on;
        refresh();
      });
    });
    var timer = null;
    var search = document.getElementById("search");
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.query = search.value; refresh(); }, N > 2000 ? 250 : 60);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      clearTimeout(timer);
      state.query = search.value;
      refresh();
      for (var i = 0; i < N; i++) if (member[i] && !hidden[i]) { select(i, true); break; }
    });
    var focus = document.getElementById("focus");
    focus.addEventListener("change", function () { setFocus(Number(focus.value)); });
    document.getElementById("fit").addEventListener("click", function () { network.fit({ animation: false }); });
    if (!DATA.showNotes && (nodeCounts.note || 0) > 0) {
      document.getElementById("hint").textContent =
        "Notes are hidden in a graph this large: pick a focus to see the notes around the " +
        "selected node, or tick Note to show them all (slow).";
    }
  }

  function setFocus(depth) {
    state.focus = depth;
    document.getElementById("focus").value = String(depth);
    refresh();
    if (depth && state.selected >= 0) network.fit({ nodes: visibleIds(), animation: false });
  }

  function visibleIds() {
    var out = [];
    for (var i = 0; i < N; i++) if (member[i] && !hidden[i]) out.push(ROWS[i][0]);
    return out;
  }

  /* ---- the side panel ---- */

  var panel = document.getElementById("panel");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function obsidianUrl(path) {
    return "obsidian://open?vault=" + encodeURIComponent(DATA.vault) + "&file=" + encodeURIComponent(path);
  }

  function jump(i, text) {
    var a = el("a", "jump", text === undefined ? ROWS[i][2] : text);
    a.href = "#";
    a.dataset.node = ROWS[i][0];
    a.addEventListener("click", function (event) { event.preventDefault(); select(i, true); });
    return a;
  }

  function openLink(path, text) {
    var a = el("a", "open", text || "open in Obsidian");
    a.href = obsidianUrl(path);
    a.title = path;
    return a;
  }

  function noteLine(parent, f) {
    var note = DATA.notes[f];
    var node = noteNode[f];
    var title = note[1] || note[0];
    parent.appendChild(node >= 0 && node !== state.selected ? jump(node, title) : el("span", null, title));
    if (note[2]) parent.appendChild(el("span", "date", note[2]));
    parent.appendChild(openLink(note[0]));
  }

  function adviceBlock(parent, a) {
    var row = DATA.advice[a];
    var quote = el("blockquote");
    if (row[4]) quote.appendChild(el("span", "question", row[4]));
    quote.appendChild(el("span", null, "\u201c" + row[2] + "\u201d"));
    var cite = el("span", "cite");
    if (row[1] >= 0 && row[1] !== state.selected) {
      cite.appendChild(document.createTextNode("\u2014 "));
      cite.appendChild(jump(row[1]));
      cite.appendChild(document.createTextNode(" "));
    }
    if (row[0] >= 0) noteLine(cite, row[0]);
    quote.appendChild(cite);
    parent.appendChild(quote);
  }

  function renderItem(item) {
    var li = el("li");
    if (item.n !== undefined) li.appendChild(jump(item.n));
    if (item.t !== undefined) li.appendChild(el("span", null, (item.n !== undefined ? " \u2014 " : "") + item.t));
    if (item.f !== undefined) noteLine(li, item.f);
    if (item.a !== undefined) adviceBlock(li, item.a);
    if (item.i && item.i.length) li.appendChild(renderList(item.i));
    return li;
  }

  function renderList(items) {
    var ul = el("ul");
    var shown = Math.min(items.length, LIST_LIMIT);
    for (var k = 0; k < shown; k++) ul.appendChild(renderItem(items[k]));
    if (items.length > shown) {
      var li = el("li");
      var more = el("button", null, "Show all " + items.length);
      more.type = "button";
      more.addEventListener("click", function () {
        li.remove();
        for (var m = shown; m < items.length; m++) ul.appendChild(renderItem(items[m]));
      });
      li.appendChild(more);
      ul.appendChild(li);
    }
    return ul;
  }

  // The panel emptied, with the coloured label of what it now shows (a node's or an edge's kind).
  function startPanel(style) {
    panel.replaceChildren();
    var kind = el("span", "kind", style.label);
    kind.style.background = style.color;
    panel.appendChild(kind);
  }

  function showPanel(i) {
    var row = ROWS[i];
    startPanel(NODE_STYLE[row[1]]);
    panel.appendChild(el("h2", "name", row[2]));
    if (row[7]) panel.appendChild(el("p", "muted", row[7]));
    if (row[8].length) panel.appendChild(el("p", "muted", "Also: " + row[8].join(", ")));
    var actions = el("div", "actions");
    if (row[6] >= 0) actions.appendChild(openLink(DATA.notes[row[6]][0], "Open note in Obsidian"));
    [[1, "Focus: 1 step"], [2, "Focus: 2 steps"], [0, "Whole graph"]].forEach(function (f) {
      var b = el("button", null, f[1]);
      b.type = "button";
      b.dataset.focus = String(f[0]);
      b.addEventListener("click", function () { setFocus(f[0]); });
      actions.appendChild(b);
    });
    panel.appendChild(actions);
    var sections = DATA.panels[i] || [];
    sections.forEach(function (section) {
      var h = el("h3", null, section[0] + " (" + section[1].length + ")");
      panel.appendChild(h);
      panel.appendChild(renderList(section[1]));
    });
    if (!sections.length) panel.appendChild(el("p", "muted", "Nothing more is known about this node."));
    panel.scrollTop = 0;
  }

  function showEdgePanel(j) {
    var row = EROWS[j];
    var style = EDGE_STYLE[row[2]];
    startPanel(style);
    var h = el("h2", "name");
    h.appendChild(jump(row[0]));
    h.appendChild(document.createTextNode(style.directed ? " \u2192 " : " \u2014 "));
    h.appendChild(jump(row[1]));
    panel.appendChild(h);
    panel.appendChild(el("p", "muted", "weight " + row[3]));
    if (row[4].length) {
      panel.appendChild(el("h3", null, "Notes (" + row[4].length + ")"));
      panel.appendChild(renderList(row[4].map(function (f) { return { f: f }; })));
    }
  }

  function select(i, moveCamera) {
    state.selected = i;
    showPanel(i);
    if (state.focus) refresh();
    if (member[i]) {
      network.selectNodes([ROWS[i][0]]);
      if (moveCamera) network.focus(ROWS[i][0], { scale: Math.max(network.getScale(), 0.9), animation: false });
    }
  }

  /* ---- the network ---- */

  var want = desiredMembers();
  var initialNodes = [], initialEdges = [];
  for (i = 0; i < N; i++) {
    member[i] = want[i];
    if (want[i]) initialNodes.push(visNode(i));
  }
  for (j = 0; j < E; j++) {
    edgeMember[j] = edgeWanted(j, want) ? 1 : 0;
    if (edgeMember[j]) initialEdges.push(visEdge(j));
  }
  var nodes = new vis.DataSet(initialNodes);
  var edges = new vis.DataSet(initialEdges);
  timings.dataSets = performance.now();
  var big = N > 1500 || E > 5000;
  var options = {
    autoResize: true,
    layout: { improvedLayout: false },
    interaction: { hover: !big, tooltipDelay: 300, hideEdgesOnDrag: big, hideEdgesOnZoom: big, multiselect: false },
    nodes: { scaling: { label: { drawThreshold: 6 } } },
    edges: {
      smooth: big ? false : { type: "continuous", roundness: 0.3 },
      selectionWidth: 1.5,
      arrows: { to: { scaleFactor: 0.45 } }
    },
    physics: DATA.physics ? {
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -60, centralGravity: 0.015, springLength: 90, springConstant: 0.05, damping: 0.6, avoidOverlap: 0.6 },
      minVelocity: 1,
      stabilization: { enabled: true, iterations: 300, updateInterval: 100, fit: true }
    } : false
  };
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  timings.network = performance.now();

  var api = {
    data: DATA,
    state: state,
    busy: false,
    ready: false,
    firstDrawMs: null,
    timings: timings,
    visibleNodeIds: visibleIds,
    select: function (id, move) { if (id in indexOf) select(indexOf[id], move !== false); },
    search: function (query) { state.query = query; document.getElementById("search").value = query; refresh(); },
    setNodeType: function (type, on) {
      state.nodeOn[type] = on;
      if (type === "note") state.notesAuto = false;
      refresh();
    },
    setEdgeType: function (type, on) { state.edgeOn[type] = on; refresh(); },
    setFocus: setFocus,
    obsidianUrl: obsidianUrl
  };
  window.vaultlink = api;
  window.network = network;
  window.nodes = nodes;
  window.edges = edges;

  network.once("afterDrawing", function () {
    api.firstDrawMs = timings.firstDraw = performance.now();
    api.ready = true;
    document.body.setAttribute("data-ready", "1");
  });
  if (DATA.physics) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); });
  } else {
    network.fit({ animation: false });
  }
  network.on("click", function (params) {
    if (params.nodes.length) select(indexOf[params.nodes[0]], false);
    else if (params.edges.length) showEdgePanel(Number(String(params.edges[0]).slice(1)));
  });

  buildControls();
  updateCounts("");
})();
