-- A re-clearing that leaves a bid with no awards deletes its award rows, and with them the only
-- timestamp the P&L ledger's sync and its per-request check could see (bid_awards.cleared_at);
-- an organisation's own clearing records no market_clearings row either. So the moment a bid's
-- awards were removed and not replaced is kept on the bid, and indexed for the sync's range scan.
ALTER TABLE bids ADD COLUMN IF NOT EXISTS awards_removed_at timestamptz;
CREATE INDEX IF NOT EXISTS bids_awards_removed_idx ON bids (awards_removed_at) WHERE awards_removed_at IS NOT NULL;
