// Progressive enhancement only: the receipt page works without this file.
(function () {
  "use strict";
  var kept = document.getElementById("kept");
  var code = document.getElementById("receipt-code");
  var leaving = function (event) {
    if (kept && kept.checked) { return undefined; }
    event.preventDefault();
    event.returnValue = "";
    return "";
  };
  window.addEventListener("beforeunload", leaving);

  var keepForm = document.querySelector("[data-keep]");
  if (keepForm) {
    keepForm.addEventListener("submit", function () {
      window.removeEventListener("beforeunload", leaving);
    });
  }
  // A download does not leave the page, so the warning stays armed afterwards.
  var download = document.querySelector("[data-download]");
  if (download) {
    download.addEventListener("submit", function () {
      window.removeEventListener("beforeunload", leaving);
      window.setTimeout(function () { window.addEventListener("beforeunload", leaving); }, 1000);
    });
  }

  var print = document.querySelector("[data-print]");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }

  var copy = document.querySelector("[data-copy]");
  var copied = document.querySelector("[data-copied]");
  if (copy && code && navigator.clipboard && window.isSecureContext) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent.trim()).then(function () {
        if (copied) { copied.hidden = false; }
      });
    });
  }
})();
