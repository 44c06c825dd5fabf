-- Forecasts say which exogenous series they used (today the market's stored
-- day-ahead load forecast, published by the forecast's cut-off) and whose
-- prices they ran on: the shared market or the organisation's own series.
-- `exogenous` is a JSON array of {series, market, area, unit, known_at, …}
-- (empty: prices only); `exogenous_note` says why a forecast ran without one.
ALTER TABLE forecasts ADD COLUMN exogenous jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE forecasts ADD COLUMN exogenous_note text;
ALTER TABLE forecasts ADD COLUMN price_scope text NOT NULL DEFAULT 'shared' CHECK (price_scope IN ('shared', 'own'));
-- A version forecasts a day once per price scope.
ALTER TABLE forecasts DROP CONSTRAINT forecasts_model_version_id_delivery_date_key;
ALTER TABLE forecasts ADD CONSTRAINT forecasts_version_day_scope_key UNIQUE (model_version_id, delivery_date, price_scope);

-- The exogenous series a version was trained (evaluated) with and serves with.
ALTER TABLE forecast_model_versions ADD COLUMN exogenous jsonb NOT NULL DEFAULT '[]'::jsonb;

-- An organisation's own series are found without scanning the shared market
-- (GET /api/prices/series?scope=own, the scope checks of backtests, optimisation and forecasts).
CREATE INDEX prices_owner_idx ON prices (owner_organization_id, market, location, run) WHERE owner_organization_id IS NOT NULL;
