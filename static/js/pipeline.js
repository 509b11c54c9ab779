// Pipeline pages: "select all" on the proposals list (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-all]")) { return; }
    document.querySelectorAll("input[name=ids]").forEach(function (item) { item.checked = box.checked; });
  });
})();

// Board: a column the user folded or unfolded stays so after a move redraws the board.
// Restored once htmx has processed the new columns (htmx.onLoad), so a folded column
// restored open gets its "toggle" and loads its cards (hx-trigger "toggle once").
(function () {
  "use strict";
  var KEY = "athenas.board.open";
  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  function restore(root) {
    var saved = load();
    root.querySelectorAll("details.board-column").forEach(function (column) {
      if (Object.prototype.hasOwnProperty.call(saved, column.dataset.column)) { column.open = saved[column.dataset.column]; }
    });
  }
  document.addEventListener("toggle", function (event) {
    var column = event.target;
    if (!column.matches || !column.matches("details.board-column")) { return; }
    var saved = load();
    saved[column.dataset.column] = column.open;
    try { window.sessionStorage.setItem(KEY, JSON.stringify(saved)); } catch (e) { /* private mode */ }
  }, true);
  function onLoad(root) { if (root.querySelectorAll) { restore(root); } }
  if (window.htmx) { window.htmx.onLoad(onLoad); }
  else { document.addEventListener("DOMContentLoaded", function () { restore(document); }); }
})();
