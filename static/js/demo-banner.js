// The demo banner's countdown: the time left until the demo expires (data-expires-at, UTC),
// refreshed every 20 seconds; once it is over, the expired text.
(function () {
  "use strict";
  var node = document.getElementById("demo-countdown");
  if (!node) return;
  var expiresAt = Date.parse(node.dataset.expiresAt);
  if (isNaN(expiresAt)) return;
  var timer = null;

  function show() {
    var seconds = Math.floor((expiresAt - Date.now()) / 1000);
    if (seconds <= 0) {
      node.textContent = node.dataset.expiredText;
      if (timer) window.clearInterval(timer);
      return;
    }
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    node.textContent = node.dataset.text
      .replace("__H__", String(hours))
      .replace("__M__", (minutes < 10 ? "0" : "") + String(minutes));
  }

  show();
  timer = window.setInterval(show, 20000);
})();
