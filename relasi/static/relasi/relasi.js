// Relasi shell behaviour: keyboard shortcuts, command palette, list selection and bulk bar.
// No inline scripts anywhere (strict CSP); everything hooks onto data attributes.
(function () {
  "use strict";
  const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
      e.preventDefault();
      const el = document.getElementById("palette");
      if (el && window.bootstrap) bootstrap.Modal.getOrCreateInstance(el).show();
      return;
    }
    if (typing(document.activeElement)) return;
    if (e.key === "/") {
      const s = document.getElementById("global-search");
      if (s) { e.preventDefault(); s.focus(); }
    } else if (e.key === "n") {
      const link = document.querySelector("[data-shortcut='new']");
      if (link) link.click();
    } else if (e.key === "?") {
      const help = document.getElementById("shortcut-help");
      if (help && window.bootstrap) bootstrap.Modal.getOrCreateInstance(help).show();
    }
  });

  // Focus the palette's input once the modal is shown (Bootstrap focuses the dialog itself first).
  document.addEventListener("shown.bs.modal", (e) => {
    if (e.target.id !== "palette") return;
    const input = document.getElementById("palette-input");
    if (input) { input.focus(); input.select(); }
  });

  document.addEventListener("click", (e) => {
    const dd = document.getElementById("search-dropdown");
    if (dd && !e.target.closest(".search")) dd.innerHTML = "";
  });

  // Row selection for bulk actions.
  function refreshBulk(root) {
    const boxes = root.querySelectorAll("input[name='ids']");
    const checked = root.querySelectorAll("input[name='ids']:checked");
    const bar = root.querySelector(".bulk-bar");
    const all = root.querySelector("[data-select-all]");
    const allMatching = root.querySelector("input[name='select_all']");
    if (bar) bar.classList.toggle("show", checked.length > 0 || (allMatching && allMatching.value === "1"));
    const counter = root.querySelector("[data-selected-count]");
    if (counter) counter.textContent = checked.length;
    if (all) all.checked = boxes.length > 0 && checked.length === boxes.length;
  }
  document.addEventListener("change", (e) => {
    const root = e.target.closest("[data-bulk-root]");
    if (!root) return;
    if (e.target.matches("[data-select-all]")) {
      root.querySelectorAll("input[name='ids']").forEach((b) => { b.checked = e.target.checked; });
    }
    if (!e.target.checked) {
      const allMatching = root.querySelector("input[name='select_all']");
      if (allMatching) allMatching.value = "0";
    }
    refreshBulk(root);
  });
  document.addEventListener("click", (e) => {
    const btn = e.target.closest("[data-select-matching]");
    if (!btn) return;
    const root = btn.closest("[data-bulk-root]");
    root.querySelector("input[name='select_all']").value = "1";
    root.querySelectorAll("input[name='ids']").forEach((b) => { b.checked = true; });
    refreshBulk(root);
    const counter = root.querySelector("[data-selected-count]");
    if (counter) counter.textContent = btn.dataset.selectMatching;
  });

  // Confirmation for dangerous buttons: <button data-confirm="...">
  document.addEventListener("submit", (e) => {
    const btn = e.submitter;
    if (btn && btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) e.preventDefault();
  });

  // Show a toast-like alert for htmx errors (e.g. 409 conflicts, 429 throttling).
  document.body.addEventListener("htmx:responseError", (e) => {
    const status = e.detail.xhr.status;
    const box = document.querySelector(".messages") || document.getElementById("content");
    if (!box) return;
    const div = document.createElement("div");
    div.className = "alert alert-warning";
    div.setAttribute("role", "alert");
    div.textContent = document.documentElement.lang === "id"
      ? (status === 409 ? "Data ini baru saja diubah orang lain. Muat ulang halaman." : "Permintaan gagal (" + status + ").")
      : (status === 409 ? "Someone else just changed this record. Reload the page." : "The request failed (" + status + ").");
    box.prepend(div);
  });
})();

// Column chooser: gather the ticked columns into one "cols" parameter.
document.addEventListener("click", (e) => {
  const btn = e.target.closest("[data-apply-cols]");
  if (!btn) return;
  const form = btn.closest("form");
  const cols = Array.from(form.querySelectorAll("[data-col]:checked")).map((c) => c.value);
  form.querySelector("[data-cols-field]").value = cols.join(",");
});

// Filter forms: a multi-select (e.g. lifecycle stage) becomes a compact grid of checkboxes with
// the same name and values, so the query string and django-filter see exactly the same thing.
function relasiCheckboxFilters(root) {
  root.querySelectorAll("form.filters select[multiple]:not([data-enhanced])").forEach((select) => {
    select.setAttribute("data-enhanced", "1");
    const box = document.createElement("div");
    box.className = "filter-checks";
    box.setAttribute("role", "group");
    const label = select.id && document.querySelector("label[for='" + select.id + "']");
    if (label) {
      if (!label.id) label.id = select.id + "-label";
      box.setAttribute("aria-labelledby", label.id);
    }
    Array.from(select.options).forEach((opt, i) => {
      const wrap = document.createElement("div");
      wrap.className = "form-check";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.className = "form-check-input";
      input.name = select.name;
      input.value = opt.value;
      input.checked = opt.selected;
      input.id = (select.id || select.name) + "_" + i;
      const text = document.createElement("label");
      text.className = "form-check-label";
      text.htmlFor = input.id;
      text.textContent = opt.textContent;
      wrap.append(input, text);
      box.append(wrap);
    });
    select.disabled = true;  // no longer submitted; the checkboxes carry the values
    select.hidden = true;
    select.after(box);
  });
}
document.addEventListener("DOMContentLoaded", () => relasiCheckboxFilters(document));
document.addEventListener("htmx:load", () => relasiCheckboxFilters(document));
