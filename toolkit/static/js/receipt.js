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

  // The copy and print buttons exist only where they work: this script adds them.
  var actions = document.querySelector("[data-actions]");
  var addButton = function (label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = label;
    actions.insertBefore(button, actions.firstChild);
    return button;
  };

  if (actions && window.print) {
    addButton(actions.getAttribute("data-print-label")).addEventListener("click", function () {
      window.print();
    });
  }

  var copied = document.querySelector("[data-copied]");
  if (actions && code && navigator.clipboard && window.isSecureContext) {
    addButton(actions.getAttribute("data-copy-label")).addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent.trim()).then(function () {
        if (copied) { copied.hidden = false; }
      });
    });
  }
})();
