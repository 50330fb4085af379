-- CAS 3.0 proxying (§2.5.4, §2.7): proxy-granting tickets, kept as SHA-256 digests, bound to
-- the session and the service they were granted to, expiring with the session. Proxy
-- tickets are service tickets that name the proxying service (the PGT's callback URL).
CREATE TABLE cas_proxy_granting_tickets (
    pgt_digest  TEXT PRIMARY KEY,
    service_id  uuid NOT NULL REFERENCES cas_services (id) ON DELETE CASCADE,
    -- The callback URL the ticket was delivered to: the proxying service in `cas:proxy`.
    pgt_url     TEXT NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX cas_proxy_granting_tickets_expiry ON cas_proxy_granting_tickets (expires_at);
ALTER TABLE cas_tickets ADD COLUMN proxied_by TEXT;
