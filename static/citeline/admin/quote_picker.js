// The quote picker: the chosen passage's text is loaded beside each citation (htmx); selecting words in it
// fills the quote and its start/end offsets. Citation.clean then derives prefix and suffix.
// Without JavaScript, typing the quote by hand still works.
(function () {
  "use strict";
  function formOf(element) { return element.closest(".inline-related") || element.closest("form"); }

  function loadPassage(select) {
    const form = formOf(select);
    const picker = form && form.querySelector(".citeline-quote-picker");
    if (!picker || !select.value) return;
    window.htmx.ajax("GET", picker.dataset.url + "?passage=" + encodeURIComponent(select.value), { target: picker, swap: "innerHTML" });
  }

  function offsetIn(container, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function pick(container) {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return;
    let start = offsetIn(container, range.startContainer, range.startOffset);
    let end = offsetIn(container, range.endContainer, range.endOffset);
    const text = container.textContent;
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (end <= start) return;
    const form = formOf(container);
    const set = function (suffix, value) {
      const field = form.querySelector("[name$='-" + suffix + "'], [name='" + suffix + "']");
      if (field) { field.value = value; field.dispatchEvent(new Event("change", { bubbles: true })); }
    };
    set("quote", text.slice(start, end));
    set("start", start);
    set("end", end);
  }

  document.addEventListener("mouseup", function (event) {
    const container = event.target.closest && event.target.closest(".citeline-passage-text");
    if (container) pick(container);
  });
  // Touch screens select words with a long press and handles, with no mouseup: the selection itself is
  // followed (debounced, so dragging a handle fills the quote once it rests).
  let selectionTimer = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(selectionTimer);
    selectionTimer = setTimeout(function () {
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
      const node = selection.getRangeAt(0).commonAncestorContainer;
      const element = node.nodeType === 1 ? node : node.parentElement;
      const container = element && element.closest(".citeline-passage-text");
      if (container) pick(container);
    }, 150);
  });
  document.addEventListener("keyup", function (event) {
    const container = event.target.closest && event.target.closest(".citeline-passage-text");
    if (container && event.shiftKey) pick(container);
  });
  // The passage field is a select2 autocomplete: it announces changes through jQuery, not native events.
  document.addEventListener("DOMContentLoaded", function () {
    const handler = function (event) {
      if (event.target.name && /(^|-)passage$/.test(event.target.name)) loadPassage(event.target);
    };
    if (window.django && window.django.jQuery) {
      window.django.jQuery(document).on("change", "select", function (event) { handler(event); });
    } else {
      document.addEventListener("change", handler);
    }
  });
})();
