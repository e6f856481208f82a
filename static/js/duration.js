// Live duration of a stay on the application form: days (both ends included) and category.
// Labels come from data attributes so that they stay translated server-side.
(function () {
  "use strict";

  var output = document.getElementById("stay-duration");
  var start = document.querySelector(".js-stay-start");
  var end = document.querySelector(".js-stay-end");
  if (!output || !start || !end) {
    return;
  }

  function parse(value) {
    // "YYYY-MM-DD" as a UTC day, so that summer time never shifts a day.
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return parts ? Date.UTC(+parts[1], +parts[2] - 1, +parts[3]) : null;
  }

  function category(days) {
    if (days <= 30) {
      return output.dataset.short;
    }
    return days <= 365 ? output.dataset.medium : output.dataset.long;
  }

  function update() {
    var first = parse(start.value);
    var last = parse(end.value);
    if (first === null || last === null) {
      output.textContent = output.dataset.empty;
      return;
    }
    var days = Math.round((last - first) / 86400000) + 1;
    if (days < 1) {
      output.textContent = output.dataset.invalid;
      return;
    }
    output.textContent = output.dataset.template
      .replace("{days}", String(days))
      .replace("{category}", category(days));
  }

  start.addEventListener("input", update);
  end.addEventListener("input", update);
  update();
})();
