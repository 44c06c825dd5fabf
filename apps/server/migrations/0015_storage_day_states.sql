-- The state of charge at which a storage asset's day-ahead awards start and end a
-- delivery day, as the clearing computed them (clearing/storage-clearing.ts): the next
-- day's clearing (and optimisation) of the asset starts where this one ends. One row per
-- asset and day (an asset has at most one live DA bid per day), rewritten on every
-- clearing run. `start_source`: `asset` (its soc_initial_mwh) or `previous_day`.
CREATE TABLE storage_day_states (
  asset_id uuid NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  delivery_date text NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  bid_id uuid NOT NULL REFERENCES bids(id) ON DELETE CASCADE,
  soc_start_mwh double precision NOT NULL,
  soc_end_mwh double precision NOT NULL,
  start_source text NOT NULL,
  start_date text,
  cut_mwh double precision NOT NULL,
  cleared_at timestamptz NOT NULL,
  PRIMARY KEY (asset_id, delivery_date)
);
CREATE INDEX storage_day_states_org_idx ON storage_day_states (organization_id, asset_id, delivery_date);
