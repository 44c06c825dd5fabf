-- Ancillary-service offers carried by a bid beside its energy curves: one list per
-- period, indexed like curves ([{product, mw, price_usd_per_mw}]); NULL = energy only.
-- Versioned like curves.
ALTER TABLE bids ADD COLUMN as_offers jsonb;
ALTER TABLE bid_versions ADD COLUMN as_offers jsonb;
