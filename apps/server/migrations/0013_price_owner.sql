-- Every price series has an owner: NULL is the platform's shared market (what
-- clearing, the dashboard, the WebSocket and every organisation read), an
-- organisation id is that organisation's own imported series, visible only to
-- it. `source` stays provenance (which file or feed wrote the row).
ALTER TABLE prices ADD COLUMN owner_organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE;
ALTER TABLE prices DROP CONSTRAINT prices_pkey;
-- NULLS NOT DISTINCT: the shared series (owner NULL) has one row per key, as before.
CREATE UNIQUE INDEX prices_series_key ON prices (market, location, run, interval_start, owner_organization_id) NULLS NOT DISTINCT;

ALTER TABLE price_revisions ADD COLUMN owner_organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE;
