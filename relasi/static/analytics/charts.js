// Analytics charts and the report builder form: Chart.js fed by <script type="application/json">
// blocks (strict CSP: no inline script).
(function () {
  "use strict";
  const read = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const lang = document.documentElement.lang === "id" ? "id-ID" : "en-US";
  const money = (v) => new Intl.NumberFormat(lang, { style: "currency", currency: "IDR", maximumFractionDigits: 0 }).format(v);
  const compact = (v) => new Intl.NumberFormat(lang, { notation: "compact" }).format(v);
  const palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997", "#ffc107", "#6c757d", "#0dcaf0", "#d63384", "#adb5bd", "#495057"];

  function draw(canvas, d) {
    if (!window.Chart || !d || !d.labels || !d.labels.length) return;
    const round = d.type === "doughnut" || d.type === "pie";
    const sets = d.datasets.map((s, i) => Object.assign({}, s, {
      backgroundColor: round ? palette : palette[i % palette.length],
      borderColor: round ? "#fff" : palette[i % palette.length],
      tension: 0.25,
    }));
    const value = (v) => (d.money ? money(v) : new Intl.NumberFormat(lang).format(v));
    const options = { maintainAspectRatio: false, plugins: { legend: { display: round || sets.length > 1 },
      tooltip: { callbacks: { label: (c) => c.dataset.label + ": " + value(round ? c.parsed : (d.horizontal ? c.parsed.x : c.parsed.y)) } } } };
    if (!round) {
      const axis = { ticks: { callback: (v) => compact(v) }, stacked: !!d.stacked };
      // Long category names (stores, reps, products) would push the bars off a phone screen
      // or be cut at the canvas edge: shorten them on the axis; the tooltip shows them whole.
      const room = Math.max(12, Math.round((canvas.parentElement || canvas).clientWidth / 16));
      const names = { stacked: !!d.stacked, ticks: { callback: function (v) {
        const label = String(this.getLabelForValue(v));
        return label.length > room ? label.slice(0, room - 1) + "…" : label;
      } } };
      options.scales = d.horizontal ? { x: axis, y: names } : { y: axis, x: { stacked: !!d.stacked } };
      if (d.horizontal) options.indexAxis = "y";
    }
    new Chart(canvas, { type: d.type, data: { labels: d.labels, datasets: sets }, options: options });
  }

  const charts = read("dashboard-charts");
  if (charts) document.querySelectorAll("canvas[data-chart-index]").forEach((c) => draw(c, charts[+c.dataset.chartIndex]));
  const built = document.getElementById("builder-chart");
  if (built) draw(built, read("builder-chart-data"));

  // Report builder: fill the dimension and measure choices of the chosen fact.
  const facts = read("builder-facts");
  const form = document.getElementById("builder-form");
  if (!facts || !form) return;
  const factSelect = form.querySelector("select[name=fact]");
  function fill() {
    const f = facts[factSelect.value]; if (!f) return;
    form.querySelectorAll("select[data-options=dims]").forEach((sel) => {
      const keep = sel.value || sel.dataset.value || "";
      sel.replaceChildren();
      if (sel.dataset.optional) sel.add(new Option("—", ""));
      Object.entries(f.dims).forEach(([k, label]) => sel.add(new Option(label, k, false, k === keep)));
      sel.dataset.value = "";
    });
    const box = form.querySelector("[data-measures]");
    const chosen = (box.dataset.measures || "").split(",").filter(Boolean);
    box.replaceChildren();
    Object.entries(f.measures).forEach(([k, label], i) => {
      const id = "m-" + k;
      const wrap = document.createElement("div"); wrap.className = "form-check form-check-inline small";
      const input = document.createElement("input"); input.type = "checkbox"; input.className = "form-check-input";
      input.name = "measures"; input.value = k; input.id = id; input.checked = chosen.length ? chosen.includes(k) : i === 0;
      const lab = document.createElement("label"); lab.className = "form-check-label"; lab.htmlFor = id; lab.textContent = label;
      wrap.append(input, lab); box.append(wrap);
    });
    box.dataset.measures = "";
  }
  factSelect.addEventListener("change", fill);
  fill();
})();
