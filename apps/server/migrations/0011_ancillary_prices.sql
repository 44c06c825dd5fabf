-- Ancillary-service clearing prices (capacity, USD per MW per hour) as their own
-- series beside energy: one row per (market, zone, product, run, interval_start).
-- `zone` is where the price applies (ERCOT: system-wide `ERCOT`; SPP: the reserve
-- zone), `product` the ISO's own code trimmed (`REGUP`, `RegDN`, …). Kept apart
-- from `prices`, whose LMP components mean nothing for a capacity price.
CREATE TABLE ancillary_prices (
  market text NOT NULL,
  zone text NOT NULL,
  product text NOT NULL,
  run text NOT NULL CHECK (run IN ('DA', 'RT5', 'RT15', 'RTH')),
  interval_start timestamptz NOT NULL,
  interval_end timestamptz NOT NULL,
  price_usd_per_mw double precision NOT NULL,
  source text NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (market, zone, run, product, interval_start),
  CHECK (interval_end > interval_start)
);
CREATE INDEX ancillary_prices_time_idx ON ancillary_prices (market, zone, run, interval_start);
