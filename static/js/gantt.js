// Draws the Gantt chart of the timeline page with /vendor/plotly.min.js.
//
// The server embeds every row of the plan as compact data in
// <script type="application/json" id="gantt-data"> (tracker/plan/gantt.py); gantt-traces.js
// turns a window of rows into Plotly traces. Only ROWS rows are drawn at a time: scrolling the
// chart (wheel, arrow keys, Page Up/Down, Home/End when it has focus) or the row controls above
// it re-draws the window with Plotly.react. Row names sit beside the plot as HTML, set with
// textContent. The paginated table under the chart carries the same information, so the chart
// itself is hidden from assistive technology behind its aria-label.
(function () {
  "use strict";

  var ROWS = 30; // rows in view
  var ROW_HEIGHT = 24; // px
  var TOP = 56; // px above the rows: the dates
  var BOTTOM = 28; // px below: the status date
  var T = window.GanttTraces;
  var DAY = T.DAY;

  function parseDay(text) {
    // "2010-02-26" or "2010-02-26 12:00" as a UTC time in milliseconds.
    var parts = String(text).slice(0, 10).split("-");
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  // The axis of a zoomed view: dated weeks up to three months, months beyond.
  function axisFor(startMs, endMs) {
    var days = (endMs - startMs) / DAY;
    var axis = { range: [isoDay(startMs), isoDay(endMs)] };
    if (days <= 100) {
      axis.tickmode = "linear";
      axis.dtick = (days <= 40 ? 7 : 14) * DAY;
      axis.tick0 = "2000-01-03"; // a Monday: weeks start on Mondays
      axis.tickformat = "%-d %b<br>%Y";
      axis.ticklabelmode = "instant";
    } else {
      axis.tickmode = "auto";
      axis.dtick = null;
      axis.tick0 = null;
      axis.tickformat = "%b<br>%Y";
      axis.ticklabelmode = "period";
    }
    return axis;
  }

  function layoutFor(gantt) {
    var count = Math.max(Math.min(ROWS, gantt.rows.length), 4);
    var layout = {
      barmode: "overlay",
      height: TOP + BOTTOM + ROW_HEIGHT * count,
      margin: { l: 4, r: 110, t: TOP, b: BOTTOM },
      font: { family: "Arial, sans-serif", size: 12, color: "#0b0c0c" },
      plot_bgcolor: "#ffffff",
      paper_bgcolor: "#ffffff",
      hovermode: "closest",
      showlegend: false,
      xaxis: Object.assign(
        { type: "date", side: "top", showgrid: true, gridcolor: "#e5e6e7", tickangle: 0 },
        gantt.xaxis
      ),
      yaxis: {
        range: [gantt.first + count - 0.5, gantt.first - 0.5],
        showticklabels: false, showgrid: false, zeroline: false, fixedrange: true,
      },
      shapes: [],
      annotations: [],
    };
    var today = gantt.data.today;
    if (today) {
      layout.shapes.push({
        type: "line", xref: "x", yref: "paper", x0: today.day + " 12:00", x1: today.day + " 12:00",
        y0: 0, y1: 1, line: { color: "#d4351c", width: 2, dash: "dash" },
      });
      layout.annotations.push({
        x: today.day + " 12:00", xref: "x", y: 0, yref: "paper", yanchor: "top",
        text: T.escapeText(today.text), showarrow: false, font: { color: "#d4351c" },
      });
    }
    if (!gantt.rows.length) {
      layout.annotations.push({
        text: "Nothing to show", showarrow: false, xref: "paper", yref: "paper",
      });
    }
    return layout;
  }

  // The row names beside the plot, one line per row in view, aligned with its bars.
  function drawNames(gantt) {
    var names = gantt.names;
    names.style.paddingTop = TOP + "px";
    names.textContent = "";
    gantt.rows.slice(gantt.first, gantt.first + ROWS).forEach(function (row) {
      var name = document.createElement("div");
      name.className = "app-gantt__name app-gantt__name--" + row.kind;
      name.style.height = name.style.lineHeight = ROW_HEIGHT + "px";
      name.textContent = (row.kind === "milestone" ? "◆ " : "") + row.label;
      name.title = row.label;
      names.appendChild(name);
    });
  }

  function showPosition(gantt) {
    var total = gantt.rows.length;
    var last = Math.min(gantt.first + ROWS, total);
    gantt.chart.setAttribute("data-gantt-first-row", String(gantt.first + 1));
    if (gantt.range) gantt.range.value = String(gantt.first + 1);
    if (gantt.shown) {
      gantt.shown.textContent =
        "Rows " + (gantt.first + 1).toLocaleString("en-GB") + " to " +
        last.toLocaleString("en-GB") + " of " + total.toLocaleString("en-GB") + " shown on the chart";
    }
  }

  function render(gantt) {
    var traces = T.windowTraces(gantt.rows, gantt.data, gantt.first, ROWS);
    drawNames(gantt);
    showPosition(gantt);
    return window.Plotly.react(gantt.plot, traces, layoutFor(gantt), gantt.config);
  }

  // Re-draw at most once a frame, however fast the wheel or keys move the window.
  function scrollTo(gantt, first) {
    var top = Math.max(0, Math.min(first, gantt.rows.length - ROWS));
    if (top === gantt.first) return false;
    gantt.first = top;
    if (!gantt.pending) {
      gantt.pending = true;
      window.requestAnimationFrame(function () {
        gantt.pending = false;
        render(gantt);
      });
    }
    return true;
  }

  function zoomTo(gantt, axis) {
    gantt.xaxis = axis;
    render(gantt);
  }

  function setUpZoom(gantt) {
    var zoom = document.querySelector("[data-gantt-zoom]");
    var full = gantt.data.range;
    if (!zoom || !full) return; // nothing dated to zoom into
    var today = parseDay(gantt.chart.getAttribute("data-today"));
    zoom.hidden = false;
    zoom.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var range = [parseDay(gantt.xaxis.range[0]), parseDay(gantt.xaxis.range[1])];
      var width = range[1] - range[0];
      var days = button.getAttribute("data-days");
      var move = button.getAttribute("data-move");
      var start;
      if (days === "all") {
        zoomTo(gantt, axisFor(parseDay(full[0]), parseDay(full[1])));
      } else if (move) {
        start = range[0] + Number(move) * width * 0.75;
        zoomTo(gantt, axisFor(start, start + width));
      } else {
        var span = Number(days) * DAY;
        // Centre the new span on today when today is in view, otherwise keep the left edge.
        start = today >= range[0] && today <= range[1] ? today - span / 3 : range[0];
        zoomTo(gantt, axisFor(start, start + span));
      }
    });
    // A drag on the plot zooms it too: keep its dates when the rows move.
    gantt.plot.on("plotly_relayout", function (change) {
      if (change["xaxis.range[0]"] && change["xaxis.range[1]"]) {
        gantt.xaxis = axisFor(parseDay(change["xaxis.range[0]"]), parseDay(change["xaxis.range[1]"]));
      }
    });
  }

  var KEYS = { ArrowDown: 1, ArrowUp: -1, PageDown: ROWS, PageUp: -ROWS };

  function setUpScrolling(gantt) {
    var controls = document.querySelector("[data-gantt-rows]");
    if (gantt.rows.length <= ROWS) return; // every row is in view
    gantt.chart.addEventListener("keydown", function (event) {
      var step = KEYS[event.key];
      var target = event.key === "Home" ? 0 : event.key === "End" ? gantt.rows.length : null;
      if (step !== undefined) target = gantt.first + step;
      if (target !== null && scrollTo(gantt, target)) event.preventDefault();
    });
    gantt.chart.addEventListener("wheel", function (event) {
      if (!event.deltaY || event.shiftKey) return; // sideways: the page's own scrolling
      var rows = Math.max(1, Math.round(Math.abs(event.deltaY) / (event.deltaMode ? 1 : 40)));
      // At the first or last row the page scrolls on, as a scroll box would let it.
      if (scrollTo(gantt, gantt.first + (event.deltaY > 0 ? rows : -rows))) event.preventDefault();
    }, { passive: false });
    if (!controls) return;
    controls.hidden = false;
    gantt.range = controls.querySelector("input[type=range]");
    gantt.shown = document.getElementById("gantt-rows-shown");
    gantt.range.max = String(gantt.rows.length - ROWS + 1);
    showPosition(gantt);
    gantt.range.addEventListener("input", function () {
      scrollTo(gantt, Number(gantt.range.value) - 1);
    });
    controls.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-rows]");
      if (button) scrollTo(gantt, gantt.first + Number(button.getAttribute("data-rows")) * ROWS);
    });
  }

  function draw() {
    var chart = document.getElementById("gantt-chart");
    var source = document.getElementById("gantt-data");
    if (!chart || !source || !window.Plotly || !T) return;
    if (window.performance && performance.mark) performance.mark("gantt-start");
    var data = JSON.parse(source.textContent);
    var inner = document.createElement("div");
    inner.className = "app-gantt__inner";
    var gantt = {
      chart: chart,
      data: data,
      rows: T.readRows(data),
      first: 0,
      names: inner.appendChild(document.createElement("div")),
      plot: inner.appendChild(document.createElement("div")),
      xaxis: data.range ? axisFor(parseDay(data.range[0]), parseDay(data.range[1])) : {},
      config: { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false },
    };
    gantt.names.className = "app-gantt__names";
    gantt.plot.className = "app-gantt__plot";
    chart.appendChild(inner);
    render(gantt).then(function () {
      // The SVG inside is decoration for sighted users; the role="img" container is labelled.
      chart.querySelectorAll("svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
      });
      // Focusable: its rows move with the keys, and on a narrow screen it scrolls sideways.
      chart.setAttribute("tabindex", "0");
      chart.setAttribute("data-gantt-drawn", "true");
      if (window.performance && performance.mark) performance.mark("gantt-drawn");
      setUpZoom(gantt);
      setUpScrolling(gantt);
    });

    // Fit the chart to the paper when printing, and back to the screen afterwards.
    var resize = function () {
      window.Plotly.Plots.resize(gantt.plot);
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
