// Security keys and passkeys: the browser half of the WebAuthn ceremonies. The server sends
// options as JSON with binary fields in base64url; the browser's API wants ArrayBuffers, and
// its answer goes back as JSON with base64url again. Pages work without this file except for
// the steps that need a key, which say so.
"use strict";

(function () {
  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(options) {
    var key = options.publicKey;
    key.challenge = toBytes(key.challenge);
    key.user.id = toBytes(key.user.id);
    (key.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return { publicKey: key };
  }

  function requestOptions(options, mediation) {
    var key = options.publicKey;
    key.challenge = toBytes(key.challenge);
    (key.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    var request = { publicKey: key };
    if (mediation) request.mediation = mediation;
    return request;
  }

  function created(credential) {
    var r = credential.response;
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      extensions: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: {
        attestationObject: toText(r.attestationObject),
        clientDataJSON: toText(r.clientDataJSON),
        transports: r.getTransports ? r.getTransports() : []
      }
    };
  }

  function asserted(credential) {
    var r = credential.response;
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      extensions: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: {
        authenticatorData: toText(r.authenticatorData),
        clientDataJSON: toText(r.clientDataJSON),
        signature: toText(r.signature),
        userHandle: toText(r.userHandle)
      }
    };
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) throw new Error(json.detail || json.title || "The request failed.");
        return json;
      });
    });
  }

  // The page puts its texts, in the visitor's language, in data-msg-* attributes of the form.
  function msg(root, name, english) {
    return root.getAttribute("data-msg-" + name) || english;
  }

  function show(root, message) {
    var box = root.querySelector("[data-webauthn-error]");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    box.focus();
  }

  function failure(root) {
    return function (error) {
      var message = error && error.name === "NotAllowedError"
        ? msg(root, "cancelled", "The security key did not answer, or the request was cancelled. Try again.")
        : (error && error.message) || msg(root, "failed", "Something went wrong. Try again.");
      show(root, message);
    };
  }

  function csrfOf(root) {
    var field = root.querySelector("input[name=csrf]");
    return field ? field.value : "";
  }

  // Adding a key in My Account: a form with a name field.
  function register(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var csrf = csrfOf(form);
      var name = form.querySelector("input[name=name]").value;
      post(form.dataset.options, csrf).then(function (start) {
        return navigator.credentials.create(creationOptions(start.options)).then(function (credential) {
          return post(form.action, csrf, { token: start.token, name: name, credential: created(credential) });
        });
      }).then(function (done) { window.location.assign(done.redirect); }, failure(form));
    });
  }

  // A passkey request waiting in the e-mail field's autofill (conditional mediation).
  var waiting = null;

  // Where the browser offers passkeys in the autofill of the e-mail field, ask for one
  // quietly; choosing it signs in. The button below still works (and cancels this).
  function offerInAutofill(form) {
    var check = window.PublicKeyCredential && PublicKeyCredential.isConditionalMediationAvailable;
    if (!check || !document.querySelector("input[autocomplete~=webauthn]")) return;
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (!available) return;
      var csrf = csrfOf(form);
      return post(form.dataset.options, csrf).then(function (start) {
        waiting = new AbortController();
        var request = requestOptions(start.options, "conditional");
        request.signal = waiting.signal;
        return navigator.credentials.get(request).then(function (credential) {
          return post(form.action, csrf, { token: start.token, credential: asserted(credential) });
        });
      }).then(function (done) { window.location.assign(done.redirect); });
    }).catch(function () { /* dismissed or cancelled: nothing to show */ });
  }

  // Using a key: the second step of signing in, or signing in with a passkey alone.
  function use(form) {
    if (form.dataset.autofill === "passkey") offerInAutofill(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (waiting) { waiting.abort(); waiting = null; }
      var csrf = csrfOf(form);
      post(form.dataset.options, csrf).then(function (start) {
        return navigator.credentials.get(requestOptions(start.options)).then(function (credential) {
          return post(form.action, csrf, { token: start.token || "", credential: asserted(credential) });
        });
      }).then(function (done) { window.location.assign(done.redirect); }, failure(form));
    });
  }

  function ready() {
    var supported = !!(window.PublicKeyCredential && navigator.credentials);
    document.querySelectorAll("[data-webauthn]").forEach(function (form) {
      if (!supported) {
        show(form, msg(form, "unsupported", "This browser cannot use security keys or passkeys."));
        return;
      }
      var button = form.querySelector("button");
      if (button) button.disabled = false;
      if (form.dataset.webauthn === "register") register(form); else use(form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
