// Draws a chart from a table the page already shows: the table stays the accessible source of the
// figures, and the chart beside it is hidden from assistive technology. A table opts in with
// data-chart="bar" or "line"; data-chart-columns="1,3" names the columns plotted (every column but
// the first otherwise), data-chart-stacked stacks them. Rows marked data-row are read: the first
// cell labels the row, the others are numbers (or a cell's data-value). Without the library or
// JavaScript the table alone is shown.
(function () {
  "use strict";
  var COLORS = ["#005ea2", "#e66f0e", "#00a91c", "#d83933", "#8168b3", "#1a4480", "#936f38", "#162e51"];

  function number(cell) {
    var text = cell.getAttribute("data-value");
    var value = parseFloat(text === null ? cell.textContent.replace(/[^0-9.\-]/g, "") : text);
    return isNaN(value) ? null : value;
  }

  function text(element) {
    return element ? element.textContent.trim() : "";
  }

  function draw(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-row]"));
    if (!rows.length) {
      return;
    }
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), text);
    var columns = (table.getAttribute("data-chart-columns") || "").split(",").filter(Boolean).map(Number);
    if (!columns.length) {
      for (var i = 1; i < headings.length; i += 1) {
        columns.push(i);
      }
    }
    var stacked = table.hasAttribute("data-chart-stacked");
    var box = document.createElement("div");
    box.className = "cvms-chart";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", table.getAttribute("data-chart-label") || text(table.querySelector("caption")));
    canvas.setAttribute("aria-hidden", "true");
    box.appendChild(canvas);
    table.parentNode.insertBefore(box, table);
    new window.Chart(canvas, {
      type: table.getAttribute("data-chart"),
      data: {
        labels: rows.map(function (row) { return text(row.cells[0]); }),
        datasets: columns.map(function (column, n) {
          var color = COLORS[n % COLORS.length];
          return {
            label: headings[column],
            data: rows.map(function (row) { return number(row.cells[column]); }),
            backgroundColor: color,
            borderColor: color,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true } },
      },
    });
    table.setAttribute("data-chart-drawn", "true");
  }

  function start() {
    if (!window.Chart) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("table[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
