-- More of an OpenID Connect client's registration (issue 7): where its back-channel logout
-- tokens go, the assurance it needs beyond its application's, whether it is a third party
-- whose users must consent, how it authenticates at the token endpoint (with its public keys
-- for private_key_jwt), and the algorithm of its ID tokens.
ALTER TABLE oidc_clients ADD COLUMN backchannel_logout_uri TEXT;
ALTER TABLE oidc_clients ADD COLUMN min_assurance TEXT;
ALTER TABLE oidc_clients ADD COLUMN third_party INTEGER NOT NULL DEFAULT 0;
ALTER TABLE oidc_clients ADD COLUMN auth_method TEXT NOT NULL DEFAULT 'client_secret_basic';
ALTER TABLE oidc_clients ADD COLUMN jwks TEXT;
ALTER TABLE oidc_clients ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'ES256';
UPDATE oidc_clients SET auth_method = 'none' WHERE secret_digest IS NULL;

-- What a person allowed a third-party client to receive, so they are asked once per scope.
CREATE TABLE oidc_consents (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  BLOB NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    -- Space-separated scopes granted so far.
    scope      TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
