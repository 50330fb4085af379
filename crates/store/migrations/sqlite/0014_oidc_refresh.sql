-- Refresh tokens (issue 7), kept only as SHA-256 digests. Each belongs to a family: the
-- tokens descended from one code exchange. A refresh marks its token used and issues the
-- next one in the family; presenting a used token again revokes the whole family.
ALTER TABLE oidc_clients ADD COLUMN refresh_token_seconds INTEGER NOT NULL DEFAULT 28800;

CREATE TABLE oidc_refresh_tokens (
    token_digest TEXT PRIMARY KEY NOT NULL,
    family_id    BLOB NOT NULL,
    client_id    BLOB NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id   BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    acr          TEXT NOT NULL,
    amr          TEXT NOT NULL,
    auth_time    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used         INTEGER NOT NULL DEFAULT 0,
    revoked      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX oidc_refresh_tokens_family ON oidc_refresh_tokens (family_id);
CREATE INDEX oidc_refresh_tokens_expiry ON oidc_refresh_tokens (expires_at);

-- Access tokens are self-contained JWTs: revoking one records its jti until it expires.
CREATE TABLE oidc_revoked_tokens (
    jti        TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX oidc_revoked_tokens_expiry ON oidc_revoked_tokens (expires_at);
