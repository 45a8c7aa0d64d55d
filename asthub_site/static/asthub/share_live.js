// Public share page: draws each shared job's curves, then polls the share link's read
// API and redraws; stops once every job has finished, or when the link is revoked. When
// the link shares an AST run and its baseline, each one's charts carry the other, dashed
// for the baseline, on the same axes.
(function () {
  "use strict";
  const root = document.getElementById("shared");
  if (!root || !window.AstCharts || !window.uPlot) return;
  const api = root.dataset.api;
  // The token travels in a header, so the polls put it in no URL (or log line).
  const auth = "Bearer " + root.dataset.token;
  const pollMs = (parseFloat(root.dataset.poll) || 10) * 1000;
  const terminal = ["succeeded", "failed", "cancelled"];
  const fmt = (v, d) => (typeof v === "number" ? v.toFixed(d) : "—");
  const KINDS = ["accuracy", "activation", "energy", "savings"];

  const runs = new Map();
  const groups = [];

  // The share API names a run's pair when the link shares both (paired_job_id); links
  // made before it did fall back to the shared baseline of the same data set, model and
  // epochs nearest by id (a pair is started together, its two ids adjacent).
  function partners(jobs) {
    const found = new Map();
    jobs.forEach((job) => {
      if (typeof job.paired_job_id === "number") {
        found.set(job.job_id, job.paired_job_id);
        found.set(job.paired_job_id, job.job_id);
      }
    });
    jobs.filter((job) => !job.is_baseline && !found.has(job.job_id)).forEach((job) => {
      const candidates = jobs.filter((other) => other.is_baseline && !found.has(other.job_id) &&
        other.dataset === job.dataset && other.model === job.model && other.epochs === job.epochs);
      if (!candidates.length) return;
      candidates.sort((a, b) => Math.abs(a.job_id - job.job_id) - Math.abs(b.job_id - job.job_id));
      found.set(job.job_id, candidates[0].job_id);
      found.set(candidates[0].job_id, job.job_id);
    });
    return found;
  }

  function setUp(jobs) {
    jobs.forEach((job) => runs.set(job.job_id, AstCharts.run({
      jobId: job.job_id,
      label: (job.is_baseline ? "baseline #" : "AST #") + job.job_id,
      isBaseline: job.is_baseline,
      target: typeof job.target_activation_rate === "number" ? job.target_activation_rate : null,
    })));
    const pairs = partners(jobs);
    jobs.forEach((job) => {
      const card = root.querySelector('.shared-job[data-job-id="' + job.job_id + '"]');
      if (!card) return;
      const shown = [runs.get(job.job_id)];
      if (pairs.has(job.job_id)) shown.push(runs.get(pairs.get(job.job_id)));
      // The AST run first on both cards of a pair, so it keeps its colours.
      shown.sort((a, b) => a.isBaseline - b.isBaseline);
      const group = AstCharts.group();
      KINDS.forEach((kind) => {
        const el = card.querySelector('[data-chart="' + kind + '"]');
        if (el) AstCharts.line(kind, el, shown, group);
      });
      groups.push(group);
    });
  }

  function showFigures(job) {
    const card = root.querySelector('.shared-job[data-job-id="' + job.job_id + '"]');
    if (!card) return;
    const field = (name) => card.querySelector('[data-field="' + name + '"]');
    const status = field("status");
    status.textContent = job.status;
    status.className = "status " + job.status;
    const points = job.points || [];
    const last = points[points.length - 1];
    if (last) {
      field("epoch").textContent = last.epoch + " / " + (last.epochs || job.epochs);
      field("accuracy").textContent = fmt(last.val_accuracy, 3);
      field("activation").textContent = fmt(last.activation_rate, 2);
    }
    // Energy figures as the server renders them: the stored saving (against the paired
    // baseline once both finished, else the engine's estimate) with its basis.
    const progress = job.progress;
    if (progress) {
      const format = AstCharts.format;
      const known = (v) => typeof v === "number";
      const saved = field("energy");
      const basis = document.createElement("small");
      basis.className = "muted";
      basis.textContent = progress.energy_saved_basis || "";
      saved.replaceChildren(known(progress.energy_saved) ? format.percent(progress.energy_saved) + " " : "", basis);
      field("compute").textContent = known(progress.compute_savings) ? format.percent(progress.compute_savings) : "—";
      const source = document.createElement("small");
      source.className = "muted";
      source.textContent = progress.energy_source || "";
      field("energy-used").replaceChildren(
        known(progress.energy_kwh) ? format.energy(progress.energy_kwh) + " " : "—", source);
    }
  }

  function renderAll(jobs) {
    jobs.forEach((job) => {
      const run = runs.get(job.job_id);
      if (run) AstCharts.addPoints(run, job.points);
      showFigures(job);
    });
    groups.forEach((group) => group.render());
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
  setUp(initial);
  const done = renderAll(initial);
  groups.forEach((group) => group.loaded());
  if (!done) setTimeout(poll, pollMs);
})();
