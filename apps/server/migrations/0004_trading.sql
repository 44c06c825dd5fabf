-- Trading loop: assets, bids with their versions, idempotency keys, market
-- clearings, awards and metered telemetry. Every tenant-owned row carries
-- organization_id; delivery dates are market-local `YYYY-MM-DD` text (a `date`
-- column would be re-read in the server's own timezone by some drivers).
CREATE TABLE assets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('battery', 'thermal', 'solar', 'wind', 'demand_response', 'load')),
  market text NOT NULL,
  location text NOT NULL,
  params jsonb NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assets_org_idx ON assets (organization_id, created_at);

CREATE TABLE bids (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id uuid NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  market text NOT NULL,
  location text NOT NULL,
  run text NOT NULL CHECK (run IN ('DA', 'RT')),
  side text NOT NULL CHECK (side IN ('supply', 'demand', 'storage')),
  delivery_date text NOT NULL CHECK (delivery_date ~ '^\d{4}-\d{2}-\d{2}$'),
  interval_start timestamptz,
  interval_minutes integer,
  cost_verified boolean NOT NULL DEFAULT false,
  curves jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'rejected', 'cleared', 'settled', 'cancelled')),
  version integer NOT NULL DEFAULT 1,
  issues jsonb NOT NULL DEFAULT '[]'::jsonb,
  gate_closure timestamptz NOT NULL,
  draft_notified boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  submitted_at timestamptz,
  cleared_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bids_org_idx ON bids (organization_id, delivery_date, created_at);
CREATE INDEX bids_market_idx ON bids (market, run, delivery_date, status);
CREATE INDEX bids_gate_idx ON bids (status, gate_closure);

-- Every version of a bid's content; the bid row holds the latest.
CREATE TABLE bid_versions (
  bid_id uuid NOT NULL REFERENCES bids(id) ON DELETE CASCADE,
  version integer NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  side text NOT NULL,
  delivery_date text NOT NULL,
  interval_start timestamptz,
  interval_minutes integer,
  cost_verified boolean NOT NULL,
  curves jsonb NOT NULL,
  status text NOT NULL,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bid_id, version)
);

-- Idempotency-Key per organisation: the first answer is kept and replayed.
CREATE TABLE idempotency_keys (
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  key text NOT NULL,
  scope text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, key)
);

-- One row per (market, run, delivery day) clearing; re-runs update it.
CREATE TABLE market_clearings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  market text NOT NULL,
  run text NOT NULL,
  delivery_date text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('price_taker', 'auction')),
  status text NOT NULL CHECK (status IN ('complete', 'partial')),
  bids_cleared integer NOT NULL,
  result jsonb NOT NULL DEFAULT '{}'::jsonb,
  triggered_by uuid REFERENCES users(id) ON DELETE SET NULL,
  first_cleared_at timestamptz NOT NULL DEFAULT now(),
  cleared_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (market, run, delivery_date)
);

CREATE TABLE bid_awards (
  bid_id uuid NOT NULL REFERENCES bids(id) ON DELETE CASCADE,
  period integer NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id uuid NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  market text NOT NULL,
  location text NOT NULL,
  run text NOT NULL,
  delivery_date text NOT NULL,
  interval_start timestamptz NOT NULL,
  duration_h double precision NOT NULL,
  awarded_mw double precision NOT NULL,
  price_usd_per_mwh double precision NOT NULL,
  mode text NOT NULL,
  cleared_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bid_id, period)
);
CREATE INDEX bid_awards_org_idx ON bid_awards (organization_id, delivery_date);

-- Metered net output per interval (supply positive); absent = delivered as awarded.
CREATE TABLE asset_telemetry (
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id uuid NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  interval_start timestamptz NOT NULL,
  delivered_mw double precision NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (asset_id, interval_start)
);
