// Job page: the run's curves, with its paired run (an AST run's baseline, or a baseline's
// AST run) dashed on the same axes. A finished run is fetched once; a live one follows its
// event stream, which also moves the status badge and the live figures.
(function () {
  "use strict";
  const root = document.getElementById("job");
  if (!root || !window.AstCharts || !window.uPlot) return;
  const data = root.dataset;
  const terminal = ["succeeded", "failed", "cancelled"];
  const isBaseline = data.isBaseline === "true";
  const label = (baseline, id) => (baseline ? "baseline #" : "AST #") + id;

  const own = AstCharts.run({ jobId: data.jobId, label: label(isBaseline, data.jobId),
    isBaseline: isBaseline, target: parseFloat(data.target) });
  const runs = [own];
  let pair = null;
  if (data.pairId) {
    const pairIsBaseline = data.pairIsBaseline === "true";
    pair = AstCharts.run({ jobId: data.pairId, label: label(pairIsBaseline, data.pairId),
      isBaseline: pairIsBaseline, target: parseFloat(data.pairTarget) });
    // The AST run first, whichever page this is: it keeps the same colours on both.
    if (pairIsBaseline) runs.push(pair);
    else runs.unshift(pair);
  }

  const group = AstCharts.group();
  ["accuracy", "loss", "activation", "energy", "savings"].forEach((kind) => {
    const el = document.getElementById("chart-" + kind);
    if (el) AstCharts.line(kind, el, runs, group);
  });

  const fmt = (v, d) => (typeof v === "number" ? v.toFixed(d) : "—");
  const setText = (id, text) => {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  };
  // Energy and compute figures stay as the server rendered them (its units and rounding).
  function showFigures(last) {
    setText("fig-epoch", last.epoch + " / " + last.epochs);
    setText("fig-accuracy", fmt(last.val_accuracy, 3));
    setText("fig-activation", fmt(last.activation_rate, 2));
    setText("fig-eta", typeof last.eta_seconds === "number" ? (last.eta_seconds / 60).toFixed(1) + " min" : "—");
  }

  const feed = AstFeed.pool({
    points: (run, points) => {
      AstCharts.addPoints(run, points);
      if (run === own && points.length) showFigures(own.points.get(own.lastEpoch));
      group.render();
    },
    status: (run, event) => {
      if (run !== own) return;
      const badge = document.getElementById("job-status");
      badge.textContent = event.status;
      badge.className = "status " + event.status;
      setText("failure", event.failure_reason || "");
    },
    end: (run) => {
      // The run just ended while the page was open: reload once for artifacts and cost.
      if (run === own && !terminal.includes(data.status)) setTimeout(() => location.reload(), 500);
    },
  });
  const loads = [feed.follow(own, terminal.includes(data.status))];
  if (pair) loads.push(feed.follow(pair, terminal.includes(data.pairStatus)));
  Promise.all(loads).then(group.loaded);
})();
