/*
 * The visual timeline's axis (templates/timeline/includes/axis.html), made interactive. The server
 * draws every window; this script asks it for the axis alone (HX-Target: axis) and swaps it in, with
 * the window and the selected event in the URL, so Back, Forward and shared links restore them.
 * Keys: + and − zoom, ←/→ move from mark to mark (past the last one, the window moves), Page Up/Down
 * move the window, Home/End the first/last mark; wheel or trackpad zoom and pan, drag pans, pinch zooms.
 */
(function () {
  "use strict";
  var EPOCH = 719163; // the day number of 1970-01-01
  var busy = null;

  function axisEl() { return document.querySelector("[data-axis]"); }
  function num(el, name) { return Number(el.getAttribute("data-" + name)); }
  function rtl(el) { return el.getAttribute("dir") === "rtl"; }

  function parts(day) {
    var ms = (day - EPOCH) * 864e5;
    if (Math.abs(ms) < 8.6e18) { var d = new Date(ms); return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]; }
    return [Math.floor((day - 1) / 365.2425) + 1, 1, 1];
  }
  function yr(y) {
    if (y < -9999 || y > 9999) return "Y" + y;
    var s = String(Math.abs(y)); while (s.length < 4) s = "0" + s;
    return (y < 0 ? "-" : "") + s;
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  // The window as EDTF at the precision its width needs, as timeline/axis.py writes it.
  function edtf(lower, upper) {
    var a = parts(lower), b = parts(upper), span = upper - lower + 1;
    if (span >= 20 * 365 || a[0] < -9999 || b[0] > 9999) return yr(a[0]) + "/" + yr(b[0]);
    if (span >= 62) return yr(a[0]) + "-" + two(a[1]) + "/" + yr(b[0]) + "-" + two(b[1]);
    return yr(a[0]) + "-" + two(a[1]) + "-" + two(a[2]) + "/" + yr(b[0]) + "-" + two(b[1]) + "-" + two(b[2]);
  }
  function withParams(changes) {
    var url = new URL(location.href);
    for (var key in changes) {
      if (changes[key] === null) url.searchParams.delete(key); else url.searchParams.set(key, changes[key]);
    }
    url.searchParams.delete("page");
    return url.href;
  }
  function windowUrl(lower, upper) {
    lower = Math.round(lower); upper = Math.max(lower, Math.round(upper));
    return withParams({ window: edtf(lower, upper) });
  }

  function load(href, options) {
    options = options || {};
    var el = axisEl();
    if (!el) return;
    if (busy) busy.abort();
    busy = window.AbortController ? new AbortController() : null;
    el.classList.add("is-loading");
    var swapped = false;
    fetch(href, { headers: { "HX-Request": "true", "HX-Target": "axis" }, signal: busy && busy.signal, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-axis]");
        var current = axisEl();
        if (!fresh || !current) return;
        current.replaceWith(fresh);
        swapped = true;
        if (options.push !== false) history.pushState({ axis: 1 }, "", href);
        ready(fresh, options.focus);
        var input = document.querySelector("[data-axis-window-input]");
        var form = document.getElementById("filters");
        if (!input && form) {
          input = document.createElement("input");
          input.type = "hidden"; input.name = "window"; input.setAttribute("data-axis-window-input", "");
          form.appendChild(input);
        }
        if (input) input.value = fresh.getAttribute("data-window");
      })
      .catch(function (error) {
        // A fetch cut off because the page is being left is not a failure to fall back from:
        // navigating then would abort the navigation the reader asked for.
        if (leaving || (error && error.name === "AbortError")) return;
        if (swapped) throw error; // the new axis is in: a fault after that is ours, not a reason to reload
        location.href = href; // the page itself can always draw it
      });
  }

  // SVG links' href is an SVGAnimatedString: read the attribute and resolve it.
  function hrefOf(a) { return new URL(a.getAttribute("href"), location.href).href; }

  function marks(el) {
    var list = Array.prototype.slice.call(el.querySelectorAll(".axis-frame a"));
    return list.sort(function (a, b) { return a.getBoundingClientRect().left - b.getBoundingClientRect().left; });
  }

  // One tab stop for the axis: the selected mark, else the first; arrows move inside it.
  // The server packs labels for a nominal width; on the real one, a label that would cover another is
  // hidden (its mark keeps its accessible name). Turning points and the selected event keep theirs first.
  function declutter(el) {
    var labels = Array.prototype.slice.call(el.querySelectorAll(".axis-frame .axis-label"));
    var rank = function (text) {
      var a = text.closest("a");
      return a.hasAttribute("aria-current") ? 2 : a.classList.contains("is-tp") ? 1 : 0;
    };
    labels.forEach(function (text) { text.classList.remove("is-crowded"); });
    labels.sort(function (a, b) { return rank(b) - rank(a); });
    var kept = [];
    labels.forEach(function (text) {
      if (!text.getClientRects().length) return; // not shown at this width
      var r = text.getBoundingClientRect();
      var clash = kept.some(function (k) {
        return r.left < k.right + 2 && k.left < r.right + 2 && r.top < k.bottom && k.top < r.bottom;
      });
      if (clash) text.classList.add("is-crowded"); else kept.push(r);
    });
  }

  function ready(el, focus) {
    declutter(el);
    var all = marks(el);
    var current = el.querySelector(".axis-frame a[aria-current]") || all[0];
    all.forEach(function (a) { a.setAttribute("tabindex", a === current ? "0" : "-1"); });
    if (focus === "first" && all[0]) all[0].focus();
    else if (focus === "last" && all.length) all[all.length - 1].focus();
    else if (focus === "story") { var step = el.querySelector("[data-story-step]"); if (step) step.focus(); }
    else if (focus) {
      // A selector of our own ("[data-axis-zoom=...]", after a zoom button) or an event's slug.
      var target = el.querySelector(focus.charAt(0) === "[" ? focus : '[data-event="' + CSS.escape(focus) + '"]');
      if (target) { target.focus(); roam(el, target); }
    }
  }
  function roam(el, target) {
    marks(el).forEach(function (a) { a.setAttribute("tabindex", a === target ? "0" : "-1"); });
  }

  function zoom(el, factor, fraction) {
    var lower = num(el, "lower"), upper = num(el, "upper"), span = upper - lower + 1;
    if (fraction === undefined) fraction = 0.5;
    if (rtl(el)) fraction = 1 - fraction;
    var centre = lower + span * fraction;
    var next = Math.max(1, Math.min(span * factor, 7.3e13));
    load(windowUrl(centre - next * fraction, centre - next * fraction + next - 1), { focus: "[data-axis-zoom]" });
  }
  function pan(el, fraction, focus) {
    var lower = num(el, "lower"), upper = num(el, "upper"), shift = Math.round((upper - lower + 1) * fraction);
    if (rtl(el)) shift = -shift;
    load(windowUrl(lower + shift, upper + shift), { focus: focus });
  }

  document.addEventListener("click", function (event) {
    var el = axisEl();
    var link = event.target.closest && event.target.closest("a");
    if (!el || !link || !el.contains(link) || event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
    if (el.getAttribute("data-dragged")) { event.preventDefault(); el.removeAttribute("data-dragged"); return; }
    var slug = link.getAttribute("data-event");
    if (slug) {
      event.preventDefault();
      var story = el.getAttribute("data-view") === "story";
      load(withParams({ event: slug }), { focus: story ? "story" : slug });
      return;
    }
    if (link.matches("[data-axis-zoom],[data-axis-pan],[data-axis-whole],[data-axis-close],[data-axis-view],[data-axis-lanes],[data-story-prev],[data-story-next],[data-story-turning],.axis-cluster")) {
      event.preventDefault();
      var focus = link.hasAttribute("data-story-prev") || link.hasAttribute("data-story-next") ? "story" : link.hasAttribute("data-axis-zoom") ? '[data-axis-zoom="' + link.getAttribute("data-axis-zoom") + '"]' : null;
      load(hrefOf(link), { focus: focus });
    }
  });

  document.addEventListener("keydown", function (event) {
    var el = axisEl();
    if (!el || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
    var inFrame = el.contains(target) && target.closest(".axis-frame");
    var key = event.key;
    if (!inFrame) {
      // Story mode: ←/→ anywhere outside a field turn the page (mirrored right to left).
      if (typing || el.getAttribute("data-view") !== "story" || (key !== "ArrowLeft" && key !== "ArrowRight")) return;
      var forward = (key === "ArrowRight") !== rtl(el);
      var step = el.querySelector(forward ? "[data-story-next]" : "[data-story-prev]");
      if (step) { event.preventDefault(); load(hrefOf(step), { focus: "story" }); }
      return;
    }
    var all = marks(el), index = all.indexOf(target);
    if (key === "+" || key === "=") { event.preventDefault(); zoomAround(el, target, 0.5); }
    else if (key === "-" || key === "_") { event.preventDefault(); zoomAround(el, target, 2); }
    else if (key === "ArrowRight" || key === "ArrowLeft") {
      event.preventDefault();
      var right = key === "ArrowRight";
      if (event.shiftKey) { pan(el, (right ? 0.5 : -0.5), right ? "first" : "last"); return; }
      var next = all[index + (right ? 1 : -1)];
      if (next) { roam(el, next); next.focus(); }
      else pan(el, right ? 0.5 : -0.5, right ? "first" : "last");
    } else if (key === "PageDown" || key === "PageUp") { event.preventDefault(); pan(el, (key === "PageDown") !== rtl(el) ? 0.5 : -0.5, "first"); }
    else if (key === "Home" || key === "End") {
      event.preventDefault();
      var edge = all[key === "Home" ? 0 : all.length - 1];
      if (edge) { roam(el, edge); edge.focus(); }
    }
  });

  function zoomAround(el, target, factor) {
    var frame = el.querySelector(".axis-frame").getBoundingClientRect();
    var fraction = 0.5;
    if (target && target.getAttribute("data-event")) {
      var box = target.querySelector("circle, rect").getBoundingClientRect();
      fraction = Math.min(1, Math.max(0, (box.left + box.width / 2 - frame.left) / frame.width));
      if (rtl(el)) fraction = 1 - fraction;
      var lower = num(el, "lower"), upper = num(el, "upper");
      var centre = lower + (upper - lower + 1) * fraction, span = Math.max(1, (upper - lower + 1) * factor);
      load(windowUrl(centre - span / 2, centre + span / 2 - 1), { focus: target.getAttribute("data-event") });
      return;
    }
    zoom(el, factor, fraction);
  }

  // Wheel and trackpad: vertical with Ctrl (a pinch on a trackpad) or while the axis has focus zooms; horizontal pans.
  var wheel = { factor: 1, shift: 0, timer: null, fraction: 0.5 };
  document.addEventListener("wheel", function (event) {
    var el = axisEl();
    var frame = el && event.target.closest && event.target.closest(".axis-frame");
    if (!frame) return;
    var horizontal = Math.abs(event.deltaX) > Math.abs(event.deltaY);
    if (!horizontal && !event.ctrlKey && !el.contains(document.activeElement)) return;
    event.preventDefault();
    var box = frame.getBoundingClientRect();
    wheel.fraction = (event.clientX - box.left) / box.width;
    if (horizontal) wheel.shift += event.deltaX / box.width;
    else wheel.factor *= Math.exp(event.deltaY * (event.ctrlKey ? 0.01 : 0.002));
    clearTimeout(wheel.timer);
    wheel.timer = setTimeout(function () {
      var lower = num(el, "lower"), upper = num(el, "upper"), span = upper - lower + 1;
      var fraction = rtl(el) ? 1 - wheel.fraction : wheel.fraction, shift = rtl(el) ? -wheel.shift : wheel.shift;
      var centre = lower + span * fraction + span * shift, next = Math.max(1, span * wheel.factor);
      wheel.factor = 1; wheel.shift = 0;
      load(windowUrl(centre - next * fraction, centre - next * fraction + next - 1), { push: true });
    }, 250);
  }, { passive: false });

  // Drag pans; two fingers pinch-zoom. The SVG follows the pointer until the new window arrives.
  var pointers = {}, start = null;
  document.addEventListener("pointerdown", function (event) {
    var frame = event.target.closest && event.target.closest(".axis-frame");
    if (!frame || event.button) return;
    pointers[event.pointerId] = event.clientX;
    var ids = Object.keys(pointers);
    start = { x: event.clientX, width: frame.getBoundingClientRect().width, left: frame.getBoundingClientRect().left, frame: frame, distance: ids.length === 2 ? Math.abs(pointers[ids[0]] - pointers[ids[1]]) : 0 };
  });
  document.addEventListener("pointermove", function (event) {
    if (!start || !(event.pointerId in pointers)) return;
    pointers[event.pointerId] = event.clientX;
    if (!start.distance && Math.abs(event.clientX - start.x) > 4) {
      start.frame.classList.add("is-dragging");
      start.frame.querySelector("svg").style.transform = "translateX(" + (event.clientX - start.x) + "px)";
    }
  });
  function release(event) {
    if (!start || !(event.pointerId in pointers)) return;
    var el = axisEl(), s = start, ids = Object.keys(pointers);
    var x = pointers[event.pointerId];
    delete pointers[event.pointerId];
    if (ids.length > 1) {
      var other = pointers[Object.keys(pointers)[0]];
      var distance = Math.abs(x - other);
      if (s.distance > 20 && distance > 20) zoom(el, s.distance / distance, ((x + other) / 2 - s.left) / s.width);
      start = null;
      return;
    }
    start = null;
    s.frame.classList.remove("is-dragging");
    var dx = event.clientX - s.x;
    if (Math.abs(dx) > 4 && el) {
      el.setAttribute("data-dragged", "1");
      setTimeout(function () { el.removeAttribute("data-dragged"); }, 0);
      pan(el, -dx / s.width);
    } else s.frame.querySelector("svg").style.transform = "";
  }
  document.addEventListener("pointerup", release);
  document.addEventListener("pointercancel", release);

  // Swipes turn the story's pages.
  var touch = null;
  document.addEventListener("touchstart", function (event) {
    if (event.target.closest && event.target.closest("[data-story]") && event.touches.length === 1) touch = event.touches[0].clientX;
  }, { passive: true });
  document.addEventListener("touchend", function (event) {
    var el = axisEl();
    if (touch === null || !el) return;
    var dx = event.changedTouches[0].clientX - touch;
    touch = null;
    if (Math.abs(dx) < 60) return;
    var forward = (dx < 0) !== rtl(el);
    var step = el.querySelector(forward ? "[data-story-next]" : "[data-story-prev]");
    if (step) load(hrefOf(step), { focus: "story" });
  });

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { var el = axisEl(); if (el) declutter(el); }, 100);
  });

  var leaving = false;
  window.addEventListener("pagehide", function () { leaving = true; if (busy) busy.abort(); });
  window.addEventListener("pageshow", function () { leaving = false; });

  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.htmx) return; // htmx restores its own entries
    if (axisEl()) load(location.href, { push: false });
  });

  function init() { var el = axisEl(); if (el) ready(el); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
