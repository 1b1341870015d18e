// Live preview of a typed date (EDTF, words, bounds, precision) from the admin's date-preview view, via htmx.
// Without JavaScript the field still accepts natural language and is converted to EDTF on save.
(function () {
  "use strict";
  function bind(input) {
    const target = document.getElementById(input.id + "_preview");
    if (!target || input.dataset.citelineBound) return;
    input.dataset.citelineBound = "1";
    let timer = null;
    const refresh = function () {
      const url = input.dataset.previewUrl + "?date=" + encodeURIComponent(input.value);
      window.htmx.ajax("GET", url, { target: target, swap: "innerHTML" });
    };
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
    if (input.value) refresh();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-preview-url]").forEach(bind);
  });
})();
