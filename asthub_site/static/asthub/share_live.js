// Public share page: draws each shared job's curves, then polls the share link's read
// API and redraws; stops once every job has finished, or when the link is revoked.
(function () {
  "use strict";
  const root = document.getElementById("shared");
  if (!root) return;
  const api = root.dataset.api;
  // The token travels in a header, so the polls put it in no URL (or log line).
  const auth = "Bearer " + root.dataset.token;
  const pollMs = (parseFloat(root.dataset.poll) || 10) * 1000;
  const terminal = ["succeeded", "failed", "cancelled"];
  const fmt = (v, d) => (typeof v === "number" ? v.toFixed(d) : "—");

  function renderJob(job) {
    const card = root.querySelector('[data-job-id="' + job.job_id + '"]');
    if (!card) return;
    const points = job.points || [];
    const series = (key) => points.filter((p) => typeof p[key] === "number").map((p) => [p.epoch, p[key]]);
    const chart = (name) => card.querySelector('[data-chart="' + name + '"]');
    AstCharts.draw(chart("accuracy"), [{ label: "val accuracy", points: series("val_accuracy") }], {});
    const activation = [{ label: "activation", points: series("activation_rate") },
                        { label: "threshold", points: series("threshold") }];
    const target = parseFloat(card.dataset.target);
    if (!isNaN(target) && points.length) {
      const epochs = points.map((p) => p.epoch);
      activation.push({ label: "target", dashed: true, color: "#5b6575",
        points: [[Math.min(...epochs), target], [Math.max(...epochs), target]] });
    }
    AstCharts.draw(chart("activation"), activation, {});
    AstCharts.draw(chart("savings"), [{ label: "compute", points: series("compute_savings") },
      { label: "energy", points: series("energy_savings") }], { extraY: [0] });
    const field = (name) => card.querySelector('[data-field="' + name + '"]');
    const status = field("status");
    status.textContent = job.status;
    status.className = "status " + job.status;
    const last = points[points.length - 1];
    if (last) {
      field("epoch").textContent = last.epoch + " / " + (last.epochs || job.epochs);
      field("accuracy").textContent = fmt(last.val_accuracy, 3);
      field("activation").textContent = fmt(last.activation_rate, 2);
      field("energy").textContent = fmt(last.energy_savings, 2);
      field("compute").textContent = fmt(last.compute_savings, 2);
    }
  }

  function renderAll(jobs) {
    jobs.forEach(renderJob);
    return jobs.every((job) => terminal.includes(job.status));
  }

  function poll() {
    fetch(api, { headers: { Accept: "application/json", Authorization: auth }, credentials: "omit" })
      .then((response) => {
        if (response.status === 404) throw new Error("revoked");
        return response.ok ? response.json() : null;
      })
      .then((body) => {
        const done = body ? renderAll(body.jobs) : false;
        if (!done) setTimeout(poll, pollMs);
      })
      .catch((error) => {
        if (error.message === "revoked") {
          root.insertAdjacentHTML("beforebegin",
            '<p class="error" role="alert">This share link was revoked.</p>');
        } else {
          setTimeout(poll, pollMs);
        }
      });
  }

  const initial = JSON.parse(document.getElementById("shared-initial").textContent);
  if (!renderAll(initial)) setTimeout(poll, pollMs);
})();
