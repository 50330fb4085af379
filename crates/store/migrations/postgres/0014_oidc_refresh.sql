-- Refresh tokens (issue 7), kept only as SHA-256 digests. Each belongs to a family: the
-- tokens descended from one code exchange. A refresh marks its token used and issues the
-- next one in the family; presenting a used token again revokes the whole family.
ALTER TABLE oidc_clients ADD COLUMN refresh_token_seconds BIGINT NOT NULL DEFAULT 28800;

CREATE TABLE oidc_refresh_tokens (
    token_digest TEXT PRIMARY KEY NOT NULL,
    family_id    uuid NOT NULL,
    client_id    uuid NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id   uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    acr          TEXT NOT NULL,
    amr          TEXT NOT NULL,
    auth_time    timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used         BOOLEAN NOT NULL DEFAULT FALSE,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX oidc_refresh_tokens_family ON oidc_refresh_tokens (family_id);
CREATE INDEX oidc_refresh_tokens_expiry ON oidc_refresh_tokens (expires_at);

-- Access tokens are self-contained JWTs: revoking one records its jti until it expires.
CREATE TABLE oidc_revoked_tokens (
    jti        TEXT PRIMARY KEY NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_revoked_tokens_expiry ON oidc_revoked_tokens (expires_at);
