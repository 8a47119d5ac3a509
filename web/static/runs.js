// kaiwu: live progress of training runs: the /runs/{id} page (first
// part) and the /runs list (second part).
// Without JavaScript the page shows the state it was rendered with; with
// it, an EventSource on /api/runs/{id}/events moves the progress bar,
// the step, loss, learning rate and ETA, and draws the loss curve as it
// grows. When the run ends the page reloads to show the final results.
(function () {
  "use strict";
  var root = document.getElementById("run");
  if (!root || !window.EventSource) { return; }
  var status = root.getAttribute("data-status");
  if (status !== "queued" && status !== "running") { return; }
  var id = root.getAttribute("data-run");
  var $ = function (i) { return document.getElementById(i); };
  var note = $("run-live-note");
  if (note) { note.textContent = ""; }
  var points = [];
  var SVG = "http://www.w3.org/2000/svg";
  var W = 720, H = 320, PAD = 44;

  function fmtDur(s) {
    if (!(s > 0)) { return "—"; }
    if (s >= 3600) { return Math.floor(s / 3600) + "h " + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m"; }
    if (s >= 60) { return Math.floor(s / 60) + "m " + String(Math.floor(s) % 60).padStart(2, "0") + "s"; }
    return s.toFixed(1) + " s";
  }

  // draw replaces the chart with a plain SVG polyline of the curve so far.
  function draw() {
    var box = $("run-chart");
    if (!box || points.length < 2) { return; }
    var minX = points[0].step, maxX = points[points.length - 1].step;
    var minY = Infinity, maxY = -Infinity;
    points.forEach(function (p) { minY = Math.min(minY, p.loss); maxY = Math.max(maxY, p.loss); });
    if (maxX === minX) { maxX = minX + 1; }
    if (maxY === minY) { maxY = minY + 1; }
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", root.getAttribute("data-loss"));
    svg.setAttribute("class", "live-chart");
    var x = function (v) { return PAD + (v - minX) / (maxX - minX) * (W - 2 * PAD); };
    var y = function (v) { return H - PAD - (v - minY) / (maxY - minY) * (H - 2 * PAD); };
    var axis = document.createElementNS(SVG, "path");
    axis.setAttribute("d", "M" + PAD + " " + PAD + "V" + (H - PAD) + "H" + (W - PAD));
    axis.setAttribute("class", "axis");
    svg.appendChild(axis);
    [[minY, H - PAD], [maxY, PAD]].forEach(function (t) {
      var lab = document.createElementNS(SVG, "text");
      lab.setAttribute("x", PAD - 4); lab.setAttribute("y", t[1] + 4);
      lab.setAttribute("text-anchor", "end");
      lab.textContent = t[0].toPrecision(3);
      svg.appendChild(lab);
    });
    var xl = document.createElementNS(SVG, "text");
    xl.setAttribute("x", W - PAD); xl.setAttribute("y", H - PAD + 18); xl.setAttribute("text-anchor", "end");
    xl.textContent = root.getAttribute("data-step") + " " + maxX;
    svg.appendChild(xl);
    var line = document.createElementNS(SVG, "polyline");
    line.setAttribute("points", points.map(function (p) { return x(p.step).toFixed(1) + "," + y(p.loss).toFixed(1); }).join(" "));
    line.setAttribute("class", "curve");
    svg.appendChild(line);
    box.replaceChildren(svg);
  }

  function show(p) {
    if (!p) { return; }
    var bar = $("run-bar");
    if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.step; }
    var pct = p.total > 0 ? Math.floor(100 * p.step / p.total) : 0;
    $("run-percent").textContent = pct + "%";
    $("run-step").textContent = p.step + "/" + p.total;
    $("run-epoch").textContent = p.epochs > 0 ? p.epoch + "/" + p.epochs : "—";
    $("run-loss").textContent = p.loss.toFixed(4);
    $("run-lr").textContent = String(+p.lr.toPrecision(4));
    $("run-eta").textContent = fmtDur(p.eta_seconds);
    var st = $("run-status");
    if (st && root.getAttribute("data-status") === "queued") {
      root.setAttribute("data-status", "running");
    }
    if (!points.length || points[points.length - 1].step < p.step) {
      points.push({ step: p.step, loss: p.loss });
      if (points.length > 1000) { points = points.filter(function (_, i) { return i % 2 === 0 || i === points.length - 1; }); }
    }
    draw();
  }

  var es = new EventSource("/api/runs/" + id + "/events");
  es.addEventListener("state", function (e) {
    var r = JSON.parse(e.data);
    points = (r.curve || []).slice();
    show(r.progress);
  });
  es.addEventListener("progress", function (e) { show(JSON.parse(e.data)); });
  es.addEventListener("end", function (e) {
    es.close();
    var r = JSON.parse(e.data);
    root.setAttribute("data-status", r.status);
    var bar = $("run-bar");
    if (bar && r.status === "succeeded") { bar.value = bar.max; $("run-percent").textContent = "100%"; }
    window.location.reload();
  });
  es.onerror = function () {
    // The stream ends when the run does; anything else: stop and say so.
    if (es.readyState === EventSource.CLOSED && note) { note.textContent = ""; }
  };
})();

