// The share panel (templates/timeline/includes/share_panel.html). "Copy" buttons, shown only where the
// clipboard can be written (without it, readers select the snippet themselves), and the "Embed this view"
// options: the snippets and the preview follow them as they change, built as timeline/sharing.py's
// embed_snippets builds them for the same options sent as a plain GET form (tests/e2e/test_embed.py compares).
(function () {
  "use strict";
  if (window.citelineSharePanel) return;  // htmx runs this again with each swapped panel; listeners are delegated
  window.citelineSharePanel = true;

  function html(text) {  // as Django's escape()
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function encode(text) {  // as Python's urllib.parse.quote_plus
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) { return "%" + c.charCodeAt(0).toString(16).toUpperCase(); }).replace(/%20/g, "+");
  }

  // A number field: its value when the browser finds it good (empty counts as good), else null with the server's message shown.
  function number(input) {
    var error = document.getElementById(input.id + "-error");
    var ok = input.validity.valid;
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    if (error) error.textContent = ok ? "" : error.getAttribute("data-error");
    return ok ? input.value.trim() : null;
  }

  function update(form, withPreview) {
    var data = form.dataset, fields = form.elements;
    var view = fields.embed_view.value, scheme = fields.embed_scheme.value, title = fields.embed_title.value.trim();
    var limit = number(fields.embed_limit), height = number(fields.embed_height);
    limit = limit ? String(parseInt(limit, 10)) : data.defaultLimit;
    height = height ? String(parseInt(height, 10)) : "";
    var options = ' data-view="' + view + '" data-scheme="' + scheme + '" data-limit="' + limit + '"' +
      (height ? ' data-height="' + height + '"' : "") + (title ? ' data-title="' + html(title) + '"' : "");
    var script = "<div data-citeline" + data.attributes + options + "></div>\n" +
      '<script src="' + html(data.scriptSrc) + '" async></' + "script>";
    var own = [];
    if (view !== "axis") own.push("view=" + encode(view));
    if (scheme !== "light") own.push("scheme=" + encode(scheme));
    if (limit !== data.defaultLimit) own.push("limit=" + limit);
    if (title) own.push("title=" + encode(title));
    var src = data.widgetSrc + (own.length ? (data.widgetSrc.indexOf("?") < 0 ? "?" : "&") + own.join("&") : "");
    var boxHeight = height || data.iframeHeight;
    var iframe = '<iframe src="' + html(src) + '" title="' + html(title || data.defaultTitle) + '" width="100%" height="' + boxHeight +
      '" loading="lazy" style="display:block;width:100%;max-width:' + data.iframeMaxWidth + "px;height:" + boxHeight + 'px;border:0"></iframe>';
    var panel = form.closest(".share-embed");
    var summary = form.querySelector(".embed-errors");  // the server's "could not be used", once every field is fixed
    if (summary) summary.hidden = !Array.prototype.some.call(form.querySelectorAll(".field-error"), function (el) { return el.textContent.trim(); });
    panel.querySelector("#embed-snippet-script").value = script;
    panel.querySelector("#embed-snippet-iframe").value = iframe;
    var preview = panel.querySelector(".embed-preview iframe");
    if (withPreview && preview) {
      var query = src.split("?")[1] || "";
      if (data.previewDrafts !== undefined) query += (query ? "&" : "") + "drafts=1";
      var next = data.previewPath + (query ? "?" + query : "");
      if (preview.getAttribute("src") !== next) preview.setAttribute("src", next);
      preview.setAttribute("height", boxHeight);
    }
  }

  function panelForm(target) {
    return target && target.form && target.form.hasAttribute("data-embed-options") ? target.form : null;
  }

  document.addEventListener("input", function (event) {
    var form = panelForm(event.target);
    if (form) update(form, false);
  });
  document.addEventListener("change", function (event) {
    var form = panelForm(event.target);
    if (!form) return;
    if (event.target.tagName === "SELECT") {  // any choice offered is good: the server's message for a bad one goes
      var error = document.getElementById(event.target.id + "-error");
      if (error) error.textContent = "";
      event.target.removeAttribute("aria-invalid");
    }
    update(form, true);
  });
  document.addEventListener("submit", function (event) {
    if (!event.target.hasAttribute("data-embed-options")) return;
    event.preventDefault();  // the snippets are already current; no page load needed
    update(event.target, true);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".copy-button");
    if (!button || !navigator.clipboard) return;
    var field = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; }, function () { field.select(); });
  });

  // The panel sits in the results that htmx swaps when a filter changes, and comes back closed with the
  // default options (the reader's URL never carries embed_*). An open panel is opened again, and once its
  // body has loaded, the options chosen are put back and the snippets rebuilt for the new filters.
  var kept = null;  // {form, values} of the open panel before a swap
  function panelParts() {
    var panel = document.getElementById("embed-panel");
    return {panel: panel, form: panel && panel.querySelector("form[data-embed-options]")};
  }
  document.addEventListener("htmx:before:swap", function () {
    var parts = panelParts();
    if (!parts.panel || !parts.panel.open) kept = null;
    else if (parts.form) {  // an open panel whose body is still loading keeps what was kept
      var values = {};
      Array.prototype.forEach.call(parts.form.elements, function (field) {
        if (field.name && field.name.indexOf("embed_") === 0) values[field.name] = field.value;
      });
      kept = {form: parts.form, values: values};
    }
  });
  document.addEventListener("htmx:after:swap", function () {
    var parts = panelParts();
    if (!kept || !parts.panel) return;
    if (parts.form === kept.form) {  // this swap left the panel alone
      kept = null;
      return;
    }
    if (!parts.form) {
      parts.panel.open = true;  // "toggle once" loads its body; this runs again when it arrives
      return;
    }
    Object.keys(kept.values).forEach(function (name) {
      if (parts.form.elements[name]) parts.form.elements[name].value = kept.values[name];
    });
    kept = null;
    update(parts.form, true);
  });

  function showCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".copy-button[hidden]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("htmx:after:swap", showCopyButtons);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showCopyButtons);
  else showCopyButtons();
})();
