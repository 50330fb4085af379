-- Single sign-on sessions. The cookie holds a random token; only its SHA-256 is kept here.

CREATE TABLE sessions (
    id            uuid PRIMARY KEY,
    token_digest  text NOT NULL UNIQUE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assurance     text NOT NULL,
    methods       text NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    ended_at      timestamptz,
    user_agent    text NOT NULL,
    address       text NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
