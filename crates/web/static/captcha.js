// The CAPTCHA's proof of work, solved by this browser alone: no third party, nothing sent
// but the answer. For each form's [data-captcha] field it counts n = 0, 1, 2, ... until
// SHA-256(nonce bytes || decimal text of n) starts with `difficulty` zero bits, then puts n
// in the hidden captcha_solution field. Hashing goes through WebCrypto in batches, awaiting
// each, so the page stays responsive. "New code" fetches a new challenge instead of posting
// the form. Without this script (or without WebCrypto, which needs https or localhost) the
// person types the code from the picture or the recording, and the server accepts that.
"use strict";
(function () {
  const BATCH = 512;

  function hexToBytes(hex) {
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i += 1) {
      bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    }
    return bytes;
  }

  function leadingZeroBits(digest) {
    const bytes = new Uint8Array(digest);
    let bits = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      if (bytes[i] === 0) {
        bits += 8;
        continue;
      }
      return bits + Math.clz32(bytes[i]) - 24;
    }
    return bits;
  }

  // The page puts its texts, in the visitor's language, in data-msg-* attributes of the field.
  function msg(field, name, english) {
    return field.getAttribute("data-msg-" + name) || english;
  }

  function say(field, text) {
    const status = field.querySelector("[data-captcha-status]");
    if (status) {
      status.textContent = text;
    }
  }

  // Solves the field's current challenge; a newer challenge (New code) stops an older run.
  async function solve(field) {
    const difficulty = parseInt(field.dataset.difficulty || "0", 10);
    const nonceHex = field.dataset.nonce || "";
    const solution = field.querySelector("[data-captcha-solution]");
    if (!solution || !difficulty || !nonceHex) {
      return;
    }
    if (!(window.crypto && window.crypto.subtle)) {
      say(field, msg(field, "type", "Type the code from the picture, or listen to it."));
      return;
    }
    const run = (field.captchaRun || 0) + 1;
    field.captchaRun = run;
    solution.value = "";
    const nonce = hexToBytes(nonceHex);
    const encoder = new TextEncoder();
    const expected = Math.pow(2, difficulty);
    let lastShown = -1;
    say(field, msg(field, "working", "Your browser is checking that you are a person. You can go on filling in the form."));
    for (let start = 0; start < Number.MAX_SAFE_INTEGER; start += BATCH) {
      const candidates = [];
      const digests = [];
      for (let n = start; n < start + BATCH; n += 1) {
        const text = encoder.encode(String(n));
        const input = new Uint8Array(nonce.length + text.length);
        input.set(nonce, 0);
        input.set(text, nonce.length);
        candidates.push(n);
        digests.push(window.crypto.subtle.digest("SHA-256", input));
      }
      const done = await Promise.all(digests);
      if (field.captchaRun !== run) {
        return;
      }
      for (let i = 0; i < done.length; i += 1) {
        if (leadingZeroBits(done[i]) >= difficulty) {
          solution.value = String(candidates[i]);
          say(field, msg(field, "done", "Done: your browser has answered the check. You do not need to type the code."));
          return;
        }
      }
      // A rough share of the expected work, in steps of 10 %, so screen readers are not
      // flooded; never 100 % before it is really done.
      const share = Math.min(90, Math.floor((start / expected) * 10) * 10);
      if (share !== lastShown) {
        lastShown = share;
        say(field, msg(field, "progress", "Your browser is checking that you are a person: about {share} % done.").replace("{share}", String(share)));
      }
    }
  }

  async function newCode(field, event) {
    event.preventDefault();
    say(field, msg(field, "fetching", "Getting a new code…"));
    let challenge;
    try {
      const response = await fetch("/captcha/challenge", {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        say(field, msg(field, "busy", "No new code could be given now. Wait a minute, then try again."));
        return;
      }
      challenge = await response.json();
    } catch (error) {
      say(field, msg(field, "offline", "No new code could be given now. Check your connection."));
      return;
    }
    field.querySelector("[data-captcha-id]").value = challenge.id;
    field.querySelector("[data-captcha-image]").src = challenge.image;
    field.querySelector("[data-captcha-audio]").href = challenge.audio;
    const typed = field.querySelector("input[name=captcha_code]");
    if (typed) {
      typed.value = "";
    }
    field.dataset.nonce = challenge.nonce;
    field.dataset.difficulty = String(challenge.difficulty);
    say(field, "A new code is shown.");
    solve(field);
  }

  document.querySelectorAll("[data-captcha]").forEach(function (field) {
    const button = field.querySelector("[data-captcha-new]");
    if (button && field.querySelector("[data-captcha-id]")) {
      button.addEventListener("click", function (event) {
        newCode(field, event);
      });
    }
    solve(field);
  });
})();
