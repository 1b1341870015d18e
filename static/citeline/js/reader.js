/*
 * The reader's page, made to feel like one: Back (or a reload) brings back the quotes that were open and
 * the place you were reading, the filters sit open beside the results on wide screens, and a source page
 * scrolls to the quote you came from. Remembered per page address in sessionStorage; nothing is sent.
 * Without JavaScript the page works the same, only without these conveniences.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js"); // citeline.css: wide screens without JavaScript show the filters anyway

  var PREFIX = "citeline:reader:";
  var WIDE = "(min-width: 52.01rem)"; // where the filters sit in a column beside the results (citeline.css)
  var restoring = null; // {anchor, offset, until}: re-aligned while quotes load, until the reader moves
  var saveTimer = 0;

  function key() {
    return PREFIX + location.pathname + location.search;
  }

  function read() {
    try {
      return JSON.parse(sessionStorage.getItem(key()) || "null");
    } catch (error) {
      return null;
    }
  }

  /* The first event (or citation) still in view, and how far below the top of the window it starts. */
  function topAnchor() {
    var items = document.querySelectorAll("article.event[id], .citations > li[id]");
    for (var i = 0; i < items.length; i++) {
      var box = items[i].getBoundingClientRect();
      if (box.bottom > 0) return { id: items[i].id, offset: box.top };
    }
    return null;
  }

  function save() {
    if (!document.getElementById("reader")) return;
    var open = [];
    document.querySelectorAll(".citations > li[id] > details[open]").forEach(function (details) {
      open.push(details.parentElement.id);
    });
    var panel = document.querySelector("[data-filters-panel]");
    var state = { open: open, y: window.scrollY, anchor: topAnchor(), filters: panel ? panel.open : null };
    try {
      sessionStorage.setItem(key(), JSON.stringify(state));
    } catch (error) {
      /* storage full or refused: Back simply forgets */
    }
  }

  function saveSoon() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 150);
  }

  function align() {
    if (!restoring || Date.now() > restoring.until) {
      restoring = null;
      return;
    }
    var anchor = restoring.anchor && document.getElementById(restoring.anchor.id);
    if (anchor) window.scrollTo(0, window.scrollY + anchor.getBoundingClientRect().top - restoring.anchor.offset);
    else window.scrollTo(0, restoring.y);
  }

  function restore() {
    var state = read();
    if (!state) return;
    (state.open || []).forEach(function (id) {
      var details = document.querySelector("#" + CSS.escape(id) + " > details");
      if (details && !details.open) details.open = true; // its toggle loads the quote (loadQuote)
    });
    var panel = document.querySelector("[data-filters-panel]");
    if (panel && typeof state.filters === "boolean") panel.open = state.filters;
    restoring = { anchor: state.anchor, y: state.y || 0, until: Date.now() + 4000 };
    align();
  }

  function stopRestoring() {
    restoring = null;
  }

  /* Wide screens show the filters beside the results; phones keep them behind "Filters (N)". */
  function openFiltersWhenWide() {
    var panel = document.querySelector("[data-filters-panel]");
    if (panel && !panel.hasAttribute("data-filters-seen")) {
      panel.setAttribute("data-filters-seen", "");
      if (window.matchMedia(WIDE).matches) panel.open = true;
    }
  }

  /* A source page reached from a quote (?c=<citation> or #q-<citation>): that quote in view. */
  function showCurrentQuote() {
    var current = document.querySelector(".passages mark[aria-current]");
    if (current && !location.hash) current.scrollIntoView({ block: "center" });
  }

  function navigationType() {
    var entries = performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return entries.length ? entries[0].type : "navigate";
  }

  function init() {
    openFiltersWhenWide();
    showCurrentQuote();
    if (!document.getElementById("reader")) return;
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    var type = navigationType();
    if (type === "back_forward" || type === "reload") restore();
  }

  var historyRestore = false;
  // Back or Forward between addresses htmx pushed: the page is fetched again, then restored below.
  // (Nothing is saved here: the address already names the page being restored.)
  document.addEventListener("htmx:before:history:restore", function () {
    clearTimeout(saveTimer);
    historyRestore = true;
  });
  document.addEventListener("htmx:after:settle", function () {
    openFiltersWhenWide();
    if (historyRestore) {
      historyRestore = false;
      restore();
    } else {
      align(); // a quote loaded while restoring pushes the text down: keep the reader's place
    }
  });
  /*
   * A citation's quote loads into its slot the first time it is opened, from the address its link gives
   * readers without JavaScript (said once per citation, not twice: the cards are most of the page's weight).
   */
  function loadQuote(event) {
    var details = event.target;
    if (!details.open || !details.matches(".citations > li > details") || details.hasAttribute("data-quote-loaded")) return;
    var slot = details.querySelector(".quote-slot");
    var link = slot && slot.querySelector("a[href]");
    if (!link || !window.htmx) return;
    details.setAttribute("data-quote-loaded", "");
    htmx.ajax("GET", link.getAttribute("href"), { source: details, target: slot, swap: "innerHTML" });
  }

  document.addEventListener("toggle", loadQuote, true);
  document.addEventListener("toggle", saveSoon, true);
  window.addEventListener("scroll", saveSoon, { passive: true });
  ["wheel", "touchstart", "keydown", "pointerdown"].forEach(function (name) {
    window.addEventListener(name, stopRestoring, { passive: true });
  });
  window.addEventListener("pagehide", save);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) openFiltersWhenWide(); // from the back/forward cache: the page is as it was left
  });

  // After htmx has processed the page (its script runs after this one), so that reopening a quote loads it.
  function initLater() {
    setTimeout(init, 0);
  }
  if (document.readyState === "complete") initLater();
  else document.addEventListener("DOMContentLoaded", initLater);
})();
