/*
 * Citeline widgets: every <div data-citeline> on the page becomes an iframe of this site's
 * /embed/timeline/ page, filtered by the div's data attributes, and grows to fit its content.
 *
 *   <div data-citeline data-actor="russia iran" data-theme="nuclear" data-date-from="2015"
 *        data-view="axis" data-scheme="dark" data-limit="10" data-height="400" data-title="Russia and Iran, nuclear"></div>
 *
 * data-view: axis (default), list or story; data-scheme: light (default), dark or auto (the reader's
 * system); data-height: a fixed height in pixels (the widget scrolls inside it) instead of growing;
 * data-title: the heading the widget shows.
 *   <script src="{this Citeline site}/embed.js" async></script>
 *
 * data-timeline="<slug>" shows one timeline of the site (without it, the events of every timeline).
 * data-actor, data-theme and data-source take several slugs (space or comma separated); any other
 * data-* attribute is passed as it is (data-q, data-date-to, data-turning-point…). data-citeline
 * may also hold a ready-made query string ("actor=russia&limit=5").
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.URL || !window.URLSearchParams) return;
  var page = new URL("embed/timeline/", script.src);
  var origin = page.origin;
  var MULTIPLE = { actor: 1, theme: 1, source: 1 };
  var OWN = { "data-citeline": 1, "data-height": 1 };

  function query(el) {
    var params = new URLSearchParams(el.getAttribute("data-citeline") || "");
    for (var i = 0; i < el.attributes.length; i++) {
      var name = el.attributes[i].name, value = el.attributes[i].value;
      if (name.indexOf("data-") !== 0 || OWN[name] || name.indexOf("data-citeline-") === 0) continue;
      var key = name.slice(5).replace(/-/g, "_");
      var values = MULTIPLE[key] ? value.split(/[\s,]+/) : [value];
      for (var j = 0; j < values.length; j++) if (values[j]) params.append(key, values[j]);
    }
    return params.toString();
  }

  function build(el) {
    if (el.getAttribute("data-citeline-ready")) return;
    el.setAttribute("data-citeline-ready", "1");
    var frame = document.createElement("iframe");
    var q = query(el);
    frame.src = page.href + (q ? "?" + q : "");
    frame.title = el.getAttribute("data-title") || "Citeline timeline";
    // Not lazy: a widget below the fold measures its height at once, so the page does not jump when it is reached.
    var fixed = parseInt(el.getAttribute("data-height"), 10);
    if (fixed > 0) frame.setAttribute("data-citeline-fixed", "1");
    frame.style.cssText = "display:block;width:100%;border:0;height:" + (fixed > 0 ? fixed : 480) + "px";
    el.appendChild(frame);
  }

  function scan() {
    var els = document.querySelectorAll("[data-citeline]");
    for (var i = 0; i < els.length; i++) build(els[i]);
  }

  var listening = (window.__citeline = window.__citeline || {});
  if (!listening[origin]) {
    listening[origin] = 1;
    window.addEventListener("message", function (event) {
      // Only our own widgets, and only the iframe that sent the message, are resized.
      if (event.origin !== origin || !event.data || event.data.citeline !== "height") return;
      var height = Math.ceil(Number(event.data.height));
      if (!(height > 0 && height < 100000)) return;
      var frames = document.querySelectorAll("[data-citeline] iframe");
      for (var i = 0; i < frames.length; i++) {
        if (frames[i].contentWindow === event.source && !frames[i].hasAttribute("data-citeline-fixed")) frames[i].style.height = height + "px";
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
