-- Care over time: where alerts go, what was sent (so that each occurrence
-- of a condition alerts once), and interactive mode (the Web Connector
-- opening the page for what a session could not post).

-- One row (id 1). The SMTP password and the webhook URL (a Slack or Teams
-- hook's URL is its credential) are kept sealed with the secret key.
CREATE TABLE alert_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    smtp_host      TEXT NOT NULL DEFAULT '',
    smtp_port      INTEGER NOT NULL DEFAULT 587,
    smtp_user      TEXT NOT NULL DEFAULT '',
    smtp_password  BLOB,
    mail_from      TEXT NOT NULL DEFAULT '',
    mail_to        TEXT NOT NULL DEFAULT '',
    webhook_sealed BLOB,
    updated_at     TEXT NOT NULL
);

-- Every message sent (or tried) on a channel, for the page; error is empty
-- when it was delivered.
CREATE TABLE alerts (
    id      INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    body    TEXT NOT NULL,
    error   TEXT NOT NULL DEFAULT '',
    sent_at TEXT NOT NULL
);
CREATE INDEX alerts_sent ON alerts(sent_at);

-- An occurrence of a condition (a posting that needs attention for a
-- reason, a silence of the Web Connector since a session, an unmapped SKU)
-- already told on a channel: the e-mail, the webhook, or "interactive"
-- (offered to the Web Connector's user). Recorded with the alert that told
-- it, so a failed send is tried again and a delivered one never repeats.
CREATE TABLE care_occurrences (
    channel    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    alert_id   INTEGER REFERENCES alerts(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (channel, kind, key)
);

-- Interactive mode, per Web Connector user: off by default, since an
-- unattended Web Connector must not wait for a person.
ALTER TABLE qbwc_users ADD COLUMN interactive INTEGER NOT NULL DEFAULT 0;

-- A session that entered interactive mode. The page is opened with a
-- one-time token (only its SHA-256 is kept, and only until it is used), never
-- with the session's ticket.
CREATE TABLE interactive_visits (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL UNIQUE REFERENCES qbwc_sessions(id),
    company_id  INTEGER NOT NULL REFERENCES companies(id),
    token_hash  BLOB UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('offered', 'opened', 'done', 'ended', 'rejected')),
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    opened_at   TEXT,
    done_at     TEXT,
    ended_at    TEXT
);
