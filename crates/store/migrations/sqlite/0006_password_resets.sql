-- "Lost your password?" links: single use, short-lived, kept as digests.
CREATE TABLE password_resets (
    token_digest TEXT PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);
