// The check-in search, keyboard first: the search box has focus on load (autofocus) and Enter
// searches; from the box, the Down arrow moves to the first result, and Up and Down move between
// results (Tab works as well). A scanner "types" a check-in code and its Enter like a keyboard.
(function () {
  "use strict";
  var box = document.getElementById("id_q");
  var list = document.querySelector("[data-result-list]");
  if (!box || !list) {
    return;
  }
  function links() {
    return Array.prototype.slice.call(list.querySelectorAll("a"));
  }
  box.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      links()[0].focus();
    }
  });
  list.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (at < 0 || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) {
      return;
    }
    event.preventDefault();
    if (event.key === "ArrowDown") {
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (at === 0) {
      box.focus();
    } else {
      all[at - 1].focus();
    }
  });
})();
