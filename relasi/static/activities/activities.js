// Activities: the customer picker, GPS check-in/out, small conveniences. No inline scripts
// (strict CSP); everything hooks onto data attributes.
(function () {
  "use strict";

  // --- customer picker ------------------------------------------------------------------------
  function chip(picker, id, name) {
    const box = picker.querySelector("[data-picked]");
    if (picker.dataset.multiple !== "1") box.innerHTML = "";
    if (box.querySelector("input[value='" + id + "']")) return;
    const span = document.createElement("span");
    span.className = "badge text-bg-light border fs-6 fw-normal";
    span.setAttribute("data-chip", "");
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.dataset.name;
    input.value = id;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-sm ms-1";
    close.setAttribute("data-unpick", "");
    close.setAttribute("aria-label", "×");
    span.append(input, document.createTextNode(name + " "), close);
    box.append(span);
  }

  let timer = null;
  document.addEventListener("input", (e) => {
    const input = e.target.closest("[data-picker-input]");
    if (!input) return;
    const picker = input.closest("[data-picker]");
    const results = picker.querySelector("[data-picker-results]");
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { results.innerHTML = ""; return; }
    timer = setTimeout(() => {
      fetch(picker.dataset.lookupUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : { results: [] }))
        .then((data) => {
          results.innerHTML = "";
          data.results.forEach((row) => {
            const btn = document.createElement("button");
            btn.type = "button";
            btn.className = "list-group-item list-group-item-action";
            btn.setAttribute("role", "option");
            btn.dataset.pickId = row.id;
            btn.dataset.pickName = row.name;
            btn.textContent = row.name + (row.city ? " · " + row.city : "");
            results.append(btn);
          });
        });
    }, 200);
  });
  document.addEventListener("click", (e) => {
    const option = e.target.closest("[data-pick-id]");
    if (option) {
      const picker = option.closest("[data-picker]");
      chip(picker, option.dataset.pickId, option.dataset.pickName);
      picker.querySelector("[data-picker-results]").innerHTML = "";
      const input = picker.querySelector("[data-picker-input]");
      input.value = "";
      input.dispatchEvent(new Event("picked", { bubbles: true }));
      return;
    }
    const unpick = e.target.closest("[data-unpick]");
    if (unpick) unpick.closest("[data-chip]").remove();
    const copy = e.target.closest("[data-copy]");
    if (copy) {
      const field = document.querySelector(copy.dataset.copy);
      field.select();
      if (navigator.clipboard) navigator.clipboard.writeText(field.value);
    }
  });
  // Keep Enter in the search box from submitting the form.
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.closest("[data-picker-input]")) e.preventDefault();
  });

  // Kind filter chips on "My tasks" submit at once.
  document.addEventListener("change", (e) => {
    if (e.target.matches("[data-autosubmit]")) e.target.form.submit();
  });

  // --- GPS check-in / check-out ---------------------------------------------------------------
  function message(form, key) {
    const tpl = form.querySelector("template[data-geo-messages]");
    const el = tpl && tpl.content.querySelector("[data-msg='" + key + "']");
    const status = form.querySelector("[data-geo-status]");
    if (status && el) status.textContent = el.textContent;
  }
  document.addEventListener("submit", (e) => {
    const form = e.target.closest("[data-geo-form]");
    if (!form || form.dataset.geoDone === "1") return;
    e.preventDefault();
    const button = form.querySelector("[data-geo-button]");
    if (button) button.disabled = true;
    const finish = () => { form.dataset.geoDone = "1"; form.requestSubmit ? form.requestSubmit() : form.submit(); };
    if (!navigator.geolocation) { message(form, "denied"); finish(); return; }
    message(form, "locating");
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        form.querySelector("[name='lat']").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name='lng']").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[name='accuracy']").value = Math.round(pos.coords.accuracy);
        message(form, "found");
        if (button) button.disabled = false;
        finish();
      },
      () => { message(form, "denied"); if (button) button.disabled = false; finish(); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });

  // Check-in page: choosing a customer reloads the page to show their address.
  document.addEventListener("picked", (e) => {
    const form = e.target.closest("[data-geo-form]");
    if (!form || !form.querySelector("[data-picker]")) return;
    const id = form.querySelector("[data-picked] input");
    if (id) window.location.search = "?customer=" + encodeURIComponent(id.value);
  });

  document.addEventListener("focusin", (e) => {
    if (e.target.matches("[data-select-on-focus]")) e.target.select();
  });
})();
