-- CAS 3.0 services, each belonging to one application environment, and the service tickets
-- issued to them (issue 7). Tickets are kept only as SHA-256 digests (DESIGN.md §8).
CREATE TABLE cas_services (
    id                 uuid PRIMARY KEY,
    application_id     uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment        TEXT NOT NULL,
    name               TEXT NOT NULL,
    -- An absolute URL; `prefix` matches it as a prefix within the same scheme and host.
    service_url        TEXT NOT NULL,
    match_kind         TEXT NOT NULL,
    proxy_allowed      BOOLEAN NOT NULL,
    single_logout_url  TEXT,
    version            BIGINT NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX cas_services_application ON cas_services (application_id, environment);

CREATE TABLE cas_tickets (
    ticket_digest TEXT PRIMARY KEY NOT NULL,
    service_id    uuid NOT NULL REFERENCES cas_services (id) ON DELETE CASCADE,
    -- The service URL exactly as the login request gave it: validation must repeat it.
    service_url   TEXT NOT NULL,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id    uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    renewed       BOOLEAN NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used          BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX cas_tickets_expiry ON cas_tickets (expires_at);
