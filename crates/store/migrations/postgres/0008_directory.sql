-- Administration of the directory: lower-case search keys for names (prefix searches run on
-- an index), and the indexes of the Users page. Keys of rows from before this migration are
-- filled in by the app at start-up (lower case is Unicode-aware there).
--
-- Prefix and subtree searches are range scans (key >= prefix AND key < next): they need the
-- byte order of the "C" collation, whatever the database's default collation is.

ALTER TABLE levels ALTER COLUMN path TYPE text COLLATE "C";
ALTER TABLE users ALTER COLUMN email_key TYPE text COLLATE "C";
ALTER TABLE users ADD COLUMN first_name_key text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_name_key text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX users_last_name_key ON users (last_name_key, id);
CREATE INDEX users_first_name_key ON users (first_name_key, id);
CREATE INDEX users_level_last_name ON users (level_id, last_name_key, id);
ALTER TABLE phone_numbers ALTER COLUMN number TYPE text COLLATE "C";
CREATE INDEX phone_numbers_number ON phone_numbers (number);
