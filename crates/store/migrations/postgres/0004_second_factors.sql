-- Second factors: phone numbers for SMS and voice codes, each user's default method, and the
-- challenges of sign-ins waiting for a code.

CREATE TABLE phone_numbers (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number      text NOT NULL,
    verified    boolean NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, number)
);

CREATE TABLE second_factor_defaults (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    method      text NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- A sign-in that passed the password step and waits for its code. The browser holds a
-- random token (kept here as its digest); the code is kept as a digest too.
CREATE TABLE signin_challenges (
    token_digest text PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method       text NOT NULL,
    phone        text NOT NULL,
    code_digest  text NOT NULL,
    attempts     INTEGER NOT NULL,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX signin_challenges_user ON signin_challenges (user_id);
