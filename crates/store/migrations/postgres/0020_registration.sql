-- Self-registration (issue 8). People without an organisation create their own account in
-- the one level flagged `external` (made by bootstrap below the root); each application
-- environment says whether it accepts such accounts.
ALTER TABLE levels ADD COLUMN external BOOLEAN NOT NULL DEFAULT FALSE;

-- The application environments that accept external (self-registered) accounts: a row
-- means yes; none (the default) means no.
CREATE TABLE external_environments (
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment    TEXT NOT NULL,
    PRIMARY KEY (application_id, environment)
);

-- A registration waiting for its verification link: one per account, the link kept as a
-- digest. `return_to` is the path of the request (an OIDC authorization, a CAS login) that
-- sent the person to register, so "Proceed" works even when the link opens in a new tab.
CREATE TABLE registrations (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    return_to    TEXT,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX registrations_expiry ON registrations (expires_at);

-- Registration and notice e-mails sent per address (case-insensitive key), for the daily
-- limit per address; rows older than a day are swept.
CREATE TABLE registration_sends (
    email_key TEXT NOT NULL,
    sent_at   timestamptz NOT NULL
);
CREATE INDEX registration_sends_key ON registration_sends (email_key, sent_at);
