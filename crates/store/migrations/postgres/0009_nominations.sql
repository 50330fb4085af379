-- Nominations of user and access administrators: a user administrator (or an operator)
-- nominates, an operator confirms or rejects. Until confirmed, the nominee has no rights.
CREATE TABLE nominations (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT NOT NULL,
    level_id      uuid NOT NULL REFERENCES levels (id) ON DELETE CASCADE,
    nominated_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    nominated_at  timestamptz NOT NULL,
    -- pending, confirmed or rejected
    state         TEXT NOT NULL,
    decided_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_at    timestamptz
);
CREATE INDEX nominations_state ON nominations (state, nominated_at);
