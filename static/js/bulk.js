// The Transactions page's bulk bar: a "tick every row" box, how many rows are ticked, and
// Enter in the tags field pressing Add tags.
// Without this script the checkboxes and the bar's buttons work the same.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Enter in the tags field adds the tags (the form's first button sets the category).
    var tagsField = document.getElementById("bulk_tags");
    var addTags = document.getElementById("bulk-tag-add");
    if (tagsField && addTags) {
      tagsField.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); addTags.click(); }
      });
    }
    var box = document.getElementById("select-all-box");
    var all = document.getElementById("select-all");
    var status = document.getElementById("bulk-status");
    var picks = Array.prototype.slice.call(document.querySelectorAll("input.bulk-pick"));
    if (!box || !all || !status || !picks.length) { return; }

    function update() {
      var ticked = picks.filter(function (box) { return box.checked; }).length;
      status.textContent = ticked
        ? status.getAttribute("data-some").replace("__N__", String(ticked))
        : status.getAttribute("data-none");
      all.checked = ticked === picks.length;
      all.indeterminate = ticked > 0 && ticked < picks.length;
    }

    box.hidden = false;
    all.addEventListener("change", function () {
      picks.forEach(function (box) { box.checked = all.checked; });
      update();
    });
    picks.forEach(function (box) { box.addEventListener("change", update); });
    update();
  });
})();
