// Collision detection on the thread page: a heartbeat every few seconds
// (POST /threads/<id>/presence) says this user is viewing, or replying when
// they are typing in the reply composer; the answer lists the other users
// with the thread open, shown in #presence. No inline script, no library.
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box || !window.fetch || !window.URLSearchParams) { return; }
  var url = box.getAttribute("data-url");
  var token = box.getAttribute("data-csrf");
  var every = parseInt(box.getAttribute("data-interval-ms"), 10) || 10000;
  var composer = document.getElementById("reply-body");
  var typedAt = 0;
  var sent = "";

  function state() {
    if (!composer) { return "viewing"; }
    var recent = Date.now() - typedAt < every * 3;
    var busy = document.activeElement === composer && composer.value.trim() !== "";
    return recent || busy ? "replying" : "viewing";
  }

  function show(others) {
    while (box.firstChild) { box.removeChild(box.firstChild); }
    if (!others || !others.length) { box.hidden = true; return; }
    box.appendChild(document.createTextNode("Also on this thread: "));
    others.forEach(function (other, i) {
      if (i) { box.appendChild(document.createTextNode(", ")); }
      var who = document.createElement("span");
      who.className = other.state === "replying" ? "replying" : "viewing";
      who.textContent = other.name + (other.state === "replying" ? " (replying)" : " (viewing)");
      box.appendChild(who);
    });
    box.hidden = false;
  }

  function beat() {
    sent = state();
    var body = new URLSearchParams();
    body.set("state", sent);
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      show(data && data.available ? data.others : null);
    }).catch(function () { show(null); });
  }

  if (composer) {
    composer.addEventListener("input", function () {
      typedAt = Date.now();
      if (sent !== "replying") { beat(); }
    });
    composer.addEventListener("blur", function () {
      if (sent !== state()) { beat(); }
    });
  }
  window.addEventListener("pagehide", function () {
    if (!navigator.sendBeacon) { return; }
    var form = new FormData();
    form.set("state", "left");
    form.set("csrf_token", token);
    navigator.sendBeacon(url, form);
  });
  beat();
  window.setInterval(beat, every);
}());
