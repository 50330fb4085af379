-- OpenID Connect clients, each belonging to one application environment, and the
-- authorization codes issued to them (issue 7). Secrets and codes are kept only as SHA-256
-- digests: they are high-entropy values Tessera generates (DESIGN.md §8).
CREATE TABLE oidc_clients (
    id                        uuid PRIMARY KEY,
    client_id                 TEXT NOT NULL UNIQUE,
    application_id            uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment               TEXT NOT NULL,
    name                      TEXT NOT NULL,
    -- NULL for a public client, which must use PKCE.
    secret_digest             TEXT,
    -- Newline-separated lists: URIs never contain a newline.
    redirect_uris             TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    grant_types               TEXT NOT NULL,
    access_token_seconds      BIGINT NOT NULL,
    id_token_seconds          BIGINT NOT NULL,
    version                   BIGINT NOT NULL,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL
);
CREATE INDEX oidc_clients_application ON oidc_clients (application_id, environment);

CREATE TABLE oidc_codes (
    code_digest           TEXT PRIMARY KEY NOT NULL,
    client_id             uuid NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id            uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    redirect_uri          TEXT NOT NULL,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    nonce                 TEXT,
    scope                 TEXT NOT NULL,
    acr                   TEXT NOT NULL,
    amr                   TEXT NOT NULL,
    auth_time             timestamptz NOT NULL,
    created_at            timestamptz NOT NULL,
    expires_at            timestamptz NOT NULL,
    used                  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX oidc_codes_expiry ON oidc_codes (expires_at);
