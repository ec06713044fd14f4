-- BigCommerce: connected stores, the documents pulled from them (each change
-- a new version), the pull task queue and the webhook callbacks received.

-- A connected BigCommerce store. The access token is kept sealed
-- (AES-256-GCM, key outside the database); only the SHA-256 of the webhook
-- secret is kept, since it is only ever compared.
CREATE TABLE bc_stores (
    id                  INTEGER PRIMARY KEY,
    store_hash          TEXT NOT NULL UNIQUE,
    token_sealed        BLOB NOT NULL,
    company_id          INTEGER REFERENCES companies(id),
    -- watermark is BigCommerce's own clock (/v2/time) at the start of the
    -- last pull that stored every change since covered_from: the next pull
    -- asks for changes since watermark - overlap_seconds.
    watermark           TEXT,
    covered_from        TEXT,
    overlap_seconds     INTEGER NOT NULL DEFAULT 300 CHECK (overlap_seconds >= 0),
    backfill_from       TEXT,
    webhook_secret_hash BLOB,
    webhook_ids         TEXT NOT NULL DEFAULT '',
    webhook_destination TEXT NOT NULL DEFAULT '',
    settings_json       TEXT NOT NULL DEFAULT '{}',
    pull_state          TEXT NOT NULL DEFAULT 'never' CHECK (pull_state IN ('never', 'running', 'ok', 'error')),
    last_pull_at        TEXT,
    last_pull_ok_at     TEXT,
    last_pull_error     TEXT NOT NULL DEFAULT '',
    last_pull_summary   TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- One version of a BigCommerce document as pulled: an order (with its lines,
-- addresses, coupons, taxes, transactions and refunds), a refund, a customer
-- or a product (with its variants). A pull that finds the same content adds
-- nothing; a changed document is the next version. parent_id links a refund
-- to its order.
CREATE TABLE bc_documents (
    id            INTEGER PRIMARY KEY,
    store_id      INTEGER NOT NULL REFERENCES bc_stores(id),
    kind          TEXT NOT NULL CHECK (kind IN ('order', 'refund', 'customer', 'product')),
    bc_id         INTEGER NOT NULL,
    parent_id     INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL CHECK (version >= 1),
    content_hash  BLOB NOT NULL,
    raw           TEXT NOT NULL,
    date_modified TEXT,
    pulled_at     TEXT NOT NULL,
    UNIQUE (store_id, kind, bc_id, version)
);
CREATE INDEX bc_documents_parent ON bc_documents(store_id, kind, parent_id) WHERE parent_id <> 0;

-- Pull work: an incremental pull of a store, one order at once (webhook) or
-- a backfill from a date. Cron and webhooks only enqueue; a worker claims.
CREATE TABLE bc_pull_tasks (
    id          INTEGER PRIMARY KEY,
    store_id    INTEGER NOT NULL REFERENCES bc_stores(id),
    kind        TEXT NOT NULL CHECK (kind IN ('incremental', 'order', 'backfill')),
    order_id    INTEGER NOT NULL DEFAULT 0,
    since       TEXT,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT NOT NULL,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX bc_pull_tasks_claim ON bc_pull_tasks(state, not_before, id);
-- At most one queued task per store, kind and order: a cron tick or a
-- webhook that enqueues again is a no-op.
CREATE UNIQUE INDEX bc_pull_tasks_dedupe ON bc_pull_tasks(store_id, kind, order_id) WHERE state = 'queued';

-- Webhook callbacks received, to drop BigCommerce's repeated deliveries.
CREATE TABLE bc_webhook_events (
    id          INTEGER PRIMARY KEY,
    store_id    INTEGER NOT NULL REFERENCES bc_stores(id),
    hash        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    scope       TEXT NOT NULL,
    order_id    INTEGER NOT NULL DEFAULT 0,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (store_id, hash, created_at)
);
