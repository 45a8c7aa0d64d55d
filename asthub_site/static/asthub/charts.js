// Tiny dependency-free line charts on <canvas> (no CDN, works offline).
(function () {
  "use strict";
  const COLORS = ["#1f7a5a", "#c2410c", "#2563eb", "#7c3aed"];

  function draw(canvas, series, options) {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height, pad = 32;
    ctx.clearRect(0, 0, w, h);
    const points = series.flatMap((s) => s.points);
    if (!points.length) {
      ctx.fillStyle = "#5b6575";
      ctx.fillText("Waiting for the first epoch…", pad, h / 2);
      return;
    }
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]).concat(options.extraY || []);
    const xMin = Math.min(...xs), xMax = Math.max(...xs, xMin + 1);
    const yMin = options.yMin !== undefined ? options.yMin : Math.min(...ys);
    const yMax = options.yMax !== undefined ? options.yMax : Math.max(...ys, yMin + 1e-9);
    const x = (v) => pad + ((v - xMin) / (xMax - xMin)) * (w - 2 * pad);
    const y = (v) => h - pad - ((v - yMin) / (yMax - yMin || 1)) * (h - 2 * pad);
    ctx.strokeStyle = "#d9dee6";
    ctx.strokeRect(pad, pad, w - 2 * pad, h - 2 * pad);
    ctx.fillStyle = "#5b6575";
    ctx.font = "11px sans-serif";
    ctx.fillText(yMax.toFixed(2), 2, pad + 4);
    ctx.fillText(yMin.toFixed(2), 2, h - pad);
    ctx.fillText("epoch " + xMax, w - pad - 40, h - 8);
    series.forEach((s, i) => {
      ctx.strokeStyle = s.color || COLORS[i % COLORS.length];
      ctx.setLineDash(s.dashed ? [5, 4] : []);
      ctx.lineWidth = 2;
      ctx.beginPath();
      s.points.forEach((p, j) => (j ? ctx.lineTo(x(p[0]), y(p[1])) : ctx.moveTo(x(p[0]), y(p[1]))));
      ctx.stroke();
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(s.label, pad + 6 + i * 110, pad - 8);
    });
    ctx.setLineDash([]);
  }

  window.AstCharts = { draw };
})();
