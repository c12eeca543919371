// E-mail import form: the port follows the security choice (993 for SSL/TLS, 143 for
// STARTTLS) while it still holds the other's usual port; the "text after the amount" field
// rests while "the amount ends at the end of its line" is ticked. Without this script the
// form is sent as shown.
(function () {
  "use strict";
  var form = document.getElementById("email-import-form");
  if (!form) { return; }
  var security = form.querySelector("select[name='security']");
  var port = form.querySelector("input[name='port']");
  var usual = { ssl: "993", starttls: "143" };
  if (security && port) {
    security.addEventListener("change", function () {
      var others = Object.keys(usual).map(function (key) { return usual[key]; });
      if (port.value === "" || others.indexOf(port.value) !== -1) { port.value = usual[security.value] || port.value; }
    });
  }
  var endOfLine = form.querySelector("input[type='checkbox'][name='end_of_line']");
  var endText = form.querySelector("input[name='end_delimiter']");
  if (endOfLine && endText) {
    var follow = function () { endText.disabled = endOfLine.checked; };
    endOfLine.addEventListener("change", follow);
    follow();
  }
})();
