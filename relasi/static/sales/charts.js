// Sales charts: Chart.js fed by <script type="application/json"> blocks (CSP-safe, no inline
// script). Each <canvas data-chart="name"> is drawn from the page's data block.
(function () {
  "use strict";
  if (!window.Chart) return;
  const read = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const lang = document.documentElement.lang === "id" ? "id-ID" : "en-US";
  const money = (v) => new Intl.NumberFormat(lang, { style: "currency", currency: "IDR", maximumFractionDigits: 0 }).format(v);
  const moneyAxis = { ticks: { callback: (v) => new Intl.NumberFormat(lang, { notation: "compact" }).format(v) } };
  const tip = { callbacks: { label: (c) => c.dataset.label + ": " + money(c.parsed.y) } };

  const draw = {
    forecast: (canvas) => {
      const d = read("chart-forecast"); if (!d) return;
      const s = d.series;
      new Chart(canvas, { type: "bar", data: { labels: d.labels, datasets: [
        { label: d.names.closed_won, data: s.closed_won, stack: "f", backgroundColor: "#198754" },
        { label: d.names.commit, data: s.commit, stack: "f", backgroundColor: "#0d6efd" },
        { label: d.names.best_case, data: s.best_case, stack: "f", backgroundColor: "#6ea8fe" },
        { label: d.names.weighted, data: s.weighted, stack: "w", backgroundColor: "#adb5bd" },
        { label: d.names.quota, data: s.quota, type: "line", borderColor: "#dc3545", pointRadius: 5, showLine: false },
      ] }, options: { maintainAspectRatio: false, scales: { y: moneyAxis }, plugins: { tooltip: tip } } });
    },
    monthly: (canvas) => {
      const d = read("chart-performance"); if (!d) return;
      new Chart(canvas, { type: "bar", data: { labels: d.monthly.labels, datasets: [{ label: d.monthly.name, data: d.monthly.won, backgroundColor: "#198754" }] },
        options: { maintainAspectRatio: false, scales: { y: moneyAxis }, plugins: { legend: { display: false }, tooltip: tip } } });
    },
    funnel: (canvas) => {
      const d = read("chart-performance"); if (!d) return;
      new Chart(canvas, { type: "bar", data: { labels: d.funnel.labels, datasets: [{ label: d.funnel.name, data: d.funnel.reached, backgroundColor: "#0d6efd" }] },
        options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } } } });
    },
  };
  document.querySelectorAll("canvas[data-chart]").forEach((c) => { const f = draw[c.dataset.chart]; if (f) f(c); });
})();
