// The Settings tab's live preview: "1,000 points = 50.00 store discount".
// Only a preview: the server computes and validates everything again.
"use strict";
(function () {
  var value = document.getElementById("value_per_point");
  var min = document.getElementById("min_points");
  var out = document.getElementById("discount-preview");
  if (!value || !min || !out) {
    return;
  }
  // Decimal text to integer hundred-thousandths, so the sum is exact for up to 5 decimals.
  function scaled(text) {
    var m = /^\s*(\d+)(?:[.,](\d{0,6}))?\s*$/.exec(text);
    if (!m) {
      return null;
    }
    var frac = ((m[2] || "") + "000000").slice(0, 6);
    return BigInt(m[1]) * 1000000n + BigInt(frac);
  }
  function group(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function update() {
    var per = scaled(value.value);
    var points = /^\s*\d+\s*$/.test(min.value) ? BigInt(min.value.trim()) : null;
    if (per === null || per === 0n || points === null || points < 1n) {
      out.textContent = "Enter a minimum and a discount per point to see the preview.";
      return;
    }
    // points × per is in millionths; round half up to hundredths.
    var cents = (points * per + 5000n) / 10000n;
    var whole = (cents / 100n).toString();
    var part = (cents % 100n).toString().padStart(2, "0");
    out.textContent = group(points.toString()) + " points = " + group(whole) + "." + part + " store discount";
  }
  value.addEventListener("input", update);
  min.addEventListener("input", update);
  update();
})();
