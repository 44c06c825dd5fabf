-- The settlement ledger in the analytics store (ClickHouse, ANALYTICS_URL) re-settles the
-- (organisation, delivery day) pairs whose inputs changed since its watermark. These indexes
-- find them without scanning: awards written (cleared_at is the writing transaction's start),
-- AS awards, telemetry received, assets edited, and, from a changed RT price or meter reading,
-- the awards it falls in. `written_at` is the database's clock at each (re-)clearing of a
-- market day (`cleared_at` there is the service's clock, which a test or the demo seed sets),
-- so a re-clearing that removed a bid's awards is seen too.
ALTER TABLE market_clearings ADD COLUMN IF NOT EXISTS written_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX IF NOT EXISTS market_clearings_written_at_idx ON market_clearings (written_at);
CREATE INDEX IF NOT EXISTS bid_awards_cleared_at_idx ON bid_awards (cleared_at);
CREATE INDEX IF NOT EXISTS bid_awards_asset_interval_idx ON bid_awards (asset_id, interval_start);
CREATE INDEX IF NOT EXISTS bid_awards_location_interval_idx ON bid_awards (market, location, interval_start);
CREATE INDEX IF NOT EXISTS bid_as_awards_cleared_at_idx ON bid_as_awards (cleared_at);
CREATE INDEX IF NOT EXISTS asset_telemetry_received_at_idx ON asset_telemetry (received_at);
CREATE INDEX IF NOT EXISTS assets_updated_at_idx ON assets (updated_at);
