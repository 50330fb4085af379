-- Core schema: organisation levels, users, passwords, roles, audit trail, settings, keys.
-- Ids are UUIDs (16-byte blobs); times are microseconds since the epoch (see src/ts.rs).

CREATE TABLE levels (
    id          BLOB PRIMARY KEY NOT NULL,
    parent_id   BLOB REFERENCES levels (id),
    name        TEXT NOT NULL,
    -- '/' + the ids from the root down to this level, each followed by '/'.
    path        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX levels_parent ON levels (parent_id);

CREATE TABLE users (
    id          BLOB PRIMARY KEY NOT NULL,
    level_id    BLOB NOT NULL REFERENCES levels (id),
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    email       TEXT NOT NULL,
    email_key   TEXT NOT NULL UNIQUE,
    company_id  TEXT,
    expires_at  INTEGER,
    language    TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_by  BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX users_level ON users (level_id);

CREATE TABLE password_credentials (
    user_id     BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    phc         TEXT NOT NULL,
    set_at      INTEGER NOT NULL
);

CREATE TABLE role_grants (
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    level_id    BLOB NOT NULL REFERENCES levels (id),
    granted_by  BLOB REFERENCES users (id) ON DELETE SET NULL,
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, role, level_id)
);
CREATE INDEX role_grants_role ON role_grants (role);

-- Append-only and hash-chained; actor and target ids are kept as values, not foreign keys,
-- so that deleting a user never deletes or alters the history of what they did.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY NOT NULL,
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    BLOB,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT,
    level_id    BLOB,
    outcome     TEXT NOT NULL,
    request_id  TEXT,
    details     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);

-- The chain's head: updating this one row serialises appends from every node.
CREATE TABLE audit_head (
    id          INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE setup_tokens (
    digest      TEXT PRIMARY KEY NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Signing keys; the private half sealed (AEAD) under the secret key from configuration.
CREATE TABLE signing_keys (
    kid             TEXT PRIMARY KEY NOT NULL,
    algorithm       TEXT NOT NULL,
    private_sealed  BLOB NOT NULL,
    public_jwk      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    retires_at      INTEGER
);
