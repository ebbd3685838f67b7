// Knowledge base suggestions while a description is typed. Any textarea opts in with
// data-kb-suggest="<the suggest address>" (and may add data-kb-audience, data-kb-heading and
// data-kb-new-tab for the words shown): after a pause in typing, the articles that match appear in
// a live region below the field, each opening in a new tab. Without JavaScript nothing is shown.
(function () {
  "use strict";
  var PAUSE_MS = 350;
  var MIN_CHARS = 3;
  var MAX_CHARS = 200;

  function region(field) {
    var id = (field.id || field.name) + "-kb-suggestions";
    var found = document.getElementById(id);
    if (found) {
      return found;
    }
    found = document.createElement("div");
    found.id = id;
    found.className = "kb-suggestions margin-top-1";
    found.setAttribute("role", "status");
    found.setAttribute("aria-live", "polite");
    field.parentNode.insertBefore(found, field.nextSibling);
    return found;
  }

  function show(field, results) {
    var box = region(field);
    box.textContent = "";
    if (!results.length) {
      return;
    }
    var heading = document.createElement("p");
    heading.className = "text-bold margin-bottom-05";
    heading.textContent = field.getAttribute("data-kb-heading") || "Articles that may answer your question";
    var list = document.createElement("ul");
    list.className = "usa-list margin-top-0";
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.className = "usa-link";
      link.href = result.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = result.title;
      var hint = document.createElement("span");
      hint.className = "usa-sr-only";
      hint.textContent = " (" + (field.getAttribute("data-kb-new-tab") || "opens in a new tab") + ")";
      link.appendChild(hint);
      var snippet = document.createElement("div");
      snippet.className = "font-body-2xs text-base-dark";
      snippet.textContent = result.snippet;
      item.appendChild(link);
      item.appendChild(snippet);
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }

  function lookup(field) {
    var query = field.value.replace(/\s+/g, " ").trim().slice(0, MAX_CHARS);
    if (query === field.kbLastQuery) {
      return;
    }
    field.kbLastQuery = query;
    var asked = (field.kbAsked || 0) + 1;
    field.kbAsked = asked;
    if (query.length < MIN_CHARS) {
      show(field, []);
      return;
    }
    var params = new URLSearchParams({ q: query });
    if (field.getAttribute("data-kb-audience")) {
      params.set("audience", field.getAttribute("data-kb-audience"));
    }
    fetch(field.getAttribute("data-kb-suggest") + "?" + params.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (asked === field.kbAsked) {  // an older answer never replaces a newer one
          show(field, data.results || []);
        }
      })
      .catch(function () { /* suggestions are a help, never in the way */ });
  }

  // Delegated, so a field added to the page later (a form shown on demand) takes part too.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("textarea[data-kb-suggest]")) {
      return;
    }
    region(field);
    clearTimeout(field.kbTimer);
    field.kbTimer = setTimeout(function () { lookup(field); }, PAUSE_MS);
  });
})();
