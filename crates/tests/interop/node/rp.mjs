// openid-client (v6) as a relying party of Tessera, driven by
// crates/tests/tests/interop_openid_client.rs: one JSON request a line on standard input
// ({"op": ..., ...}), one JSON answer a line on standard output ({"ok": true, ...} or
// {"ok": false, "error": {...}}). Every check of the answers (ID token signature, issuer,
// audience, nonce, state, PKCE, subject of userinfo) is the library's own.
import * as client from 'openid-client';
import { createInterface } from 'node:readline';

let config;
// The authorization request in flight: what the library must find again in the answer.
let pending;

const ops = {
  // Discovery; the test server speaks plain HTTP on the loopback interface, which the
  // library refuses unless told otherwise.
  async discover({ issuer, client_id, client_secret }) {
    config = await client.discovery(
      new URL(issuer),
      client_id,
      client_secret,
      client.ClientSecretPost(client_secret),
      { execute: [client.allowInsecureRequests] },
    );
    return { metadata: config.serverMetadata() };
  },

  async authorize({ redirect_uri, scope }) {
    const verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    pending = { verifier, state: client.randomState(), nonce: client.randomNonce() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri,
      scope,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, state: pending.state, nonce: pending.nonce, code_challenge: challenge };
  },

  // The redirect back to the client, as the browser was sent there.
  async callback({ url }) {
    const tokens = await client.authorizationCodeGrant(config, new URL(url), {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    return { tokens: { ...tokens }, claims: tokens.claims() ?? null, expires_in: tokens.expiresIn() ?? null };
  },

  async userinfo({ access_token, sub }) {
    return { userinfo: await client.fetchUserInfo(config, access_token, sub) };
  },

  async refresh({ refresh_token }) {
    const tokens = await client.refreshTokenGrant(config, refresh_token);
    return { tokens: { ...tokens }, claims: tokens.claims() ?? null };
  },

  async end_session({ id_token_hint, post_logout_redirect_uri, state }) {
    const url = client.buildEndSessionUrl(config, { id_token_hint, post_logout_redirect_uri, state });
    return { url: url.href };
  },
};

// What went wrong, as the library says it: its error class and code, and the OAuth error
// code of the server's answer (from the body, or from a WWW-Authenticate challenge).
function describe(err) {
  const challenge = Array.isArray(err?.cause) ? err.cause[0] : undefined;
  return {
    name: err?.name ?? 'Error',
    code: err?.code ?? null,
    message: String(err?.message ?? err),
    status: err?.status ?? err?.cause?.status ?? null,
    oauth_error: err?.error ?? challenge?.parameters?.error ?? null,
  };
}

async function answer(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
  const op = ops[request.op];
  if (op === undefined) {
    return { ok: false, error: { name: 'UnknownOp', message: `no op ${request.op}` } };
  }
  try {
    return { ok: true, ...(await op(request)) };
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
}

// One request at a time, in order.
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') continue;
  process.stdout.write(JSON.stringify(await answer(line)) + '\n');
}
