// The counter's Confirm form (<form data-once>) is sent once: a second click while the
// first is on its way does nothing. The server also records a form's key only once.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-once")) {
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "yes";
  var button = form.querySelector("button[type=submit]");
  if (button) {
    button.setAttribute("aria-busy", "true");
    button.classList.add("busy");
  }
});
