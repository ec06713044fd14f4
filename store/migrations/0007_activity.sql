-- The activity pages (dashboard, needs attention, orders, sync log,
-- reconciliation): what a posting needs mapped, who skipped it, how far a
-- running pull got, and what each pull task stored.

-- The SKUs a posting waits for a mapping of (a JSON array), written by the
-- planner beside the reason in words, so the page links each one to the
-- mapping page instead of reading it back out of a sentence.
ALTER TABLE postings ADD COLUMN skus TEXT NOT NULL DEFAULT '';
-- Who skipped the posting on the page, and when: a posting the user
-- skipped stays skipped when its document changes in BigCommerce.
ALTER TABLE postings ADD COLUMN skipped_by TEXT NOT NULL DEFAULT '';
ALTER TABLE postings ADD COLUMN skipped_at TEXT;
-- The pages list postings newest first, by state, by document date (the
-- reconciliation's days) and by the day they were posted (the chart).
CREATE INDEX postings_updated ON postings(state, updated_at);
CREATE INDEX postings_doc_date ON postings(store_id, doc_date);
CREATE INDEX postings_posted_at ON postings(posted_at) WHERE posted_at IS NOT NULL;

-- How far the running (or last) pull of a store got: BigCommerce lists
-- orders oldest change first, so the date_modified reached between since and
-- until is the share of a long pull or backfill done.
ALTER TABLE bc_stores ADD COLUMN pull_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE bc_stores ADD COLUMN pull_since TEXT;
ALTER TABLE bc_stores ADD COLUMN pull_until TEXT;
ALTER TABLE bc_stores ADD COLUMN pull_reached TEXT;
ALTER TABLE bc_stores ADD COLUMN pull_orders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bc_stores ADD COLUMN pull_progress_at TEXT;

-- What a finished pull task did, for the sync log ("12 orders pulled...")
-- and how many new document versions it stored (0: a quiet pull).
ALTER TABLE bc_pull_tasks ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE bc_pull_tasks ADD COLUMN stored INTEGER NOT NULL DEFAULT 0;
