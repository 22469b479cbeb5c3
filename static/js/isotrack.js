/* isotrack: the little behaviour pages ask for with data- attributes. The site's
   Content-Security-Policy allows no inline script, event handler or style attribute, so
   buttons, self-submitting selects and bar widths are wired up here. Loaded with defer:
   the document is parsed when this runs. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A button that changes many records at once asks first: data-confirm="the question".
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A value to copy (an API token shown once): selected whole when focused.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  // Bars and markers placed in percent of their box: data-width="42.5", data-left="10".
  document.querySelectorAll("[data-width], [data-left]").forEach(function (element) {
    if (element.dataset.width !== undefined) { element.style.width = element.dataset.width + "%"; }
    if (element.dataset.left !== undefined) { element.style.left = element.dataset.left + "%"; }
  });
})();
/* An import being read or written by a worker: poll its JSON status, move the bar, and
   reload the page (into the preview or the outcome) once the worker is done. */
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector(".progress-bar");
  var meter = box.querySelector("[role=progressbar]");
  var label = box.querySelector("[data-progress-label]");
  var count = box.querySelector("[data-progress-count]");
  function poll() {
    fetch(box.dataset.importProgress, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 3000); return; }
        if (!state.working) { window.location.reload(); return; }
        bar.style.width = state.percent + "%";
        meter.setAttribute("aria-valuenow", state.percent);
        label.textContent = state.label;
        count.textContent = state.total ? state.done + " / " + state.total : "";
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 700);
})();
