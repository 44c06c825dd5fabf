-- Market data fetched from the ISOs: every request recorded, the days each fetch completed,
-- and day-ahead load forecasts stored as their own series.
CREATE TABLE fetch_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  market text NOT NULL,
  dataset text NOT NULL,
  -- The URL without keys or tokens (credentials travel in headers).
  url text NOT NULL,
  days text[] NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  http_status integer,
  bytes integer NOT NULL DEFAULT 0,
  sha256 text,
  attempts integer NOT NULL DEFAULT 0,
  rows_inserted integer NOT NULL DEFAULT 0,
  rows_updated integer NOT NULL DEFAULT 0,
  rows_unchanged integer NOT NULL DEFAULT 0,
  rows_rejected integer NOT NULL DEFAULT 0,
  ok boolean NOT NULL,
  error text,
  trigger text NOT NULL DEFAULT 'schedule'
);
CREATE INDEX fetch_records_series_idx ON fetch_records (market, dataset, finished_at DESC);

-- A day counts complete only when every location the ISO sent has all its intervals.
CREATE TABLE fetch_days (
  market text NOT NULL,
  dataset text NOT NULL,
  day date NOT NULL,
  complete boolean NOT NULL,
  rows integer NOT NULL,
  detail text,
  fetch_record_id uuid REFERENCES fetch_records(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (market, dataset, day)
);

CREATE TABLE load_forecasts (
  market text NOT NULL,
  area text NOT NULL,
  interval_start timestamptz NOT NULL,
  interval_end timestamptz NOT NULL,
  load_forecast_mw double precision NOT NULL,
  published_at timestamptz NOT NULL,
  source text NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (market, area, interval_start)
);
