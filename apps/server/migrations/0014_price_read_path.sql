-- The read path's indexes (issue 16). Every read of a series (GET /api/prices, /stats, the
-- newest prices per location for /api/prices/latest, the series of a market for
-- /api/markets/{iso}/locations) filters on market, location and run, then a range or the
-- newest interval_start: the unique series key (market, location, run, interval_start,
-- owner_organization_id) answers them for the shared market (owner IS NULL is an index
-- condition on it). An organisation's own series gets its own small partial index, led by
-- the owner, so `scope=own` reads and the walk over an owner's series never step through
-- the shared market's rows. The (market, interval_start) index served only the old
-- /api/prices/latest, which scanned 60 days of a market's history; nothing reads by it now,
-- and every price write paid for it.
CREATE INDEX prices_own_series_idx ON prices (owner_organization_id, market, location, run, interval_start)
  WHERE owner_organization_id IS NOT NULL;
DROP INDEX IF EXISTS prices_market_time_idx;
