// The USWDS file input writes its instructions, its status and its label in English; this puts the
// page's own words (``file_input_words``) in their place, now and each time USWDS writes them again.
(function () {
  "use strict";
  var source = document.getElementById("file-input-words");
  if (!source) { return; }
  var words = JSON.parse(source.textContent);
  var SELECTED = "You have selected the file: ";

  function reworded(text) {
    var trimmed = text.trim();
    if (trimmed !== "selected" && Object.prototype.hasOwnProperty.call(words, trimmed)) {
      return text.replace(trimmed, words[trimmed]);
    }
    if (trimmed.indexOf(SELECTED) === 0) {
      return words.selected.replace("%(name)s", trimmed.slice(SELECTED.length));
    }
    return text;
  }

  function labelled(label) {
    var both = words["Drag file here or"] + " " + words["choose from folder"];
    return label === "Drag file here or choose from folder" ? both : reworded(label);
  }

  function reword(box) {
    var walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var text = reworded(node.nodeValue);
      if (text !== node.nodeValue) { node.nodeValue = text; }
    }
    box.querySelectorAll("input[type=file]").forEach(function (input) {
      var label = input.getAttribute("aria-label");
      if (label && labelled(label) !== label) { input.setAttribute("aria-label", labelled(label)); }
      if (!input.dataset.errormessage) { input.dataset.errormessage = words["This is not a valid file type."]; }
    });
  }

  function start() {
    document.querySelectorAll(".usa-file-input").forEach(function (found) {
      var box = found.tagName === "INPUT" ? found.parentNode : found;
      reword(box);
      new MutationObserver(function () { reword(box); }).observe(box, {
        childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["aria-label"]
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
