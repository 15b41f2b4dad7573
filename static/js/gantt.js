// Draws the Gantt chart of the timeline page with /vendor/plotly.min.js.
//
// The figure is built on the server (tracker/plan/gantt.py) and embedded in the page as JSON in
// <script type="application/json" id="gantt-figure">. The table under the chart carries the same
// information, so the chart itself is hidden from assistive technology behind its aria-label.
(function () {
  "use strict";

  var DAY = 24 * 3600 * 1000;
  var MIN_WIDTH = 720; // px: below this the task names and months overlap

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

  // The axis of a zoomed view: dated weeks up to three months, months beyond (the figure's own).
  function axisFor(startMs, endMs, months) {
    var days = (endMs - startMs) / DAY;
    var axis = { "xaxis.range": [isoDay(startMs), isoDay(endMs)] };
    if (days <= 100) {
      axis["xaxis.tickmode"] = "linear";
      axis["xaxis.dtick"] = (days <= 40 ? 7 : 14) * DAY;
      axis["xaxis.tick0"] = "2000-01-03"; // a Monday: weeks start on Mondays
      axis["xaxis.tickformat"] = "%-d %b<br>%Y";
      axis["xaxis.ticklabelmode"] = "instant";
    } else {
      axis["xaxis.tickmode"] = "auto";
      axis["xaxis.dtick"] = null;
      axis["xaxis.tick0"] = null;
      axis["xaxis.tickformat"] = months.tickformat;
      axis["xaxis.ticklabelmode"] = months.ticklabelmode;
    }
    return axis;
  }

  function setUpZoom(chart, figure) {
    var zoom = document.querySelector("[data-gantt-zoom]");
    if (!zoom || !figure.layout.xaxis.range) {
      return; // nothing dated to zoom into
    }
    // Plotly changes figure.layout as the chart is zoomed: keep the whole plan's axis.
    var full = figure.layout.xaxis.range.slice();
    var months = {
      tickformat: figure.layout.xaxis.tickformat,
      ticklabelmode: figure.layout.xaxis.ticklabelmode,
    };
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
        window.Plotly.relayout(chart, axisFor(parseDay(full[0]), parseDay(full[1]), months));
        return;
      }
      if (move) {
        start = range[0] + Number(move) * width * 0.75;
        window.Plotly.relayout(chart, axisFor(start, start + width, months));
        return;
      }
      var span = Number(days) * DAY;
      // Centre the new span on today when today is in view, otherwise keep the left edge.
      start = today >= range[0] && today <= range[1] ? today - span / 3 : range[0];
      window.Plotly.relayout(chart, axisFor(start, start + span, months));
    });
  }

  function draw() {
    var chart = document.getElementById("gantt-chart");
    var data = document.getElementById("gantt-figure");
    if (!chart || !data || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(data.textContent);
    // On a narrow screen the chart keeps a readable width and scrolls sideways inside its box
    // (.app-gantt scrolls), instead of squeezing sixteen months into a phone's width; the box
    // then takes keyboard focus so that it can be scrolled without a mouse (WCAG 2.1.1).
    if (chart.clientWidth < MIN_WIDTH) {
      figure.layout.width = MIN_WIDTH;
      chart.setAttribute("tabindex", "0");
    }
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
