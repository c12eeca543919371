// Inactivity warning: a minute before the server would end the session, offer to stay
// signed in; on expiry go to sign-in. Tabs share the expiry through localStorage and a
// BroadcastChannel, so a page opened in one tab postpones the warning in all of them.
// Only opening pages and the explicit "Stay signed in" button count as activity.
(function () {
  "use strict";
  var root = document.getElementById("session-timeout");
  if (!root || !window.bootstrap) return;

  var warningMs = Number(root.dataset.warningSeconds) * 1000;
  var timeoutMs = Number(root.dataset.timeoutSeconds) * 1000;
  var storageKey = "finora.session.expiresAt." + root.dataset.session;
  var text = document.getElementById("session-timeout-text");
  var stay = document.getElementById("session-timeout-stay");
  var modal = window.bootstrap.Modal.getOrCreateInstance(root, { backdrop: "static", keyboard: false });
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("finora-session") : null;
  // The server counts whole seconds; leave it a moment so the server has ended it first.
  var expiresAt = Date.now() + Number(root.dataset.secondsLeft) * 1000 + 1500;
  var warnTimer = null, endTimer = null, tick = null, shown = false;

  function stored() {
    try { return Number(window.localStorage.getItem(storageKey)) || 0; } catch (e) { return 0; }
  }

  function publish() {
    try { window.localStorage.setItem(storageKey, String(expiresAt)); } catch (e) { /* private mode */ }
    if (channel) channel.postMessage({ session: root.dataset.session, expiresAt: expiresAt });
  }

  function countdown() {
    var seconds = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
    text.textContent = root.dataset.countdownText.replace("__SECONDS__", String(seconds));
  }

  function hideWarning() {
    if (tick) window.clearInterval(tick);
    tick = null;
    if (shown) modal.hide();
    shown = false;
  }

  function showWarning() {
    countdown();
    if (!tick) tick = window.setInterval(countdown, 1000);
    if (!shown) modal.show();
    shown = true;
  }

  function end(force) {
    if (!force && plausible(stored()) > expiresAt) { adopt(stored()); return; } // another tab was active
    hideWarning();
    var here = window.location.pathname + window.location.search;
    window.location.assign(root.dataset.loginUrl + "?next=" + encodeURIComponent(here));
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    var now = Date.now();
    if (expiresAt - now > warningMs) hideWarning();
    warnTimer = window.setTimeout(showWarning, Math.max(0, expiresAt - warningMs - now));
    endTimer = window.setTimeout(function () { end(false); }, Math.max(0, expiresAt - now));
  }

  // A stored expiry further away than a whole timeout is from an older setting: ignore it.
  function plausible(value) {
    return value <= Date.now() + timeoutMs + 2000 ? value : 0;
  }

  function adopt(value) {
    if (plausible(value) > expiresAt) {
      expiresAt = value;
      schedule();
    }
  }

  function keepAlive() {
    stay.disabled = true;
    var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
    window.fetch(root.dataset.keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error("session ended");
      return response.json();
    }).then(function (body) {
      if (typeof body.seconds_left !== "number") throw new Error("no timeout");
      expiresAt = Date.now() + body.seconds_left * 1000 + 1500;
      publish();
      schedule();
      hideWarning();
    }).catch(function () {
      end(true);
    }).finally(function () {
      stay.disabled = false;
    });
  }

  stay.addEventListener("click", keepAlive);
  window.addEventListener("storage", function (event) {
    if (event.key === storageKey && event.newValue) adopt(Number(event.newValue));
  });
  if (channel) {
    channel.addEventListener("message", function (event) {
      if (event.data && event.data.session === root.dataset.session) adopt(Number(event.data.expiresAt));
    });
  }
  // This page load was activity: tell the other tabs (unless one knows of later activity).
  if (plausible(stored()) > expiresAt) expiresAt = stored();
  else publish();
  schedule();
})();
