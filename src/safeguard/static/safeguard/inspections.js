// The grade distribution chart on an inspection report. The figures are also in the table beside it.
(function () {
  "use strict";
  var canvas = document.getElementById("grade-chart");
  var source = document.getElementById("grade-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "Case files", data: data.counts, backgroundColor: data.colours }]
    },
    options: {
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
})();
