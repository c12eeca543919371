// Loaded just before plotly.js on chart pages. Plotly injects its own <style> elements,
// which the Content Security Policy blocks unless they carry this page's nonce: give every
// style element created by a script the nonce this script was loaded with. Styles in the
// HTML itself stay blocked, so the policy still stops injected markup.
(function () {
  "use strict";
  var script = document.currentScript;
  var nonce = script && script.nonce;
  if (!nonce) { return; }
  var createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (tagName, options) {
    var element = createElement.call(this, tagName, options);
    if (String(tagName).toLowerCase() === "style") { element.setAttribute("nonce", nonce); }
    return element;
  };
})();
