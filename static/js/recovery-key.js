// One-time secrets (recovery key, backup codes): download as a .txt file and print
// (static/css/secret-sheet.css prints the sheet alone).
// The text comes from the page itself; nothing is fetched, so it cannot be shown again later.
(function () {
  "use strict";

  function download(button) {
    var blob = new Blob([button.getAttribute("data-download-text")], { type: "text/plain;charset=utf-8" });
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = button.getAttribute("data-download-name") || "finora.txt";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }


  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-download-text], [data-print]");
    if (!target) { return; }
    if (target.hasAttribute("data-download-text")) { download(target); } else { window.print(); }
  });
})();
