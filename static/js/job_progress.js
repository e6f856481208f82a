// A job's page: asks for the job's state every two seconds and moves the progress bar;
// once the job has finished, reloads the page, which then shows the download or the error.
// Without this script the page shows the state of when it was loaded.
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section || section.dataset.finished === "true") {
    return;
  }
  var bar = document.getElementById("job-progress");
  var meter = bar.querySelector("progress");
  var status = document.getElementById("job-status");
  var text = document.getElementById("job-progress-text");
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function show(state) {
    status.textContent = state.status_label;
    if (state.percent !== null) {
      bar.setAttribute("aria-valuenow", state.percent);
      bar.setAttribute("aria-valuetext", state.percent + " %");
      meter.value = state.percent;
    }
    var done = numbers.format(state.done);
    text.textContent = state.total
      ? section.dataset.rowsText.replace("{done}", done).replace("{total}", numbers.format(state.total))
      : section.dataset.rowsOnlyText.replace("{done}", done);
  }

  function poll() {
    fetch(section.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) {
          return;
        }
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
