// Oversight dashboards: draws each table's chart with Chart.js from the figures the page passes
// in the "oversight-charts" JSON script. The table beside each chart holds the same figures, with
// a link behind each number, so the chart is a picture of the table, not the only way to read it.
(function () {
  "use strict";

  var source = document.getElementById("oversight-charts");
  if (!source || typeof window.Chart !== "function") {
    return;
  }
  // GOV.UK Design System colours, in an order that stays distinguishable side by side; a series
  // that is bad news (over a limit, missed, overdue) is red and one that is good news is green,
  // whatever its position.
  var COLOURS = ["#1d70b8", "#4c2c92", "#f47738", "#505a5f", "#28a197", "#912b88"];
  var BAD = /over time|overdue|missed|lapsed/i;
  var GOOD = /within|^met|on time|by the due|satisfied/i;

  function colour(label, i) {
    if (BAD.test(label)) {
      return "#d4351c";
    }
    if (GOOD.test(label)) {
      return "#00703c";
    }
    return COLOURS[i % COLOURS.length];
  }

  window.Chart.defaults.font.family = "arial, sans-serif";
  window.Chart.defaults.color = "#0b0c0c";
  window.Chart.defaults.animation = false;

  JSON.parse(source.textContent).forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) {
      return;
    }
    var line = spec.type === "line";
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, i) {
          var shade = colour(dataset.label, i);
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: shade,
            borderColor: shade,
            borderWidth: line ? 3 : 0,
            pointRadius: line ? 3 : 0,
            tension: 0
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: spec.stacked },
          y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
})();
