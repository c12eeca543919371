// Entry form conveniences; the form works without them (the server checks everything).
// - categories follow the chosen type, subcategories follow the chosen category;
// - the "Paid" switch fills "Paid on" with today and clears it when switched off.
(function () {
  "use strict";

  function isoToday() {
    var now = new Date();
    var offset = now.getTimezoneOffset() * 60000;
    return new Date(now.getTime() - offset).toISOString().slice(0, 10);
  }

  function filterOptions(select, keep) {
    var options = select.querySelectorAll("option");
    options.forEach(function (option) {
      var visible = option.value === "" || keep(option);
      option.hidden = !visible;
      option.disabled = !visible;
    });
    select.querySelectorAll("optgroup").forEach(function (group) {
      var any = Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      group.hidden = !any;
    });
    var selected = select.options[select.selectedIndex];
    if (selected && selected.hidden) { select.value = ""; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("entry-form");
    if (!form) { return; }
    var category = form.querySelector("#category_id");
    var subcategory = form.querySelector("#subcategory_id");
    var kinds = form.querySelectorAll('input[name="kind"]');
    var paid = form.querySelector("#paid");
    var paidOn = form.querySelector("#paid_on");

    function currentKind() {
      var checked = form.querySelector('input[name="kind"]:checked');
      return checked ? checked.value : "expense";
    }
    function syncCategories() {
      filterOptions(category, function (o) { return o.dataset.kind === currentKind(); });
      syncSubcategories();
    }
    function syncSubcategories() {
      filterOptions(subcategory, function (o) { return o.dataset.parent === category.value; });
      subcategory.disabled = category.value === "";
    }
    kinds.forEach(function (radio) { radio.addEventListener("change", syncCategories); });
    category.addEventListener("change", syncSubcategories);
    syncCategories();

    if (paid && paidOn) {
      paid.addEventListener("change", function () {
        if (paid.checked && !paidOn.value) { paidOn.value = isoToday(); }
        if (!paid.checked) { paidOn.value = ""; }
      });
      paidOn.addEventListener("change", function () { if (paidOn.value) { paid.checked = true; } });
    }
  });
})();
