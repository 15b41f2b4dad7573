// Draws the Gantt chart of the timeline page with /vendor/plotly.min.js.
//
// The figure is built on the server (tracker/plan/gantt.py) and embedded in the page as JSON in
// <script type="application/json" id="gantt-figure">. The table under the chart carries the same
// information, so the chart itself is hidden from assistive technology behind its aria-label.
(function () {
  "use strict";

  var DAY = 24 * 3600 * 1000;

  function parseDay(text) {
    // "2010-02-26" or "2010-02-26 12:00" as a UTC time in milliseconds.
    var parts = String(text).slice(0, 10).split("-");
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  function currentRange(chart, figure) {
    var axis = (chart.layout && chart.layout.xaxis) || figure.layout.xaxis || {};
    var range = axis.range || figure.layout.xaxis.range;
    return [parseDay(range[0]), parseDay(range[1])];
  }

  function setUpZoom(chart, figure) {
    var zoom = document.querySelector("[data-gantt-zoom]");
    if (!zoom || !figure.layout.xaxis.range) {
      return; // nothing dated to zoom into
    }
    var full = figure.layout.xaxis.range ? figure.layout.xaxis.range.slice() : null;
    var today = parseDay(chart.getAttribute("data-today"));
    zoom.hidden = false;
    zoom.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) {
        return;
      }
      var range = currentRange(chart, figure);
      var width = range[1] - range[0];
      var days = button.getAttribute("data-days");
      var move = button.getAttribute("data-move");
      var start;
      if (days === "all") {
        if (full) {
          window.Plotly.relayout(chart, { "xaxis.range": full });
        } else {
          window.Plotly.relayout(chart, { "xaxis.autorange": true });
        }
        return;
      }
      if (move) {
        start = range[0] + Number(move) * width * 0.75;
        window.Plotly.relayout(chart, { "xaxis.range": [isoDay(start), isoDay(start + width)] });
        return;
      }
      var span = Number(days) * DAY;
      // Centre the new span on today when today is in view, otherwise keep the left edge.
      start = today >= range[0] && today <= range[1] ? today - span / 3 : range[0];
      window.Plotly.relayout(chart, { "xaxis.range": [isoDay(start), isoDay(start + span)] });
    });
  }

  function draw() {
    var chart = document.getElementById("gantt-chart");
    var data = document.getElementById("gantt-figure");
    if (!chart || !data || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(data.textContent);
    var config = {
      displayModeBar: false,
      responsive: true,
      scrollZoom: false,
      doubleClick: "reset",
    };
    window.Plotly.newPlot(chart, figure.data, figure.layout, config).then(function () {
      // The SVG inside is decoration for sighted users; the role="img" container is labelled.
      chart.querySelectorAll("svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
      });
      setUpZoom(chart, figure);
    });

    // Fit the chart to the paper when printing, and back to the screen afterwards.
    var resize = function () {
      window.Plotly.Plots.resize(chart);
    };
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
