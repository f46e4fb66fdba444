/* ctxguard dashboard: the pages' only script (the CSP allows no inline script).
 * It fetches the page's JSON from /api/... and draws the plots with uPlot.
 * Every string that came from a target is set with textContent, never parsed as HTML. */
"use strict";
(function () {
  const COLORS = ["#c0392b", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f"];

  // ?token= authenticates once (the answer set a cookie): keep it out of the address bar and history
  function stripToken() {
    const url = new URL(window.location.href);
    if (url.searchParams.has("token")) {
      url.searchParams.delete("token");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
  }

  async function getJSON(url) {
    const r = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(url + ": HTTP " + r.status);
    return r.json();
  }

  function note(el, text) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = text;
    el.replaceChildren(p);
  }

  function bytes(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : String(Math.round(n))) + " " + units[i];
  }

  function spark(canvas, ys) {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height, pad = 2;
    ctx.clearRect(0, 0, w, h);
    if (ys.length < 2) return;
    const top = Math.max(1, ...ys), low = Math.min(0, ...ys);
    ctx.strokeStyle = ys[ys.length - 1] > ys[0] ? COLORS[0] : COLORS[1];
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ys.forEach(function (y, i) {
      const px = pad + (i * (w - 2 * pad)) / (ys.length - 1);
      const py = h - pad - ((y - low) * (h - 2 * pad)) / (top - low);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.stroke();
  }

  function fleet() {
    const table = document.getElementById("fleet");
    if (!table) return;
    getJSON(table.dataset.api).then(function (data) {
      const byId = new Map(data.targets.map(function (t) { return [String(t.id), t]; }));
      table.querySelectorAll("canvas.spark").forEach(function (c) {
        const t = byId.get(c.dataset.id);
        if (t) spark(c, t.spark.goroutines);
      });
    }).catch(function (e) { console.error(e); });
  }

  const plots = [];

  function plot(el, xs, lines, format) {
    if (xs.length < 2 || lines.length === 0) {
      note(el, xs.length ? "one sample so far: nothing to plot yet" : "no data in the window");
      return;
    }
    const opts = {
      width: Math.max(320, el.clientWidth || 800),
      height: 240,
      scales: { x: { time: true } },
      series: [{}].concat(lines.map(function (l, i) {
        return { label: l.label, stroke: COLORS[i % COLORS.length], width: i === 0 ? 2 : 1.5, value: format && function (u, v) { return v == null ? "-" : format(v); } };
      })),
      axes: [{}, { size: 80, values: format && function (u, vals) { return vals.map(format); } }],
    };
    const chart = new uPlot(opts, [xs].concat(lines.map(function (l) { return l.values; })), el);
    plots.push([chart, el]);
  }

  function target() {
    const section = document.getElementById("plots");
    if (!section) return;
    getJSON(section.dataset.series).then(function (s) {
      const g = s.goroutines;
      plot(document.getElementById("plot-goroutines"), g.t,
        [{ label: "all goroutines", values: g.total }].concat(g.stacks.map(function (k) { return { label: k.label, values: k.counts }; })));
      const h = s.heap;
      plot(document.getElementById("plot-heap"), h.t, [{ label: "heap in use", values: h.inuse_bytes }], bytes);
      plot(document.getElementById("plot-contexts"), h.t,
        [{ label: "context objects", values: h.context_objects }].concat(h.sites.map(function (x) { return { label: x.label, values: x.objects }; })));
    }).catch(function (e) {
      note(section, "could not load the series: " + e.message);
    });
  }

  let resizing = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      plots.forEach(function (p) { p[0].setSize({ width: Math.max(320, p[1].clientWidth), height: 240 }); });
    }, 150);
  });

  stripToken();
  const page = document.body.dataset.page;
  if (page === "fleet") fleet();
  if (page === "target") target();
})();
