// Where a chart's points come from, for the signed-in pages (job, compare, sweep): a
// finished run is fetched once from /api/v1/jobs/<id>/metrics/; a live one follows its
// server-sent events (stored points replayed, then new ones). A browser keeps at most six
// HTTP/1.1 connections per host, so a pool holds at most four streams; the other live runs
// poll the metrics endpoint until a stream frees up.
(function () {
  "use strict";
  const MAX_STREAMS = 4;
  const POLL_MS = 20000;

  function fetchPoints(jobId, afterEpoch) {
    const url = "/api/v1/jobs/" + jobId + "/metrics/" + (afterEpoch ? "?after_epoch=" + afterEpoch : "");
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { points: [] }))
      .then((body) => body.points || [])
      .catch(() => []);
  }

  // handlers: points(run, list) for new points, status(data) and end(data) for live runs.
  function pool(handlers) {
    const waiting = [];
    let streams = 0;

    function stream(run) {
      streams += 1;
      const url = "/api/v1/jobs/" + run.jobId + "/events" + (run.lastEpoch ? "?after_epoch=" + run.lastEpoch : "");
      const source = new EventSource(url);
      source.addEventListener("metric", (e) => handlers.points(run, [JSON.parse(e.data)]));
      source.addEventListener("status", (e) => handlers.status && handlers.status(run, JSON.parse(e.data)));
      let open = true;
      const release = () => {
        if (!open) return;
        open = false;
        streams -= 1;
        next();
      };
      source.addEventListener("end", (e) => {
        source.close();
        if (handlers.end) handlers.end(run, JSON.parse(e.data));
        release();
      });
      // A refused stream (the run gone, the session ended) closes for good: free its slot.
      // A dropped one reconnects by itself and keeps it.
      source.addEventListener("error", () => {
        if (source.readyState === EventSource.CLOSED) release();
      });
    }

    function poll(run) {
      if (run.streaming) return;
      fetchPoints(run.jobId, run.lastEpoch).then((points) => {
        if (points.length) handlers.points(run, points);
        if (!run.streaming) setTimeout(() => poll(run), POLL_MS);
      });
    }

    function next() {
      while (streams < MAX_STREAMS && waiting.length) {
        const run = waiting.shift();
        run.streaming = true;
        stream(run);
      }
    }

    // Follow `run`; `terminal` says it has ended (one fetch is all it needs). Returns a
    // promise settled once the run's stored points are in (at once for a streamed run,
    // whose replay arrives as events).
    function follow(run, terminal) {
      if (terminal || !window.EventSource) {
        return fetchPoints(run.jobId, 0).then((points) => handlers.points(run, points));
      }
      waiting.push(run);
      next();
      if (run.streaming) return Promise.resolve();
      return fetchPoints(run.jobId, 0).then((points) => {
        if (!run.streaming) {
          handlers.points(run, points);
          setTimeout(() => poll(run), POLL_MS);
        }
      });
    }

    return { follow: follow };
  }

  // The compare and sweep pages: every run of `specs` ([{job_id, label, is_baseline,
  // terminal}], from the view) on each [data-chart] line chart inside `section`.
  function chartRuns(section, specs) {
    const runs = specs.map((spec) => AstCharts.run({ jobId: spec.job_id, label: spec.label,
      isBaseline: spec.is_baseline, target: spec.target }));
    const group = AstCharts.group();
    section.querySelectorAll("[data-chart]").forEach((el) => {
      if (el.dataset.chart !== "pareto") AstCharts.line(el.dataset.chart, el, runs, group);
    });
    const feed = pool({ points: (run, points) => { AstCharts.addPoints(run, points); group.render(); } });
    Promise.all(runs.map((run, i) => feed.follow(run, specs[i].terminal))).then(group.loaded);
    return group;
  }

  window.AstFeed = { pool: pool, fetchPoints: fetchPoints, chartRuns: chartRuns };
})();
