// Kanban board: SortableJS drag (mouse and touch) → exactly one POST per drop with the stage
// and the card's version; the answer replaces the card and both column totals (elements with
// the same id). A refused move (409 stale version, 400 invalid) puts the card back and shows
// the server's message. Without JavaScript every card's "Move to…" form does the same.
(function () {
  "use strict";
  const board = document.querySelector("[data-board]");
  if (!board || !window.Sortable) return;
  const csrf = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  const urlFor = (id) => board.dataset.moveUrlTemplate.replace(/0\/move\/$/, id + "/move/");

  function showMessage(html) {
    const box = document.getElementById("board-messages");
    box.innerHTML = html;
  }

  function swapIn(html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    tpl.content.querySelectorAll("[id]").forEach((fresh) => {
      const old = document.getElementById(fresh.id);
      if (old) old.replaceWith(fresh);
    });
  }

  function send(card, stage, onFail) {
    const body = new URLSearchParams();
    body.set("stage", stage);
    body.set("version", card.dataset.version);
    body.set("filters", board.dataset.filters || "");
    card.classList.add("saving");
    return fetch(urlFor(card.dataset.deal), {
      method: "POST",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" },
      body: body,
      credentials: "same-origin",
    }).then((response) => response.text().then((text) => {
      card.classList.remove("saving");
      if (!response.ok) { onFail(); showMessage(text); return; }
      showMessage("");
      swapIn(text);
    })).catch(() => { card.classList.remove("saving"); onFail(); });
  }

  board.querySelectorAll(".board-cards").forEach((list) => {
    Sortable.create(list, {
      group: "deals",
      animation: 120,
      delay: 150,
      delayOnTouchOnly: true,
      filter: "select, button, input, a",
      preventOnFilter: false,
      onEnd: (evt) => {
        if (evt.from === evt.to) return;
        const card = evt.item;
        const back = () => evt.from.insertBefore(card, evt.from.children[evt.oldIndex] || null);
        send(card, evt.to.dataset.stage, back);
      },
    });
  });

  // "Move to…" with JavaScript on: same POST, no page reload.
  board.addEventListener("submit", (e) => {
    const form = e.target.closest(".move-form");
    if (!form) return;
    e.preventDefault();
    const card = form.closest("[data-deal]");
    const stage = form.querySelector("select[name=stage]").value;
    if (stage === card.dataset.stage) return;
    const target = board.querySelector(".board-cards[data-stage='" + stage + "']");
    const from = card.parentElement;
    const next = card.nextSibling;
    if (target) target.prepend(card);
    send(card, stage, () => from.insertBefore(card, next));
  });
})();
