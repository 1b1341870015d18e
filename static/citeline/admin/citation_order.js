// Citations in the order readers see them: "Up" and "Down" buttons on each citation of the event form
// swap it with its neighbour and rewrite the ordinals (1, 2, 3… in the new order). They are real
// buttons, reached with Tab and pressed with Enter or Space; focus stays on the moved citation and a
// status line says where it went. Without JavaScript the ordinal field (under "Anchor details") is
// typed by hand, as before.
(function () {
  "use strict";
  const GROUP = "#citations-group";

  function rows(group) {
    return Array.from(group.querySelectorAll(".inline-related:not(.empty-form)"));
  }

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  // A row that is (or will be) a citation: saved already, or with a passage chosen. A blank extra form
  // keeps its ordinal untouched, or Django would take it for a new citation and ask for its passage.
  function filled(row) {
    const id = field(row, "id");
    const passage = field(row, "passage");
    return Boolean((id && id.value) || (passage && passage.value));
  }

  function renumber(group) {
    let ordinal = 0;
    rows(group).forEach(function (row) {
      const input = field(row, "ordinal");
      if (!input || !filled(row) || (field(row, "DELETE") && field(row, "DELETE").checked)) return;
      ordinal += 1;
      if (input.value !== String(ordinal)) {
        input.value = String(ordinal);
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function label(group) {
    const all = rows(group);
    all.forEach(function (row, index) {
      const tools = row.querySelector(".citeline-citation-order");
      if (!tools) return;
      const up = tools.querySelector("[data-move='up']");
      const down = tools.querySelector("[data-move='down']");
      up.setAttribute("aria-label", "Move citation " + (index + 1) + " up");
      down.setAttribute("aria-label", "Move citation " + (index + 1) + " down");
      up.disabled = index === 0;
      down.disabled = index === all.length - 1;
    });
  }

  function move(group, row, direction, status) {
    const all = rows(group);
    const index = all.indexOf(row);
    const other = all[direction === "up" ? index - 1 : index + 1];
    if (!other) return;
    if (direction === "up") other.before(row);
    else other.after(row);
    group.dataset.citationsMoved = "1";
    renumber(group);
    label(group);
    const position = rows(group).indexOf(row) + 1;
    status.textContent = "Citation " + (index + 1) + " is now citation " + position + ".";
    const pressed = row.querySelector("[data-move='" + direction + "']");
    const focus = pressed.disabled ? row.querySelector("[data-move='" + (direction === "up" ? "down" : "up") + "']") : pressed;
    focus.focus();
  }

  function addButtons(group, row, status) {
    const heading = row.querySelector("h3");
    if (!heading || heading.querySelector(".citeline-citation-order")) return;
    const tools = document.createElement("span");
    tools.className = "citeline-citation-order";
    ["up", "down"].forEach(function (direction) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.dataset.move = direction;
      button.textContent = direction === "up" ? "Up" : "Down";
      button.addEventListener("click", function () { move(group, row, direction, status); });
      tools.append(button);
    });
    heading.append(tools);
  }

  function setUp() {
    const group = document.querySelector(GROUP);
    if (!group) return;
    const status = document.createElement("p");
    status.className = "citeline-order-status";
    status.setAttribute("role", "status");
    const heading = group.querySelector(".inline-heading");
    if (heading) heading.after(status);
    else group.prepend(status);
    rows(group).forEach(function (row) { addButtons(group, row, status); });
    label(group);
    document.addEventListener("formset:added", function (event) {
      if (!group.contains(event.target)) return;
      addButtons(group, event.target, status);
      label(group);
    });
    document.addEventListener("formset:removed", function () { label(group); });
    // A citation added after a move takes its place in the order too.
    const form = group.closest("form");
    if (form) {
      form.addEventListener("submit", function () {
        if (group.dataset.citationsMoved) renumber(group);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
