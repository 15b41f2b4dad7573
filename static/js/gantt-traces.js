// The Plotly traces of the Gantt chart for a window of its rows (used by gantt.js).
//
// The page embeds every row of the plan as a compact array (tracker/plan/gantt.py gantt_data);
// only the rows in view become traces, so a plan of 20,000 tasks draws as fast as one of 30.
// Rows are numbered from 0 down the chart: row n is drawn at y = n on a reversed numeric axis.
//
// Names and people come from users. Plotly draws a subset of HTML in hover text (a name like
// <a href="https://evil.example">x</a> would become a live link), so every piece of user text
// is escaped here (escapeText) before Plotly sees it; the chart's own <b> and <br> are kept.
(function () {
  "use strict";

  var DAY = 24 * 3600 * 1000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var HOVER = "%{hovertext}<extra></extra>";
  var GREY = "#6f777b";
  var BLACK = "#0b0c0c";

  function escapeText(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&#34;") // as markupsafe: Plotly decodes numeric entities
      .replace(/'/g, "&#39;");
  }

  function isoDay(day) {
    return new Date(day * DAY).toISOString().slice(0, 10);
  }

  function midday(day) {
    return isoDay(day) + " 12:00";
  }

  // "26 Feb 2010", as the tracker writes dates.
  function formatDate(day) {
    var date = new Date(day * DAY);
    return date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] + " " + date.getUTCFullYear();
  }

  // "+31 days", "-2 days", "0 days", as tracker.filters.days.
  function formatDays(value) {
    var unit = Math.abs(value) === 1 ? "day" : "days";
    return value ? (value > 0 ? "+" : "") + value + " " + unit : "0 " + unit;
  }

  // The rows as objects with named fields, from the arrays of the embedded data.
  function readRows(data) {
    return data.rows.map(function (values, index) {
      var row = { index: index };
      data.fields.forEach(function (field, n) {
        row[field] = values[n];
      });
      row.progress = row.style === null ? "" : data.styles[row.style].label;
      return row;
    });
  }

  function hoverText(row) {
    var parts = ["<b>" + escapeText(row.label) + "</b>"];
    if (row.kind === "milestone") {
      parts.push("Scheduled " + formatDate(row.finish));
      if (row.forecast_finish !== row.finish) {
        parts.push("Forecast " + formatDate(row.forecast_finish) + " (" + formatDays(row.slip) + ")");
      }
    } else {
      parts.push(formatDate(row.start) + " to " + formatDate(row.finish));
      if (row.slip) {
        parts.push(
          "Forecast " + formatDate(row.forecast_start) + " to " +
            formatDate(row.forecast_finish) + " (" + formatDays(row.slip) + ")"
        );
      }
    }
    if (row.actual_finish !== null) parts.push("Finished " + formatDate(row.actual_finish));
    if (row.progress) parts.push("Progress: " + escapeText(row.progress));
    if (row.baseline_finish !== null) {
      parts.push("Baseline finish " + formatDate(row.baseline_finish));
    }
    if (row.critical) parts.push("On the critical path");
    if (row.responsible) parts.push("Responsible: " + escapeText(row.responsible));
    return parts.join("<br>");
  }

  // Horizontal bars on the date axis: each starts at `base` and is `x` milliseconds long,
  // covering whole days from its first day to the end of its last.
  function bar(rows, span, options) {
    var trace = {
      type: "bar",
      orientation: "h",
      y: rows.map(function (r) { return r.index; }),
      base: rows.map(function (r) { return isoDay(span(r)[0]); }),
      x: rows.map(function (r) {
        var s = span(r);
        return Math.max(s[1] - s[0] + 1, 1) * DAY;
      }),
    };
    if (options.hover === false) {
      trace.hoverinfo = "skip";
    } else {
      trace.hovertext = rows.map(hoverText);
      trace.hovertemplate = HOVER;
    }
    delete options.hover;
    return Object.assign(trace, options);
  }

  function forecastSpan(row) {
    return [row.forecast_start, row.forecast_finish];
  }

  function barTraces(rows, styles) {
    var tasks = rows.filter(function (r) { return r.kind === "task"; });
    var traces = [];
    var baselined = tasks.filter(function (r) { return r.baseline_finish !== null; });
    if (baselined.length) {
      traces.push(bar(baselined, function (r) { return [r.baseline_start, r.baseline_finish]; }, {
        hover: false, name: "Baseline (faint wide bar)", width: 0.8,
        marker: { color: "rgba(80, 90, 95, 0.22)", line: { width: 0 } },
      }));
    }
    var stages = rows.filter(function (r) { return r.kind === "stage"; });
    if (stages.length) {
      traces.push(bar(stages, forecastSpan, {
        name: "Stage (black summary bar)", width: 0.35, marker: { color: BLACK },
      }));
    }
    styles.forEach(function (style, n) {
      var group = tasks.filter(function (r) { return r.style === n; });
      if (!group.length) return;
      traces.push(bar(group, forecastSpan, {
        name: style.name, width: 0.55,
        marker: {
          color: style.colour,
          pattern: {
            shape: style.pattern, fgcolor: "#ffffff", fillmode: "overlay", size: 6, solidity: 0.35,
          },
          line: { color: style.colour, width: 1 },
        },
      }));
    });
    var critical = tasks.filter(function (r) { return r.critical; });
    if (critical.length) {
      traces.push(bar(critical, forecastSpan, {
        name: "Critical path (thick outline)", width: 0.7,
        marker: { color: "rgba(0, 0, 0, 0)", line: { color: BLACK, width: 3 } },
      }));
    }
    return traces;
  }

  // Milestones as diamonds at their forecast; a pushed one keeps an open diamond on its
  // scheduled date and says how far it was pushed.
  function milestoneTraces(rows) {
    var milestones = rows.filter(function (r) { return r.kind === "milestone"; });
    var pushed = milestones.filter(function (r) { return r.slip > 0; });
    var traces = [];
    var y = function (r) { return r.index; };
    if (pushed.length) {
      traces.push({
        type: "scatter", mode: "markers", name: "Milestone scheduled date (open diamond)",
        x: pushed.map(function (r) { return midday(r.finish); }), y: pushed.map(y),
        marker: { symbol: "diamond-open", size: 13, color: "#505a5f", line: { width: 2 } },
        hovertext: pushed.map(hoverText), hovertemplate: HOVER,
      });
    }
    if (milestones.length) {
      traces.push({
        type: "scatter", mode: "markers+text", name: "Milestone (diamond; “pushed” when it moves)",
        x: milestones.map(function (r) { return midday(r.forecast_finish); }),
        y: milestones.map(y),
        marker: {
          symbol: "diamond", size: 15,
          color: milestones.map(function (r) { return r.slip > 0 ? "#d4351c" : BLACK; }),
          line: { color: BLACK, width: milestones.map(function (r) { return r.critical ? 3 : 1; }) },
        },
        text: milestones.map(function (r) { return r.slip > 0 ? "pushed " + formatDays(r.slip) : ""; }),
        textposition: "middle right", textfont: { size: 11, color: BLACK }, cliponaxis: false,
        hovertext: milestones.map(hoverText), hovertemplate: HOVER,
      });
    }
    return traces;
  }

  // One trace of arrows for the dependencies with an end in view, from the end of the
  // predecessor's bar (or its diamond) to the start of the successor's bar (or its diamond).
  function dependencyTrace(rows, links, first, last) {
    var x = [];
    var y = [];
    var size = [];
    links.forEach(function (link) {
      if ((link[0] < first || link[0] > last) && (link[1] < first || link[1] > last)) return;
      var pred = rows[link[0]];
      var succ = rows[link[1]];
      var origin = pred.kind === "milestone" ? midday(pred.forecast_finish)
        : isoDay(pred.forecast_finish + 1);
      var target = succ.kind === "milestone" ? midday(succ.forecast_finish)
        : isoDay(succ.forecast_start);
      x.push(origin, target, null);
      y.push(link[0], link[1], null);
      size.push(0, 9, 0);
    });
    if (!x.length) return [];
    return [{
      type: "scatter", mode: "lines+markers", name: "Dependency (arrow)", x: x, y: y,
      line: { color: GREY, width: 1 },
      marker: { symbol: "arrow", angleref: "previous", size: size, color: GREY },
      hoverinfo: "skip", connectgaps: false,
    }];
  }

  // The traces for rows first .. first + count - 1 of all `rows`.
  function windowTraces(rows, data, first, count) {
    var shown = rows.slice(first, first + count);
    return barTraces(shown, data.styles)
      .concat(milestoneTraces(shown))
      .concat(dependencyTrace(rows, data.links, first, first + count - 1));
  }

  window.GanttTraces = {
    DAY: DAY,
    escapeText: escapeText,
    readRows: readRows,
    windowTraces: windowTraces,
  };
})();
