// The receive page without a round trip: a scanner's Enter in the barcode field fills product, lot
// and expiry from the server's reading of the barcode, and the doses a number of vials holds are
// shown as they are typed. Without this script the "Read barcode" button does the same on submit.
(function () {
  var form = document.querySelector("[data-scan-url]");
  if (!form) return;
  var scan = form.querySelector("[name=barcode]");
  var status = form.querySelector("[data-scan-status]");
  var perVial = JSON.parse(document.getElementById("doses-per-vial").textContent);
  var product = form.querySelector("[name=product]");
  var vials = form.querySelector("[name=vials]");
  var shown = form.querySelector("[data-doses-from-vials]");

  function showDoses() {
    var n = parseInt(vials.value, 10), each = perVial[product.value];
    shown.textContent = n > 0 && each ? shown.getAttribute("data-template").replace("{doses}", n * each) : "";
  }

  function read() {
    var url = form.getAttribute("data-scan-url") + "?barcode=" + encodeURIComponent(scan.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (label) {
        if (label.error) { status.textContent = label.error; scan.setAttribute("aria-invalid", "true"); return; }
        scan.removeAttribute("aria-invalid");
        product.value = String(label.product);
        if (label.lot_number) form.querySelector("[name=lot_number]").value = label.lot_number;
        if (label.expiration_date) form.querySelector("[name=expiration_date]").value = label.expiration_date;
        status.textContent = status.getAttribute("data-read-template").replace("{product}", label.product_name);
        showDoses();
        vials.focus();
      })
      .catch(function () { form.querySelector("[name=read_barcode]").click(); });
  }

  scan.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    read();
  });
  product.addEventListener("change", showDoses);
  vials.addEventListener("input", showDoses);
  showDoses();
})();
