-- Forecast model registry (experiments, runs, artefacts, registered models,
-- versions with stages) and the stored day-ahead forecasts each version made.
-- Every row is owned by one organisation; delivery dates are market-local
-- `YYYY-MM-DD` text, as in the trading tables.
CREATE TABLE forecast_experiments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, name)
);

CREATE TABLE forecast_models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  experiment_id uuid NOT NULL REFERENCES forecast_experiments(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  market text NOT NULL,
  location text NOT NULL,
  model_type text NOT NULL,
  -- Created by the daily job for a location with assets (not by a person).
  managed_by_job boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, name)
);
CREATE INDEX forecast_models_location_idx ON forecast_models (organization_id, market, location);

CREATE TABLE forecast_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  experiment_id uuid NOT NULL REFERENCES forecast_experiments(id) ON DELETE CASCADE,
  model_id uuid REFERENCES forecast_models(id) ON DELETE SET NULL,
  status text NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  metrics jsonb,
  progress jsonb NOT NULL DEFAULT '{"done":0,"total":0}'::jsonb,
  error text,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  -- 'api' (a person asked) or 'job' (the daily forecast job).
  origin text NOT NULL CHECK (origin IN ('api', 'job')),
  started_at timestamptz NOT NULL DEFAULT now(),
  -- Touched on every progress report, so a run whose server died can be told from a slow one.
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX forecast_runs_experiment_idx ON forecast_runs (organization_id, experiment_id, started_at);

CREATE TABLE forecast_run_artifacts (
  run_id uuid NOT NULL REFERENCES forecast_runs(id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL,
  content_type text NOT NULL,
  content text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, name)
);

CREATE TABLE forecast_model_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  model_id uuid NOT NULL REFERENCES forecast_models(id) ON DELETE CASCADE,
  version integer NOT NULL,
  run_id uuid NOT NULL REFERENCES forecast_runs(id) ON DELETE RESTRICT,
  model_type text NOT NULL,
  status text NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
  stage text NOT NULL DEFAULT 'none' CHECK (stage IN ('none', 'staging', 'production', 'archived')),
  metrics jsonb,
  -- Last delivery day of the evaluation, i.e. the newest prices the version was judged on.
  trained_through text,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  stage_changed_at timestamptz,
  stage_changed_by uuid REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (model_id, version)
);
-- At most one production version per registered model (promotion archives the previous one first).
CREATE UNIQUE INDEX forecast_versions_production_idx ON forecast_model_versions (model_id) WHERE stage = 'production';

CREATE TABLE forecasts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  model_version_id uuid NOT NULL REFERENCES forecast_model_versions(id) ON DELETE CASCADE,
  market text NOT NULL,
  location text NOT NULL,
  delivery_date text NOT NULL CHECK (delivery_date ~ '^\d{4}-\d{2}-\d{2}$'),
  -- 'evaluation' (walk-forward day of a training run), 'api' (asked for), 'job' (daily job).
  origin text NOT NULL CHECK (origin IN ('evaluation', 'api', 'job')),
  gate_closure timestamptz NOT NULL,
  -- Start of the newest price interval the forecast used (always before gate_closure).
  history_end timestamptz,
  -- One entry per hour of the delivery day: interval_starts (ISO UTC), point, p10, p50, p90.
  hours jsonb NOT NULL,
  -- The model's 24 values in local-hour order (epftoolbox day layout), for residual quantiles later.
  daily_point jsonb NOT NULL,
  mae_usd_per_mwh double precision,
  scored_at timestamptz,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (model_version_id, delivery_date)
);
CREATE INDEX forecasts_lookup_idx ON forecasts (organization_id, market, location, delivery_date);
