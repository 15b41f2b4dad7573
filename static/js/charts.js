// Draws every Plotly figure embedded in the page, with /vendor/plotly.min.js.
//
// A page embeds a figure built on the server as JSON:
//
//   <div id="spend-chart" class="app-chart" role="img" aria-label="What the chart shows"></div>
//   <script type="application/json" data-plotly-for="spend-chart">{"data": [...], "layout": {...}}</script>
//
// and loads this script (after plotly.min.js). Any number of charts may be on one page. Each
// chart has a table or text alternative on the page, so the drawing itself is hidden from
// assistive technology behind the container's aria-label.
(function () {
  "use strict";

  var CONFIG = {
    displayModeBar: false,
    responsive: true,
    scrollZoom: false,
    doubleClick: "reset",
  };

  function merge(base, extra) {
    var result = {};
    var key;
    for (key in base) {
      if (Object.prototype.hasOwnProperty.call(base, key)) {
        result[key] = base[key];
      }
    }
    for (key in extra || {}) {
      if (Object.prototype.hasOwnProperty.call(extra, key)) {
        result[key] = extra[key];
      }
    }
    return result;
  }

  function hideDrawing(target) {
    target.querySelectorAll("svg").forEach(function (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    });
  }

  function drawOne(source) {
    var target = document.getElementById(source.getAttribute("data-plotly-for"));
    if (!target || target.getAttribute("data-plotly-drawn") === "true") {
      return null;
    }
    var figure;
    try {
      figure = JSON.parse(source.textContent);
    } catch (error) {
      return null; // the table alternative is still on the page
    }
    target.setAttribute("data-plotly-drawn", "true");
    return window.Plotly.newPlot(
      target,
      figure.data || [],
      figure.layout || {},
      merge(CONFIG, figure.config)
    ).then(function () {
      hideDrawing(target);
      return target;
    });
  }

  function drawAll() {
    if (!window.Plotly) {
      return; // without plotly.js the tables carry the figures
    }
    var charts = [];
    document
      .querySelectorAll('script[type="application/json"][data-plotly-for]')
      .forEach(function (source) {
        var drawn = drawOne(source);
        if (drawn) {
          charts.push(drawn);
        }
      });
    if (!charts.length) {
      return;
    }
    // Fit the charts to the paper when printing, and back to the screen afterwards.
    var resize = function () {
      document.querySelectorAll('[data-plotly-drawn="true"]').forEach(function (target) {
        window.Plotly.Plots.resize(target);
      });
    };
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
