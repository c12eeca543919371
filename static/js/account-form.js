// New account: "Include in the cash-flow forecast" follows the chosen type (the types in
// data-forecast-kinds count by default) until the person ticks or clears the box. Without
// this script the box is sent as shown, and its hint names the default.
(function () {
  "use strict";
  var form = document.querySelector("form[data-forecast-kinds]");
  if (!form) { return; }
  var kind = form.querySelector("select[name='kind']");
  var box = form.querySelector("input[type='checkbox'][name='include_in_forecast']");
  if (!kind || !box) { return; }
  var kinds = form.getAttribute("data-forecast-kinds").split(" ");
  var chosenByHand = false;
  box.addEventListener("change", function () { chosenByHand = true; });
  function follow() {
    if (!chosenByHand) { box.checked = kinds.indexOf(kind.value) !== -1; }
  }
  kind.addEventListener("change", follow);
  follow();
})();