// The runs list (/runs). Without JavaScript it shows the state it was
// rendered with; with it, while a run in the table is queued or running,
// the page polls GET /api/runs every few seconds (one small request
// whichever process trains the runs) and moves each live run's status,
// progress bar, percentage and duration. When one ends the page reloads
// once to show its result.
(function () {
  "use strict";
  var table = document.getElementById("runs");
  if (!table || !window.fetch) { return; }
  var EVERY = 3000;
  var live = function () { return table.querySelectorAll('tr[data-status="queued"], tr[data-status="running"]'); };
  if (!live().length) { return; }
  var note = document.getElementById("runs-live-note");
  if (note) { note.textContent = ""; }
  var limit = table.querySelectorAll("tbody tr").length + 10;

  function fmtDur(s) {
    if (!(s > 0)) { return "—"; }
    if (s >= 3600) { return Math.floor(s / 3600) + "h " + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m"; }
    if (s >= 60) { return Math.floor(s / 60) + "m " + String(Math.floor(s) % 60).padStart(2, "0") + "s"; }
    return s.toFixed(1) + " s";
  }

  function update(tr, r) {
    var st = tr.querySelector(".run-status");
    if (st && tr.getAttribute("data-status") !== r.status) {
      tr.setAttribute("data-status", r.status);
      st.className = "run-status " + r.status;
      st.textContent = table.getAttribute("data-label-" + r.status) || r.status;
    }
    var p = r.progress;
    if (!p) { return; }
    var bar = tr.querySelector("progress");
    if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.step; }
    var pct = tr.querySelector(".run-pct");
    if (pct) { pct.textContent = (p.total > 0 ? Math.floor(100 * p.step / p.total) : 0) + "%"; }
    var dur = tr.querySelector(".run-duration");
    if (dur) { dur.textContent = fmtDur(p.elapsed_seconds); }
  }

  function poll() {
    fetch("/api/runs?limit=" + limit, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.json(); })
      .then(function (runs) {
        var byID = {};
        runs.forEach(function (r) { byID[r.id] = r; });
        var ended = false;
        live().forEach(function (tr) {
          var r = byID[tr.getAttribute("data-run")];
          if (!r) { return; }
          if (r.status !== "queued" && r.status !== "running") { ended = true; return; }
          update(tr, r);
        });
        if (ended) { window.location.reload(); return; }
        setTimeout(poll, EVERY);
      })
      .catch(function () { setTimeout(poll, 4 * EVERY); }); // the server restarts: back off
  }
  setTimeout(poll, EVERY);
})();
