-- The default forecaster chosen per location by measured accuracy (issue 16,
-- modules/forecasting/model-choice.ts): the winner, why, and every candidate's scores over
-- the evaluated days, so the daily job and the optimiser reuse a choice instead of
-- re-evaluating the candidates at every tick. One row per series: the shared market
-- (scope_key 'shared') or one organisation's own prices (its id).
CREATE TABLE forecast_model_choices (
  market text NOT NULL,
  location text NOT NULL,
  scope_key text NOT NULL,
  spec text NOT NULL,
  note text NOT NULL,
  scores jsonb NOT NULL,
  history_days integer NOT NULL,
  evaluated_from date,
  evaluated_through date,
  chosen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (market, location, scope_key)
);
