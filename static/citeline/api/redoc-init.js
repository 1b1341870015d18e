// Starts ReDoc on /api/docs/redoc/ (templates/api/redoc.html): the schema's URL and the request's CSP nonce,
// which ReDoc puts on the <style> elements it writes, come from the container's data attributes.
(function () {
  var container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.specUrl, { nonce: container.dataset.nonce }, container);
})();
