-- private_key_jwt client authentication (issue 7): each client assertion's jti is kept until
-- the assertion expires, so it is accepted once. The primary key makes the insert that
-- records a jti the test of whether it was used, on every node at once.
CREATE TABLE oidc_used_assertions (
    client_id  uuid NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    jti        TEXT NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX oidc_used_assertions_expiry ON oidc_used_assertions (expires_at);
