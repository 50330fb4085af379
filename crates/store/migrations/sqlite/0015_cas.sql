-- CAS 3.0 services, each belonging to one application environment, and the service tickets
-- issued to them (issue 7). Tickets are kept only as SHA-256 digests (DESIGN.md §8).
CREATE TABLE cas_services (
    id                 BLOB PRIMARY KEY NOT NULL,
    application_id     BLOB NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment        TEXT NOT NULL,
    name               TEXT NOT NULL,
    -- An absolute URL; `prefix` matches it as a prefix within the same scheme and host.
    service_url        TEXT NOT NULL,
    match_kind         TEXT NOT NULL,
    proxy_allowed      INTEGER NOT NULL,
    single_logout_url  TEXT,
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX cas_services_application ON cas_services (application_id, environment);

CREATE TABLE cas_tickets (
    ticket_digest TEXT PRIMARY KEY NOT NULL,
    service_id    BLOB NOT NULL REFERENCES cas_services (id) ON DELETE CASCADE,
    -- The service URL exactly as the login request gave it: validation must repeat it.
    service_url   TEXT NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id    BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    renewed       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cas_tickets_expiry ON cas_tickets (expires_at);
