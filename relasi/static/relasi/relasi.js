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

  // Focus the palette's input once the modal is shown (Bootstrap focuses the dialog itself first;
  // its focus trap keeps Tab inside), and give focus back to where it was when it closes.
  let beforePalette = null;
  document.addEventListener("show.bs.modal", (e) => {
    if (e.target.id === "palette") beforePalette = document.activeElement;
  });
  document.addEventListener("shown.bs.modal", (e) => {
    if (e.target.id !== "palette") return;
    const input = document.getElementById("palette-input");
    if (input) { input.focus(); input.select(); }
  });
  document.addEventListener("hidden.bs.modal", (e) => {
    if (e.target.id !== "palette") return;
    if (beforePalette && document.contains(beforePalette)) beforePalette.focus();
    beforePalette = null;
  });

  // Search boxes are comboboxes (WAI-ARIA 1.2): focus stays in the input, the arrow keys move
  // the active option (aria-activedescendant), Enter opens it, Escape closes the list.
  const listOf = (input) => document.getElementById(input.getAttribute("aria-controls"));
  const optionsOf = (input) => {
    const list = listOf(input);
    return list ? Array.from(list.querySelectorAll("[role='option']:not([aria-disabled='true'])")) : [];
  };
  function activate(input, option) {
    optionsOf(input).forEach((o) => o.setAttribute("aria-selected", o === option ? "true" : "false"));
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function closeList(input) {
    const list = listOf(input);
    if (list && input.id === "global-search") list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  document.addEventListener("keydown", (e) => {
    const input = e.target.closest && e.target.closest("[data-combobox]");
    if (!input) return;
    const options = optionsOf(input);
    const current = options.findIndex((o) => o.id === input.getAttribute("aria-activedescendant"));
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!options.length) return;
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      const next = current < 0 ? (step > 0 ? 0 : options.length - 1) : (current + step + options.length) % options.length;
      input.setAttribute("aria-expanded", "true");
      activate(input, options[next]);
    } else if (e.key === "Home" && options.length && current >= 0) {
      e.preventDefault(); activate(input, options[0]);
    } else if (e.key === "End" && options.length && current >= 0) {
      e.preventDefault(); activate(input, options[options.length - 1]);
    } else if (e.key === "Enter") {
      // The palette opens the first match when none is chosen; the top bar then submits its
      // form (the full search page).
      const chosen = options[current] || (input.id === "palette-input" ? options[0] : null);
      if (chosen) {
        e.preventDefault();
        window.location.assign(chosen.getAttribute("href"));
      } else if (input.id === "palette-input" && input.value.trim()) {
        e.preventDefault();
        window.location.assign(input.getAttribute("hx-get") + "?q=" + encodeURIComponent(input.value));
      }
    } else if (e.key === "Tab" && input.closest(".modal")) {
      // Focus trap: Tab and Shift+Tab cycle through the palette's own controls, never the page.
      const modal = input.closest(".modal");
      const stops = Array.from(modal.querySelectorAll("input, select, textarea, button, a[href], [tabindex]"))
        .filter((el) => el.tabIndex >= 0 && !el.disabled && el.offsetParent !== null);
      const at = stops.indexOf(input);
      e.preventDefault();
      if (stops.length > 1) stops[(at + (e.shiftKey ? -1 : 1) + stops.length) % stops.length].focus();
    } else if (e.key === "Escape" && input.id === "global-search" && input.getAttribute("aria-expanded") === "true") {
      e.preventDefault();
      closeList(input);
    }
  });
  // New results: nothing is chosen yet; the list is open when it has something to show.
  document.addEventListener("htmx:afterSwap", (e) => {
    const input = document.querySelector("[data-combobox][aria-controls='" + e.detail.target.id + "']");
    if (!input) return;
    input.removeAttribute("aria-activedescendant");
    input.setAttribute("aria-expanded", e.detail.target.children.length ? "true" : "false");
  });

  document.addEventListener("click", (e) => {
    const input = document.getElementById("global-search");
    if (input && !e.target.closest(".search")) closeList(input);
  });

  // Sidebar sections: remember which ones the user folded (read by the server, so pages render
  // already folded, without a flash).
  function rememberSections() {
    const folded = Array.from(document.querySelectorAll("[data-nav-section][aria-expanded='false']"))
      .map((b) => b.dataset.navSection);
    document.cookie = "relasi_nav=" + folded.join(".") + "; path=/; max-age=31536000; SameSite=Lax";
  }
  ["shown.bs.collapse", "hidden.bs.collapse"].forEach((name) => document.addEventListener(name, (e) => {
    if (e.target.closest && e.target.closest(".nav-section")) rememberSections();
  }));

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
