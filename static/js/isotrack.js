/* isotrack: the little behaviour pages ask for with data- attributes. The site's
   Content-Security-Policy allows no inline script, event handler or style attribute, so
   buttons, self-submitting selects and bar widths are wired up here. Loaded with defer:
   the document is parsed when this runs. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Bars and markers placed in percent of their box: data-width="42.5", data-left="10".
  document.querySelectorAll("[data-width], [data-left]").forEach(function (element) {
    if (element.dataset.width !== undefined) { element.style.width = element.dataset.width + "%"; }
    if (element.dataset.left !== undefined) { element.style.left = element.dataset.left + "%"; }
  });
})();
