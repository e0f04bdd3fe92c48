/* The monitoring page's charts drawn with the vendored Chart.js (served from this site).
   The server's SVG stays in the page: it is what prints and what shows without JavaScript. */
(function () {
  "use strict";
  var source = document.getElementById("monitoring-charts-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var charts = JSON.parse(source.textContent);
  var figures = document.querySelectorAll("figure[data-chart]");
  Array.prototype.forEach.call(figures, function (figure) {
    var chart = charts[figure.getAttribute("data-chart")];
    if (!chart) {
      return;
    }
    var box = document.createElement("div");
    box.className = "chart-canvas";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", chart.label);
    box.appendChild(canvas);
    figure.appendChild(box);
    var color = window.getComputedStyle(figure).color;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: [{ label: chart.unit, data: chart.values, backgroundColor: "#2a6f97" }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { color: color, autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, suggestedMax: chart.top || undefined, ticks: { color: color, precision: 0 } }
        }
      }
    });
    figure.classList.add("has-canvas");
  });
})();
