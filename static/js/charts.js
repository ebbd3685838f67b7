// Draws a chart from a table the page already shows: the table stays the accessible source of the
// figures, and the chart beside it is hidden from assistive technology. A table opts in with
// data-chart="bar" or "line"; data-chart-columns="1,3" names the columns plotted (every column but
// the first otherwise), data-chart-stacked stacks them. Rows marked data-row are read: the first
// cell labels the row, the others are numbers (or a cell's data-value). Without the library or
// JavaScript the table alone is shown.
//
// Chart.js neither wraps a legend's text nor keeps rotated labels apart, so on a phone long names
// were cut off and squeezed the plot: the legend is a list under the chart, which wraps like any
// text, and bars whose labels are long (races, locations) lie sideways, their labels on lines of
// their own, the chart as tall as its rows need.
(function () {
  "use strict";
  var COLORS = ["#005ea2", "#e66f0e", "#00a91c", "#d83933", "#8168b3", "#1a4480", "#936f38", "#162e51"];
  // A bar label longer than this turns the bars sideways; a label is cut into lines this long.
  var LONG_LABEL = 12;
  var LINE = 18;

  function number(cell) {
    var text = cell.getAttribute("data-value");
    var value = parseFloat(text === null ? cell.textContent.replace(/[^0-9.\-]/g, "") : text);
    return isNaN(value) ? null : value;
  }

  function text(element) {
    return element ? element.textContent.trim() : "";
  }

  function lines(label) {
    var out = [];
    label.split(/\s+/).forEach(function (word) {
      var last = out.length - 1;
      if (last >= 0 && (out[last] + " " + word).length <= LINE) {
        out[last] += " " + word;
      } else {
        out.push(word);
      }
    });
    return out;
  }

  function legend(names) {
    var list = document.createElement("ul");
    list.className = "cvms-chart-legend add-list-reset display-flex flex-wrap font-sans-2xs";
    list.setAttribute("aria-hidden", "true");
    names.forEach(function (name, n) {
      var item = document.createElement("li");
      item.className = "margin-right-2 margin-bottom-05";
      var swatch = document.createElement("span");
      swatch.style.display = "inline-block";
      swatch.style.width = "1rem";
      swatch.style.height = "0.75rem";
      swatch.style.marginRight = "0.25rem";
      swatch.style.backgroundColor = COLORS[n % COLORS.length];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(name));
      list.appendChild(item);
    });
    return list;
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
    var type = table.getAttribute("data-chart");
    var labels = rows.map(function (row) { return text(row.cells[0]); });
    var sideways = type === "bar" && labels.some(function (label) { return label.length > LONG_LABEL; });
    var datasets = columns.map(function (column, n) {
      var color = COLORS[n % COLORS.length];
      return {
        label: headings[column],
        data: rows.map(function (row) { return number(row.cells[column]); }),
        backgroundColor: color,
        borderColor: color,
      };
    });
    var whole = datasets.every(function (set) {
      return set.data.every(function (value) { return value === null || Math.round(value) === value; });
    });
    var figure = document.createElement("div");
    figure.className = "margin-bottom-2";
    var box = document.createElement("div");
    box.className = "cvms-chart";
    if (sideways) {
      labels = labels.map(lines);
      var tallest = Math.max.apply(null, labels.map(function (label) { return label.length; }));
      var row = Math.max(tallest * 16, columns.length * 14) + 12;
      box.style.height = Math.max(256, rows.length * row + 40) + "px";
    }
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", table.getAttribute("data-chart-label") || text(table.querySelector("caption")));
    canvas.setAttribute("aria-hidden", "true");
    box.appendChild(canvas);
    figure.appendChild(box);
    figure.appendChild(legend(datasets.map(function (set) { return set.label; })));
    table.parentNode.insertBefore(figure, table);
    var index = { stacked: stacked, ticks: { autoSkip: !sideways } };
    var value = { stacked: stacked, beginAtZero: true, ticks: whole ? { precision: 0 } : {} };
    new window.Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: sideways ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: sideways ? { x: value, y: index } : { x: index, y: value },
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
