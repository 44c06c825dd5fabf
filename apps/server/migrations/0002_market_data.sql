-- Market data: prices per (market, location, run, interval_start), with the
-- previous values kept whenever an ISO republishes a corrected price.
CREATE TABLE prices (
  market text NOT NULL,
  location text NOT NULL,
  run text NOT NULL CHECK (run IN ('DA', 'RT5', 'RT15', 'RTH')),
  interval_start timestamptz NOT NULL,
  interval_end timestamptz NOT NULL,
  lmp_usd_per_mwh double precision NOT NULL,
  energy_usd_per_mwh double precision,
  congestion_usd_per_mwh double precision,
  loss_usd_per_mwh double precision,
  source text NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (market, location, run, interval_start),
  CHECK (interval_end > interval_start)
);
CREATE INDEX prices_market_time_idx ON prices (market, interval_start DESC);

CREATE TABLE price_revisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  market text NOT NULL,
  location text NOT NULL,
  run text NOT NULL,
  interval_start timestamptz NOT NULL,
  lmp_usd_per_mwh double precision NOT NULL,
  energy_usd_per_mwh double precision,
  congestion_usd_per_mwh double precision,
  loss_usd_per_mwh double precision,
  source text NOT NULL,
  ingested_at timestamptz NOT NULL,
  revised_at timestamptz NOT NULL DEFAULT now(),
  revised_by_source text NOT NULL
);
CREATE INDEX price_revisions_key_idx ON price_revisions (market, location, run, interval_start);

-- Each import (API or CLI) and its report.
CREATE TABLE price_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid REFERENCES organizations(id) ON DELETE SET NULL,
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  origin text NOT NULL CHECK (origin IN ('api', 'cli', 'seed')),
  report jsonb NOT NULL,
  inserted integer NOT NULL,
  updated integer NOT NULL,
  unchanged integer NOT NULL,
  rejected integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
