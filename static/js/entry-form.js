// Entry form conveniences; the form works without them (the server checks everything).
// - categories follow the chosen type, subcategories follow the chosen category;
// - the "Paid" switch fills "Paid on" with today and clears it when switched off;
// - for income the switch and its date read "Received" and "Received on".
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
    // Money in is "received", money out "paid": the switch, its date and the hint follow
    // the type (the server renders the words of the type it was given).
    function syncPaidWords() {
      var words = form.dataset["paidWords" + (currentKind() === "income" ? "Income" : "Expense")];
      if (!words || !paid || !paidOn) { return; }
      words = JSON.parse(words);
      var paidLabel = form.querySelector('label[for="paid"]');
      var paidOnLabel = form.querySelector('label[for="paid_on"]');
      var hint = document.getElementById("paid_on-help");
      if (paidLabel) { paidLabel.textContent = words[0]; }
      if (paidOnLabel) { paidOnLabel.textContent = words[1]; }
      if (hint) { hint.textContent = words[2]; }
    }
    kinds.forEach(function (radio) {
      radio.addEventListener("change", syncCategories);
      radio.addEventListener("change", syncPaidWords);
    });
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
