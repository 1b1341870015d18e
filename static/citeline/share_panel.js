// The share panel's "Copy" buttons (templates/timeline/includes/share_panel.html): shown only where the
// clipboard can be written; without it, readers select the snippet themselves.
document.querySelectorAll(".copy-button").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; }, function () { field.select(); });
  });
});
