// Import progress: poll the job's status endpoint and move the bar; reload when the job has finished.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh), so this file is optional.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var processed = box.querySelector("[data-field=processed]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        if (s.finished) { window.location.reload(); return; }
        if (s.percent !== null && bar) { bar.max = 100; bar.value = s.percent; bar.textContent = s.percent + "%"; }
        if (processed) { processed.textContent = s.processed; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
}());
