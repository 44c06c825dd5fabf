/**
 * Forecast model registry and stored forecasts on the wire: experiments, runs
 * and artefacts, registered models, versions with stages, and day-ahead
 * forecasts with P10/P50/P90 per hour. Instants are ISO 8601 UTC strings;
 * delivery dates are market-local `YYYY-MM-DD`.
 */
import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Nullable, Uuid } from './common.js';
import { PriceScope } from './markets.js';

export const FORECAST_STAGES = ['none', 'staging', 'production', 'archived'] as const;
export const ForecastStage = Type.Union([Type.Literal('none'), Type.Literal('staging'), Type.Literal('production'), Type.Literal('archived')]);
export type ForecastStage = Static<typeof ForecastStage>;

export const ForecastMetricsView = Type.Object(
  {
    mae: Type.Number({ description: 'USD/MWh' }),
    rmse: Type.Number({ description: 'USD/MWh' }),
    smape: Type.Number({ description: 'percent' }),
    mape: Type.Number({ description: 'percent (hours with a zero price left out)' }),
    rmae: Type.Number({ description: 'MAE relative to the weekly naive (same hour a week before), from the 8th evaluation day on' }),
    days: Type.Integer(),
  },
  { additionalProperties: true },
);

/** An exogenous input a model ran with: today the market's stored day-ahead load forecast. */
export const ExogenousSeriesView = Type.Object({
  series: Type.Literal('load_forecast'),
  market: Type.String(),
  area: Type.String({ description: "the area the forecast covers: the ISO-wide series (EIA-930 balancing authority, e.g. ERCO, NYIS) unless the catalogue maps the location to a finer one" }),
  unit: Type.Literal('MW'),
  known_at: Type.Optional(IsoDateTime),
  filled_hours: Type.Optional(Type.Integer({ description: 'hours without a forecast that took the same hour of the nearest earlier day (at most 7 back), as the CLI does' })),
  sources: Type.Optional(Type.Array(Type.String())),
}, { description: 'a forecast uses only rows published at or before its cut-off (known_at: the delivery day\'s gate closure)' });
export type ExogenousSeriesView = Static<typeof ExogenousSeriesView>;

export const ForecastModelVersionView = Type.Object({
  id: Uuid,
  model_id: Uuid,
  version: Type.Integer(),
  model_type: Type.String(),
  status: Type.Union([Type.Literal('training'), Type.Literal('ready'), Type.Literal('failed')]),
  stage: ForecastStage,
  metrics: Nullable(ForecastMetricsView),
  trained_through: Nullable(IsoDate),
  run_id: Uuid,
  created_by: Nullable(Uuid),
  created_at: IsoDateTime,
  stage_changed_at: Nullable(IsoDateTime),
  stage_changed_by: Nullable(Uuid),
  exogenous: Type.Array(ExogenousSeriesView, { description: 'exogenous series the version was evaluated with and serves with (empty: prices only)' }),
});
export type ForecastModelVersionView = Static<typeof ForecastModelVersionView>;

export const ForecastModelView = Type.Object({
  id: Uuid,
  organization_id: Uuid,
  experiment_id: Uuid,
  name: Type.String(),
  description: Type.String(),
  market: Type.String(),
  location: Type.String(),
  model_type: Type.String(),
  managed_by_job: Type.Boolean({ description: 'created by the daily forecast job for a location with assets' }),
  created_by: Nullable(Uuid),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
  version_count: Type.Integer(),
  latest_version: Nullable(ForecastModelVersionView),
  production_version: Nullable(ForecastModelVersionView),
  not_trained_reason: Type.Optional(
    Nullable(Type.String({ description: 'without a production version: why a default training (28 walk-forward evaluation days on the shared market) cannot run on the stored history, naming the days stored and needed; null when it can' })),
  ),
});
export type ForecastModelView = Static<typeof ForecastModelView>;

export const ModelTypeInfo = Type.Object({ spec: Type.String(), description: Type.String() });
export type ModelTypeInfo = Static<typeof ModelTypeInfo>;

export const ForecastModelList = Type.Object({
  items: Type.Array(ForecastModelView),
  model_types: Type.Array(ModelTypeInfo),
});
export type ForecastModelList = Static<typeof ForecastModelList>;

export const ForecastModelListQuery = Type.Object(
  { market: Type.Optional(Type.String({ maxLength: 10 })), location: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);

export const ForecastModelCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    market: Type.String({ minLength: 2, maxLength: 10, description: 'ISO id, any case' }),
    location: Type.String({ minLength: 1, maxLength: 100, description: 'catalogue location id, name or alias, or a location with stored prices' }),
    model_type: Type.String({ minLength: 1, maxLength: 60, description: 'naive, weekly-naive, lear:<days>, lear-ensemble, lear-rw, gbm:<days>, ridge:<days>, hybrid-rw, default (see model_types in GET /api/models)' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type ForecastModelCreateBody = Static<typeof ForecastModelCreateBody>;

export const ForecastVersionList = Type.Object({ items: Type.Array(ForecastModelVersionView) });

export const ForecastTrainBody = Type.Object(
  {
    eval_days: Type.Optional(Type.Integer({ minimum: 8, maximum: 366, default: 28, description: 'walk-forward evaluation over the last N complete stored days' })),
    warmup_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 7, description: 'days forecast before the evaluation only to seed the quantiles' })),
    quantile_window_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 28 })),
    price_scope: Type.Optional(PriceScope),
    compare_without_exogenous: Type.Optional(Type.Boolean({ description: 'when the load forecast is used, also evaluate the same days on prices alone and report those metrics as metrics.without_exogenous (doubles the training time)' })),
  },
  { additionalProperties: false },
);
export type ForecastTrainBody = Static<typeof ForecastTrainBody>;

