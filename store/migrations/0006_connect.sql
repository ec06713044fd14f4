-- What the page's connection test last read from each BigCommerce store
-- (GET /v2/store), shown beside the store so the bookkeeper sees which store,
-- currency and plan bcqb is connected to without asking BigCommerce on every
-- page load.
ALTER TABLE bc_stores ADD COLUMN info_name TEXT NOT NULL DEFAULT '';
ALTER TABLE bc_stores ADD COLUMN info_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE bc_stores ADD COLUMN info_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE bc_stores ADD COLUMN info_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE bc_stores ADD COLUMN info_tested_at TEXT;
