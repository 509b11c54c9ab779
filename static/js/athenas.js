// Athenas front-end glue. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  // 422 answers carry re-rendered forms with messages: let HTMX swap them in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409 || status === 400 || status === 403 || status === 404 || status === 429 || status === 503) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Network failures: tell the user instead of silently doing nothing.
  document.addEventListener("htmx:sendError", function () {
    var area = document.getElementById("flash-area");
    if (area) {
      area.innerHTML = '<div class="alert alert-danger" role="alert">Sem conexão com o servidor. Verifique a rede e tente de novo.</div>';
    }
  });
  // Confirmation before destructive actions on plain forms: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
})();
