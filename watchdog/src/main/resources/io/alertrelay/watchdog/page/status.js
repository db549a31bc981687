// Alert Relay status page: reads /status and /status/history and builds the page. Plain DOM and SVG, no library.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#0969da", "#bf3989", "#1a7f37", "#b35900", "#8250df", "#c62828", "#0a7ea4", "#57606a"];
  var HOUR = 3600 * 1000;
  var REFRESH = 5000;

  // The plots' time axis: the last hour, or since the oldest sample when the relay started less than an hour ago
  // (at least 5 minutes), so a young relay's points are not squeezed against the right edge.
  var domain = { start: 0, end: 1 };
  function setDomain(history, now) {
    var earliest = now;
    var groups = (history && history.groups) || {};
    Object.keys(groups).forEach(function (g) {
      Object.keys(groups[g]).forEach(function (n) {
        var pts = groups[g][n];
        if (pts.length && pts[0][0] < earliest) earliest = pts[0][0];
      });
    });
    domain = { start: Math.max(now - HOUR, Math.min(earliest, now - 5 * 60000)), end: now };
  }
  function ticks() {
    var span = domain.end - domain.start;
    var steps = [30000, 60000, 120000, 300000, 600000, 900000];
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) if (span / steps[i] <= 7) { step = steps[i]; break; }
    var out = [];
    for (var t = Math.ceil(domain.start / step) * step; t <= domain.end; t += step) out.push(t);
    return { at: out, label: step < 60000 ? function (ms) { return new Date(ms).toISOString().substring(11, 19); } : hhmm };
  }
  function spanText() {
    var minutes = Math.round((domain.end - domain.start) / 60000);
    return minutes >= 59 ? "last hour" : "last " + minutes + " min (history starts with the relay)";
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function badge(text, kind) { return el("span", { "class": "badge " + kind }, text); }
  function kindOf(state) {
    var s = String(state || "").toUpperCase();
    if (["VERIFIED", "OK", "MET", "NORMAL", "READY", "ACTIVE", "WATCHING"].indexOf(s) >= 0) return "ok";
    if (["FAILED", "MISSING", "ABSENT", "DOWN", "RESOLVING", "LOST", "UNMET", "SILENT", "OVERDUE"].indexOf(s) >= 0) return "bad";
    if (s === "" || s === "LEARNING" || s === "WAITING" || s === "UNKNOWN") return "";
    return "warn";
  }
  function ago(iso, now) {
    if (!iso) return "never";
    var s = Math.max(0, (now - Date.parse(iso)) / 1000);
    return duration(s) + " ago";
  }
  function duration(s) {
    if (s < 1) return Math.round(s * 1000) + " ms";
    if (s < 90) return s.toFixed(s < 10 ? 1 : 0) + " s";
    if (s < 5400) return Math.round(s / 60) + " min";
    return (s / 3600).toFixed(1) + " h";
  }
  function clock(ms) { return new Date(ms).toISOString().substring(11, 19) + " UTC"; }
  function hhmm(ms) { return new Date(ms).toISOString().substring(11, 16); }
  function row(cells, cls) {
    var tr = el("tr", cls ? { "class": cls } : {});
    cells.forEach(function (c) {
      var td = el("td", c && c.cls ? { "class": c.cls } : {});
      var v = c && c.node !== undefined ? c.node : (c && c.text !== undefined ? c.text : c);
      if (v instanceof Node) td.appendChild(v); else td.textContent = v === null || v === undefined ? "" : String(v);
      tr.appendChild(td);
    });
    return tr;
  }
  function fill(tbody, rows, empty, columns) {
    tbody.textContent = "";
    if (!rows.length) { var tr = el("tr"); tr.appendChild(el("td", { colspan: columns, "class": "muted" }, empty)); tbody.appendChild(tr); }
    rows.forEach(function (r) { tbody.appendChild(r); });
  }

  function header(status, now) {
    var ready = status.ready || {};
    var b = $("ready");
    b.textContent = ready.ready ? "READY" : "NOT READY";
    b.className = "badge " + (ready.ready ? "ok" : "bad");
    $("relay").textContent = "relay " + status.relay + " · master " + ((status.redis && status.redis.master && status.redis.master.node) || "unknown");
    $("updated").textContent = "updated " + clock(now);
    var reasons = $("reasons");
    reasons.hidden = !!ready.ready || !(ready.reasons || []).length;
    reasons.textContent = (ready.reasons || []).join(" · ");
  }

  function nodes(status, now) {
    var canary = {};
    ((status.canary && status.canary.nodes) || []).forEach(function (n) { canary[n.node] = n; });
    var rows = ((status.redis && status.redis.nodes) || []).map(function (n) {
      var c = canary[n.node] || {};
      var tr = row([
        { node: el("strong", {}, n.node) },
        n.role + (n.replicaOf ? " of " + n.replicaOf : ""),
        { node: badge(n.state, kindOf(n.state)) },
        { node: c.state ? badge(c.state, kindOf(c.state)) : el("span", { "class": "muted" }, "not probed") },
        { cls: "num", text: c.lastRoundTripMillis !== undefined && c.lastRoundTripMillis !== null ? c.lastRoundTripMillis + " ms" : "–" },
        ago(n.since, now),
        { cls: "why", text: n.reason || "" }
      ], "node-row");
      tr.setAttribute("data-node", n.node);
      return tr;
    });
    fill($("nodes").tBodies[0], rows, "no Redis node known yet", 7);
  }

  // A line chart of series {name: [[ms, value], ...]} over [now - 1 h, now], with a circle per point.
  function plot(container, series, now, unit) {
    var W = 900, H = 220, L = 48, R = 12, T = 12, B = 26;
    var box = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "canary round trip per node over the last hour" });
    var names = Object.keys(series || {});
    var max = 0;
    names.forEach(function (n) { series[n].forEach(function (p) { if (p[1] > max) max = p[1]; }); });
    max = niceMax(max);
    var x = function (ms) { return L + (W - L - R) * (ms - domain.start) / (domain.end - domain.start); };
    var y = function (v) { return T + (H - T - B) * (1 - v / max); };
    var axis = svg("g", { "class": "axis" });
    for (var i = 0; i <= 4; i++) {
      var v = max * i / 4, yy = y(v);
      axis.appendChild(svg("line", { x1: L, x2: W - R, y1: yy, y2: yy, "class": "grid" }));
      axis.appendChild(svg("text", { x: L - 6, y: yy + 3, "text-anchor": "end" }, (v % 1 === 0 ? v : v.toFixed(1)) + " " + unit));
    }
    var tk = ticks();
    tk.at.forEach(function (t) {
      axis.appendChild(svg("line", { x1: x(t), x2: x(t), y1: T, y2: H - B, "class": "grid" }));
      axis.appendChild(svg("text", { x: x(t), y: H - 8, "text-anchor": "middle" }, tk.label(t)));
    });
    box.appendChild(axis);
    var legend = el("div", { "class": "legend" });
    var points = 0;
    names.forEach(function (name, k) {
      var color = COLORS[k % COLORS.length];
      var pts = series[name].filter(function (p) { return p[0] >= domain.start; });
      if (pts.length > 1) {
        box.appendChild(svg("polyline", { points: pts.map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); }).join(" "),
          fill: "none", stroke: color, "stroke-width": 1.5, "class": "series", "data-series": name }));
      }
      pts.forEach(function (p) {
        var c = svg("circle", { cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 2.5, fill: color, "class": "point", "data-series": name });
        c.appendChild(svg("title", {}, name + ": " + p[1] + " " + unit + " at " + clock(p[0])));
        box.appendChild(c);
        points++;
      });
      var item = el("span");
      var swatch = el("i"); swatch.style.background = color;
      item.appendChild(swatch); item.appendChild(document.createTextNode(name + " (" + pts.length + " canaries, last " + (pts.length ? pts[pts.length - 1][1] + " " + unit : "–") + ")"));
      legend.appendChild(item);
    });
    if (!points) box.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "empty" }, "no canary has come back yet"));
    container.textContent = "";
    container.appendChild(box);
    container.appendChild(legend);
  }
  function niceMax(v) {
    if (v <= 0) return 10;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v * 1.1) return steps[i] * p;
    return 10 * p;
  }

  function blindWindows(status, now) {
    var W = 900, H = 64, L = 48, R = 12;
    var bw = status.blindWindows || { open: [], recent: [] };
    var x = function (ms) { return L + (W - L - R) * Math.max(0, ms - domain.start) / (domain.end - domain.start); };
    var box = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "blind windows over the last hour" });
    box.appendChild(svg("rect", { x: L, y: 14, width: W - L - R, height: 22, fill: "#e9f5ec", "class": "covered" }));
    var axis = svg("g", { "class": "axis" });
    var tk = ticks();
    tk.at.forEach(function (t) { axis.appendChild(svg("text", { x: x(t), y: H - 8, "text-anchor": "middle" }, tk.label(t))); });
    axis.appendChild(svg("text", { x: L - 6, y: 29, "text-anchor": "end" }, "heard"));
    box.appendChild(axis);
    var list = $("blind-list");
    list.textContent = "";
    var shown = 0;
    (bw.recent || []).forEach(function (w) {
      var s = Date.parse(w.start), e = Date.parse(w.end);
      if (e < domain.start) return;
      var r = svg("rect", { x: x(s), y: 10, width: Math.max(3, x(e) - x(s)), height: 30, fill: "#b35900", "class": "window" });
      r.appendChild(svg("title", {}, w.message));
      box.appendChild(r);
      list.appendChild(el("li", {}, w.message + (w.closedBy ? " (closed by " + w.closedBy + ")" : "")));
      shown++;
    });
    (bw.open || []).forEach(function (w) {
      var s = Date.parse(w.start);
      var r = svg("rect", { x: x(s), y: 10, width: Math.max(3, x(now) - x(s)), height: 30, fill: "#c62828", "class": "window open" });
      r.appendChild(svg("title", {}, "open since " + clock(s) + ": " + w.reason));
      box.appendChild(r);
      list.appendChild(el("li", { "class": "open" }, "OPEN on " + w.subscription + " since " + clock(s) + " (" + duration((now - s) / 1000) + "): " + w.reason));
      shown++;
    });
    if (!shown) list.appendChild(el("li", { "class": "muted" }, "No blind window in the last hour: every alert published was heard. " + (bw.closedCount || 0) + " closed since start (" + (bw.totalSeconds || 0).toFixed(2) + " s in all)."));
    var c = $("blind-timeline");
    c.textContent = "";
    c.appendChild(box);
  }

  function sparkline(points, now) {
    var W = 160, H = 28;
    var box = svg("svg", { viewBox: "0 0 " + W + " " + H, "class": "sparkline" });
    points = (points || []).filter(function (p) { return p[0] >= domain.start; });
    var max = Math.max.apply(null, [1].concat(points.map(function (p) { return p[1]; })));
    var px = function (p) { return (3 + (W - 6) * (p[0] - domain.start) / (domain.end - domain.start)); };
    var py = function (p) { return (H - 3 - (H - 6) * p[1] / max); };
    var pts = points.map(function (p) { return px(p).toFixed(1) + "," + py(p).toFixed(1); });
    box.appendChild(svg("line", { x1: 0, x2: W, y1: H - 3, y2: H - 3, stroke: "#d8dee4" }));
    if (pts.length > 1) box.appendChild(svg("polyline", { points: pts.join(" ") }));
    if (points.length) {
      var lastPoint = points[points.length - 1];
      box.appendChild(svg("circle", { cx: px(lastPoint).toFixed(1), cy: py(lastPoint).toFixed(1), r: 2.5, fill: "#0969da" }));
    }
    var last = points.length ? points[points.length - 1][1] : 0;
    box.appendChild(svg("title", {}, "now " + (Math.round(last * 10) / 10) + ", max " + (Math.round(max * 10) / 10) + " over the last hour"));
    return box;
  }

  function lastValue(points) {
    if (!points || !points.length) return 0;
    var v = points[points.length - 1][1];
    return Math.round(v * 10) / 10;
  }
  function withValue(node, text) {
    var span = el("span", { "class": "spark" });
    span.appendChild(node);
    span.appendChild(el("span", { "class": "spark-value" }, text));
    return span;
  }

  function streams(status, history, now) {
    var rates = (history.groups && history.groups.streamEventsPerMinute) || {};
    var rows = (status.streams || []).map(function (s) {
      var tr = row([
        { node: el("strong", {}, s.key) },
        { cls: "num", text: s.events },
        { node: withValue(sparkline(rates[s.key], now), lastValue(rates[s.key]) + "/min") },
        ago(s.lastEventAt, now),
        { node: badge(s.absence, kindOf(s.absence)) },
        { node: badge(s.anomaly, kindOf(s.anomaly)) }
      ], "stream-row");
      tr.setAttribute("data-stream", s.key);
      return tr;
    });
    fill($("streams").tBodies[0], rows, "no alert heard yet", 6);
    var exp = (status.expectations || []).map(function (e) {
      return row([{ node: el("strong", {}, e.name) }, "≥ " + e.atLeast + " per " + String(e.per).replace(/^PT/, "").toLowerCase(),
        { cls: "num", text: e.observed }, ago(e.lastEventAt, now), { node: badge(e.state, kindOf(e.state)) }], "expectation-row");
    });
    fill($("expectations").tBodies[0], exp, "no expectation configured (watchdog.expect)", 5);
  }

  function sinks(status, history, now) {
    var depths = (history.groups && history.groups.sinkQueueDepth) || {};
    var rows = (status.sinks || []).map(function (s) {
      var tr = row([
        { node: el("strong", {}, s.id) }, s.type, { node: badge(s.state, kindOf(s.state)) },
        { node: withValue(sparkline(depths[s.id], now), String(s.queueDepth)) },
        { cls: "num", text: s.pending },
        { cls: "num", text: s.pending ? duration(s.oldestPendingSeconds) : "–" },
        { cls: "num", text: s.deadLetters },
        { cls: "why", text: s.lastFailure || "none" }
      ], "sink-row");
      tr.setAttribute("data-sink", s.id);
      return tr;
    });
    fill($("sinks").tBodies[0], rows, "no sink", 8);
  }

  function get(path) {
    return fetch(path, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(path + " answered " + r.status);
      return r.json();
    });
  }

  function refresh() {
    return Promise.all([get("status"), get("status/history").catch(function () { return { groups: {} }; })])
      .then(function (both) {
        var status = both[0], history = both[1];
        var now = history.now || Date.parse(status.time) || Date.now();
        setDomain(history, now);
        $("rtt-title").textContent = "Canary round trip, " + spanText();
        $("blind-title").textContent = "Blind windows, " + spanText();
        header(status, now);
        nodes(status, now);
        plot($("rtt-plot"), (history.groups && history.groups.canaryRoundTripMillis) || {}, now, "ms");
        blindWindows(status, now);
        streams(status, history, now);
        sinks(status, history, now);
        $("error").hidden = true;
        document.body.setAttribute("data-loaded", "true");
      })
      .catch(function (e) {
        var box = $("error");
        box.hidden = false;
        box.textContent = "Cannot read the relay's status: " + e.message;
      });
  }

  refresh();
  setInterval(refresh, REFRESH);
})();
