// Dashboard charts: each <canvas data-chart="{json}"> becomes a Chart.js chart (the
// numbers of the table under it); new canvases are drawn after HTMX swaps. No inline scripts.
(function () {
  "use strict";
  var brl = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });
  var plain = new Intl.NumberFormat("pt-BR");
  var colors = ["#1f4e79", "#2e8b57", "#c0504d", "#f39c12", "#7f6084"];

  function draw(root) {
    if (typeof window.Chart === "undefined") {
      return;
    }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) {
        return; // drawn already (swaps bring new canvases)
      }
      var spec = JSON.parse(canvas.getAttribute("data-chart"));
      new window.Chart(canvas, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (set, i) {
            return { label: set.label, data: set.data, backgroundColor: colors[i % colors.length], borderColor: colors[i % colors.length], money: set.money };
          })
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: {
            tooltip: {
              callbacks: {
                label: function (item) {
                  var fmt = item.dataset.money ? brl : plain;
                  return item.dataset.label + ": " + fmt.format(item.parsed.y);
                }
              }
            }
          },
          scales: { y: { ticks: { callback: function (v) { return plain.format(v); } } } }
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // After any swap (filters, the SLA panel loading with outerHTML), draw the new canvases.
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
