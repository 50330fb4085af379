-- "Lost your password?" links: single use, short-lived, kept as digests.
CREATE TABLE password_resets (
    token_digest text PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);