export const ForecastArtifactView = Type.Object({ name: Type.String(), content_type: Type.String(), size_bytes: Type.Integer(), created_at: IsoDateTime });

export const ForecastRunView = Type.Object({
  id: Uuid,
  experiment_id: Uuid,
  model_id: Nullable(Uuid),
  model_version_id: Nullable(Uuid),
  status: Type.Union([Type.Literal('running'), Type.Literal('finished'), Type.Literal('failed')]),
  origin: Type.Union([Type.Literal('api'), Type.Literal('job')]),
  params: Type.Record(Type.String(), Type.Unknown()),
  metrics: Nullable(Type.Record(Type.String(), Type.Unknown())),
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer(), date: Type.Optional(Type.String()) }),
  error: Nullable(Type.String()),
  created_by: Nullable(Uuid),
  started_at: IsoDateTime,
  finished_at: Nullable(IsoDateTime),
  artifacts: Type.Array(ForecastArtifactView),
  exogenous: Type.Array(ExogenousSeriesView, { description: 'exogenous series the evaluation used (empty: prices only)' }),
  exogenous_note: Nullable(Type.String({ description: 'why no load forecast was used, when none was' })),
  price_scope: PriceScope,
});
export type ForecastRunView = Static<typeof ForecastRunView>;

export const ForecastTrainResponse = Type.Object({ version: ForecastModelVersionView, run: ForecastRunView });

export const ForecastVersionParams = Type.Object({ id: Uuid, v: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: "version number (a PostgreSQL integer)" }) });
export const ForecastArtifactParams = Type.Object({ id: Uuid, name: Type.String({ minLength: 1, maxLength: 200 }) });

export const ForecastStageBody = Type.Object({ stage: ForecastStage }, { additionalProperties: false });
export const ForecastStageResponse = Type.Object({ version: ForecastModelVersionView, archived_version_ids: Type.Array(Uuid) });

export const ForecastExperimentView = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  created_by: Nullable(Uuid),
  created_at: IsoDateTime,
  run_count: Type.Integer(),
  last_run_at: Nullable(IsoDateTime),
});
export const ForecastExperimentList = Type.Object({ items: Type.Array(ForecastExperimentView) });

export const ForecastHourView = Type.Object({
  interval_start: IsoDateTime,
  point: Type.Number({ description: 'USD/MWh, the model output' }),
  p10: Type.Number(),
  p50: Type.Number(),
  p90: Type.Number(),
});

export const ForecastView = Type.Object({
  id: Uuid,
  model_version_id: Uuid,
  model_id: Uuid,
  model_name: Type.String(),
  version: Type.Integer(),
  model_type: Type.String(),
  market: Type.String(),
  location: Type.String(),
  delivery_date: IsoDate,
  origin: Type.Union([Type.Literal('evaluation'), Type.Literal('api'), Type.Literal('job')]),
  gate_closure: IsoDateTime,
  history_end: Nullable(IsoDateTime),
  mae_usd_per_mwh: Nullable(Type.Number({ description: 'scored once the delivery day\'s prices are stored' })),
  created_by: Nullable(Uuid),
  created_at: IsoDateTime,
  hours: Type.Array(ForecastHourView, { description: "one per hour of the market-local delivery day (23, 24 or 25)" }),
  price_scope: PriceScope,
  exogenous: Type.Array(ExogenousSeriesView, { description: 'exogenous series this forecast used (empty: prices only)' }),
  exogenous_note: Nullable(Type.String({ description: 'why this forecast ran on prices alone, when it did' })),
});
export type ForecastView = Static<typeof ForecastView>;

export const ForecastListQuery = Type.Object(
  {
    market: Type.Optional(Type.String({ maxLength: 10 })),
    location: Type.Optional(Type.String({ maxLength: 100 })),
    delivery_date: Type.Optional(IsoDate),
    model_version_id: Type.Optional(Uuid),
    origin: Type.Optional(Type.Union([Type.Literal('evaluation'), Type.Literal('api'), Type.Literal('job')])),
    price_scope: Type.Optional(PriceScope),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
export const ForecastList = Type.Object({ items: Type.Array(ForecastView) });

export const ForecastCreateBody = Type.Object(
  {
    market: Type.String({ minLength: 2, maxLength: 10 }),
    location: Type.String({ minLength: 1, maxLength: 100 }),
    delivery_date: IsoDate,
    model_version_id: Type.Optional(Uuid),
    price_scope: Type.Optional(PriceScope),
  },
  { additionalProperties: false },
);
export type ForecastCreateBody = Static<typeof ForecastCreateBody>;
