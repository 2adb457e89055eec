// Progressive enhancement only: the request form works the same without this file.
(function () {
  "use strict";
  var form = document.querySelector("[data-request-form]");
  if (!form) { return; }

  // Ask for a phone number or email address only when the chosen channel needs one.
  var contact = form.querySelector("[data-contact-detail]");
  var channels = form.querySelectorAll("input[name=channel]");
  function updateContact() {
    if (!contact) { return; }
    var chosen = form.querySelector("input[name=channel]:checked");
    var input = contact.querySelector("input");
    var needed = chosen && chosen.value !== "messages";
    var keep = (input && input.value) || contact.querySelector(".field--error");
    contact.hidden = !(needed || keep);
  }
  channels.forEach(function (radio) { radio.addEventListener("change", updateContact); });
  updateContact();

  // One click sends one request.
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    sent = true;
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-disabled", "true"); }
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
