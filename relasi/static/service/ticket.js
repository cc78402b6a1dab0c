// Ticket pages: canned replies and knowledge-base links into the reply box, the customer
// picker on the new-ticket form. No inline scripts (strict CSP); everything hooks onto data-*.
(function () {
  "use strict";

  function insertIntoReply(text) {
    const box = document.getElementById("reply-body");
    if (!box) return;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    const before = box.value.slice(0, start);
    const sep = before && !before.endsWith("\n") ? "\n" : "";
    box.value = before + sep + text + box.value.slice(end);
    box.focus();
    const reply = document.querySelector("input[name='kind'][value='reply']");
    if (reply) reply.checked = true;
  }

  document.addEventListener("change", (e) => {
    const select = e.target.closest("[data-canned]");
    if (!select || !select.value) return;
    fetch(select.value, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((text) => { insertIntoReply(text); select.value = ""; })
      .catch(() => { select.value = ""; });
  });

  document.addEventListener("click", (e) => {
    const insert = e.target.closest("[data-insert-text]");
    if (insert) {
      insertIntoReply(insert.dataset.insertText);
      const hits = document.getElementById("article-hits");
      if (hits && hits.contains(insert)) hits.innerHTML = "";
      return;
    }
    const pick = e.target.closest("[data-pick-customer]");
    if (pick) {
      const field = document.querySelector("input[name='customer_id']");
      if (field) field.value = pick.dataset.pickCustomer;
      const hits = document.getElementById("customer-hits");
      if (hits) {
        hits.innerHTML = "";
        const chosen = document.createElement("div");
        chosen.className = "list-group-item small list-group-item-success";
        chosen.textContent = pick.textContent.trim();
        hits.append(chosen);
      }
    }
  });
})();
