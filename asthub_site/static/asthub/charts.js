// Training curves on every portal page that draws them (job, compare, sweep, share): a thin
// layer over the vendored uPlot (static/vendor/uplot), one function per chart kind. A page
// keeps its runs (AstCharts.run) and feeds them points; the charts of one AstCharts.group
// share the cursor and the zoom (drag to zoom, double-click to reset) and redraw at most
// once a frame, so replaying a thousand stored epochs is one draw, not a thousand.
(function () {
  "use strict";
  // A run's main line takes PALETTE[run], its second line (threshold, compute saved)
  // SECONDARY[run]; pages list the AST run before its baseline, so colours agree across pages.
  const PALETTE = ["#1f7a5a", "#c2410c", "#2563eb", "#be185d", "#b45309", "#0e7490", "#4d7c0f", "#1e293b"];
  const SECONDARY = ["#7c3aed", "#0891b2", "#ca8a04", "#64748b", "#9333ea", "#db2777", "#65a30d", "#f97316"];
  const BASELINE_DASH = [6, 4];
  const TARGET_COLOR = "#5b6575";
  const HEIGHT = 220;
  const DASH = "\u2014"; // a value not there (yet), as the server-rendered figures show it

  // ---- Display rules: the same as jobs/reporting/formatting.py, so a hovered value
  // reads like the server-rendered one beside it.
  function sig(value, digits) {
    digits = digits || 3;
    if (value === 0 || !isFinite(value)) return value === 0 ? "0" : String(value);
    const magnitude = Math.floor(Math.log10(Math.abs(value)));
    const decimals = Math.min(Math.max(digits - 1 - magnitude, 0), 12);
    return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }
  function energy(kwh) {
    if (Math.abs(kwh) < 1e-3) return sig(kwh * 3.6e6) + " J";
    if (Math.abs(kwh) < 1) return sig(kwh * 1000) + " Wh";
    return sig(kwh) + " kWh";
  }
  function percent(fraction) {
    return (fraction * 100).toFixed(1) + " %";
  }
  // Axis ticks of an energy axis share one unit, chosen by the axis's largest value.
  function energyUnit(maxKwh) {
    if (Math.abs(maxKwh) < 1e-3) return { factor: 3.6e6, unit: "J" };
    if (Math.abs(maxKwh) < 1) return { factor: 1000, unit: "Wh" };
    return { factor: 1, unit: "kWh" };
  }
  const tick = (v) => String(Number(v.toPrecision(3)));
  const fixed = (d) => (v) => v.toFixed(d);

  // ---- Runs: one training job's points by epoch, however they arrive (replayed, live,
  // polled), each epoch once.
  function run(options) {
    return {
      jobId: options.jobId,
      label: options.label,
      isBaseline: !!options.isBaseline,
      target: typeof options.target === "number" && !isNaN(options.target) ? options.target : null,
      points: new Map(),
      lastEpoch: 0,
    };
  }
  function addPoints(target, points) {
    (points || []).forEach((p) => {
      if (typeof p.epoch !== "number") return;
      target.points.set(p.epoch, p);
      target.lastEpoch = Math.max(target.lastEpoch, p.epoch);
    });
  }

  // ---- Chart kinds: which keys of a metric point each run draws, and how values read.
  const KINDS = {
    accuracy: { lines: [{ key: "val_accuracy" }], value: fixed(3), tick: fixed(2) },
    loss: { lines: [{ key: "train_loss" }], value: (v) => sig(v), tick: tick },
    activation: {
      lines: [{ key: "activation_rate", name: "activation" },
              { key: "threshold", name: "threshold", astOnly: true }],
      target: true, value: fixed(3), tick: fixed(2),
    },
    energy: { lines: [{ key: "energy_kwh" }], value: energy, energyAxis: true },
    savings: {
      lines: [{ key: "energy_savings", name: "energy saved", astOnly: true },
              { key: "compute_savings", name: "compute saved", astOnly: true }],
      value: percent, tick: (v) => tick(v * 100) + " %",
    },
  };

  function seriesOf(kind, runs) {
    const spec = KINDS[kind];
    const out = [];
    runs.forEach((r, i) => {
      const lines = spec.lines.filter((line) => !(line.astOnly && r.isBaseline));
      lines.forEach((line, j) => {
        out.push({
          run: r, key: line.key,
          label: lines.length > 1 ? r.label + " " + line.name : r.label,
          stroke: (j ? SECONDARY : PALETTE)[i % PALETTE.length],
          width: j ? 1.25 : 2,
          dash: r.isBaseline ? BASELINE_DASH : undefined,
        });
      });
      if (spec.target && r.target !== null) {
        const name = runs.filter((x) => x.target !== null).length > 1 ? r.label + " target" : "target";
        out.push({ run: r, constant: r.target, label: name, stroke: TARGET_COLOR, width: 1, dash: [2, 4] });
      }
    });
    return out;
  }

  function alignedData(series) {
    const epochs = new Set();
    series.forEach((s) => s.run.points.forEach((_, epoch) => epochs.add(epoch)));
    const xs = Array.from(epochs).sort((a, b) => a - b);
    const ys = series.map((s) => xs.map((x) => {
      if (s.constant !== undefined) return s.constant;
      const p = s.run.points.get(x);
      return p && typeof p[s.key] === "number" ? p[s.key] : null;
    }));
    return [xs].concat(ys);
  }

  // ---- Groups: charts that share a cursor, a zoom and a redraw.
  let groups = 0;
  let undrawn = 0; // groups loaded whose charts have not all drawn yet
  function group() {
    const self = { key: "asthub-" + (++groups), charts: [], pending: false, onDrawn: null };
    self.render = function () {
      if (self.pending) return;
      self.pending = true;
      requestAnimationFrame(() => {
        self.pending = false;
        self.charts.forEach((c) => c.update());
      });
    };
    // Marks (data-charts-drawn on <html>, performance mark "asthub:charts-drawn") once every
    // chart of every loaded group has drawn after the page's first data arrived
    // ("asthub:charts-data"): the bench and the tests wait on it.
    self.loaded = function () {
      performance.mark("asthub:charts-data");
      undrawn += 1;
      self.charts.forEach((c) => { c.drawnSinceLoad = false; });
      self.onDrawn = function () {
        if (!self.charts.every((c) => c.drawnSinceLoad)) return;
        self.onDrawn = null;
        undrawn -= 1;
        if (undrawn) return; // another group of the page (a share page's next card) is still to draw
        performance.mark("asthub:charts-drawn");
        document.documentElement.dataset.chartsDrawn = "true";
      };
      self.render();
    };
    self.drew = function () {
      if (self.onDrawn) self.onDrawn();
    };
    return self;
  }

  function widthOf(el) {
    return Math.max(240, Math.floor(el.clientWidth || el.parentElement.clientWidth || 400));
  }

  function makePlot(el, g, opts, data, onDraw) {
    el.textContent = "";
    el.classList.add("chart");
    const hooks = Object.assign({}, opts.hooks, { draw: [onDraw] });
    const plot = new uPlot(Object.assign({
      width: widthOf(el),
      height: HEIGHT,
      cursor: { sync: { key: g.key, setSeries: false }, drag: { x: true, y: false } },
      legend: { live: true },
    }, opts, { hooks: hooks }), data, el);
    window.addEventListener("resize", () => plot.setSize({ width: widthOf(el), height: HEIGHT }));
    return plot;
  }

  // One line chart of `kind` ("accuracy", "loss", "activation", "energy", "savings") over
  // epochs, for every run in `runs` (baselines dashed). Returns the chart; call
  // g.render() after adding points.
  function line(kind, el, runs, g) {
    const spec = KINDS[kind];
    const series = seriesOf(kind, runs);
    const chart = { el: el, drawnSinceLoad: false, plot: null, zoomed: false };
    const yAxis = { size: 64 };
    if (spec.energyAxis) {
      yAxis.values = (u, splits) => {
        const scale = energyUnit(Math.max(Math.abs(u.scales.y.min || 0), Math.abs(u.scales.y.max || 0)));
        return splits.map((v) => tick(v * scale.factor) + " " + scale.unit);
      };
      yAxis.size = 72;
    } else {
      yAxis.values = (u, splits) => splits.map(spec.tick);
    }
    const opts = {
      scales: { x: { time: false } },
      axes: [{ label: "epoch" }, yAxis],
      series: [{ label: "epoch", value: (u, v) => (v == null ? DASH : String(v)) }].concat(series.map((s) => ({
        label: s.label, stroke: s.stroke, width: s.width, dash: s.dash, spanGaps: true,
        points: { show: false },
        value: (u, v) => (v == null ? DASH : spec.value(v)),
      }))),
    };
    opts.hooks = {
      setScale: [(u, key) => {
        if (key !== "x" || !u.data[0].length) return;
        const xs = u.data[0];
        chart.zoomed = u.scales.x.min > xs[0] || u.scales.x.max < xs[xs.length - 1];
      }],
    };
    chart.update = function () {
      const data = alignedData(series);
      if (!chart.plot) {
        chart.plot = makePlot(el, g, opts, data, () => {
          if (chart.plot && chart.plot.data[0].length) {
            chart.drawnSinceLoad = true;
            g.drew();
          }
        });
        return;
      }
      if (chart.zoomed) {
        // Keep the reader's zoom while new epochs arrive.
        const min = chart.plot.scales.x.min, max = chart.plot.scales.x.max;
        chart.plot.setData(data, false);
        chart.plot.setScale("x", { min: min, max: max });
      } else {
        chart.plot.setData(data);
      }
    };
    g.charts.push(chart);
    return chart;
  }

  // Accuracy against energy for a sweep's points, the Pareto front a line through the
  // points on it (by energy); hovering names the run.
  function pareto(el, front) {
    const points = (front.points || []).filter((p) => typeof p.kwh === "number" && typeof p.accuracy === "number")
      .sort((a, b) => a.kwh - b.kwh);
    el.classList.add("chart");
    if (!points.length) {
      el.textContent = "No finished point yet.";
      return null;
    }
    const xs = points.map((p) => p.kwh);
    const data = [xs, points.map((p) => p.accuracy), points.map((p) => (p.on_front ? p.accuracy : null))];
    const xValue = (u, v, si, idx) => (idx == null || !points[idx] ? DASH : points[idx].label + " \u00b7 " + energy(v));
    // Room around the outermost points, so no marker is cut in half at the plot's edge.
    const padded = (u, min, max) => {
      const room = (max - min) * 0.08 || Math.abs(max) * 0.1 || 1;
      return [min - room, max + room];
    };
    const plot = new uPlot({
      width: widthOf(el),
      height: HEIGHT,
      scales: { x: { time: false, range: padded }, y: { range: padded } },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { label: "energy", values: (u, splits) => {
          const scale = energyUnit(Math.max(Math.abs(u.scales.x.min || 0), Math.abs(u.scales.x.max || 0)));
          return splits.map((v) => tick(v * scale.factor) + " " + scale.unit);
        } },
        { size: 56, values: (u, splits) => splits.map(fixed(2)) },
      ],
      series: [
        { label: "run", value: xValue },
        { label: "runs", stroke: PALETTE[2], paths: () => null, points: { show: true, size: 8, fill: PALETTE[2] },
          value: (u, v) => (v == null ? DASH : v.toFixed(3)) },
        { label: "Pareto front", stroke: PALETTE[0], width: 2, spanGaps: true,
          points: { show: true, size: 9, fill: PALETTE[0] },
          value: (u, v) => (v == null ? DASH : v.toFixed(3)) },
      ],
    }, data, el);
    window.addEventListener("resize", () => plot.setSize({ width: widthOf(el), height: HEIGHT }));
    return plot;
  }

  window.AstCharts = {
    run: run, addPoints: addPoints, group: group, line: line, pareto: pareto,
    format: { sig: sig, energy: energy, percent: percent },
  };
})();
