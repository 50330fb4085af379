-- The applications signed into during a single sign-on session ("Display my sessions" lists
-- them; logout notifies them).
CREATE TABLE session_applications (
    session_id     uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    environment    TEXT NOT NULL,
    first_used_at  timestamptz NOT NULL,
    last_used_at   timestamptz NOT NULL,
    PRIMARY KEY (session_id, application_id, environment)
);
