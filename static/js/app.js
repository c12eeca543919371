// Page behaviour shared by every page: the theme toggle.
(function () {
  "use strict";
  var root = document.documentElement;
  var icons = { light: "bi-sun", dark: "bi-moon-stars", auto: "bi-circle-half" };

  function systemTheme() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function apply(choice) {
    // Switch instantly: without this, every control fades separately through its colours.
    root.classList.add("theme-switching");
    root.setAttribute("data-theme-choice", choice);
    root.setAttribute("data-bs-theme", choice === "auto" ? systemTheme() : choice);
    window.getComputedStyle(root).getPropertyValue("color");
    window.requestAnimationFrame(function () { root.classList.remove("theme-switching"); });
    var button = document.getElementById("theme-toggle");
    if (!button) { return; }
    var label = button.getAttribute("data-label-" + choice);
    button.setAttribute("aria-label", label);
    button.setAttribute("title", label);
    var icon = button.querySelector(".bi");
    if (icon) { icon.className = "bi " + icons[choice]; }
  }

  function save(choice) {
    try {
      if (choice === "auto") { localStorage.removeItem("finora-theme"); }
      else { localStorage.setItem("finora-theme", choice); }
    } catch (e) { /* private mode: the choice lasts for this page only */ }
  }

  document.addEventListener("DOMContentLoaded", function () {
    apply(root.getAttribute("data-theme-choice") || "auto");
    var button = document.getElementById("theme-toggle");
    if (button) {
      button.addEventListener("click", function () {
        // From "system", the first click always changes what is on screen: the opposite
        // of the system's theme, then the system's own, then back to following it.
        var current = root.getAttribute("data-theme-choice") || "auto";
        var opposite = systemTheme() === "dark" ? "light" : "dark";
        var next = current === "auto" ? opposite : (current === opposite ? systemTheme() : "auto");
        save(next);
        apply(next);
      });
    }
    if (window.matchMedia) {
      window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
        if ((root.getAttribute("data-theme-choice") || "auto") === "auto") { apply("auto"); }
      });
    }
  });

  // Destructive forms ask first (data-confirm holds the translated question).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  window.addEventListener("storage", function (event) {
    if (event.key === "finora-theme") { apply(event.newValue || "auto"); }
  });
})();
