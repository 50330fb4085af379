-- Sign-in failures by typed address (whether or not an account has it), for throttling.
CREATE TABLE signin_failures (
    email_key    text PRIMARY KEY,
    count        integer NOT NULL,
    last_at      timestamptz NOT NULL,
    locked_until timestamptz
);
