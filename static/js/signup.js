// Sign-up conveniences; the form works without them.
(function () {
  "use strict";
  var currencyByLanguage = { pt: "BRL", en: "USD", es: "EUR" };
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("signup-form");
    if (!form) { return; }
    var language = form.querySelector("#locale");
    var currency = form.querySelector("#currency");
    var timezone = form.querySelector("#timezone");
    var currencyTouched = false;
    if (currency) { currency.addEventListener("change", function () { currencyTouched = true; }); }
    if (language && currency) {
      language.addEventListener("change", function () {
        if (!currencyTouched && currencyByLanguage[language.value]) { currency.value = currencyByLanguage[language.value]; }
      });
    }
    // Suggest the browser's own time zone on a fresh form.
    if (timezone && !form.querySelector(".is-invalid") && !form.dataset.submitted) {
      try {
        var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        // Browsers may report an old name ("Asia/Calcutta") the list offers under its new one.
        var aliases = JSON.parse(timezone.getAttribute("data-aliases") || "{}");
        if (zone && aliases[zone]) { zone = aliases[zone]; }
        if (zone && timezone.querySelector('option[value="' + zone + '"]')) { timezone.value = zone; }
      } catch (e) { /* keep the server's default */ }
    }
  });
})();
