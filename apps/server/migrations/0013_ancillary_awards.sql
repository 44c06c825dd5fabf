-- Ancillary-service awards of a bid's `as_offers`, per period and product, as the
-- clearing wrote them: price-taker against the stored clearing price, then cut to
-- what the asset can deliver beside its energy awards (`curtailed_mw`). Replaced
-- with the bid's energy awards on every clearing run.
CREATE TABLE bid_as_awards (
  bid_id uuid NOT NULL REFERENCES bids(id) ON DELETE CASCADE,
  period integer NOT NULL,
  product text NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  asset_id uuid NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  market text NOT NULL,
  zone text NOT NULL,
  run text NOT NULL,
  delivery_date text NOT NULL,
  interval_start timestamptz NOT NULL,
  duration_h double precision NOT NULL,
  offered_mw double precision NOT NULL,
  offer_price_usd_per_mw double precision NOT NULL,
  clearing_price_usd_per_mw double precision NOT NULL,
  awarded_mw double precision NOT NULL,
  curtailed_mw double precision NOT NULL,
  cleared_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bid_id, period, product)
);
CREATE INDEX bid_as_awards_org_idx ON bid_as_awards (organization_id, delivery_date);
