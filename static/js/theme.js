// Applies the colour theme before the page paints: the saved choice, else the system's.
(function () {
  "use strict";
  var stored = null;
  try { stored = localStorage.getItem("finora-theme"); } catch (e) { stored = null; }
  var prefersDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var theme = stored === "light" || stored === "dark" ? stored : (prefersDark ? "dark" : "light");
  document.documentElement.setAttribute("data-bs-theme", theme);
  document.documentElement.setAttribute("data-theme-choice", stored === "light" || stored === "dark" ? stored : "auto");
})();
