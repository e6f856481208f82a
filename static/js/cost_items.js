// Cost items of the application form: add and remove rows without a reload, and show their
// total as the page's language writes amounts. The server reads the same rows
// (cost_items-N-kind, -description, -amount) and computes the total again; without this
// script the "Add a cost" and "Remove" buttons post the form back instead.
(function () {
  "use strict";

  var rows = document.querySelector(".js-cost-rows");
  var template = document.getElementById("cost-row-template");
  var addButton = document.querySelector(".js-add-cost");
  var total = document.getElementById("cost-total");
  if (!rows || !template || !addButton || !total) {
    return;
  }
  var requested = document.querySelector(".js-requested-amount");
  var lang = document.documentElement.lang || "en";
  var MAX_ROWS = 30;
  var money = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });
  var plain = new Intl.NumberFormat(lang, {
    minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false
  });
  var parts = new Intl.NumberFormat(lang).formatToParts(12345.6);
  var group = ",";
  var decimal = ".";
  parts.forEach(function (part) {
    if (part.type === "group") { group = part.value; }
    if (part.type === "decimal") { decimal = part.value; }
  });
  var spaces = /[\s\u00a0\u202f]/g;
  var spaceGroup = /^[\s\u00a0\u202f]$/.test(group);  // French writes 1 500,50

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // The amount in cents that ``text`` means in the page's language; NaN when it is unclear
  // (as the server refuses "1500,50" in English, so does this total).
  function cents(text) {
    var value = text.trim();
    if (spaceGroup) {
      value = value.replace(spaces, "");
    } else {
      var grouped = new RegExp("^\\d{1,3}(" + escapeRegExp(group) + "\\d{3})+(" +
                               escapeRegExp(decimal) + "\\d+)?$");
      if (grouped.test(value)) {
        value = value.split(group).join("");
      }
    }
    var match = new RegExp("^(\\d+)(?:" + escapeRegExp(decimal) + "(\\d{1,2}))?$").exec(value);
    if (!match) {
      return NaN;
    }
    return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
  }

  function update() {
    var sum = 0;
    var filled = 0;
    var unclear = false;
    rows.querySelectorAll(".js-cost-amount").forEach(function (input) {
      if (input.value.trim() === "") {
        return;
      }
      var value = cents(input.value);
      if (isNaN(value)) {
        unclear = true;
      } else {
        sum += value;
        filled += 1;
      }
    });
    if (unclear || filled === 0) {
      total.textContent = total.dataset.incomplete;
    } else {
      total.textContent = money.format(sum / 100);
    }
    if (requested) {
      // With costs listed, their total is the request: shown there, not typed.
      requested.readOnly = filled > 0 && !unclear;
      if (requested.readOnly) {
        requested.value = plain.format(sum / 100);
      }
    }
  }

  function renumber() {
    var all = rows.querySelectorAll(".js-cost-row");
    all.forEach(function (row, position) {
      var number = String(position + 1);
      row.querySelectorAll(".js-cost-label").forEach(function (label) {
        label.textContent = label.dataset.template.replace("__number__", number);
      });
      row.querySelectorAll(".js-remove-cost").forEach(function (button) {
        button.setAttribute("aria-label",
                            button.dataset.labelTemplate.replace("__number__", number));
      });
    });
    addButton.disabled = all.length >= MAX_ROWS;
  }

  function nextIndex() {
    // Rows keep the number the server gave them; a new row takes one above them all (gaps
    // left by removed rows are fine for the server).
    var highest = -1;
    rows.querySelectorAll(".js-remove-cost").forEach(function (button) {
      var index = parseInt(button.value.replace("remove-", ""), 10);
      if (!isNaN(index) && index > highest) { highest = index; }
    });
    return highest + 1;
  }

  addButton.addEventListener("click", function (event) {
    event.preventDefault();
    if (rows.querySelectorAll(".js-cost-row").length >= MAX_ROWS) {
      return;
    }
    var html = template.innerHTML.split("__index__").join(String(nextIndex()));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var row = holder.querySelector("tr");
    rows.appendChild(row);
    renumber();
    row.querySelector("select, input").focus();
  });

  rows.addEventListener("click", function (event) {
    var button = event.target.closest(".js-remove-cost");
    if (!button) {
      return;
    }
    event.preventDefault();
    var row = button.closest(".js-cost-row");
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber();
    update();
    // Keep the keyboard where it was: on the neighbouring row, or on "Add a cost".
    var target = next ? next.querySelector(".js-remove-cost") : addButton;
    target.focus();
  });

  // With the script, adding and removing never submit the form.
  addButton.type = "button";
  rows.querySelectorAll(".js-remove-cost").forEach(function (button) {
    button.type = "button";
  });
  template.content.querySelectorAll(".js-remove-cost").forEach(function (button) {
    button.type = "button";
  });

  rows.addEventListener("input", update);
  renumber();
  update();
})();
