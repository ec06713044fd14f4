-- The page's administrator: one password, its browser sessions and the
-- failed logins that slow down and lock out a guesser.

-- One row (id 1): the page has a single administrator. Only the bcrypt hash
-- is kept.
CREATE TABLE admin (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- A logged-in browser. Only the SHA-256 of the cookie's token is kept: a copy
-- of the database does not log anyone in. csrf_token is echoed in every form.
CREATE TABLE admin_sessions (
    token_hash   BLOB PRIMARY KEY,
    csrf_token   TEXT NOT NULL,
    remote_host  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX admin_sessions_last_seen ON admin_sessions(last_seen_at);

-- Failed logins per remote address, kept in the database so that a restart
-- does not hand a guesser five fresh attempts.
CREATE TABLE admin_login_failures (
    remote_host      TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL,
    first_failure_at TEXT NOT NULL,
    locked_until     TEXT
);
