// The manager dashboard: charts from the JSON block #dashboard-charts (Chart.js from static/vendor),
// sparklines on the cards, and the period filter that reloads the page when a period is picked.
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  var ACCENT = cssVar("--kd-accent", "#0b6e5f");
  var SOFT = "rgba(11, 110, 95, 0.12)";
  var NUMBER = new Intl.NumberFormat(document.documentElement.lang || "en");

  function chartOptions(type, horizontal) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (item) { return " " + NUMBER.format(item.raw); } } },
      },
      scales: {
        x: {
          grid: { display: !horizontal ? false : true },
          ticks: horizontal ? { maxTicksLimit: 5, precision: 0 } : { maxRotation: 0, autoSkip: type === "line", maxTicksLimit: 6 },
          beginAtZero: horizontal,
        },
        y: {
          beginAtZero: true,
          grid: { display: horizontal ? false : true },
          ticks: horizontal ? { autoSkip: false, callback: shortLabel } : { maxTicksLimit: 5, precision: 0 },
        },
      },
    };
  }

  function shortLabel(value) {
    var label = this.getLabelForValue(value);
    return label.length > 18 ? label.slice(0, 17) + "…" : label;
  }

  function dateLabel(iso) {
    var parts = iso.split("-");
    if (parts.length !== 3) { return iso; }
    var day = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    return day.toLocaleDateString(document.documentElement.lang || "en", { day: "numeric", month: "short" });
  }

  function drawChart(canvas, spec) {
    var isLine = spec.type === "line";
    // Bars lie down: long names stay readable on a phone.
    var horizontal = !isLine;
    var values = spec.values.map(function (v) { return v === "" ? null : Number(v); });
    var labels = isLine ? spec.labels.map(dateLabel) : spec.labels;
    if (horizontal) {
      canvas.parentElement.classList.add("kd-chart-rows-" + Math.min(labels.length, 10));
    }
    return new window.Chart(canvas, {
      type: isLine ? "line" : "bar",
      data: {
        labels: labels,
        datasets: [{
          label: spec.label,
          data: values,
          borderColor: ACCENT,
          backgroundColor: isLine ? SOFT : ACCENT,
          fill: isLine,
          tension: 0.25,
          pointRadius: labels.length > 40 ? 0 : 2,
          borderRadius: isLine ? 0 : 4,
          maxBarThickness: 28,
        }],
      },
      options: chartOptions(spec.type, horizontal),
    });
  }

  function drawSpark(canvas) {
    var values = JSON.parse(canvas.dataset.trend).map(Number);
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: values.map(function (_v, i) { return i; }), datasets: [{
        data: values, borderColor: ACCENT, backgroundColor: SOFT, fill: true, pointRadius: 0, borderWidth: 2, tension: 0.3,
      }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, events: [],
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: { x: { display: false }, y: { display: false } },
      },
    });
  }

  function drawAll() {
    var block = document.getElementById("dashboard-charts");
    if (!block || !window.Chart) { return; }
    var charts = JSON.parse(block.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = charts[canvas.dataset.chart];
      if (spec) { drawChart(canvas, spec); }
    });
    document.querySelectorAll(".kd-spark canvas").forEach(drawSpark);
  }

  function wirePeriod() {
    var form = document.querySelector("form[data-dashboard-period]");
    if (!form) { return; }
    var custom = document.getElementById("dashboard-custom");
    form.querySelectorAll("input[name='period']").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.value === "custom") {
          custom.hidden = false;
          var first = document.getElementById("id_date_from");
          if (first) { first.focus(); }
          return;
        }
        custom.hidden = true;
        // Dates belong to the custom period only; leave them out of the address.
        custom.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
        form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wirePeriod();
    drawAll();
  });
})();
