-- CAPTCHA challenges of self-registration (issue 8): a proof of work and a typed code in one
-- challenge. Kept under the SHA-256 digest of the id the browser holds; the code only as a
-- digest (for judging) and sealed under the secret key (for drawing its picture and
-- recording on whichever node is asked). Used once: `consumed_at` is set by one conditional
-- UPDATE, whatever the verdict.
CREATE TABLE captcha_challenges (
    id_digest    TEXT PRIMARY KEY NOT NULL,
    -- 'pow_or_code' or 'code' (proof of work turned off).
    kind         TEXT NOT NULL,
    -- Lower-case hex.
    nonce        TEXT NOT NULL,
    difficulty   INTEGER NOT NULL,
    code_digest  TEXT NOT NULL,
    code_sealed  BLOB NOT NULL,
    -- A digest of the client's address (or IPv6 network), for the limit on new challenges.
    client_key   TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    consumed_at  INTEGER
);
CREATE INDEX captcha_challenges_expiry ON captcha_challenges (expires_at);
CREATE INDEX captcha_challenges_client ON captcha_challenges (client_key, created_at);
