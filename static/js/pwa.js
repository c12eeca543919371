// The installable app on this page: registers the service worker (signed-in pages only),
// tells it this device's choice about keeping pages offline and the page's language, shows
// the offline banner while the browser has no network, offers the install button when the
// browser does, and asks the worker to delete everything it keeps when someone signs out.
(function () {
  "use strict";
  var CHOICE_KEY = "finora-offline-pages";
  var script = document.currentScript;
  var workerUrl = script && script.getAttribute("data-worker");
  var hasWorkers = "serviceWorker" in navigator;

  function keepPages() {
    try { return localStorage.getItem(CHOICE_KEY) === "on"; } catch (e) { return false; }
  }

  function saveChoice(keep) {
    try {
      if (keep) { localStorage.setItem(CHOICE_KEY, "on"); } else { localStorage.removeItem(CHOICE_KEY); }
    } catch (e) { /* private mode: nothing is kept */ }
  }

  function tellWorker(message) {
    if (!hasWorkers) { return Promise.resolve(); }
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage(message); }
    });
  }

  if (hasWorkers && workerUrl) {
    navigator.serviceWorker.register(workerUrl, { scope: "/" }).then(function () {
      tellWorker({ type: "offline-pages", keep: keepPages() });
      tellWorker({ type: "language", language: document.documentElement.lang });
    }).catch(function () { /* no worker: the app still works online */ });
  }

  // The banner, while the browser says it has no network.
  function showConnection() {
    var banner = document.getElementById("offline-banner");
    if (banner) { banner.hidden = navigator.onLine; }
  }
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);

  // The offline page: try again by hand, or by itself when the network returns.
  var offlinePage = document.body && document.body.hasAttribute("data-offline-page");
  window.addEventListener("online", function () { if (offlinePage) { window.location.reload(); } });

  // Install: Chromium offers it through beforeinstallprompt; the buttons wait for it.
  var installPrompt = null;
  function installButtons() { return document.querySelectorAll("[data-pwa-install]"); }
  function showInstall(visible) {
    installButtons().forEach(function (button) { button.hidden = !visible; });
  }
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    installPrompt = event;
    showInstall(true);
  });
  window.addEventListener("appinstalled", function () {
    installPrompt = null;
    showInstall(false);
  });

  // This device's choice (the profile's "This device" page).
  function showChoice(box) {
    var state = document.getElementById("offline-pages-state");
    if (!state) { return; }
    state.textContent = state.getAttribute(box.checked ? "data-on" : "data-off");
  }

  document.addEventListener("DOMContentLoaded", function () {
    showConnection();
    installButtons().forEach(function (button) {
      button.addEventListener("click", function () {
        if (!installPrompt) { return; }
        installPrompt.prompt();
        installPrompt.userChoice.then(function () { installPrompt = null; showInstall(false); });
      });
    });
    document.querySelectorAll("[data-pwa-retry]").forEach(function (button) {
      button.addEventListener("click", function () { window.location.reload(); });
    });
    var box = document.getElementById("offline-pages-choice");
    if (box) {
      box.disabled = !hasWorkers;
      box.checked = hasWorkers && keepPages();
      showChoice(box);
      box.addEventListener("change", function () {
        saveChoice(box.checked);
        tellWorker({ type: "offline-pages", keep: box.checked });
        showChoice(box);
      });
    }
  });

  // Sign-out: the worker deletes every cache before the server's Clear-Site-Data arrives.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // getAttribute, not form.action: a field named "action" (the import review has one)
    // shadows the property with an element.
    var action = form.getAttribute ? form.getAttribute("action") : null;
    if (event.defaultPrevented || !action) { return; }
    var target;
    try { target = new URL(action, window.location.href); } catch (error) { return; }
    if (!/\/logout$/.test(target.pathname)) { return; }
    saveChoice(false);
    if (hasWorkers && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "sign-out" });
    }
  });
})();
