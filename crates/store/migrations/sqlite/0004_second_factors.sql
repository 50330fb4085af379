-- Second factors: phone numbers for SMS and voice codes, each user's default method, and the
-- challenges of sign-ins waiting for a code.

CREATE TABLE phone_numbers (
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number      TEXT NOT NULL,
    verified    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, number)
);

CREATE TABLE second_factor_defaults (
    user_id     BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method      TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A sign-in that passed the password step and waits for its code. The browser holds a
-- random token (kept here as its digest); the code is kept as a digest too.
CREATE TABLE signin_challenges (
    token_digest TEXT PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method       TEXT NOT NULL,
    phone        TEXT NOT NULL,
    code_digest  TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX signin_challenges_user ON signin_challenges (user_id);
