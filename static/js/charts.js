// Renders the Plotly figures the server built (data-figure) and follows the colour theme.
// A figure's "locale" (month and day names, separators; built from Babel on the server) is
// registered once and named in the config, so dates and numbers read in the page's language.
// A slice or bar can lead somewhere: data-filter-url ("__ID__" -> category id) or
// data-month-url (month 99 -> the clicked month).
(function () {
  "use strict";
  if (!window.Plotly) { return; }

  function themeColors() {
    var style = window.getComputedStyle(document.body);
    return {
      text: style.getPropertyValue("color").trim() || "#212529",
      grid: document.documentElement.getAttribute("data-bs-theme") === "dark" ? "#3a4047" : "#e3e6ea"
    };
  }

  function themed(layout) {
    var colors = themeColors();
    layout.font = Object.assign({}, layout.font || {}, { color: colors.text });
    ["xaxis", "yaxis"].forEach(function (axis) {
      if (layout[axis]) { layout[axis].gridcolor = colors.grid; layout[axis].zerolinecolor = colors.grid; }
    });
    return layout;
  }

  var registered = {};

  function localeName(locale) {
    if (!locale || !locale.name) { return null; }
    if (!registered[locale.name]) {
      window.Plotly.register(locale);
      registered[locale.name] = true;
    }
    return locale.name;
  }

  function render(element) {
    var figure = JSON.parse(element.getAttribute("data-figure"));
    // No mode bar: its buttons are focusable controls inside an image, and its "share"
    // button would offer to upload the household's figures to Plotly's cloud.
    var config = { responsive: true, displaylogo: false, displayModeBar: false, showSendToCloud: false, showLink: false };
    var locale = localeName(figure.locale);
    if (locale) { config.locale = locale; }
    window.Plotly.newPlot(element, figure.data, themed(figure.layout), config).then(function () {
      var filterUrl = element.getAttribute("data-filter-url");
      var monthUrl = element.getAttribute("data-month-url");
      if (!filterUrl && !monthUrl) { return; }
      element.classList.add("chart-clickable");
      element.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (!point || point.customdata === undefined) { return; }
        if (filterUrl) {
          window.location.href = filterUrl.replace("__ID__", encodeURIComponent(point.customdata));
        } else {
          window.location.href = monthUrl.replace(/\/99$/, "/" + point.customdata);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var charts = document.querySelectorAll(".chart[data-figure]");
    charts.forEach(render);
    new MutationObserver(function () {
      charts.forEach(function (element) { window.Plotly.relayout(element, themed({ xaxis: element.layout.xaxis, yaxis: element.layout.yaxis })); });
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-bs-theme"] });
  });
})();
