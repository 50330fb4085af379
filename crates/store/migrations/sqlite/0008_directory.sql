-- Administration of the directory: lower-case search keys for names (prefix searches run on
-- an index), and the indexes of the Users page. Keys of rows from before this migration are
-- filled in by the app at start-up (lower case is Unicode-aware there).

ALTER TABLE users ADD COLUMN first_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX users_last_name_key ON users (last_name_key, id);
CREATE INDEX users_first_name_key ON users (first_name_key, id);
CREATE INDEX users_level_last_name ON users (level_id, last_name_key, id);
CREATE INDEX phone_numbers_number ON phone_numbers (number);
