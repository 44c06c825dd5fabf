-- GET /api/pnl answers from the settlement ledger (ClickHouse) only when PostgreSQL wrote no input
-- of the organisation's requested days after the ledger's watermark (SettlementChangesRepository.
-- latestChangeIn, once per request). Its probes from what was written lately to that organisation's
-- awards need two more indexes:
-- a shared RT price is matched to the organisation's awards at its location and hour in one short
-- range, where (market, location, interval_start) reads every organisation's awards there and the
-- planner intersects it with all of the organisation's awards in the range instead (56 ms for a
-- month to 680 ms for a year, against ~1 ms; README, Analytics store);
CREATE INDEX IF NOT EXISTS bid_awards_org_location_interval_idx ON bid_awards (organization_id, market, location, interval_start);
-- an edited asset's AS awards on the requested days, which without it are looked for by a
-- sequential scan of all AS awards.
CREATE INDEX IF NOT EXISTS bid_as_awards_asset_day_idx ON bid_as_awards (asset_id, delivery_date);
