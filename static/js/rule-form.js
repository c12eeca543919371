// Rule form convenience; the form works without it (the server checks everything):
// categories follow the chosen type, subcategories follow the chosen category.
(function () {
  "use strict";

  function filterOptions(select, keep) {
    select.querySelectorAll("option").forEach(function (option) {
      var visible = option.value === "" || keep(option);
      option.hidden = !visible;
      option.disabled = !visible;
    });
    select.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
    });
    var selected = select.options[select.selectedIndex];
    if (selected && selected.hidden) { select.value = ""; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("rule-form");
    if (!form) { return; }
    var category = form.querySelector("#category_id");
    var subcategory = form.querySelector("#subcategory_id");

    function currentKind() {
      var checked = form.querySelector('input[name="kind"]:checked');
      return checked ? checked.value : "expense";
    }
    function syncSubcategories() {
      filterOptions(subcategory, function (o) { return o.dataset.parent === category.value; });
      subcategory.disabled = category.value === "";
    }
    function syncCategories() {
      filterOptions(category, function (o) { return o.dataset.kind === currentKind(); });
      syncSubcategories();
    }
    // "Mark as paid" for an expense, "Mark as received" for income.
    function syncMarkPaidWords() {
      var label = form.querySelector('label[for="mark_paid"]');
      var words = form.dataset[currentKind() === "income" ? "markPaidIncome" : "markPaidExpense"];
      if (label && words) { label.textContent = words; }
    }
    form.querySelectorAll('input[name="kind"]').forEach(function (radio) {
      radio.addEventListener("change", syncCategories);
      radio.addEventListener("change", syncMarkPaidWords);
    });
    category.addEventListener("change", syncSubcategories);
    syncCategories();
  });
})();
