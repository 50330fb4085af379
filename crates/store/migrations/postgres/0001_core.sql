-- Core schema: organisation levels, users, passwords, roles, audit trail, settings, keys.
-- The same tables as migrations/sqlite, in PostgreSQL's native types.

CREATE TABLE levels (
    id          uuid PRIMARY KEY,
    parent_id   uuid REFERENCES levels (id),
    name        text NOT NULL,
    -- '/' + the ids from the root down to this level, each followed by '/'. Byte order
    -- ("C" collation) so that a subtree is one index range.
    path        text COLLATE "C" NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint NOT NULL
);
CREATE INDEX levels_parent ON levels (parent_id);

CREATE TABLE users (
    id          uuid PRIMARY KEY,
    level_id    uuid NOT NULL REFERENCES levels (id),
    first_name  text NOT NULL,
    last_name   text NOT NULL,
    email       text NOT NULL,
    email_key   text NOT NULL UNIQUE,
    company_id  text,
    expires_at  timestamptz,
    language    text NOT NULL,
    status      text NOT NULL,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint NOT NULL
);
CREATE INDEX users_level ON users (level_id);

CREATE TABLE password_credentials (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    phc         text NOT NULL,
    set_at      timestamptz NOT NULL
);

CREATE TABLE role_grants (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL,
    level_id    uuid NOT NULL REFERENCES levels (id),
    granted_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    granted_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, role, level_id)
);
CREATE INDEX role_grants_role ON role_grants (role);

-- Append-only and hash-chained; actor and target ids are kept as values, not foreign keys,
-- so that deleting a user never deletes or alters the history of what they did.
CREATE TABLE audit_events (
    seq         bigint PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_kind  text NOT NULL,
    actor_id    uuid,
    action      text NOT NULL,
    target_type text NOT NULL,
    target_id   text,
    level_id    uuid,
    outcome     text NOT NULL,
    request_id  text,
    details     text NOT NULL,
    prev_hash   text NOT NULL,
    hash        text NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);

-- The chain's head: updating this one row serialises appends from every node.
CREATE TABLE audit_head (
    id          integer PRIMARY KEY CHECK (id = 1),
    seq         bigint NOT NULL,
    hash        text NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE setup_tokens (
    digest      text PRIMARY KEY,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

CREATE TABLE settings (
    key         text PRIMARY KEY,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Signing keys; the private half sealed (AEAD) under the secret key from configuration.
CREATE TABLE signing_keys (
    kid             text PRIMARY KEY,
    algorithm       text NOT NULL,
    private_sealed  bytea NOT NULL,
    public_jwk      text NOT NULL,
    created_at      timestamptz NOT NULL,
    retires_at      timestamptz
);
