-- OpenID Connect clients, each belonging to one application environment, and the
-- authorization codes issued to them (issue 7). Secrets and codes are kept only as SHA-256
-- digests: they are high-entropy values Tessera generates (DESIGN.md §8).
CREATE TABLE oidc_clients (
    id                        BLOB PRIMARY KEY NOT NULL,
    client_id                 TEXT NOT NULL UNIQUE,
    application_id            BLOB NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment               TEXT NOT NULL,
    name                      TEXT NOT NULL,
    -- NULL for a public client, which must use PKCE.
    secret_digest             TEXT,
    -- Newline-separated lists: URIs never contain a newline.
    redirect_uris             TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    grant_types               TEXT NOT NULL,
    access_token_seconds      INTEGER NOT NULL,
    id_token_seconds          INTEGER NOT NULL,
    version                   INTEGER NOT NULL,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
);
CREATE INDEX oidc_clients_application ON oidc_clients (application_id, environment);

CREATE TABLE oidc_codes (
    code_digest           TEXT PRIMARY KEY NOT NULL,
    client_id             BLOB NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    user_id               BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id            BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    redirect_uri          TEXT NOT NULL,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    nonce                 TEXT,
    scope                 TEXT NOT NULL,
    acr                   TEXT NOT NULL,
    amr                   TEXT NOT NULL,
    auth_time             INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL,
    used                  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX oidc_codes_expiry ON oidc_codes (expires_at);
