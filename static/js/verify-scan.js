// The verify page's "Scan with camera": the device camera (the rear one on phones) reads a SMART
// Health Card's QR code, and its shc:/ text is sent through the page's own form, to the same check
// as a pasted code. The browser's BarcodeDetector reads the frames where it can read QR codes;
// elsewhere the vendored jsQR does, loaded only then. Without this script, or without a camera,
// paste and upload work as before; the camera is stopped as soon as a card is read, on "Stop the
// camera", and when the page is left or hidden. Messages come from the section's data attributes,
// translated by the server.
(function () {
  var section = document.querySelector("[data-camera-scan]");
  var form = document.querySelector("[data-verify-form]");
  if (!section || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var startButton = section.querySelector("[data-scan-start]");
  var stopButton = section.querySelector("[data-scan-stop]");
  var status = section.querySelector("[data-scan-status]");
  var video = section.querySelector("[data-scan-video]");
  var canvas = document.createElement("canvas");
  var stream = null, timer = null, decode = null;

  function say(key) { status.textContent = section.getAttribute("data-" + key); }

  function stop(message) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
    video.pause();
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    if (message) say(message);
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      var script = document.createElement("script");
      script.src = section.getAttribute("data-decoder-src");
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function readsQrCodes() {
    try {
      return window.BarcodeDetector.getSupportedFormats()
        .then(function (formats) { return formats.indexOf("qr_code") >= 0; }, function () { return false; });
    } catch (error) {
      return Promise.resolve(false);  // no BarcodeDetector here
    }
  }

  // A function from the video to a promise of the QR code's text (or null).
  function decoder() {
    return readsQrCodes().then(function (supported) {
      if (supported) {
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }
      return loadJsQR().then(function (jsQR) {
        return function () {
          var width = video.videoWidth, height = video.videoHeight;
          if (!width || !height) return Promise.resolve(null);
          canvas.width = width;
          canvas.height = height;
          var context = canvas.getContext("2d", { willReadFrequently: true });
          context.drawImage(video, 0, 0, width, height);
          var code = jsQR(context.getImageData(0, 0, width, height).data, width, height);
          return Promise.resolve(code ? code.data : null);
        };
      });
    });
  }

  function submit(text) {
    stop("found");
    var fileInput = form.querySelector("input[type=file]");
    if (fileInput) fileInput.value = "";
    form.querySelector("[name=code]").value = text;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function scan() {
    if (!stream) return;
    decode().then(function (text) {
      if (!stream) return;
      if (text && /^shc:\//i.test(text.trim())) { submit(text.trim()); return; }
      if (text) say("not-a-card");
      timer = setTimeout(scan, 200);
    }, function () { if (stream) timer = setTimeout(scan, 200); });
  }

  function refused(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "refused";
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "no-camera";
    return "failed";
  }

  startButton.addEventListener("click", function () {
    var opened = null;
    startButton.disabled = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (media) {
        stream = opened = media;
        video.srcObject = media;
        video.hidden = false;
        stopButton.hidden = false;
        startButton.hidden = true;
        stopButton.focus();
        say("looking");
        return video.play().then(function () { return decode || decoder(); });
      })
      .then(function (found) { decode = found; scan(); })
      .catch(function (error) {
        // Said only while this camera is still on: one already stopped by the reader keeps its message.
        if (!opened || stream === opened) stop(refused(error));
      })
      .then(function () { startButton.disabled = false; });
  });
  stopButton.addEventListener("click", function () { stop("stopped"); startButton.focus(); });
  window.addEventListener("pagehide", function () { stop(); });
  document.addEventListener("visibilitychange", function () { if (document.hidden && stream) stop("stopped"); });
  section.hidden = false;
})();
