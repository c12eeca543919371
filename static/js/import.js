// Import pages; they work without this file (the server does everything):
// the upload's drop zone takes a dragged file, and on the column mapping a changed
// reading option (encoding, separator, header row, sheet) shows the preview again.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-drop-zone]").forEach(function (zone) {
      var input = zone.querySelector('input[type="file"]');
      if (!input) { return; }
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("is-dragging");
        });
      });
      ["dragleave", "dragend"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("is-dragging"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        zone.classList.remove("is-dragging");
        var files = event.dataTransfer && event.dataTransfer.files;
        if (files && files.length) {
          var one = new DataTransfer();
          one.items.add(files[0]);
          input.files = one.files;
          input.dispatchEvent(new Event("change", {bubbles: true}));
        }
      });
    });

    var mapping = document.getElementById("import-mapping-form");
    var refresh = document.getElementById("import-refresh");
    if (mapping && refresh) {
      ["encoding", "delimiter", "header_row", "sheet"].forEach(function (id) {
        var select = mapping.querySelector("#" + id);
        if (!select) { return; }
        select.addEventListener("change", function () {
          if (mapping.requestSubmit) { mapping.requestSubmit(refresh); } else { refresh.click(); }
        });
      });
    }
  });
})();
