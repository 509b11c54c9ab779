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

// Proposals list: the agent filter is a search field; htmx loads the suggestions as the user
// types, this puts the chosen agent's id in the form's hidden `agent` and fires `change`, which
// makes the form reload the results (and the URL, agent=<id>). Emptying the field drops it.
(function () {
  "use strict";
  function parts(node) {
    var picker = node.closest && node.closest("[data-agent-picker]");
    if (!picker) { return null; }
    return {
      picker: picker,
      value: picker.querySelector("[data-agent-value]"),
      text: picker.querySelector("[data-agent-text]"),
      list: picker.querySelector("#agent-suggestions")
    };
  }
  function close(p) { p.list.innerHTML = ""; p.text.setAttribute("aria-expanded", "false"); }
  function choose(p, id, name) {
    p.text.value = name;
    close(p);
    if (p.value.value === id) { return; }
    p.value.value = id;
    p.value.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-agent-id]");
    var p = option && parts(option);
    if (p) { choose(p, option.dataset.agentId, option.dataset.agentName); return; }
    document.querySelectorAll("[data-agent-picker]").forEach(function (picker) {
      if (!picker.contains(event.target)) { close(parts(picker)); }
    });
  });
  // The typed text is not a filter: its change must not reload the list (the form listens).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-agent-text]")) { event.stopPropagation(); }
  }, true);
  document.addEventListener("input", function (event) {
    var p = event.target.matches && event.target.matches("[data-agent-text]") && parts(event.target);
    if (p && !p.text.value.trim()) { close(p); if (p.value.value) { choose(p, "", ""); } }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var p = parts(event.target);
    if (p && event.target === p.list) {
      p.text.setAttribute("aria-expanded", p.list.children.length ? "true" : "false");
    }
  });
  document.addEventListener("keydown", function (event) {
    var p = parts(event.target);
    if (!p) { return; }
    var options = Array.prototype.slice.call(p.list.querySelectorAll("[data-agent-id]"));
    var at = options.indexOf(document.activeElement);
    if (event.key === "Escape") { close(p); p.text.focus(); }
    else if (event.key === "ArrowDown" && options.length) { event.preventDefault(); options[Math.min(at + 1, options.length - 1)].focus(); }
    else if (event.key === "ArrowUp" && at >= 0) { event.preventDefault(); (at ? options[at - 1] : p.text).focus(); }
    else if (event.key === "Enter" && event.target === p.text) {
      // Enter would submit the empty search form: take the first suggestion instead.
      event.preventDefault();
      if (options.length) { choose(p, options[0].dataset.agentId, options[0].dataset.agentName); }
    }
  });
})();
