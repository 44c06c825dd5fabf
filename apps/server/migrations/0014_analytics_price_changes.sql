-- The analytics store (ClickHouse, ANALYTICS_URL) copies the shared market's
-- rows changed since its watermark: every insert and every changed value sets
-- ingested_at, and this index finds them without scanning the table.
CREATE INDEX IF NOT EXISTS prices_shared_ingested_at_idx ON prices (ingested_at) WHERE owner_organization_id IS NULL;
