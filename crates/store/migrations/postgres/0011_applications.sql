-- Applications, their tiles and groups per environment, which organisations may be granted
-- which groups, and memberships (DESIGN.md §3).
CREATE TABLE applications (
    id             uuid PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL,
    min_assurance  TEXT NOT NULL,
    version        BIGINT NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE application_tiles (
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment    TEXT NOT NULL,
    label          TEXT NOT NULL,
    icon           TEXT NOT NULL,
    launch_url     TEXT NOT NULL,
    PRIMARY KEY (application_id, environment)
);

CREATE TABLE app_groups (
    id             uuid PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment    TEXT NOT NULL,
    role           TEXT NOT NULL,
    technical_name TEXT NOT NULL UNIQUE,
    description    TEXT NOT NULL,
    version        BIGINT NOT NULL,
    UNIQUE (application_id, environment, role)
);

-- The levels whose subtrees may be granted a group.
CREATE TABLE group_levels (
    group_id       uuid NOT NULL REFERENCES app_groups (id) ON DELETE CASCADE,
    level_id       uuid NOT NULL REFERENCES levels (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, level_id)
);
CREATE INDEX group_levels_level ON group_levels (level_id);

CREATE TABLE memberships (
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id       uuid NOT NULL REFERENCES app_groups (id) ON DELETE CASCADE,
    granted_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    granted_at     timestamptz NOT NULL,
    expires_at     timestamptz,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX memberships_group ON memberships (group_id, user_id);
CREATE INDEX memberships_expiry ON memberships (expires_at) WHERE expires_at IS NOT NULL;
