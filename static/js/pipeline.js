// Pipeline pages: "select all" on the proposals list (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-all]")) { return; }
    document.querySelectorAll("input[name=ids]").forEach(function (item) { item.checked = box.checked; });
  });
})();
