-- Who to tell when a single sign-on session ends (issue 7: single logout). The OpenID
-- Connect clients that got a code in the session, and each CAS service ticket issued in it:
-- a service finds its own session by the ticket, so the ticket is kept, sealed under the
-- installation's secret key (associated data: the row's id), never in clear. Rows go when
-- the session's notices are queued, or with the session.
CREATE TABLE session_oidc_clients (
    session_id    BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    client        BLOB NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    first_used_at INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, client)
);

CREATE TABLE session_cas_tickets (
    id            BLOB PRIMARY KEY NOT NULL,
    session_id    BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    service_id    BLOB NOT NULL REFERENCES cas_services (id) ON DELETE CASCADE,
    -- The service URL the ticket was issued for: where the notice goes when the service
    -- registered no single logout URL.
    service_url   TEXT NOT NULL,
    ticket_sealed BLOB NOT NULL,
    issued_at     INTEGER NOT NULL
);
CREATE INDEX session_cas_tickets_session ON session_cas_tickets (session_id);
