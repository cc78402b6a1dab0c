// Customer-analytics charts: Chart.js fed by <script type="application/json"> blocks (CSP-safe,
// no inline script). Each <canvas data-chart="name"> is drawn from the page's data block.
(function () {
  "use strict";
  if (!window.Chart) return;
  const read = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const lang = document.documentElement.lang === "id" ? "id-ID" : "en-US";
  const compact = (v) => new Intl.NumberFormat(lang, { notation: "compact" }).format(v);
  const pct = { ticks: { callback: (v) => v + " %" }, min: 0, max: 100 };
  const d = read("chart-data") || {};

  const draw = {
    "segments": (c) => new Chart(c, { type: "doughnut", data: { labels: d.segments.map((s) => s.label),
      datasets: [{ data: d.segments.map((s) => s.customers), backgroundColor: d.segments.map((s) => s.colour) }] },
      options: { maintainAspectRatio: false, plugins: { legend: { position: "right" } } } }),
    "segments-monthly": (c) => new Chart(c, { type: "bar", data: { labels: d.months,
      datasets: d.series.map((s) => ({ label: s.label, data: s.customers, backgroundColor: s.colour, stack: "s" })) },
      options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, ticks: { callback: compact } } },
        plugins: { legend: { display: false } } } }),
    "clv-hist": (c) => new Chart(c, { type: "bar", data: { labels: d.labels,
      datasets: [{ label: c.getAttribute("aria-label"), data: d.counts, backgroundColor: "#0d6efd" }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } } } }),
    "churn-coef": (c) => { const k = read("chart-coef"); if (!k) return;
      new Chart(c, { type: "bar", data: { labels: k.labels, datasets: [{ data: k.values,
        backgroundColor: k.values.map((v) => (v > 0 ? "#dc3545" : "#198754")) }] },
        options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } } } }); },
    "cohort-curve": (c) => new Chart(c, { type: "line", data: { labels: d.labels,
      datasets: [{ label: c.getAttribute("aria-label"), data: d.curve, borderColor: "#0d6efd", fill: false }] },
      options: { maintainAspectRatio: false, scales: { y: pct }, plugins: { legend: { display: false } } } }),
    "pareto": (c) => new Chart(c, { type: "line", data: { labels: d.pct.map((p) => p + " %"),
      datasets: [
        { label: c.dataset.revenue || "Revenue", data: d.revenue, borderColor: "#0d6efd", pointRadius: 0 },
        { label: c.dataset.profit || "Profit", data: d.profit, borderColor: "#198754", pointRadius: 0 },
      ] }, options: { maintainAspectRatio: false, scales: { y: { ticks: { callback: (v) => v + " %" } } } } }),
    "clv-tracking": (c) => { const k = read("chart-tracking"); if (!k || !k.weeks) return;
      const colours = ["#0d6efd", "#fd7e14"];
      new Chart(c, { type: "line", data: { labels: k.weeks, datasets: [
        { label: k.actual_label, data: k.actual, borderColor: "#212529", pointRadius: 0 },
        ...k.models.map((m, i) => ({ label: m.label, data: m.data, borderColor: colours[i % 2], borderDash: [6, 3], pointRadius: 0 })),
      ] }, options: { maintainAspectRatio: false, scales: { y: { ticks: { callback: compact } } } } }); },
    "basket": (c) => new Chart(c, { type: "bar", data: { labels: d.labels,
      datasets: [{ label: "lift", data: d.lift, backgroundColor: "#6f42c1" }] },
      options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } } } }),
  };
  document.querySelectorAll("canvas[data-chart]").forEach((c) => { const f = draw[c.dataset.chart]; if (f) f(c); });
})();
