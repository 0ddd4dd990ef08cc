// The card form's live preview: what a few example purchases earn, online and at the
// counter in each tier, with the rules as they are typed; and "Add a tier".
//
// The arithmetic is the ledger's (crates/ledger/src/earn.rs), in exact integers (BigInt),
// never floating point: base = amount ÷ unit amount × points per unit (× the tier
// multiplier at the counter), rounded once (down, nearest with halves away from zero, or
// up), then clamped to [minimum, maximum]; a purchase below the minimum purchase earns
// nothing. The welcome bonus is said apart. Only a preview: the server checks and
// computes everything again, and renders the same table for the saved rules.
"use strict";
(function () {
  var form = document.getElementById("card-form");
  var table = document.getElementById("card-preview");
  if (!form || !table || typeof BigInt !== "function") {
    return;
  }
  var caption = document.getElementById("preview-caption");
  var welcomeOut = document.getElementById("preview-welcome");
  var noteOut = document.getElementById("preview-note");
  var tryBox = document.getElementById("preview-try");
  var tryAmount = document.getElementById("preview-amount");
  var addTier = document.getElementById("add-tier");
  var tierBody = document.querySelector("#tiers tbody");

  var MAX_POINTS = BigInt(1000000000);
  var MAX_TIERS = 10;
  var ZERO = BigInt(0);
  var ONE = BigInt(1);
  var TWO = BigInt(2);
  var TEN = BigInt(10);
  var EXAMPLES = {
    0: ["500", "1234", "5000", "10000"],
    2: ["5.00", "12.34", "50.00", "100.00"],
    3: ["5.000", "12.345", "50.000", "100.000"]
  };
  var NOTE = "At the counter, a member who has not reached the first tier earns what they would earn online.";
  var savedCaption = caption ? caption.textContent : "";
  // Until the partner types, a page without refusals shows the saved rules as they are.
  var typed = form.querySelector(".error") !== null || table.tBodies.length === 0;

  function value(name) {
    var el = form.elements.namedItem(name);
    return el && typeof el.value === "string" ? el.value : "";
  }

  function pow10(k) {
    var n = ONE;
    for (var i = 0; i < k; i++) {
      n *= TEN;
    }
    return n;
  }

  // Plain decimal text ("12.50") as {n: 1250n, s: 2}; null when it is not one.
  function decimal(text) {
    var m = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(text || "");
    if (!m || m[1].length > 18 || (m[2] || "").length > 18) {
      return null;
    }
    var frac = m[2] || "";
    return { n: BigInt(m[1] + frac), s: frac.length };
  }

  // A whole number of points from 0 to 1,000,000,000; null otherwise.
  function whole(text) {
    if (!/^\s*\d{1,12}\s*$/.test(text || "")) {
      return null;
    }
    var n = BigInt(text.trim());
    return n <= MAX_POINTS ? n : null;
  }

  // Decimals once trailing zeros are dropped: 1.50 → 1.
  function significant(d) {
    var n = d.n;
    var s = d.s;
    while (s > 0 && n % TEN === ZERO) {
      n /= TEN;
      s -= 1;
    }
    return s;
  }

  function group(n) {
    return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // Exactly, with at least `minor` decimals: 12.5 → "12.50", 49.999 → "49.999".
  function exact(d, minor) {
    var s = Math.max(d.s, minor);
    var digits = (d.n * pow10(s - d.s)).toString();
    if (s === 0) {
      return digits;
    }
    while (digits.length <= s) {
      digits = "0" + digits;
    }
    return digits.slice(0, digits.length - s) + "." + digits.slice(digits.length - s);
  }

  // Without trailing zeros: 1.50 → "1.5", 2.00 → "2".
  function trimmed(d) {
    var s = significant(d);
    return exact({ n: d.n / pow10(d.s - s), s: s }, 0);
  }

  function below(a, b) {
    return a.n * pow10(b.s) < b.n * pow10(a.s);
  }

  function lower(text) {
    return text.replace(/[A-Z]/g, function (c) {
      return c.toLowerCase();
    });
  }

  function minorUnits() {
    var el = document.getElementById("currency");
    if (!el) {
      return 2;
    }
    var source = el.tagName === "SELECT" ? el.options[el.selectedIndex] : el;
    var minor = source ? parseInt(source.getAttribute("data-minor"), 10) : NaN;
    return isNaN(minor) ? 2 : minor;
  }

  function tierRows() {
    return tierBody ? Array.prototype.slice.call(tierBody.querySelectorAll("tr.tier-row")) : [];
  }

  function cellOf(row, kind) {
    var input = row.querySelector("input[name^='tier_" + kind + "_']");
    return input ? input.value : "";
  }

  // The rules as typed, or the list of what keeps them from working.
  function rules() {
    var problems = [];
    var r = { minor: minorUnits(), currency: value("currency").trim(), rounding: value("rounding") };
    r.ppu = whole(value("points_per_unit"));
    if (r.ppu === null) {
      problems.push("points");
    }
    r.unit = decimal(value("unit_amount"));
    if (r.unit === null || r.unit.n === ZERO || significant(r.unit) > r.minor) {
      problems.push("amount spent");
    }
    var minText = value("min_purchase_amount").trim();
    r.minPurchase = minText === "" ? { n: ZERO, s: 0 } : decimal(minText);
    if (r.minPurchase === null || significant(r.minPurchase) > r.minor) {
      problems.push("minimum purchase");
    }
    r.minPoints = whole(value("min_points_per_purchase"));
    if (r.minPoints === null) {
      problems.push("minimum points");
    }
    var maxText = value("max_points_per_purchase").trim();
    r.maxPoints = maxText === "" ? null : whole(maxText);
    if (maxText !== "" && (r.maxPoints === null || (r.minPoints !== null && r.maxPoints < r.minPoints))) {
      problems.push("maximum points");
    }
    r.welcome = whole(value("welcome_bonus_points"));
    if (r.welcome === null) {
      problems.push("welcome bonus");
    }
    if (["down", "nearest", "up"].indexOf(r.rounding) < 0) {
      problems.push("rounding");
    }
    r.tiers = [];
    var names = [];
    var thresholds = [];
    var tierProblem = false;
    tierRows().forEach(function (row) {
      var name = cellOf(row, "name").trim();
      var thresholdText = cellOf(row, "threshold");
      var multiplierText = cellOf(row, "multiplier");
      if (name === "" && thresholdText.trim() === "" && multiplierText.trim() === "") {
        return;
      }
      var threshold = whole(thresholdText);
      var multiplier = decimal(multiplierText);
      var bad = name === "" || Array.from(name).length > 100 || names.indexOf(lower(name)) >= 0;
      bad = bad || threshold === null || thresholds.indexOf(threshold.toString()) >= 0;
      bad = bad || multiplier === null || multiplier.n === ZERO || significant(multiplier) > 4;
      bad = bad || multiplier.n > BigInt(100) * pow10(multiplier.s);
      names.push(lower(name));
      if (threshold !== null) {
        thresholds.push(threshold.toString());
      }
      if (bad) {
        tierProblem = true;
        return;
      }
      r.tiers.push({ name: name, threshold: threshold, multiplier: multiplier });
    });
    if (tierProblem) {
      problems.push("tiers");
    }
    if (r.tiers.length > MAX_TIERS) {
      problems.push("tiers");
    }
    r.tiers.sort(function (a, b) {
      return a.threshold < b.threshold ? -1 : a.threshold > b.threshold ? 1 : 0;
    });
    r.problems = problems;
    return r;
  }

  // What `amount` earns under `r`, with `multiplier` at the counter (null online).
  function earn(r, amount, multiplier) {
    if (below(amount, r.minPurchase)) {
      return "0 (below minimum)";
    }
    var m = multiplier || { n: ONE, s: 0 };
    var num = amount.n * r.ppu * m.n * pow10(r.unit.s);
    var den = r.unit.n * pow10(amount.s) * pow10(m.s);
    var points = num / den;
    var rest = num % den;
    if (r.rounding === "up" && rest > ZERO) {
      points += ONE;
    } else if (r.rounding === "nearest" && rest * TWO >= den) {
      points += ONE;
    }
    if (points < r.minPoints) {
      points = r.minPoints;
    } else if (r.maxPoints !== null && points > r.maxPoints) {
      points = r.maxPoints;
    }
    return group(points);
  }

  function element(tag, text, attrs) {
    var el = document.createElement(tag);
    if (text !== null) {
      el.textContent = text;
    }
    Object.keys(attrs || {}).forEach(function (k) {
      el.setAttribute(k, attrs[k]);
    });
    return el;
  }

  function welcomeSentence(bonus) {
    if (bonus === ZERO) {
      return "No welcome bonus.";
    }
    if (bonus === ONE) {
      return "Plus 1 welcome bonus point, once, with a member's first qualifying purchase.";
    }
    return "Plus " + group(bonus) + " welcome bonus points, once, with a member's first qualifying purchase.";
  }

  function render() {
    var r = rules();
    while (table.firstChild) {
      table.removeChild(table.firstChild);
    }
    if (r.problems.length > 0) {
      caption.textContent = "Correct the rules above to see what purchases earn (" + r.problems.join(", ") + ").";
      welcomeOut.textContent = "";
      noteOut.textContent = "";
      return;
    }
    caption.textContent = typed ? "With the rules as typed (not saved yet)." : savedCaption;
    var columns = r.tiers.length === 0 ? ["Online and at the counter"] : ["Online"];
    r.tiers.forEach(function (t) {
      columns.push("Counter, " + t.name + " ×" + trimmed(t.multiplier));
    });
    var head = element("thead", null);
    var headRow = element("tr", null);
    headRow.appendChild(element("th", "Purchase", { scope: "col" }));
    columns.forEach(function (c) {
      headRow.appendChild(element("th", c, { scope: "col", "class": "num" }));
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody", null);
    var amounts = (EXAMPLES[r.minor] || EXAMPLES[2]).map(function (text, i) {
      return { amount: decimal(text), row: String(i) };
    });
    var extra = decimal(tryAmount ? tryAmount.value : "");
    if (extra !== null) {
      amounts.push({ amount: extra, row: "custom" });
    }
    amounts.forEach(function (a) {
      var tr = element("tr", null);
      tr.appendChild(element("td", exact(a.amount, r.minor) + " " + r.currency));
      var cells = [earn(r, a.amount, null)];
      r.tiers.forEach(function (t) {
        cells.push(earn(r, a.amount, t.multiplier));
      });
      cells.forEach(function (cell, col) {
        tr.appendChild(element("td", cell, { "class": "num", "data-row": a.row, "data-col": String(col) }));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    welcomeOut.textContent = welcomeSentence(r.welcome);
    var allAbove = r.tiers.every(function (t) {
      return t.threshold > ZERO;
    });
    noteOut.textContent = r.tiers.length > 0 && allAbove ? NOTE : "";
  }

  // "Add a tier": a copy of the last row, emptied and numbered on.
  function addRow() {
    var rows = tierRows();
    if (rows.length === 0 || rows.length >= MAX_TIERS) {
      return;
    }
    var index = rows.length;
    var copy = rows[rows.length - 1].cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("p.error"), function (p) {
      p.parentNode.removeChild(p);
    });
    Array.prototype.forEach.call(copy.querySelectorAll("input"), function (input) {
      input.value = "";
      input.name = input.name.replace(/_\d+$/, "_" + index);
      var label = input.getAttribute("aria-label") || "";
      input.setAttribute("aria-label", label.replace(/^Tier \d+/, "Tier " + (index + 1)));
    });
    tierBody.appendChild(copy);
    addTier.hidden = tierRows().length >= MAX_TIERS;
    var first = copy.querySelector("input");
    if (first) {
      first.focus();
    }
  }

  function changed() {
    typed = true;
    render();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  if (tryAmount) {
    tryAmount.addEventListener("input", render);
  }
  if (tryBox) {
    tryBox.hidden = false;
  }
  if (addTier && tierBody) {
    addTier.hidden = tierRows().length >= MAX_TIERS;
    addTier.addEventListener("click", addRow);
  }
  render();
})();
