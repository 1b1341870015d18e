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
  // An ambiguous numeric date (05/06/2023) is offered both ways: a click writes the chosen reading in words.
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest(".citeline-date-choice");
    if (!button) return;
    const preview = button.closest(".citeline-date-preview");
    const input = preview && document.getElementById(preview.id.replace(/_preview$/, ""));
    if (!input) return;
    input.value = button.dataset.value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-preview-url]").forEach(bind);
  });
})();
