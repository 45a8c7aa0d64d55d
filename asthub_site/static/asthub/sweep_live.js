// Sweep page: every point's accuracy curve (live for the runs still training), and the
// finished points' accuracy against energy with the Pareto front drawn through them.
(function () {
  "use strict";
  const section = document.getElementById("sweep-charts");
  const specs = document.getElementById("chart-runs");
  if (!section || !specs || !window.uPlot) return;
  AstFeed.chartRuns(section, JSON.parse(specs.textContent));
  const front = document.getElementById("sweep-pareto");
  const el = section.querySelector('[data-chart="pareto"]');
  if (front && el) AstCharts.pareto(el, JSON.parse(front.textContent) || {});
})();
