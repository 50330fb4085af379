-- Sign-in failures by typed address (whether or not an account has it), for throttling.
CREATE TABLE signin_failures (
    email_key    TEXT PRIMARY KEY NOT NULL,
    count        INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    locked_until INTEGER
);
