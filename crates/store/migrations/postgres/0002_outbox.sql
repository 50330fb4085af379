-- The transactional outbox: messages written with the change that causes them, delivered
-- by workers that claim them for a while (a lease), with every attempt recorded.

CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    channel         text NOT NULL,
    recipient       text NOT NULL,
    template        text NOT NULL,
    language        text NOT NULL,
    -- The message's values (codes, links), sealed under the secret key.
    payload_sealed  bytea NOT NULL,
    state           text NOT NULL,
    attempts        integer NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    claimed_by      text,
    claimed_until   timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    finished_at     timestamptz
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE outbox_attempts (
    message_id  uuid NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempt     integer NOT NULL,
    worker      text NOT NULL,
    finished_at timestamptz NOT NULL,
    outcome     text NOT NULL,
    error       text,
    PRIMARY KEY (message_id, attempt, worker)
);
