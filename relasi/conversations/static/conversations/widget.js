/* Relasi web chat. Embed with one tag:
   <script src="https://CRM/static/conversations/widget.js" data-relasi-key="KEY" async></script>
   Optional: data-lang="id|en" (else the page's <html lang>), data-relasi-url="https://CRM". */
(function () {
  "use strict";
  var me = document.currentScript || document.querySelector("script[data-relasi-key]");
  if (!me || window.relasiChat || !window.fetch) return;
  window.relasiChat = 1;
  var key = me.getAttribute("data-relasi-key") || "";
  var base = (me.getAttribute("data-relasi-url") || new URL(me.src, location.href).origin)
    .replace(/\/$/, "") + "/conversations/widget/" + encodeURIComponent(key) + "/";
  var lang = (me.getAttribute("data-lang") || document.documentElement.lang || "id")
    .slice(0, 2).toLowerCase() === "en" ? "en" : "id";
  var T = {
    en: {
      title: "Chat with us", open: "Open the chat", close: "Close the chat",
      hello: "Hello! How can we help you?", msgs: "Messages", label: "Your message",
      send: "Send", you: "You", unread: "New message",
      offline: "We are away right now. Leave a message and your contact details: we will reply as soon as we are back.",
      who: "Leave your contact details", name: "Name", email: "E-mail",
      phone: "Phone (WhatsApp)", save: "Save", need: "Enter an e-mail address or a phone number.",
      thanks: "Thank you, we will keep in touch.", error: "Could not send. Please try again."
    },
    id: {
      title: "Chat dengan kami", open: "Buka chat", close: "Tutup chat",
      hello: "Halo! Ada yang bisa kami bantu?", msgs: "Pesan", label: "Pesan Anda",
      send: "Kirim", you: "Anda", unread: "Pesan baru",
      offline: "Kami sedang di luar jam layanan. Tinggalkan pesan dan kontak Anda: kami akan membalas segera setelah kembali.",
      who: "Tinggalkan kontak Anda", name: "Nama", email: "E-mail",
      phone: "Telepon (WhatsApp)", save: "Simpan", need: "Isi alamat e-mail atau nomor telepon.",
      thanks: "Terima kasih, kami akan menghubungi Anda.", error: "Gagal mengirim. Silakan coba lagi."
    }
  }[lang];

  var slot = "relasi-chat-" + key, token = "";
  try { token = localStorage.getItem(slot) || ""; } catch (e) { /* private mode */ }
  if (!/^[\w-]{16,64}$/.test(token)) {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    token = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    try { localStorage.setItem(slot, token); } catch (e) { /* the chat lasts this page */ }
  }

  var CSS = ":host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    ".b{position:fixed;right:16px;bottom:16px;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;background:#0b5ed7;color:#fff;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.25)}" +
    ".b.u:after{content:'';position:absolute;top:4px;right:4px;width:14px;height:14px;border-radius:50%;background:#dc3545;border:2px solid #fff}" +
    "button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
    ".p{position:fixed;right:16px;bottom:84px;z-index:2147483000;width:360px;max-width:calc(100vw - 32px);height:520px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;color:#1f2937;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden}" +
    ".p[hidden],[hidden]{display:none}.h{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#0b5ed7;color:#fff}" +
    "h2{margin:0;font-size:16px;font-weight:600;color:inherit}.x{background:none;border:0;color:#fff;font-size:26px;line-height:1;cursor:pointer;padding:2px 8px}" +
    ".s{margin:0;padding:8px 14px;background:#fff3cd;color:#664d03;font-size:13px}.s:empty,.e:empty{display:none}" +
    ".l{flex:1;overflow-y:auto;list-style:none;margin:0;padding:10px 14px}.l li{margin:6px 0;max-width:85%;width:fit-content;padding:8px 10px;border-radius:10px;background:#f1f3f5;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".l li.visitor{margin-left:auto;background:#dbe8ff}.l small{display:block;color:#4b5563;font-size:11px}" +
    "form{margin:0;padding:8px 14px;border-top:1px solid #e5e7eb}.f{display:flex;gap:8px;align-items:flex-end}" +
    "textarea,input{width:100%;border:1px solid #6b7280;border-radius:8px;padding:8px;resize:none;color:#111;background:#fff}" +
    ".i label{display:block;margin:4px 0 2px;font-size:12px;color:#374151}.i button{margin-top:8px}" +
    "form button{border:0;border-radius:8px;padding:8px 12px;background:#0b5ed7;color:#fff;cursor:pointer}" +
    ".k{background:none;border:0;color:#0b5ed7;padding:4px 14px;text-align:left;text-decoration:underline;cursor:pointer}" +
    ".e{margin:0;padding:4px 14px;color:#b02a37;font-size:13px}.v{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}" +
    "@media (max-width:480px){.p{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;border-radius:0}}";

  var host = document.createElement("div");
  host.setAttribute("data-relasi-chat", "");
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    '<button class="b" id="rc-open" type="button" aria-expanded="false" aria-controls="rc-panel" aria-label="' + T.open + '">' +
    '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg></button>' +
    '<div class="p" id="rc-panel" role="dialog" aria-modal="false" aria-labelledby="rc-title" hidden>' +
    '<div class="h"><h2 id="rc-title">' + T.title + '</h2><button class="x" id="rc-close" type="button" aria-label="' + T.close + '">&times;</button></div>' +
    '<p class="s" id="rc-status"></p>' +
    '<ol class="l" id="rc-log" role="log" aria-live="polite" aria-label="' + T.msgs + '"><li>' + T.hello + '</li></ol>' +
    '<button class="k" id="rc-who" type="button" aria-expanded="false" aria-controls="rc-id">' + T.who + '</button>' +
    '<form class="i" id="rc-id" hidden novalidate>' +
    '<label for="rc-name">' + T.name + '</label><input id="rc-name" autocomplete="name" maxlength="200">' +
    '<label for="rc-email">' + T.email + '</label><input id="rc-email" type="email" autocomplete="email" maxlength="254">' +
    '<label for="rc-phone">' + T.phone + '</label><input id="rc-phone" type="tel" autocomplete="tel" maxlength="30">' +
    '<button type="submit">' + T.save + '</button></form>' +
    '<p class="e" id="rc-error" role="alert"></p>' +
    '<form class="f" id="rc-form"><label class="v" for="rc-body">' + T.label + '</label>' +
    '<textarea id="rc-body" rows="2" maxlength="4000" placeholder="' + T.label + '"></textarea>' +
    '<button type="submit" id="rc-send">' + T.send + '</button></form></div>';
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS); // a constructed sheet is not "inline style" to the page's CSP
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
  }
  function $(id) { return root.getElementById("rc-" + id); }
  var btn = $("open"), panel = $("panel"), log = $("log"), form = $("form"), body = $("body");
  var idForm = $("id"), who = $("who"), status = $("status"), error = $("error");
  var seen = {}, last = 0, loaded = false, streaming = false, retry = 1500, fails = 0;

  function call(path, data) {
    var opts = { headers: { "X-Relasi-Visitor": token, "Accept-Language": lang }, cache: "no-store" };
    if (data) {
      opts.method = "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(data);
    }
    return fetch(base + path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error(j.error || T.error);
        return j;
      });
    });
  }
  function add(m, advance) {
    if (advance && m.id > last) last = m.id;
    if (seen[m.id]) return;
    seen[m.id] = 1;
    var li = document.createElement("li"), small = document.createElement("small");
    li.className = m.from;
    small.textContent = m.from === "visitor" ? T.you : m.name;
    li.appendChild(small);
    li.appendChild(document.createTextNode(m.body));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    if (panel.hidden && m.from === "agent") {
      btn.classList.add("u");
      btn.setAttribute("aria-label", T.open + " (" + T.unread + ")");
    }
  }
  function showWho(on) {
    idForm.hidden = !on;
    who.setAttribute("aria-expanded", String(on));
  }
  function load() {
    loaded = true;
    call("messages/?after=" + last).then(function (j) {
      j.messages.forEach(function (m) { add(m, 1); });
      if (!j.open) status.textContent = T.offline;
      if (j.identified) who.hidden = true;
      else if (!j.open) showWho(true);
      if (j.messages.length) connect();
    }, function () { loaded = false; });
  }
  function connect() {
    if (streaming) return;
    streaming = true;
    fetch(base + "stream/", {
      headers: { "X-Relasi-Visitor": token, "Last-Event-ID": String(last) }, cache: "no-store"
    }).then(function (r) {
      if (!r.ok || !r.body) throw new Error(String(r.status));
      var reader = r.body.getReader(), dec = new TextDecoder(), buf = "";
      function pump() {
        return reader.read().then(function (x) {
          if (x.done) return;
          buf += dec.decode(x.value, { stream: true });
          for (var i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
            event(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
          return pump();
        });
      }
      return pump();
    }).then(function () { fails = 0; again(retry); }, function () {
      fails++; // 2, 4, 8 … 30 s: a restart or a 429 is not hammered, a blip costs 2 s
      again(Math.min(30000, 1000 * Math.pow(2, fails)));
    });
  }
  function again(ms) {
    streaming = false;
    setTimeout(connect, ms);
  }
  function event(block) {
    var data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("data:") === 0) data += line.slice(5);
      else if (line.indexOf("retry:") === 0) retry = +line.slice(6) || retry;
    });
    if (data) { try { add(JSON.parse(data), 1); } catch (e) { /* a broken event */ } }
  }
  function open() {
    panel.hidden = false;
    btn.setAttribute("aria-expanded", "true");
    btn.setAttribute("aria-label", T.open);
    btn.classList.remove("u");
    if (!loaded) load();
    body.focus();
  }
  function close() {
    panel.hidden = true;
    btn.setAttribute("aria-expanded", "false");
    btn.focus();
  }
  btn.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  $("close").addEventListener("click", close);
  root.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden) { e.preventDefault(); close(); }
  });
  who.addEventListener("click", function () {
    showWho(idForm.hidden);
    if (!idForm.hidden) $("name").focus();
  });
  body.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = body.value.trim();
    if (!text) return;
    $("send").disabled = true;
    error.textContent = "";
    call("messages/", { body: text }).then(function (j) {
      body.value = "";
      add(j.message, 0);
      if (j.offline) {
        status.textContent = T.offline;
        if (!who.hidden) showWho(true);
      }
      connect();
    }, function (err) { error.textContent = err.message; })
      .then(function () { $("send").disabled = false; body.focus(); });
  });
  idForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var data = { name: $("name").value, email: $("email").value, phone: $("phone").value };
    if (!data.email.trim() && !data.phone.trim()) { error.textContent = T.need; return; }
    error.textContent = "";
    call("identify/", data).then(function () {
      showWho(false);
      who.hidden = true;
      status.textContent = T.thanks;
      body.focus();
    }, function (err) { error.textContent = err.message; });
  });
  (document.body || document.documentElement).appendChild(host);
})();
