-- The appliance's spine: settings, QuickBooks company files, Web Connector
-- users and sessions, the job queue and the log of qbXML messages.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A QuickBooks company file, reached through one Web Connector user. The
-- FileID is stamped into the company by the Web Connector; it is created once
-- so that downloading the .qwc again never makes a new application.
CREATE TABLE companies (
    id                INTEGER PRIMARY KEY,
    file_id           TEXT NOT NULL UNIQUE,
    company_file      TEXT NOT NULL DEFAULT '',
    company_name      TEXT NOT NULL DEFAULT '',
    country           TEXT NOT NULL DEFAULT '',
    product_name      TEXT NOT NULL DEFAULT '',
    qbxml_versions    TEXT NOT NULL DEFAULT '',
    qbxml_version     TEXT NOT NULL DEFAULT '',
    info_json         TEXT NOT NULL DEFAULT '',
    info_refreshed_at TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE qbwc_users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    company_id    INTEGER NOT NULL UNIQUE REFERENCES companies(id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- A Web Connector session. Only the SHA-256 of the ticket is kept: the ticket
-- is a bearer credential. public_id names the session in logs and pages.
CREATE TABLE qbwc_sessions (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT NOT NULL UNIQUE,
    ticket_hash     BLOB NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL REFERENCES qbwc_users(id),
    company_id      INTEGER NOT NULL REFERENCES companies(id),
    remote_host     TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('open', 'closed', 'refused')),
    auth_result     TEXT NOT NULL DEFAULT '',
    company_file    TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    qbxml_major     INTEGER NOT NULL DEFAULT 0,
    qbxml_minor     INTEGER NOT NULL DEFAULT 0,
    qbxml_version   TEXT NOT NULL DEFAULT '',
    done_count      INTEGER NOT NULL DEFAULT 0,
    failed_count    INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    last_hresult    TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    closed_at       TEXT
);
CREATE INDEX qbwc_sessions_company ON qbwc_sessions(company_id, state);

-- The job queue. A job is one unit of work for one company file; it may take
-- several round trips (step and state carry it between them).
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES companies(id),
    kind         TEXT NOT NULL,
    dedupe_key   TEXT NOT NULL DEFAULT '',
    priority     INTEGER NOT NULL DEFAULT 100,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'unknown', 'done', 'failed')),
    payload      TEXT NOT NULL DEFAULT '',
    step         INTEGER NOT NULL DEFAULT 0,
    step_state   TEXT NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    -- 1 after a session died with this job's request unanswered: the handler
    -- must find out what QuickBooks holds before it writes again.
    recovering   INTEGER NOT NULL DEFAULT 0,
    session_id   INTEGER REFERENCES qbwc_sessions(id),
    not_before   TEXT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX jobs_claim ON jobs(company_id, state, priority, id);
-- At most one live job per dedupe key: a cron tick that enqueues again is a no-op.
CREATE UNIQUE INDEX jobs_dedupe ON jobs(company_id, kind, dedupe_key)
    WHERE dedupe_key <> '' AND state IN ('queued', 'sent', 'unknown');

-- One qbXML message sent in a session, kept until its response is settled so
-- that a restart of bcqb mid-session can route the response that arrives.
CREATE TABLE qbwc_requests (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES qbwc_sessions(id),
    job_id       INTEGER REFERENCES jobs(id),
    request_xml  TEXT NOT NULL,
    response_xml TEXT NOT NULL DEFAULT '',
    hresult      TEXT NOT NULL DEFAULT '',
    message      TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('sent', 'answered', 'lost')),
    sent_at      TEXT NOT NULL,
    answered_at  TEXT
);
CREATE INDEX qbwc_requests_session ON qbwc_requests(session_id, state);
