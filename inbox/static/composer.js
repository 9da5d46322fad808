// The reply composer's canned-response picker: fetch the text filled in for
// this thread (GET /threads/<id>/canned/<key>, JSON) and insert it at the
// cursor in the reply, keeping what was typed. Without JavaScript the form
// is a plain GET that reloads the thread page with the text in the draft.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.canned-picker[data-canned-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var select = form.querySelector("select[name=canned]");
    var status = form.querySelector(".canned-status");
    var target = document.getElementById(form.dataset.target);
    if (!select || !target) { return; }

    function say(text) { if (status) { status.textContent = text; } }

    function insert(text) {
      var start = target.selectionStart, end = target.selectionEnd;
      var before = target.value.slice(0, start), after = target.value.slice(end);
      if (before && !/\n\n$/.test(before)) { text = (/\n$/.test(before) ? "\n" : "\n\n") + text; }
      target.value = before + text + after;
      var caret = before.length + text.length;
      target.focus();
      target.setSelectionRange(caret, caret);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = form.dataset.cannedUrl.replace("__KEY__", encodeURIComponent(select.value));
      say("…");
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        })
        .then(function (result) {
          if (!result.ok) {
            say((result.body.error && result.body.error.message) || "not found");
            return;
          }
          var data = result.body, notes = [];
          insert(data.text);
          if (data.wanted_language && data.language !== data.wanted_language) {
            notes.push("no " + data.wanted_language + " version: inserted " + data.language);
          }
          if (data.unknown.length) { notes.push("left as written: " + data.unknown.join(", ")); }
          if (data.empty.length) {
            notes.push("nothing to fill in for " + data.empty.map(function (n) {
              return "{" + n + "}";
            }).join(", "));
          }
          say(notes.length ? notes.join("; ") : "inserted " + data.title);
        })
        .catch(function () { say("could not fetch the text: try again"); });
    });
  });
})();
