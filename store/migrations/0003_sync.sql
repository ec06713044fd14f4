-- The sync engine: the jobs a qbXML message carried, the order jobs must be
-- done in, QuickBooks' lists as bcqb last read them, the ledger from
-- BigCommerce documents to QuickBooks objects, and the postings the page shows.

-- One message carries the requests of several jobs; each job's requests have
-- requestIDs starting "j<job id>.", so the response is routed back by prefix.
CREATE TABLE qbwc_request_jobs (
    request_id INTEGER NOT NULL REFERENCES qbwc_requests(id) ON DELETE CASCADE,
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    PRIMARY KEY (request_id, job_id)
);
CREATE INDEX qbwc_request_jobs_job ON qbwc_request_jobs(job_id);
CREATE INDEX jobs_session ON jobs(session_id) WHERE session_id IS NOT NULL;

-- A job waits until every job it depends on is done: the customer and items
-- before the sale, the invoice before its payment, the sale before a refund.
CREATE TABLE job_deps (
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    depends_on INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, depends_on)
);
CREATE INDEX job_deps_on ON job_deps(depends_on);
-- How many of a job's dependencies are not done yet, kept with job_deps, so
-- that a claim and the count of due work read one index instead of joining
-- the dependencies of every queued job.
ALTER TABLE jobs ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked >= 0);
-- Covers the count of due and delayed work asked at every answer.
CREATE INDEX jobs_due ON jobs(company_id, state, blocked, not_before);
-- 1 after a message QuickBooks could not read carried this job: it is sent
-- in a message of its own, so only the job that spoilt it fails.
ALTER TABLE jobs ADD COLUMN alone INTEGER NOT NULL DEFAULT 0;

-- QuickBooks' lists as last read (accounts, items of every kind, sales tax
-- codes, payment methods, classes, customers with their emails), so that the
-- planner picks names without asking QuickBooks.
CREATE TABLE qb_lists (
    company_id INTEGER NOT NULL REFERENCES companies(id),
    list_type  TEXT NOT NULL,
    list_id    TEXT NOT NULL,
    full_name  TEXT NOT NULL,
    -- The account type or item kind ("Income", "ItemInventory").
    sub_type   TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    is_active  INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, list_type, list_id)
);
CREATE INDEX qb_lists_name ON qb_lists(company_id, list_type, full_name COLLATE NOCASE);
CREATE INDEX qb_lists_email ON qb_lists(company_id, email COLLATE NOCASE) WHERE email <> '';

-- The ledger: what each key (a shopper's email, an item name, an order, a
-- refund) is in QuickBooks. A row with an empty qb_id is reserved by the job
-- that will create it, so a second order of the same new shopper waits for
-- that job instead of creating the customer twice. The ledger row of a posted
-- document is written in the same transaction as the job's outcome: that is
-- what makes "exactly once" hold across crashes.
CREATE TABLE ledger (
    company_id    INTEGER NOT NULL REFERENCES companies(id),
    key           TEXT NOT NULL,
    qb_type       TEXT NOT NULL,
    qb_id         TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    edit_sequence TEXT NOT NULL DEFAULT '',
    amount        TEXT NOT NULL DEFAULT '',
    job_id        INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (company_id, key)
);
CREATE INDEX ledger_name ON ledger(company_id, qb_type, name COLLATE NOCASE);

-- What bcqb intends in QuickBooks for each BigCommerce document and how far it got.
CREATE TABLE postings (
    id           INTEGER PRIMARY KEY,
    store_id     INTEGER NOT NULL REFERENCES bc_stores(id),
    company_id   INTEGER NOT NULL REFERENCES companies(id),
    doc_kind     TEXT NOT NULL,
    bc_id        INTEGER NOT NULL,
    parent_bc_id INTEGER NOT NULL DEFAULT 0,
    document_id  INTEGER NOT NULL REFERENCES bc_documents(id),
    version      INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('planned', 'posted', 'attention', 'skipped', 'waiting', 'voided')),
    txn_type     TEXT NOT NULL DEFAULT '',
    txn_id       TEXT NOT NULL DEFAULT '',
    ref_number   TEXT NOT NULL DEFAULT '',
    -- BigCommerce's total, and what the sale deducts from it: what gift
    -- certificates and store credit paid, and processing fees (negative
    -- lines), so QuickBooks' total is bc_total - credits.
    bc_total     TEXT NOT NULL DEFAULT '',
    credits      TEXT NOT NULL DEFAULT '',
    rounding     TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    job_id       INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    doc_date     TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    posted_at    TEXT,
    UNIQUE (store_id, doc_kind, bc_id)
);
CREATE INDEX postings_state ON postings(company_id, state);
CREATE INDEX postings_job ON postings(job_id) WHERE job_id IS NOT NULL;

-- The newMessageSetID each message was sent with: when a message's answer
-- is lost, the next message asks QuickBooks for it by this id.
ALTER TABLE qbwc_requests ADD COLUMN message_set_id TEXT NOT NULL DEFAULT '';

-- The planner's place in each store's documents, and when a company's lists were read.
ALTER TABLE bc_stores ADD COLUMN planned_through INTEGER NOT NULL DEFAULT 0;
ALTER TABLE companies ADD COLUMN lists_read_at TEXT;
