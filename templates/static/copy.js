// Copy buttons: <button data-copy="text">. No inline script (the pages' CSP forbids it).
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (!button || !navigator.clipboard) {
    return;
  }
  var label = button.textContent;
  navigator.clipboard.writeText(button.dataset.copy).then(
    function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    },
    function () {
      button.textContent = "Select and copy by hand";
    }
  );
});
