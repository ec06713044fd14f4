-- Tokens that scripts send as "Authorization: Bearer …" to the JSON API.
-- Only the SHA-256 of a token is kept; prefix is its first characters, shown
-- on the page so the user can tell tokens apart.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
