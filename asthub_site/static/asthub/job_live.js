// Live job page: replays stored points, then follows the job's server-sent events.
(function () {
  "use strict";
  const root = document.getElementById("job");
  if (!root || !window.EventSource) return;
  const jobId = root.dataset.jobId;
  const target = parseFloat(root.dataset.target);
  const points = [];

  const fmt = (v, d) => (typeof v === "number" ? v.toFixed(d) : "—");
  function render() {
    const series = (key) => points.filter((p) => typeof p[key] === "number").map((p) => [p.epoch, p[key]]);
    AstCharts.draw(document.getElementById("chart-accuracy"),
      [{ label: "val accuracy", points: series("val_accuracy") }], {});
    const activation = [{ label: "activation", points: series("activation_rate") },
                        { label: "threshold", points: series("threshold") }];
    if (!isNaN(target)) {
      const epochs = points.map((p) => p.epoch);
      if (epochs.length) activation.push({ label: "target", dashed: true, color: "#5b6575",
        points: [[Math.min(...epochs), target], [Math.max(...epochs), target]] });
    }
    AstCharts.draw(document.getElementById("chart-activation"), activation, {});
    AstCharts.draw(document.getElementById("chart-savings"),
      [{ label: "compute", points: series("compute_savings") },
       { label: "energy", points: series("energy_savings") }], { extraY: [0] });
    const last = points[points.length - 1];
    if (last) {
      document.getElementById("fig-epoch").textContent = last.epoch + " / " + last.epochs;
      document.getElementById("fig-accuracy").textContent = fmt(last.val_accuracy, 3);
      document.getElementById("fig-activation").textContent = fmt(last.activation_rate, 2);
      document.getElementById("fig-compute").textContent = fmt(last.compute_savings, 2);
      document.getElementById("fig-energy").textContent = fmt(last.energy_savings, 2);
      document.getElementById("fig-eta").textContent =
        typeof last.eta_seconds === "number" ? (last.eta_seconds / 60).toFixed(1) + " min" : "—";
    }
  }

  const source = new EventSource("/api/v1/jobs/" + jobId + "/events");
  source.addEventListener("metric", (e) => { points.push(JSON.parse(e.data)); render(); });
  source.addEventListener("status", (e) => {
    const data = JSON.parse(e.data);
    const badge = document.getElementById("job-status");
    badge.textContent = data.status;
    badge.className = "status " + data.status;
    document.getElementById("failure").textContent = data.failure_reason || "";
  });
  const terminal = ["succeeded", "failed", "cancelled"];
  source.addEventListener("end", () => {
    source.close();
    render();
    // The run just ended while the page was open: reload once for artifacts and cost.
    if (!terminal.includes(root.dataset.status)) setTimeout(() => location.reload(), 500);
  });
  render();
})();
