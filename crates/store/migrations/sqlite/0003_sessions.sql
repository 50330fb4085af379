-- Single sign-on sessions. The cookie holds a random token; only its SHA-256 is kept here.

CREATE TABLE sessions (
    id            BLOB PRIMARY KEY NOT NULL,
    token_digest  TEXT NOT NULL UNIQUE,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assurance     TEXT NOT NULL,
    methods       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    ended_at      INTEGER,
    user_agent    TEXT NOT NULL,
    address       TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
