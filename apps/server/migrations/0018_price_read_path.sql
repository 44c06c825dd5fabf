-- The read path's indexes (issue 16). Every read of a series (GET /api/prices, /stats, the
-- newest prices per location for /api/prices/latest, the series of a market for
-- /api/markets/{iso}/locations) names one owner (the shared market, or one organisation's
-- own series), a market, a location and a run, then a range of interval_start or its newest
-- end. Two partial indexes hold exactly that, one per kind of owner, so a read of the shared
-- market never steps over organisations' rows and a read of an organisation's own series
-- never steps over the shared market's; the walk over a market's series (one index descent
-- per series, see db/repositories/prices.ts) stays proportional to the number of series.
-- The unique series key (0013) stays for upserts. The (market, interval_start) index served
-- only the old /api/prices/latest, which scanned 60 days of a market's history: nothing
-- reads by it now, and the shared-series index takes its place on every price write.
CREATE INDEX prices_shared_series_idx ON prices (market, location, run, interval_start)
  WHERE owner_organization_id IS NULL;
CREATE INDEX prices_own_series_idx ON prices (owner_organization_id, market, location, run, interval_start)
  WHERE owner_organization_id IS NOT NULL;
DROP INDEX IF EXISTS prices_market_time_idx;
-- 0016's (owner, market, location, run) index is a prefix of the own-series index above, which
-- answers the same lookups (GET /api/prices/series?scope=own, the scope checks); one is enough.
DROP INDEX IF EXISTS prices_owner_idx;

-- Readiness with NATS (BUS_URL): when each instance last reached NATS. An instance that cannot
-- reach it while another one recently could is cut off (503, out of the load balancer); when
-- none can, NATS itself is down and every instance stays ready, serving in-process.
CREATE TABLE bus_contacts (
  instance_id text PRIMARY KEY,
  reached_at timestamptz NOT NULL
);
