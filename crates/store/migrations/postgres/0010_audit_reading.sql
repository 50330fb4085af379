-- Reading the audit trail by level, actor or target, newest first.
CREATE INDEX audit_events_level ON audit_events (level_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_target ON audit_events (target_id, seq);
