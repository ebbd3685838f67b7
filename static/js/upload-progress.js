// Polls an upload's progress and reloads the page when it finishes (the page works without it).
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        // A file not yet counted shows no numbers: the page is reloaded once it has them.
        if (p.finished || (p.total_rows && !bar.hasAttribute("max"))) { window.location.reload(); return; }
        if (p.total_rows) {
          bar.max = p.total_rows; bar.value = p.rows_done;
          text.textContent = text.textContent.replace(/^\d+/, p.rows_done);
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
