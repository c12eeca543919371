// E-mail import form: the port follows the security choice (993 for SSL/TLS, 143 for
// STARTTLS) while it still holds the other's usual port. Without this script the form is
// sent as shown.
(function () {
  "use strict";
  var form = document.getElementById("email-import-form");
  if (!form) { return; }
  var security = form.querySelector("select[name='security']");
  var port = form.querySelector("input[name='port']");
  if (!security || !port) { return; }
  var usual = { ssl: "993", starttls: "143" };
  security.addEventListener("change", function () {
    if (port.value === "" || port.value === "993" || port.value === "143") {
      port.value = usual[security.value] || port.value;
    }
  });
})();
