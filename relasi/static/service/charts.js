// Service dashboard and complaint report charts (Chart.js). Data comes from
// <script type="application/json"> blocks written by json_script; nothing inline executes.
(function () {
  "use strict";
  const read = (id) => {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  const colours = ["#0d6e6e", "#e8833a", "#3b7dd8", "#b23a48", "#6a4c93", "#2a9d8f"];
  const base = { responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false }, plugins: { legend: { position: "bottom" } } };
  const line = (label, data, i, extra) => Object.assign({ label, data, borderColor: colours[i], backgroundColor: colours[i], spanGaps: true, tension: 0.25, pointRadius: 2 }, extra || {});

  function draw(canvas, config) {
    if (!window.Chart || !canvas) return;
    new window.Chart(canvas, config);
  }

  const d = read("service-chart-data");
  if (d) {
    const s = d.datasets, t = d.labelsText;
    const q = (name) => document.querySelector(`[data-service-chart='${name}']`);
    draw(q("volume"), { type: "bar", data: { labels: d.labels, datasets: [
      { label: t.created, data: s.created, backgroundColor: colours[2] },
      { label: t.resolved, data: s.resolved, backgroundColor: colours[0] }] }, options: base });
    draw(q("rates"), { type: "line", data: { labels: d.labels, datasets: [
      line(t.sla, s.sla, 0), line(t.fcr, s.fcr, 1), line(t.csat, s.csat, 2)] },
      options: Object.assign({}, base, { scales: { y: { min: 0, max: 100 } } }) });
    draw(q("loyalty"), { type: "line", data: { labels: d.labels, datasets: [
      line(t.nps, s.nps, 3, { yAxisID: "y" }), line(t.ces, s.ces, 4, { yAxisID: "y1" })] },
      options: Object.assign({}, base, { scales: { y: { min: -100, max: 100, position: "left" }, y1: { min: 1, max: 7, position: "right", grid: { drawOnChartArea: false } } } }) });
    draw(q("times"), { type: "line", data: { labels: d.labels, datasets: [
      line(t.frt, s.frt, 0), line(t.res, s.res, 1)] }, options: base });
  }

  const r = read("report-chart-data");
  if (r) {
    const q = (name) => document.querySelector(`[data-report-chart='${name}']`);
    draw(q("trend"), { type: "bar", data: { labels: r.trend.labels, datasets: [{ label: r.trend.label, data: r.trend.values, backgroundColor: colours[3] }] }, options: base });
    draw(q("category"), { type: "doughnut", data: { labels: r.category.labels, datasets: [{ data: r.category.values, backgroundColor: colours.concat(colours) }] }, options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } } });
  }

  // Choosing a period preset clears typed dates (dates win over the preset otherwise).
  const period = document.getElementById("f-period");
  if (period) period.addEventListener("change", () => {
    ["f-start", "f-end"].forEach((id) => { const el = document.getElementById(id); if (el) el.value = ""; });
  });
})();
