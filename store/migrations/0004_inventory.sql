-- Inventory sync: QuickBooks' quantities on hand as bcqb read them, the
-- stock levels it pushed to BigCommerce, and the adjustments it made in
-- QuickBooks for BigCommerce's levels.

-- One reading of QuickBooks' inventory items (an ItemInventoryQuery iterator
-- in one session). Only a reading that finished is used, and only the
-- newest: an older one still unused is superseded.
CREATE TABLE inventory_readings (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES companies(id),
    job_id       INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    state        TEXT NOT NULL CHECK (state IN ('reading', 'read', 'processed', 'superseded')),
    summary      TEXT NOT NULL DEFAULT '',
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    processed_at TEXT
);
CREATE INDEX inventory_readings_state ON inventory_readings(company_id, state);

-- An item's quantity on hand at a reading, with what was about to change it
-- at that instant: the lines of orders not posted yet (QuickBooks' stock
-- drops when they post) and bcqb's adjustments not applied yet. uncertain
-- says why the quantity cannot be trusted (a request whose answer was lost
-- may or may not have moved it): such an item is left for the next reading.
CREATE TABLE inventory_quantities (
    reading_id          INTEGER NOT NULL REFERENCES inventory_readings(id) ON DELETE CASCADE,
    list_id             TEXT NOT NULL,
    full_name           TEXT NOT NULL,
    on_hand             TEXT NOT NULL,
    unposted            TEXT NOT NULL DEFAULT '0',
    adjusting           TEXT NOT NULL DEFAULT '0',
    uncertain           TEXT NOT NULL DEFAULT '',
    -- The last inventory_adjustments.id when the quantity was read: an
    -- adjustment made after it is not in the quantity.
    adjustments_through INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (reading_id, list_id)
);

-- The last level bcqb pushed to a BigCommerce product (variant_id 0) or
-- variant (QuickBooks master): only a level that differs is pushed again.
CREATE TABLE inventory_pushes (
    store_id       INTEGER NOT NULL REFERENCES bc_stores(id),
    product_id     INTEGER NOT NULL,
    variant_id     INTEGER NOT NULL DEFAULT 0,
    sku            TEXT NOT NULL,
    item           TEXT NOT NULL,
    quantity       INTEGER NOT NULL,
    reading_id     INTEGER NOT NULL,
    transaction_id TEXT NOT NULL DEFAULT '',
    pushed_at      TEXT NOT NULL,
    PRIMARY KEY (store_id, product_id, variant_id)
);

-- An inventory adjustment bcqb decided for an item at a reading (BigCommerce
-- master): one per item and reading, carried out by one job.
CREATE TABLE inventory_adjustments (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    list_id    TEXT NOT NULL,
    full_name  TEXT NOT NULL,
    reading_id INTEGER NOT NULL REFERENCES inventory_readings(id),
    difference TEXT NOT NULL,
    job_id     INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (company_id, list_id, reading_id)
);
CREATE INDEX inventory_adjustments_item ON inventory_adjustments(company_id, list_id);
