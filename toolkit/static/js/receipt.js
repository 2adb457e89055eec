// Progressive enhancement only: the receipt page works without this file.
(function () {
  "use strict";
  var kept = document.getElementById("kept");
  var leaving = function (event) {
    if (kept && kept.checked) { return undefined; }
    event.preventDefault();
    event.returnValue = "";
    return "";
  };
  window.addEventListener("beforeunload", leaving);
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (form.hasAttribute("data-confirm-leave") || form.action.indexOf("receipt") !== -1) {
        window.removeEventListener("beforeunload", leaving);
      }
    });
  });
})();
