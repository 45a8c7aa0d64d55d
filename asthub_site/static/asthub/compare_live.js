// Compare page: every compared run's curves on the same axes (baselines dashed), live for
// the runs still training.
(function () {
  "use strict";
  const section = document.getElementById("compare-charts");
  const specs = document.getElementById("chart-runs");
  if (!section || !specs || !window.uPlot) return;
  AstFeed.chartRuns(section, JSON.parse(specs.textContent));
})();
