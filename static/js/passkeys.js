// Passkeys (WebAuthn): adding one on the profile page, passwordless sign-in on the sign-in page.
// The server hands out the options as JSON (binary values base64url-encoded) and verifies
// the authenticator's answer; this script only converts between JSON and ArrayBuffers.
(function () {
  "use strict";

  function toBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBufferIds(list) {
    return (list || []).map(function (item) {
      var copy = Object.assign({}, item);
      copy.id = toBuffer(item.id);
      return copy;
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    options.excludeCredentials = withBufferIds(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.allowCredentials = withBufferIds(json.allowCredentials);
    return options;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) }
    };
    if (credential.authenticatorAttachment) { out.authenticatorAttachment = credential.authenticatorAttachment; }
    if (response.attestationObject) {
      out.response.attestationObject = toBase64url(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toBase64url(response.authenticatorData);
      out.response.signature = toBase64url(response.signature);
      out.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return out;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // POST JSON; resolves to {ok, status, data} whatever the answer (errors carry data.error).
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok && !response.redirected, status: response.status, data: data };
      });
    });
  }

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials && window.fetch);
  }

  function showAlert(element, message) {
    if (!element) { return; }
    element.textContent = message || "";
    element.hidden = !message;
  }

  function browserMessage(error, holder) {
    if (error && error.name === "NotAllowedError") { return holder.getAttribute("data-msg-cancelled"); }
    if (error && error.name === "InvalidStateError") { return holder.getAttribute("data-msg-exists"); }
    return holder.getAttribute("data-msg-failed");
  }

  // --- Adding a passkey (profile) -------------------------------------------------------

  function fieldError(form, name, message) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input) { return false; }
    var id = input.id + "-error";
    var feedback = document.getElementById(id);
    if (!feedback) {
      feedback = document.createElement("div");
      feedback.id = id;
      feedback.className = "invalid-feedback d-block";
      // Below the field's help text, where the server puts its own errors.
      (document.getElementById(input.id + "-help") || input).insertAdjacentElement("afterend", feedback);
    }
    feedback.textContent = message || "";
    feedback.hidden = !message;
    input.classList.toggle("is-invalid", !!message);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (part) { return part && part !== id; });
    if (message) { described.push(id); input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); } else { input.removeAttribute("aria-describedby"); }
    return true;
  }

  function setUpRegistration(form) {
    var button = form.querySelector("#passkey-add-button");
    var alertBox = document.getElementById("passkey-add-error");
    if (!supported()) {
      showAlert(document.getElementById("passkey-unsupported"), document.getElementById("passkey-unsupported").textContent);
      return;
    }
    button.disabled = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      showAlert(alertBox, "");
      ["name", "password"].forEach(function (name) { fieldError(form, name, ""); });
      var payload = { name: form.elements.namedItem("name").value, password: form.elements.namedItem("password").value };
      post(form.getAttribute("data-options-url"), payload).then(function (answer) {
        if (!answer.ok) { throw { server: answer.data }; }
        return navigator.credentials.create({ publicKey: creationOptions(answer.data) });
      }).then(function (credential) {
        return post(form.getAttribute("data-verify-url"), { credential: credentialJSON(credential) });
      }).then(function (answer) {
        if (!answer.ok) { throw { server: answer.data }; }
        window.location.assign(answer.data.redirect);
      }).catch(function (error) {
        button.disabled = false;
        var server = error && error.server;
        if (server && server.field && fieldError(form, server.field, server.error)) {
          form.elements.namedItem(server.field).focus();
          return;
        }
        showAlert(alertBox, (server && server.error) || browserMessage(error, form));
      });
    });
  }

  // --- Signing in with a passkey (sign-in page) -----------------------------------------

  function setUpSignIn(box) {
    if (!supported()) { return; }
    box.hidden = false;
    var button = box.querySelector("#passkey-sign-in-button");
    var alertBox = box.querySelector("#passkey-sign-in-error");
    var next = new URLSearchParams(window.location.search).get("next");
    var verifyUrl = box.getAttribute("data-verify-url") + (next ? "?next=" + encodeURIComponent(next) : "");
    button.addEventListener("click", function () {
      button.disabled = true;
      showAlert(alertBox, "");
      post(box.getAttribute("data-options-url")).then(function (answer) {
        if (!answer.ok) { throw { server: answer.data }; }
        return navigator.credentials.get({ publicKey: requestOptions(answer.data) });
      }).then(function (credential) {
        return post(verifyUrl, { credential: credentialJSON(credential) });
      }).then(function (answer) {
        if (!answer.ok) { throw { server: answer.data }; }
        window.location.assign(answer.data.redirect);
      }).catch(function (error) {
        button.disabled = false;
        var server = error && error.server;
        showAlert(alertBox, (server && server.error) || browserMessage(error, box));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("passkey-add-form");
    if (form) { setUpRegistration(form); }
    var box = document.getElementById("passkey-sign-in");
    if (box) { setUpSignIn(box); }
  });
})();
