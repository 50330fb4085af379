-- Second factors people manage themselves: authenticator apps, security keys and passkeys,
-- phone numbers waiting for their confirmation code. A sign-in challenge may now be any
-- method, and may step up a session that already exists instead of opening a new one.

CREATE TABLE authenticator_apps (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- The shared secret, sealed with the installation's secret key.
    secret       BLOB NOT NULL,
    -- Unconfirmed until the person types a first code from the app.
    confirmed    INTEGER NOT NULL,
    -- The last time step whose code was used: a code is good once.
    last_step    INTEGER,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX authenticator_apps_user ON authenticator_apps (user_id);

CREATE TABLE security_keys (
    id            BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    -- Hex of the WebAuthn credential id: one key belongs to one account.
    credential_id TEXT NOT NULL UNIQUE,
    -- The public key and signature counter (webauthn-rs Passkey, as JSON).
    passkey       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX security_keys_user ON security_keys (user_id);

CREATE TABLE phone_confirmations (
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number      TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, number)
);

-- WebAuthn ceremonies waiting for the browser's answer (registering a key, signing in with a
-- passkey alone). The browser holds a random token, kept here as its digest.
CREATE TABLE webauthn_ceremonies (
    token_digest TEXT PRIMARY KEY NOT NULL,
    user_id      BLOB REFERENCES users (id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL,
    state        TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);

ALTER TABLE second_factor_defaults ADD COLUMN phone TEXT;
ALTER TABLE signin_challenges ADD COLUMN needed TEXT NOT NULL DEFAULT 'medium';
ALTER TABLE signin_challenges ADD COLUMN session_id BLOB;
ALTER TABLE signin_challenges ADD COLUMN ceremony TEXT;
