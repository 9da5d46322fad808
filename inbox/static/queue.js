// Live queue: fetch the rows every data-poll-ms milliseconds (10 s unless the
// app configures QUEUE_POLL_MS) and swap them in when they changed. A static
// file, not an inline script, so the Content-Security-Policy allows no inline
// script it does not know.
(function () {
  "use strict";
  var body = document.getElementById("queue-rows");
  if (!body || !body.dataset.poll) { return; }
  var every = parseInt(body.dataset.pollMs, 10) || 10000;
  var last = body.innerHTML;
  setInterval(function () {
    fetch(body.dataset.poll, {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html !== null && html !== last) { body.innerHTML = html; last = html; }
    }).catch(function () {});
  }, Math.max(every, 250));
})();
