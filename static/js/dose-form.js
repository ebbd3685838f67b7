// The administration screen at the keyboard's pace. A scanner's Enter in the scan field picks the
// vial's lot without a round trip (an Enter in the empty field keeps the lot shown) and moves on to
// the screening; the lot list narrows to the chosen product, whose usual site, route and volume
// are filled in; "All answers No" answers every question No, and a Yes unticks it; Enter on a
// checkbox or radio button saves, as it does in a text field. Without this script the page does
// the same through the server: the scan field is a form of its own, and the lots are grouped by
// product.
(function () {
  var form = document.querySelector("[data-dose-form]");
  if (!form) return;
  var product = form.querySelector("[name=product]");
  var lot = form.querySelector("[name=lot]");
  var lotProducts = JSON.parse(document.getElementById("dose-lot-products").textContent);
  var defaults = JSON.parse(document.getElementById("dose-product-defaults").textContent);
  var allNo = form.querySelector("[name=screening_all_no]");
  var each = Array.prototype.forEach;

  function narrowLots() {
    var chosen = product.value;
    each.call(lot.querySelectorAll("option"), function (option) {
      if (!option.value) return;
      var fits = !chosen || lotProducts[option.value] === chosen;
      option.hidden = !fits;
      option.disabled = !fits;
    });
    each.call(lot.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    if (chosen && lot.value && lotProducts[lot.value] !== chosen) {
      var first = lot.querySelector('option:not([hidden]):not([value=""])');
      lot.value = first ? first.value : "";
    }
  }

  function fillDefaults() {
    var usual = defaults[product.value];
    if (!usual) return;
    form.querySelector("[name=site]").value = usual.site;
    form.querySelector("[name=route]").value = usual.route;
    form.querySelector("[name=dose_volume_ml]").value = usual.volume;
  }

  function toScreening() {
    (allNo || form.querySelector("[type=submit]")).focus();
  }

  product.addEventListener("change", function () { narrowLots(); fillDefaults(); });
  lot.addEventListener("change", function () {
    if (lot.value && lotProducts[lot.value] !== product.value) {
      product.value = lotProducts[lot.value];
      narrowLots();
      fillDefaults();
    }
  });
  narrowLots();

  if (allNo) {
    allNo.addEventListener("change", function () {
      if (!allNo.checked) return;
      each.call(form.querySelectorAll('[name^=screening_][value="no"]'), function (radio) { radio.checked = true; });
    });
    form.addEventListener("change", function (event) {
      if (event.target.type === "radio" && event.target.value === "yes") allNo.checked = false;
    });
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || (target.type !== "checkbox" && target.type !== "radio")) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  var scanForm = document.querySelector("[data-scan-url]");
  if (!scanForm) return;
  var scan = scanForm.querySelector("[name=barcode]");
  var status = scanForm.querySelector("[data-scan-status]");
  scanForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!scan.value.trim()) { toScreening(); return; }
    var url = scanForm.getAttribute("data-scan-url");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "barcode=" + encodeURIComponent(scan.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        status.textContent = answer.error || answer.status;
        if (answer.error) { scan.setAttribute("aria-invalid", "true"); scan.select(); return; }
        scan.removeAttribute("aria-invalid");
        scan.value = "";
        product.value = String(answer.product);
        narrowLots();
        fillDefaults();
        if (answer.lot) { lot.value = String(answer.lot); toScreening(); } else { lot.focus(); }
      })
      .catch(function () { scanForm.submit(); });
  });
})();
